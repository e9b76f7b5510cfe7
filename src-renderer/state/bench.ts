/**
 * Benchmarks: the history (bench:history, read when the Benchmarks area opens), the run form,
 * the run in flight with its bench:progress, exports (bench:export), and two picked results
 * compared (bench:compare).
 */
import { create } from 'zustand';
import type {
  BenchComparison,
  BenchResult,
  EventPayload,
  InvokeOutput,
  ModelEntry,
  ProviderId,
} from '../../src-main/ipc/contract';
import { providerBenchModes } from '../../src-main/ipc/providers';
import type { AppErrorData } from '../../src-main/shared/errors';
import type { RendererApi } from '../api/types';
import {
  buildInputPlan,
  emptyInputsForm,
  type InputsForm,
  type InputsPatch,
  inputsFormFor,
  patchInputs,
} from './inputs';

export type BenchMode = BenchResult['mode'];

/** What the run form holds; a count or a duration decides how long the measure phase runs. */
export interface BenchForm {
  modelId: string | null;
  provider: ProviderId | null;
  mode: BenchMode;
  by: 'iterations' | 'duration';
  iterations: number;
  durationS: number;
  warmup: number;
  /** Also profile a few runs per operator (ORT profiling) after the timed phase. */
  profile: boolean;
  /** What the benchmark feeds (state/inputs.ts): the same choices as the Run form's. */
  inputs: InputsForm;
}

export interface BenchState {
  results: BenchResult[];
  loaded: boolean;
  loading: boolean;
  /** When the history was read; "5 min ago" is measured from here. */
  loadedAt: number | null;
  error: AppErrorData | null;
  form: BenchForm;
  running: boolean;
  progress: EventPayload<'bench:progress'> | null;
  /** The result the last run gave (also first in `results`). */
  lastId: string | null;
  runError: AppErrorData | null;
  exportError: AppErrorData | null;
  /** Up to two results picked for comparison (A first), and what bench:compare answered. */
  compareIds: string[];
  comparison: BenchComparison | null;
  compareError: AppErrorData | null;
}

const initial: BenchState = {
  results: [],
  loaded: false,
  loading: false,
  loadedAt: null,
  error: null,
  form: {
    modelId: null,
    provider: null,
    mode: 'plain',
    by: 'iterations',
    iterations: 100,
    durationS: 5,
    warmup: 10,
    profile: false,
    inputs: emptyInputsForm(),
  },
  running: false,
  progress: null,
  lastId: null,
  runError: null,
  exportError: null,
  compareIds: [],
  comparison: null,
  compareError: null,
};

export const useBenchStore = create<BenchState>()(() => initial);

/** bench:history answered (newest first). */
export function benchHistoryLoaded(results: BenchResult[], now = Date.now()): void {
  useBenchStore.setState({ results, loaded: true, loading: false, loadedAt: now, error: null });
}

/** bench:history failed. */
export function benchHistoryFailed(error: AppErrorData): void {
  useBenchStore.setState({ error, loaded: true, loading: false });
}

/** The Benchmarks area opened (or the user asked again): read the history. */
export async function benchHistoryRequested(api: RendererApi): Promise<void> {
  useBenchStore.setState({ loading: true });
  const result = await api.invoke('bench:history', {});
  if (result.ok) benchHistoryLoaded(result.value);
  else benchHistoryFailed(result.error);
}

/** The user changed the run form; a provider change drops a mode it cannot do to plain. */
export function benchFormChanged(patch: Partial<BenchForm>): void {
  useBenchStore.setState((s) => {
    const form = { ...s.form, ...patch };
    // A mode the provider cannot do is never kept (the form does not offer it either).
    if (form.provider !== null && !providerBenchModes(form.provider).includes(form.mode)) {
      form.mode = 'plain';
    }
    return { form };
  });
}

/**
 * The user chose the model to benchmark: its named dims get fields (empty: the plan's default),
 * and another model's per-input choices go.
 */
export function benchModelChosen(model: ModelEntry | null): void {
  useBenchStore.setState((s) =>
    model?.id === s.form.modelId
      ? {}
      : {
          form: {
            ...s.form,
            modelId: model?.id ?? null,
            inputs: inputsFormFor(s.form.inputs, model, null),
          },
        },
  );
}

/** The user changed what the benchmark feeds. */
export function benchInputsChanged(patch: InputsPatch): void {
  useBenchStore.setState((s) => ({
    form: { ...s.form, inputs: patchInputs(s.form.inputs, patch) },
  }));
}

/** Why the form cannot run yet, or null when it can. */
export function benchFormProblem(form: BenchForm): string | null {
  if (form.modelId === null) return 'Choose a model';
  if (form.provider === null) return 'Choose a provider';
  if (form.by === 'iterations' && !(Number.isInteger(form.iterations) && form.iterations > 0)) {
    return 'Iterations must be a whole number above 0';
  }
  if (form.by === 'duration' && !(form.durationS > 0 && form.durationS <= 3600)) {
    return 'Duration must be between 0 and 3600 s';
  }
  if (!(Number.isInteger(form.warmup) && form.warmup >= 0)) return 'Warm-up must be 0 or more';
  return null;
}

/**
 * The user ticked or unticked a result for comparison: at most two are kept (the oldest pick
 * drops off); with two, bench:compare is asked for B (the second pick) against A.
 */
export async function benchCompareToggled(api: RendererApi, id: string): Promise<void> {
  const { compareIds } = useBenchStore.getState();
  const next = compareIds.includes(id)
    ? compareIds.filter((x) => x !== id)
    : [...compareIds, id].slice(-2);
  useBenchStore.setState({ compareIds: next, comparison: null, compareError: null });
  if (next.length !== 2) return;
  const [a, b] = next as [string, string];
  const result = await api.invoke('bench:compare', { a, b });
  // A newer pick may have replaced this pair while the answer was on its way.
  if (useBenchStore.getState().compareIds.join() !== next.join()) return;
  if (result.ok) useBenchStore.setState({ comparison: result.value });
  else useBenchStore.setState({ compareError: result.error });
}

/** A bench:progress event arrived. */
export function benchProgressReceived(p: EventPayload<'bench:progress'>): void {
  useBenchStore.setState({ progress: p });
}

/** The user asked to run the benchmark in the form. */
export async function benchRunRequested(api: RendererApi, now = () => Date.now()): Promise<void> {
  const { form, running } = useBenchStore.getState();
  if (running || benchFormProblem(form) !== null || !form.modelId || !form.provider) return;
  const built = buildInputPlan(form.inputs);
  if ('error' in built) {
    useBenchStore.setState({ runError: built.error });
    return;
  }
  useBenchStore.setState({ running: true, runError: null, progress: null });
  const result = await api.invoke('bench:run', {
    modelId: form.modelId,
    provider: form.provider,
    mode: form.mode,
    warmup: form.warmup,
    profile: form.profile,
    ...(form.by === 'iterations' ? { iterations: form.iterations } : { durationS: form.durationS }),
    // The session's dims are the plan's: a compiled entry is found for them too.
    ...(built.plan ? { dims: built.plan.dims, inputs: built.plan } : {}),
  });
  if (!result.ok) {
    useBenchStore.setState({ running: false, runError: result.error });
    return;
  }
  const r = result.value;
  // Cancelled by the user: no result to show (the main side keeps none either).
  if (r.error?.code === 'CANCELLED') {
    useBenchStore.setState({ running: false, progress: null });
    return;
  }
  useBenchStore.setState((s) => ({
    running: false,
    lastId: r.id,
    results: [r, ...s.results.filter((x) => x.id !== r.id)],
    loaded: true,
    loadedAt: now(),
  }));
}

/** The user pressed Cancel on the benchmark under way. */
export async function benchCancelRequested(api: RendererApi): Promise<void> {
  const result = await api.invoke('bench:cancel', {});
  if (!result.ok) useBenchStore.setState({ runError: result.error });
}

/**
 * How far the benchmark under way is, 0–1, for its progress bar: warm-up and timed iterations
 * done of those asked for; null while the session opens or when the run is by duration.
 */
export function benchProgressFraction(p: EventPayload<'bench:progress'> | null): number | null {
  if (p === null || p.total === null || p.total <= 0) return null;
  if (p.phase !== 'warmup' && p.phase !== 'measure') return null;
  return Math.min(1, Math.max(0, p.done / p.total));
}

/** The user asked for the history as a file; resolves with it (the view offers the download). */
export async function benchExportRequested(
  api: RendererApi,
  format: 'csv' | 'json',
): Promise<InvokeOutput<'bench:export'> | null> {
  const result = await api.invoke('bench:export', { format });
  if (!result.ok) {
    useBenchStore.setState({ exportError: result.error });
    return null;
  }
  useBenchStore.setState({ exportError: null });
  return result.value;
}

/** Back to the first state (tests). */
export function resetBenchStore(): void {
  useBenchStore.setState(initial, true);
}
