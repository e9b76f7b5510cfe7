/**
 * People-facing facts about the execution providers, beside their ids (contract.ts PROVIDER_IDS):
 * the one name every screen, message and CLI line uses, and the orders in which Crucible prefers
 * them. Environment-neutral: the main side, the CLI and the renderer all import this one table, so
 * a provider is never spelled two ways or ranked two ways.
 */
import { AppError } from '../shared/errors';
import type { ProviderId, ProviderStatus } from './contract';

/** A provider's name for people: "TensorRT-RTX is not available here", "CUDA ready". */
export const PROVIDER_LABELS: Readonly<Record<ProviderId, string>> = {
  cpu: 'CPU',
  webgpu: 'WebGPU',
  dml: 'DirectML',
  cuda: 'CUDA',
  'nv-tensorrt-rtx': 'TensorRT-RTX',
};

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
