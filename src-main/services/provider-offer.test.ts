import { describe, expect, it } from 'vitest';
import type { CompiledArtifact } from '../engine/cache/view';
import type { ProviderId } from '../ipc/contract';
import { offerFor } from './provider-offer';

const entry = (provider: ProviderId, warmupRunMs: number | null): CompiledArtifact => ({
  entryId: `${provider}/gpu/drv/1.23/m/h`,
  modelId: 'm',
  provider,
  modelPath: `/cache/${provider}/model.onnx`,
  providerOptions: {},
  graphOptimizationLevel: 'all',
  dims: {},
  createdAt: 1,
  warmupRunMs,
});
const all = () => true;

describe('the offer of a faster compiled session', () => {
  it('offers the fastest compiled provider that beat this run, with the measured figures', () => {
    const offer = offerFor('cpu', 12.4, [entry('webgpu', 4), entry('cuda', 6)], all);
    expect(offer).toEqual({
      provider: 'webgpu',
      entryId: 'webgpu/gpu/drv/1.23/m/h',
      speedup: 3.1,
      message: 'Compiled for WebGPU: its first run took 4.0 ms, 3.1× faster than this run on CPU',
    });
  });

  it('offers nothing for the provider that ran, an unavailable one, an unmeasured one or a small gap', () => {
    expect(offerFor('webgpu', 12, [entry('webgpu', 1)], all)).toBeNull();
    expect(offerFor('cpu', 12, [entry('webgpu', 1)], (p) => p !== 'webgpu')).toBeNull();
    expect(offerFor('cpu', 12, [entry('webgpu', null)], all)).toBeNull();
    // 12 / 10 = 1.2×: within what one run against one run can tell apart.
    expect(offerFor('cpu', 12, [entry('webgpu', 10)], all)).toBeNull();
    expect(offerFor('cpu', 12, [], all)).toBeNull();
  });
});
