/**
 * People-facing facts about the execution providers, beside their ids (contract.ts PROVIDER_IDS):
 * the one name every screen, message and CLI line uses, and the orders in which Crucible prefers
 * them. Environment-neutral: the main side, the CLI and the renderer all import this one table, so
 * a provider is never spelled two ways or ranked two ways.
 */
import { AppError } from '../shared/errors';
import type { BENCH_MODES, ProviderId, ProviderStatus } from './contract';

/** A provider's name for people: "TensorRT-RTX is not available here", "CUDA ready". */
export const PROVIDER_LABELS: Readonly<Record<ProviderId, string>> = {
  cpu: 'CPU',
  webgpu: 'WebGPU',
  dml: 'DirectML',
  cuda: 'CUDA',
  'nv-tensorrt-rtx': 'TensorRT-RTX',
};

/**
 * The providers that can capture a graph (CUDA graphs: CUDA, TensorRT-RTX; graph capture: WebGPU).
 * The engine's GRAPH_CAPTURE (engine/session/capabilities.ts) holds the options that turn it on
 * and a test keeps the two the same; this list is here so the renderer never offers graph mode to
 * a provider that cannot do it.
 */
export const GRAPH_CAPTURE_PROVIDERS: readonly ProviderId[] = ['cuda', 'nv-tensorrt-rtx', 'webgpu'];

/** The benchmark modes `id` can do, in BENCH_MODES order: graph only where it captures graphs. */
export function providerBenchModes(id: ProviderId): (typeof BENCH_MODES)[number][] {
  return GRAPH_CAPTURE_PROVIDERS.includes(id)
    ? ['plain', 'iobinding', 'graph']
    : ['plain', 'iobinding'];
}

/** ONNX Runtime's own provider names (profiles, auto-selection reports) beside Crucible's ids. */
const ORT_NAMES: Readonly<Record<string, ProviderId>> = {
  CPUExecutionProvider: 'cpu',
  WebGpuExecutionProvider: 'webgpu',
  DmlExecutionProvider: 'dml',
  CUDAExecutionProvider: 'cuda',
  NvTensorRTRTXExecutionProvider: 'nv-tensorrt-rtx',
};

/**
 * The people-facing name for a provider given as Crucible's id or as ONNX Runtime's name (a
 * profile's `CPUExecutionProvider`): "CPU" either way. A name neither knows is shown as it is, so
 * a provider newer than this table is still named rather than hidden.
 */
export function providerLabel(name: string): string {
  const id = (Object.hasOwn(PROVIDER_LABELS, name) ? name : ORT_NAMES[name]) as
    ProviderId | undefined;
  return id === undefined ? name : PROVIDER_LABELS[id];
}

/**
 * Which provider to run on first: the fastest one that is ready now. TensorRT-RTX comes after CUDA
 * because its first session builds engines, which can take minutes; the compile queue handles it.
 */
export const RUN_PREFERENCE: readonly ProviderId[] = [
  'cuda',
  'nv-tensorrt-rtx',
  'dml',
  'webgpu',
  'cpu',
];

/**
 * Which provider to compile for first: TensorRT-RTX builds the fastest engines on an RTX GPU (it
 * is what compiling is for), then the other GPU providers; on CPU the "compile" is ORT's optimised
 * model, still a faster start than the original. CUDA is not in the order: it has no compile step
 * of its own, so a compile for it gains nothing over running it.
 */
export const COMPILE_PREFERENCE: readonly ProviderId[] = [
  'nv-tensorrt-rtx',
  'webgpu',
  'dml',
  'cpu',
];

/** The providers' shape both preference helpers read (ProviderStatus has it). */
export interface ProviderAvailability {
  id: ProviderId;
  available: boolean;
}

/** The first provider of `order` that is available among `providers`; null when none is. */
export function firstAvailable(
  order: readonly ProviderId[],
  providers: readonly ProviderAvailability[],
): ProviderId | null {
  return order.find((id) => providers.some((p) => p.id === id && p.available)) ?? null;
}

/** "<label> is not available here: <reason>", the one wording of an unavailable provider. */
export function unavailableText(id: ProviderId, reason: string | null | undefined): string {
  return `${PROVIDER_LABELS[id]} is not available here: ${reason ?? 'unknown reason'}`;
}

/**
 * The one check before work goes to a provider: PROVIDER_UNAVAILABLE "<label> is not available
 * here: <reason>" when the engine lists `id` as unavailable. A provider the engine does not list
 * yet (before its hello) passes: the engine itself refuses it then, with ORT's reason.
 */
export function requireAvailableProvider(
  providers: readonly Pick<ProviderStatus, 'id' | 'available' | 'reason'>[],
  id: ProviderId,
): void {
  const p = providers.find((x) => x.id === id);
  if (p && !p.available) {
    throw new AppError('PROVIDER_UNAVAILABLE', unavailableText(id, p.reason));
  }
}
