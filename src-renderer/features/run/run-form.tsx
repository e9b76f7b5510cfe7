import type { ModelEntry, ProviderId, ProviderStatus } from '../../../src-main/ipc/contract';
import { useApi } from '../../app/api-context';
import {
  type Fill,
  runDimChanged,
  runFillChosen,
  runModelChosen,
  runProviderChosen,
  runRequested,
  runSeedChanged,
  useRunStore,
} from '../../state/run';
import { Card } from '../../ui/card';

const FILLS: { value: Fill; label: string }[] = [
  { value: 'random', label: 'Random' },
  { value: 'zeros', label: 'Zeros' },
  { value: 'ones', label: 'Ones' },
];

/** An integer typed in a field, or NaN while the field is empty or not a whole number. */
function parseInteger(text: string): number {
  return /^-?\d+$/.test(text.trim()) ? Number(text) : Number.NaN;
}

/** The run form: model, provider (unavailable ones disabled, with why), symbolic dims, fill, seed. */
export function RunForm(props: {
  models: readonly ModelEntry[];
  providers: readonly ProviderStatus[];
}) {
  const api = useApi();
  const form = useRunStore((s) => s.form);
  const running = useRunStore((s) => s.status === 'running');
  const unavailable = props.providers.filter((p) => !p.available);
  const dimNames = Object.keys(form.dims);
  return (
    <Card className="run-form" title="Run once">
      <form
        className="form"
        onSubmit={(e) => {
          e.preventDefault();
          void runRequested(api);
        }}
      >
        <label className="field">
          <span className="field-label">Model</span>
          <select
            value={form.modelId ?? ''}
            onChange={(e) =>
              runModelChosen(props.models.find((m) => m.id === e.target.value) ?? null)
            }
            data-testid="run-model"
          >
            {form.modelId === null && <option value="">Choose a model</option>}
            {props.models.map((m) => (
              <option key={m.id} value={m.id}>
                {m.name}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span className="field-label">Execution provider</span>
          <select
            value={form.provider ?? ''}
            onChange={(e) => runProviderChosen(e.target.value as ProviderId)}
            data-testid="run-provider"
          >
            {form.provider === null && <option value="">Choose a provider</option>}
            {props.providers.map((p) => (
              <option key={p.id} value={p.id} disabled={!p.available} title={p.reason ?? undefined}>
                {p.ortName}
                {p.available ? '' : ' (unavailable)'}
              </option>
            ))}
          </select>
        </label>
        {unavailable.length > 0 && (
          <ul className="provider-reasons" data-testid="provider-reasons">
            {unavailable.map((p) => (
              <li key={p.id}>
                <span className="mono">{p.ortName}</span>: {p.reason ?? 'not available here'}
              </li>
            ))}
          </ul>
        )}
        {dimNames.length > 0 && (
          <fieldset className="fieldset">
            <legend>Dynamic dimensions</legend>
            {dimNames.map((name) => (
              <label key={name} className="field field-inline">
                <mark className="dim-dynamic">{name}</mark>
                <input
                  type="number"
                  min={1}
                  step={1}
                  value={Number.isNaN(form.dims[name]) ? '' : form.dims[name]}
                  onChange={(e) => runDimChanged(name, parseInteger(e.target.value))}
                  data-testid={`run-dim-${name}`}
                />
              </label>
            ))}
          </fieldset>
        )}
        <div className="field-row">
          <label className="field">
            <span className="field-label">Input values</span>
            <select
              value={form.fill}
              onChange={(e) => runFillChosen(e.target.value as Fill)}
              data-testid="run-fill"
            >
              {FILLS.map((f) => (
                <option key={f.value} value={f.value}>
                  {f.label}
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            <span className="field-label">Seed</span>
            <input
              type="number"
              step={1}
              value={Number.isNaN(form.seed) ? '' : form.seed}
              disabled={form.fill !== 'random'}
              onChange={(e) => runSeedChanged(parseInteger(e.target.value))}
              data-testid="run-seed"
            />
          </label>
        </div>
        <button
          type="submit"
          className="button button-primary"
          disabled={running}
          data-testid="run-execute"
        >
          {running ? 'Running…' : 'Run'}
        </button>
      </form>
    </Card>
  );
}
