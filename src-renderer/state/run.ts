/**
 * The Run area: the form (model, provider, symbolic dims, fill, seed) and the last run's outcome.
 * runRequested sends run:execute; an answer that arrives after a newer request started is dropped.
 */
import { create } from 'zustand';
import type {
  ModelEntry,
  ProviderId,
  ProviderStatus,
  RunRequest,
  RunResult,
} from '../../src-main/ipc/contract';
import type { AppErrorData } from '../../src-main/shared/errors';
import type { RendererApi } from '../api/types';

export type Fill = 'random' | 'zeros' | 'ones';

export interface RunForm {
  modelId: string | null;
  provider: ProviderId | null;
  /** Values for the model's symbolic dims, by name; NaN while the field is not a number. */
  dims: Record<string, number>;
  fill: Fill;
  seed: number;
}

export interface RunState {
  form: RunForm;
  status: 'idle' | 'running' | 'done' | 'failed';
  result: RunResult | null;
  error: AppErrorData | null;
  /** Bumped by every request; answers for older ones are ignored. */
  requestSeq: number;
}

const initialForm: RunForm = { modelId: null, provider: null, dims: {}, fill: 'random', seed: 1 };
const initial: RunState = {
  form: initialForm,
  status: 'idle',
  result: null,
  error: null,
  requestSeq: 0,
};

export const useRunStore = create<RunState>()(() => initial);

/**
 * Which provider to offer first: the fastest one that is ready now. TensorRT-RTX comes after CUDA
 * because its first session builds engines, which can take minutes; the compile queue handles it.
 */
export const PROVIDER_PREFERENCE: readonly ProviderId[] = [
  'cuda',
  'nv-tensorrt-rtx',
  'dml',
  'webgpu',
  'cpu',
];

/** The preferred available provider, or null when none is available. */
export function bestProvider(providers: readonly ProviderStatus[]): ProviderId | null {
  for (const id of PROVIDER_PREFERENCE) {
    if (providers.some((p) => p.id === id && p.available)) return id;
  }
  return null;
}

/** Models that can run: read without error and inspected. */
export function runnableModels(entries: readonly ModelEntry[]): ModelEntry[] {
  return entries.filter((e) => e.error === null && e.inspection !== null);
}

/** The user chose a model: its symbolic dims get fields, keeping values typed for same-named dims. */
export function runModelChosen(model: ModelEntry | null): void {
  useRunStore.setState((state) => {
    const dims: Record<string, number> = {};
    for (const name of model?.inspection?.dynamicDims ?? [])
      dims[name] = state.form.dims[name] ?? 1;
    return { form: { ...state.form, modelId: model?.id ?? null, dims } };
  });
}

/** The user chose a provider. */
export function runProviderChosen(provider: ProviderId): void {
  useRunStore.setState((state) => ({ form: { ...state.form, provider } }));
}

/** The user typed a value for a symbolic dim. */
export function runDimChanged(name: string, value: number): void {
  useRunStore.setState((state) => ({
    form: { ...state.form, dims: { ...state.form.dims, [name]: value } },
  }));
}

/** The user chose how inputs are filled. */
export function runFillChosen(fill: Fill): void {
  useRunStore.setState((state) => ({ form: { ...state.form, fill } }));
}

/** The user typed a seed. */
export function runSeedChanged(seed: number): void {
  useRunStore.setState((state) => ({ form: { ...state.form, seed } }));
}

/**
 * Checks the form and builds the request, or says what is missing in words for the form's own
 * error line (BAD_REQUEST, the same code the main side would answer with).
 */
export function buildRunRequest(form: RunForm): { request: RunRequest } | { error: AppErrorData } {
  if (form.modelId === null) {
    return { error: { code: 'BAD_REQUEST', message: 'Choose a model to run.' } };
  }
  if (form.provider === null) {
    return { error: { code: 'BAD_REQUEST', message: 'Choose an execution provider.' } };
  }
  for (const [name, value] of Object.entries(form.dims)) {
    if (!Number.isInteger(value) || value < 1) {
      return {
        error: {
          code: 'BAD_REQUEST',
          message: `Dimension "${name}" needs a whole number of at least 1.`,
        },
      };
    }
  }
  if (!Number.isInteger(form.seed)) {
    return { error: { code: 'BAD_REQUEST', message: 'The seed must be a whole number.' } };
  }
  return {
    request: {
      modelId: form.modelId,
      provider: form.provider,
      dims: { ...form.dims },
      fill: form.fill,
      seed: form.seed,
    },
  };
}

/** The user pressed Run. */
export async function runRequested(api: RendererApi): Promise<void> {
  const built = buildRunRequest(useRunStore.getState().form);
  if ('error' in built) {
    useRunStore.setState({ status: 'failed', error: built.error, result: null });
    return;
  }
  const seq = useRunStore.getState().requestSeq + 1;
  useRunStore.setState({ status: 'running', error: null, requestSeq: seq });
  const result = await api.invoke('run:execute', built.request);
  if (useRunStore.getState().requestSeq !== seq) return;
  if (result.ok) useRunStore.setState({ status: 'done', result: result.value, error: null });
  else useRunStore.setState({ status: 'failed', error: result.error, result: null });
}

/** Back to the first state (tests). */
export function resetRunStore(): void {
  useRunStore.setState(initial, true);
}
