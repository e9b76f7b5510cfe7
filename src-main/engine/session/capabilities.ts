/**
 * What a provider can do with a session, as plain data (no ORT here, so the main side can refuse
 * a benchmark mode before any session is opened): graph capture and the options that turn it on.
 */
import type { ProviderId } from '../../ipc/contract';
import { PROVIDER_LABELS } from '../../ipc/providers';

/** Graph capture settings per provider; absent: the provider cannot capture graphs. */
export const GRAPH_CAPTURE: Partial<
  Record<ProviderId, { providerOptions?: Record<string, string>; config?: Record<string, string> }>
> = {
  cuda: { providerOptions: { enable_cuda_graph: '1' } },
  'nv-tensorrt-rtx': { providerOptions: { enable_cuda_graph: '1' } },
  webgpu: { config: { 'ep.webgpuexecutionprovider.enableGraphCapture': '1' } },
};

/** Null when `provider` can capture graphs; otherwise why not (for refusals before running). */
export function graphCaptureProblem(provider: ProviderId | 'auto'): string | null {
  if (provider !== 'auto' && GRAPH_CAPTURE[provider]) return null;
  // People's names (PROVIDER_LABELS): the CLI and the Benchmarks area show this refusal.
  const name = provider === 'auto' ? 'Auto (ORT picks the provider)' : PROVIDER_LABELS[provider];
  return `${name} has no graph capture (CUDA graphs: CUDA and TensorRT-RTX; graph capture: WebGPU)`;
}
