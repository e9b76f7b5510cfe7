import { useEffect, useMemo } from 'react';
import type { CacheEntry, CompileJob, ProviderStatus } from '../../../src-main/ipc/contract';
import {
  COMPILE_PREFERENCE,
  firstAvailable,
  PROVIDER_LABELS,
} from '../../../src-main/ipc/providers';
import { useApi } from '../../common/api-context';
import { ErrorNotice } from '../../common/error-notice';
import { FedRecord, InputsEditor, quoteArg } from '../../common/inputs-editor';
import {
  cacheCleared,
  cacheListRequested,
  compileActionErrorDismissed,
  compileCancelled,
  compileFormChanged,
  compileInputsChanged,
  compileInputsChecked,
  compileRequested,
  useCompileStore,
} from '../../state/compile';
import { selectProviders, useEngineStore } from '../../state/engine';
import { useModelsStore } from '../../state/models';
import { inputOfError, inputsCheckCleared, sourceKindOf, useInputsStore } from '../../state/inputs';
import { runnableModels } from '../../state/run';
import { Card } from '../../ui/card';
import { modelChoices, providerChoices } from '../../ui/choices';
import { Chip } from '../../ui/chip';
import { EmptyState } from '../../ui/empty-state';
import { SelectField } from '../../ui/field';
import { formatBytes, formatMs } from '../../ui/format';
import { Meter } from '../../ui/meter';
import {
  ENTRY_TONE,
  jobStatusText,
  STATE_TONE,
  progressFraction,
  subgraphText,
} from './compile-summary';

/**
 * The Compile area: start a compile, the queue (phase, subgraph counter, elapsed, estimate, cancel),
 * the switch-overs with their measured gain, and the cache (sizes, valid/stale with the reason,
 * clear).
 */
export function CompileArea() {
  const api = useApi();
  const jobs = useCompileStore((s) => s.jobs);
  const loaded = useCompileStore((s) => s.loaded);
  const error = useCompileStore((s) => s.error);
  const actionError = useCompileStore((s) => s.actionError);
  const switches = useCompileStore((s) => s.switches);
  const entries = useModelsStore((s) => s.entries);
  const nameOf = (id: string) => entries.find((e) => e.id === id)?.name ?? id.slice(0, 12);
  const finished = jobs.filter((j) => j.state === 'done').length;
  // An error about one input is shown beside it in the form (CompileForm), not up here.
  const inputs = useCompileStore((s) => s.form.inputs);
  const formModelId = useCompileStore((s) => s.form.modelId);
  const formModel = runnableModels(entries).find((m) => m.id === formModelId);
  const byInput = inputOfError(
    actionError,
    inputs,
    (formModel?.inspection?.inputs ?? []).map((i) => i.name),
  );

  // The cache list is re-read when the area opens and whenever another job finishes.
  useEffect(() => {
    void cacheListRequested(api);
  }, [api, finished]);

  return (
    <div className="area" data-testid="area-compile">
      <div className="area-head">
        <h1>Compile queue</h1>
      </div>
      {error !== null && <ErrorNotice error={error} />}
      {actionError !== null && byInput === null && (
        <ErrorNotice
          error={actionError}
          onDismiss={compileActionErrorDismissed}
          testId="compile-error"
        />
      )}
      <CompileForm />
      {switches.length > 0 && (
        <ul className="job-list" data-testid="switch-overs">
          {switches.map((s) => (
            <li key={`${s.modelId}-${s.at}`} className="card job-row" data-testid="switch-over">
              <div className="job-head">
                <span className="model-name">{nameOf(s.modelId)}</span>
                <Chip tone="ok">switched</Chip>
              </div>
              <div className="job-meta">
                <span>{s.message}</span>
              </div>
            </li>
          ))}
        </ul>
      )}
      {loaded && jobs.length === 0 && (
        <EmptyState title="No compile jobs yet" testId="compile-empty">
          <p>
            Pick a model and a provider above. TensorRT-RTX builds an EP-context model and its
            runtime cache; the other providers save ONNX Runtime&apos;s optimised model. Either way
            the next start is faster, and a running model switches to it.
          </p>
        </EmptyState>
      )}
      {jobs.length > 0 && (
        <ul className="job-list" data-testid="compile-jobs">
          {jobs.map((job) => (
            <JobRow
              key={job.id}
              job={job}
              modelName={
                entries.some((e) => e.id === job.modelId) || job.modelName === undefined
                  ? nameOf(job.modelId)
                  : `${job.modelName} (removed)`
              }
            />
          ))}
        </ul>
      )}
      <CacheList />
    </div>
  );
}

function CompileForm() {
  const api = useApi();
  const form = useCompileStore((s) => s.form);
  const actionError = useCompileStore((s) => s.actionError);
  const check = useInputsStore((s) => s.compile);
  const entries = useModelsStore((s) => s.entries);
  const providers = useEngineStore(selectProviders);
  const models = useMemo(() => runnableModels(entries), [entries]);
  const available = providers.filter((p) => p.available);
  const modelId = models.some((m) => m.id === form.modelId)
    ? form.modelId
    : (models[0]?.id ?? null);
  const provider = available.some((p) => p.id === form.provider)
    ? form.provider
    : // COMPILE_PREFERENCE leaves CUDA out (no compile step of its own), but the form still offers
      // whatever is available when nothing in that order is.
      (firstAvailable(COMPILE_PREFERENCE, available) ?? available[0]?.id ?? null);
  const model = models.find((m) => m.id === modelId);
  const names = (model?.inspection?.inputs ?? []).map((i) => i.name);
  const actionInput = inputOfError(actionError, form.inputs, names);
  const checkInput = inputOfError(check.error, form.inputs, names);
  return (
    <Card title="Compile a model">
      <form
        className="form"
        onSubmit={(e) => {
          e.preventDefault();
          compileFormChanged({ modelId, provider });
          void compileRequested(api, model);
        }}
      >
        <div className="field-row">
          <SelectField
            label="Model"
            value={modelId}
            options={modelChoices(models)}
            onChange={(id) => {
              compileFormChanged({ modelId: id });
              inputsCheckCleared('compile');
            }}
            testId="compile-model"
          />
          <SelectField
            label="Provider"
            value={provider}
            options={providerChoices(providers)}
            onChange={(id) => compileFormChanged({ provider: id as ProviderStatus['id'] })}
            testId="compile-provider"
          />
        </div>
        {model?.inspection && (
          <details className="compile-inputs" data-testid="compile-inputs-details">
            <summary>
              Warm-up inputs{' '}
              <span className="muted">
                (what the check run after the build feeds; a control input picks the branch)
              </span>
            </summary>
            <InputsEditor
              testId="compile-inputs"
              model={model}
              form={form.inputs}
              kindOf={(input) => sourceKindOf(form.inputs, input)}
              onChange={(patch) => {
                // The form's model is the one shown (the first, until the user picks).
                if (form.modelId !== modelId) compileFormChanged({ modelId });
                compileInputsChanged(patch);
                inputsCheckCleared('compile');
              }}
              command="compile"
              dimsWhenEmpty="the Run form's, else from the inputs, else 1"
              pathForFile={api.pathForFile}
              error={actionInput !== null ? actionError : checkInput !== null ? check.error : null}
              errorInput={actionInput ?? checkInput}
              check={check}
              onCheck={() => compileInputsChecked(api, model)}
            />
          </details>
        )}
        <button
          type="submit"
          className="button button-primary"
          disabled={modelId === null || provider === null}
          data-testid="compile-start"
        >
          Compile
        </button>
      </form>
    </Card>
  );
}

function JobRow({ job, modelName }: { job: CompileJob; modelName: string }) {
  const api = useApi();
  const progress = progressFraction(job);
  const subgraph = subgraphText(job);
  const active = job.state === 'queued' || job.state === 'running';
  const path = useModelsStore((s) => s.entries.find((e) => e.id === job.modelId)?.path);
  return (
    <li className="job-row card" data-testid="compile-job" data-state={job.state}>
      <div className="job-head">
        <span className="model-name">{modelName}</span>
        <span className="mono muted">{PROVIDER_LABELS[job.provider]}</span>
        <Chip tone={STATE_TONE[job.state]} testId="compile-job-state">
          {job.state}
        </Chip>
        {active && (
          <button
            type="button"
            className="button"
            onClick={() => void compileCancelled(api, job.id)}
            data-testid="compile-cancel"
          >
            Cancel
          </button>
        )}
      </div>
      <div className="job-meta">
        <span data-testid="compile-job-phase">{jobStatusText(job, formatMs)}</span>
        {subgraph !== null && active && <span>{subgraph}</span>}
        {job.percent !== null && active && <span>{Math.round(job.percent)}%</span>}
        {job.estimateMs !== null && active && <span>estimate {formatMs(job.estimateMs)}</span>}
        {job.estimateMs === null && job.state === 'running' && (
          <span className="muted">no estimate yet (nothing similar compiled here)</span>
        )}
      </div>
      {progress !== null && (
        <Meter label={`${modelName} compile progress`} value={progress} max={1} />
      )}
      {job.inputs && (
        <details className="job-fed">
          <summary className="muted">Warm-up inputs</summary>
          <FedRecord
            fed={job.inputs}
            testId="compile-job-fed"
            title="Fed"
            command={path === undefined ? undefined : `crucible compile ${quoteArg(path)}`}
          />
        </details>
      )}
      {job.error !== null && <ErrorNotice error={job.error} />}
    </li>
  );
}

function CacheList() {
  const api = useApi();
  const cache = useCompileStore((s) => s.cache);
  const cacheLoaded = useCompileStore((s) => s.cacheLoaded);
  const total = cache.reduce((n, e) => n + e.sizeBytes, 0);
  return (
    <Card title={`Compile cache · ${formatBytes(total)}`}>
      {cacheLoaded && cache.length === 0 && <p className="muted">The cache is empty.</p>}
      {cache.length > 0 && (
        <>
          <ul className="job-list" data-testid="cache-entries">
            {cache.map((e) => (
              <CacheRow key={e.id} entry={e} />
            ))}
          </ul>
          <button
            type="button"
            className="button"
            onClick={() => void cacheCleared(api)}
            data-testid="cache-clear-all"
          >
            Clear the cache
          </button>
        </>
      )}
    </Card>
  );
}

function CacheRow({ entry }: { entry: CacheEntry }) {
  const api = useApi();
  return (
    <li className="job-row" data-testid="cache-entry" data-state={entry.state}>
      <div className="job-head">
        <span className="model-name">{entry.modelName}</span>
        <span className="mono muted">{PROVIDER_LABELS[entry.provider]}</span>
        <Chip tone={ENTRY_TONE[entry.state]}>{entry.state}</Chip>
        <button
          type="button"
          className="button"
          onClick={() => void cacheCleared(api, entry.id)}
          data-testid="cache-clear"
        >
          Clear
        </button>
      </div>
      <div className="job-meta">
        <span>{formatBytes(entry.sizeBytes)}</span>
        {entry.compileMs !== null && <span>compiled in {formatMs(entry.compileMs)}</span>}
        {entry.nodes !== null && (
          <span>
            {entry.provider === 'cpu'
              ? `${entry.nodes.provider} nodes`
              : `${entry.nodes.provider} nodes on ${PROVIDER_LABELS[entry.provider]}, ${entry.nodes.cpu} on CPU`}
          </span>
        )}
        <span className="mono muted">
          {entry.gpu} · {entry.driver} · ORT {entry.ortVersion}
        </span>
        {entry.reason !== null && <span data-testid="cache-entry-reason">{entry.reason}</span>}
      </div>
    </li>
  );
}
