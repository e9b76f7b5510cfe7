import type { ModelEntry, ProviderId, ProviderStatus } from '../../../src-main/ipc/contract';
import { PROVIDER_LABELS } from '../../../src-main/ipc/providers';
import { pictureInputProblem } from '../../../src-main/ipc/image-model';
import { useApi } from '../../common/api-context';
import { ErrorNotice } from '../../common/error-notice';
import {
  type Fill,
  runDimChanged,
  runFillChosen,
  runModelChosen,
  runProviderChosen,
  runRequested,
  runSeedChanged,
  runShapeChanged,
  runValuesChanged,
  useRunStore,
} from '../../state/run';
import { Card } from '../../ui/card';
import { modelChoices, runProviderChoices } from '../../ui/choices';
import { NumberField, NumberInput, SelectField } from '../../ui/field';
import { PictureInput } from './picture-input';

const FILLS: { value: Fill; label: string }[] = [
  { value: 'random', label: 'Random' },
  { value: 'zeros', label: 'Zeros' },
  { value: 'ones', label: 'Ones' },
];

/** A model shape as people read it, unnamed dims as ?: [?, 4]. */
function describeShape(shape: readonly (string | number | null)[] | null): string {
  return shape === null ? 'any shape' : `[${shape.map((d) => d ?? '?').join(', ')}]`;
}

/** An integer typed in a field, or NaN while the field is empty or not a whole number. */
function parseInteger(text: string): number {
  return /^-?\d+$/.test(text.trim()) ? Number(text) : Number.NaN;
}

/**
 * The run form: model, provider (unavailable ones disabled, with why), symbolic dims, per input its
 * values or — for an input that takes one — a picture, fill, seed.
 */
export function RunForm(props: {
  models: readonly ModelEntry[];
  providers: readonly ProviderStatus[];
}) {
  const api = useApi();
  const form = useRunStore((s) => s.form);
  const running = useRunStore((s) => s.status === 'running');
  const pictureError = useRunStore((s) => s.pictureError);
  const unavailable = props.providers.filter((p) => !p.available);
  const dimNames = Object.keys(form.dims);
  const model = props.models.find((m) => m.id === form.modelId);
  const modelInputs = model?.inspection?.inputs ?? [];
  const allPictures =
    modelInputs.length > 0 && modelInputs.every((i) => form.pictures?.[i.name] !== undefined);
  return (
    <Card className="run-form" title="Run once">
      <form
        className="form"
        onSubmit={(e) => {
          e.preventDefault();
          void runRequested(api, model);
        }}
      >
        <SelectField
          label="Model"
          value={form.modelId}
          options={modelChoices(props.models)}
          onChange={(id) => runModelChosen(props.models.find((m) => m.id === id) ?? null)}
          placeholder="Choose a model"
          testId="run-model"
        />
        <SelectField
          label="Execution provider"
          value={form.provider}
          options={runProviderChoices(props.providers)}
          onChange={(id) => runProviderChosen(id as ProviderId | 'auto')}
          placeholder="Choose a provider"
          testId="run-provider"
        />
        {unavailable.length > 0 && (
          <ul className="provider-reasons" data-testid="provider-reasons">
            {unavailable.map((p) => (
              <li key={p.id}>
                <span className="mono">{PROVIDER_LABELS[p.id]}</span>:{' '}
                {p.reason ?? 'not available here'}
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
                <NumberInput
                  min={1}
                  step={1}
                  value={form.dims[name] ?? Number.NaN}
                  parse={parseInteger}
                  onChange={(v) => runDimChanged(name, v)}
                  testId={`run-dim-${name}`}
                />
              </label>
            ))}
          </fieldset>
        )}
        {model?.inspection && model.inspection.inputs.length > 0 && (
          <fieldset className="fieldset" data-testid="run-inputs">
            <legend>Inputs</legend>
            {model.inspection.inputs.map((input) => {
              const unnamed = (input.shape ?? []).some((d) => d === null);
              const picture = form.pictures?.[input.name];
              return (
                <div key={input.name} className="field field-inline run-input">
                  <span className="mono" title={describeShape(input.shape)}>
                    {input.name} <span className="muted">{input.dtype}</span>
                  </span>
                  {picture ? (
                    <span className="muted">a picture (below)</span>
                  ) : (
                    <input
                      aria-label={`Values for ${input.name}`}
                      data-testid={`run-value-${input.name}`}
                      placeholder="values, e.g. 16000 (empty: the fill below)"
                      value={form.values?.[input.name] ?? ''}
                      onChange={(e) => runValuesChanged(input.name, e.target.value)}
                    />
                  )}
                  {unnamed && (
                    <input
                      aria-label={`Shape of ${input.name}`}
                      data-testid={`run-shape-${input.name}`}
                      className="mono"
                      placeholder={describeShape(input.shape)
                        .replace(/^\[|\]$/g, '')
                        .replace(/, /g, 'x')}
                      value={form.shapes?.[input.name] ?? ''}
                      onChange={(e) => runShapeChanged(input.name, e.target.value)}
                    />
                  )}
                  {pictureInputProblem(input) === null && (
                    <PictureInput model={model} input={input.name} chosen={picture} />
                  )}
                </div>
              );
            })}
            {pictureError !== null && (
              <ErrorNotice error={pictureError} testId="run-picture-error" />
            )}
          </fieldset>
        )}
        {/* A fill only matters while some input has no picture. */}
        {!allPictures && (
          <div className="field-row">
            <SelectField
              label="Input values"
              value={form.fill}
              options={FILLS}
              onChange={(f) => runFillChosen(f as Fill)}
              testId="run-fill"
            />
            <NumberField
              label="Seed"
              step={1}
              value={form.seed}
              parse={parseInteger}
              disabled={form.fill !== 'random'}
              onChange={runSeedChanged}
              testId="run-seed"
            />
          </div>
        )}
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
