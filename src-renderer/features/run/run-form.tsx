import type { ModelEntry, ProviderId, ProviderStatus } from '../../../src-main/ipc/contract';
import { PROVIDER_LABELS } from '../../../src-main/ipc/providers';
import { pictureInputProblem } from '../../../src-main/ipc/image-model';
import { useApi } from '../../common/api-context';
import { ErrorNotice } from '../../common/error-notice';
import { InputsEditor } from '../../common/inputs-editor';
import {
  inputOfError,
  inputsCheckCleared,
  inputsCheckRefused,
  inputsCheckRequested,
  planToCheck,
  sourceKindOf,
  useInputsStore,
} from '../../state/inputs';
import {
  buildRunRequest,
  runInputsChanged,
  runModelChosen,
  runProviderChosen,
  runRequested,
  useRunStore,
} from '../../state/run';
import { Card } from '../../ui/card';
import { modelChoices, runProviderChoices } from '../../ui/choices';
import { SelectField } from '../../ui/field';
import { PictureInput } from './picture-input';

/**
 * The run form: model, provider (unavailable ones disabled, with why), and the inputs editor
 * (common/inputs-editor.tsx, shared with Bench and Compile): dims, per input values, a file or —
 * for an input that takes one — a picture, a test-data folder, fill, seed, "Check inputs".
 */
export function RunForm(props: {
  models: readonly ModelEntry[];
  providers: readonly ProviderStatus[];
}) {
  const api = useApi();
  const form = useRunStore((s) => s.form);
  const running = useRunStore((s) => s.status === 'running');
  const pictureError = useRunStore((s) => s.pictureError);
  const runError = useRunStore((s) => s.error);
  const check = useInputsStore((s) => s.run);
  const unavailable = props.providers.filter((p) => !p.available);
  const model = props.models.find((m) => m.id === form.modelId);
  const names = (model?.inspection?.inputs ?? []).map((i) => i.name);
  // The run's error, else the check's, beside the input it names (the outcome shows the rest).
  const runErrorInput = inputOfError(runError, form, names);
  const checkErrorInput = inputOfError(check.error, form, names);
  const placed = runErrorInput !== null ? runError : checkErrorInput !== null ? check.error : null;
  const placedInput = runErrorInput ?? checkErrorInput;
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
        {model?.inspection && (
          <InputsEditor
            testId="run"
            model={model}
            form={form}
            kindOf={(input) => sourceKindOf(form, input, form.pictures?.[input] !== undefined)}
            onChange={(patch) => {
              runInputsChanged(patch);
              inputsCheckCleared('run');
            }}
            command="run"
            dimsWhenEmpty="from the inputs, else 1"
            pictureFor={(input) =>
              pictureInputProblem(input) === null ? (
                <PictureInput
                  model={model}
                  input={input.name}
                  // A picture kept while another source is chosen is not fed: not shown either.
                  chosen={
                    sourceKindOf(form, input.name, form.pictures?.[input.name] !== undefined) ===
                    'picture'
                      ? form.pictures?.[input.name]
                      : undefined
                  }
                />
              ) : null
            }
            pathForFile={api.pathForFile}
            error={placed}
            errorInput={placedInput}
            check={check}
            onCheck={() => {
              const built = buildRunRequest(form);
              if ('error' in built) inputsCheckRefused('run', built.error);
              else
                void inputsCheckRequested(
                  api,
                  'run',
                  built.request.modelId,
                  planToCheck(form, built.request.inputs ?? null),
                );
            }}
          />
        )}
        {pictureError !== null && <ErrorNotice error={pictureError} testId="run-picture-error" />}
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
