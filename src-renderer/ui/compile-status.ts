/**
 * A model's compile status per provider in words and tones ("CPU ready", "TensorRT-RTX
 * compiling"): the Models and Compile areas show the same chips. Pure.
 */
import type { ModelProviderStatus } from '../../src-main/ipc/contract';
import { PROVIDER_LABELS } from '../../src-main/ipc/providers';
import type { Tone } from './chip';

/** The chip tone of each compile state. */
export const STATUS_TONE: Record<ModelProviderStatus['state'], Tone> = {
  'not-compiled': 'neutral',
  queued: 'neutral',
  compiling: 'busy',
  ready: 'ok',
  stale: 'warn',
  failed: 'bad',
};

/** "CPU ready", "TensorRT-RTX compiling". */
export function statusText(s: ModelProviderStatus): string {
  return `${PROVIDER_LABELS[s.provider]} ${s.state === 'not-compiled' ? 'not compiled' : s.state}`;
}
