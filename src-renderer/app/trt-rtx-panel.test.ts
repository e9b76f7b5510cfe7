import { describe, expect, it } from 'vitest';
import type { ProviderStatus, Settings } from '../../src-main/ipc/contract';
import { trtRtxPanelContent } from './trt-rtx-panel';

const settings: Settings = {
  trtRtxDir: null,
  autoCompile: true,
  compileDeadlineMinutes: 30,
  ortTelemetry: false,
};
const p = (id: ProviderStatus['id'], available: boolean, over: Partial<ProviderStatus> = {}) =>
  ({
    id,
    ortName: id,
    available,
    reason: available ? null : 'not here',
    compiles: false,
    device: null,
    ...over,
  }) as ProviderStatus;
const missing = p('nv-tensorrt-rtx', false, {
  trtRtx: { state: 'plugin-missing', gpu: 'NVIDIA GeForce RTX 4090', requiredDriver: '555.85' },
});

describe('first-run TensorRT for RTX panel', () => {
  it('on an RTX GPU without the plugin: names the GPU and what runs now', () => {
    const providers = [
      missing,
      p('dml', true),
      p('webgpu', true),
      p('cuda', false),
      p('cpu', true),
    ];
    expect(trtRtxPanelContent(providers, settings)).toEqual({
      gpu: 'NVIDIA GeForce RTX 4090',
      now: ['DirectML', 'WebGPU', 'CPU'],
    });
  });

  it('says nothing once dismissed, before settings are read, or when the plugin is not what is missing', () => {
    const providers = [missing, p('cpu', true)];
    expect(trtRtxPanelContent(providers, { ...settings, trtRtxPanelDismissed: true })).toBeNull();
    expect(trtRtxPanelContent(providers, null)).toBeNull();
    for (const state of ['ready', 'no-gpu', 'unsupported-gpu', 'driver-too-old'] as const) {
      const trt = p('nv-tensorrt-rtx', state === 'ready', {
        trtRtx: { state, gpu: 'NVIDIA H200', requiredDriver: null },
      });
      expect(trtRtxPanelContent([trt, p('cpu', true)], settings)).toBeNull();
    }
    expect(trtRtxPanelContent([p('cpu', true)], settings)).toBeNull();
  });
});
