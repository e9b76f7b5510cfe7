/**
 * Execution provider names for people, as the main side's messages write them ("TensorRT-RTX is
 * not available here…", "was 4 ms on CPU, now 1 ms on CUDA"). One table so every message names a
 * provider the same way.
 */
import type { ProviderId } from '../../ipc/contract';

/** A provider's name in messages. */
export const PROVIDER_NAMES: Record<ProviderId, string> = {
  cpu: 'CPU',
  webgpu: 'WebGPU',
  dml: 'DirectML',
  cuda: 'CUDA',
  'nv-tensorrt-rtx': 'TensorRT-RTX',
};
