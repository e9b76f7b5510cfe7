/**
 * The compile queue, the compile cache, the per-model status chips and the switch-overs.
 * compile:list at start, then every compile:progress event (newest job first); compile:status and
 * compile:status-changed for the chips; run:switched for the "was 26 ms on CPU, now 3.3 ms on
 * WebGPU" messages; cache:list when the Compile area opens and after each finished job.
 */
import { create } from 'zustand';
import type {
  CacheEntry,
  CompileJob,
  ModelEntry,
  ModelProviderStatus,
  ProviderId,
  SwitchOver,
} from '../../src-main/ipc/contract';
import type { AppErrorData } from '../../src-main/shared/errors';
import type { RendererApi } from '../api/types';
import {
  buildInputPlan,
  emptyInputsForm,
  type InputsForm,
  type InputsPatch,
  inputsCheckRefused,
  inputsCheckRequested,
  inputsFormFor,
  patchInputs,
  planToCheck,
} from './inputs';
import { buildRunRequest, sizingKey, useRunStore } from './run';

export interface CompileState {
  jobs: CompileJob[];
  loaded: boolean;
  error: AppErrorData | null;
  /** Status chips, per model and provider. */
  statuses: ModelProviderStatus[];
  /** The cache, each entry checked against this machine by the main side. */
  cache: CacheEntry[];
  cacheLoaded: boolean;
  /** The last thing the user asked that failed (enqueue, cancel, clear). */
  actionError: AppErrorData | null;
  /** Switch-overs seen since the page opened, newest first. */
  switches: SwitchOver[];
  form: {
    modelId: string | null;
    provider: ProviderId | null;
    /** What the warm-up run feeds (state/inputs.ts): the same choices as the Run form's. */
    inputs: InputsForm;
  };
}

const initial: CompileState = {
  jobs: [],
  loaded: false,
  error: null,
  statuses: [],
  cache: [],
  cacheLoaded: false,
  actionError: null,
  switches: [],
  form: { modelId: null, provider: null, inputs: emptyInputsForm() },
};

export const useCompileStore = create<CompileState>()(() => initial);

/** compile:list answered (newest first). */
export function compileJobsLoaded(jobs: CompileJob[]): void {
  useCompileStore.setState({ jobs, loaded: true, error: null });
}

/** compile:list failed. */
export function compileJobsFailed(error: AppErrorData): void {
  useCompileStore.setState({ error, loaded: true });
}

/** A job moved: it replaces its older self in place, or joins the front when new. */
export function compileProgressReceived(job: CompileJob): void {
  useCompileStore.setState((state) => {
    const index = state.jobs.findIndex((j) => j.id === job.id);
    if (index === -1) return { jobs: [job, ...state.jobs] };
    const jobs = state.jobs.slice();
    jobs[index] = job;
    return { jobs };
  });
}

/** The status chips changed (compile:status or compile:status-changed). */
export function compileStatusesReceived(statuses: ModelProviderStatus[]): void {
  useCompileStore.setState({ statuses });
}

/** A running model moved to its compiled session. */
export function switchOverReceived(s: SwitchOver): void {
  useCompileStore.setState((state) => ({ switches: [s, ...state.switches].slice(0, 20) }));
}

/** The user picked what to compile; another model's per-input choices go. */
export function compileFormChanged(patch: Partial<Omit<CompileState['form'], 'inputs'>>): void {
  useCompileStore.setState((state) => {
    const other = patch.modelId !== undefined && patch.modelId !== state.form.modelId;
    return {
      form: {
        ...state.form,
        ...patch,
        inputs: other ? inputsFormFor(state.form.inputs, null, null) : state.form.inputs,
      },
    };
  });
}

/** The user changed what the warm-up run feeds. */
export function compileInputsChanged(patch: InputsPatch): void {
  useCompileStore.setState((state) => ({
    form: { ...state.form, inputs: patchInputs(state.form.inputs, patch) },
  }));
}

/**
 * The dims a compile from this area is for, when `model` is the Run form's model: each named dim
 * typed there, else the size the model's last run had (a token file may have set it) while the
 * form's dims and inputs are still those of that run, so the
 * entry it makes is the one the next run of the model uses (the session owner uses an entry only
 * for the dims it was compiled for). Dims neither gives are sized on the main side as a run sizes
 * them (from the inputs, else 1).
 */
export function compileDimsFor(model: ModelEntry | null | undefined): Record<string, number> {
  const { form, result, resultSizing } = useRunStore.getState();
  const dims: Record<string, number> = {};
  if (!model || form.modelId !== model.id) return dims;
  // The last run's dims only while the form would still size them the same way.
  const built = buildRunRequest(form);
  const same =
    result?.modelId === model.id && 'request' in built && resultSizing === sizingKey(built.request);
  const ran = same ? (result.dims ?? {}) : {};
  for (const name of model.inspection?.dynamicDims ?? []) {
    const v = form.dims[name];
    if (v !== undefined && Number.isSafeInteger(v) && v > 0) dims[name] = v;
    else if (ran[name] !== undefined) dims[name] = ran[name];
  }
  return dims;
}

/** The user asked to compile the chosen model for the chosen provider (at the model's dims). */
export async function compileRequested(api: RendererApi, model?: ModelEntry | null): Promise<void> {
  const { modelId, provider, inputs } = useCompileStore.getState().form;
  if (modelId === null || provider === null) return;
  const built = buildInputPlan(inputs);
  if ('error' in built) {
    useCompileStore.setState({ actionError: built.error });
    return;
  }
  useCompileStore.setState({ actionError: null });
  // Dims typed here win; the others follow the Run form (compileDimsFor).
  const dims = {
    ...compileDimsFor(model?.id === modelId ? model : null),
    ...built.plan?.dims,
  };
  const r = await api.invoke('compile:enqueue', {
    modelId,
    provider,
    ...(Object.keys(dims).length > 0 ? { options: { dims, dimRanges: {}, cudaGraph: false } } : {}),
    ...(built.plan ? { inputs: { ...built.plan, dims } } : {}),
  });
  if (r.ok) compileProgressReceived(r.value);
  else useCompileStore.setState({ actionError: r.error });
}

/**
 * The user asked what the compile's warm-up is fed: the check sizes dims as the compile will
 * (compileDimsFor, then the inputs, else 1 — `asRun`), not as a benchmark would.
 */
export function compileInputsChecked(api: RendererApi, model: ModelEntry): void {
  const { inputs } = useCompileStore.getState().form;
  const built = buildInputPlan(inputs);
  if ('error' in built) {
    inputsCheckRefused('compile', built.error);
    return;
  }
  const plan = planToCheck(inputs, built.plan);
  const dims = { ...compileDimsFor(model), ...plan.dims };
  void inputsCheckRequested(api, 'compile', model.id, { ...plan, dims });
}

/** The user cancelled a job. */
export async function compileCancelled(api: RendererApi, jobId: string): Promise<void> {
  const r = await api.invoke('compile:cancel', { jobId });
  if (!r.ok) useCompileStore.setState({ actionError: r.error });
}

/** The main side pushed the cache list (cache:changed: an entry added, cleared or found bad). */
export function cacheChanged(cache: CacheEntry[]): void {
  useCompileStore.setState({ cache, cacheLoaded: true });
}

/** Reads the cache list (the main side checks every entry). */
export async function cacheListRequested(api: RendererApi): Promise<void> {
  const r = await api.invoke('cache:list', {});
  if (r.ok) useCompileStore.setState({ cache: r.value, cacheLoaded: true });
  else useCompileStore.setState({ actionError: r.error, cacheLoaded: true });
}

/** The user cleared one entry, or all of them. */
export async function cacheCleared(api: RendererApi, entryId?: string): Promise<void> {
  const r = await api.invoke('cache:clear', entryId === undefined ? {} : { entryId });
  if (!r.ok) useCompileStore.setState({ actionError: r.error });
  await cacheListRequested(api);
}

/** The user dismissed the last action's error. */
export function compileActionErrorDismissed(): void {
  useCompileStore.setState({ actionError: null });
}

/** Subscribes the chips and switch-overs for the app's lifetime; returns the unsubscribe. */
export function connectCompile(api: RendererApi): () => void {
  const unsubscribes = [
    api.on('compile:status-changed', compileStatusesReceived),
    api.on('run:switched', switchOverReceived),
    api.on('cache:changed', cacheChanged),
  ];
  let closed = false;
  void api.invoke('compile:status', {}).then((r) => {
    if (r.ok && !closed) compileStatusesReceived(r.value);
  });
  return () => {
    closed = true;
    for (const u of unsubscribes) u();
  };
}

/** Back to the first state (tests). */
export function resetCompileStore(): void {
  useCompileStore.setState(initial, true);
}
