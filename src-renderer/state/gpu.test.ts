import { beforeEach, describe, expect, it } from 'vitest';
import { createFakeApi } from './fake-api';
import { gpuInfo, gpuSnapshot } from './fixtures';
import {
  GPU_HISTORY,
  appendSample,
  gpuAreaClosed,
  gpuAreaOpened,
  gpuSampleReceived,
  resetGpuStore,
  sampleFromInfo,
  useGpuStore,
} from './gpu';

beforeEach(resetGpuStore);

describe('gpu samples', () => {
  it('keeps the latest snapshot and one history per GPU', () => {
    gpuSampleReceived(gpuSnapshot(1000));
    gpuSampleReceived(gpuSnapshot(1500, [gpuInfo({ powerDrawW: 300 })]));
    const state = useGpuStore.getState();
    expect(state.snapshot?.sampledAt).toBe(1500);
    expect(state.history['GPU-1234']?.map((s) => s.powerW)).toEqual([35.2, 300]);
  });

  it(`keeps only the last ${GPU_HISTORY} readings`, () => {
    for (let i = 1; i <= GPU_HISTORY + 5; i += 1) gpuSampleReceived(gpuSnapshot(i * 500));
    const history = useGpuStore.getState().history['GPU-1234'] ?? [];
    expect(history).toHaveLength(GPU_HISTORY);
    expect(history[0]?.at).toBe(6 * 500);
  });

  it('drops a reading that is not newer than the last one', () => {
    const first = sampleFromInfo(gpuInfo(), 2000);
    const history = appendSample([first], sampleFromInfo(gpuInfo(), 2000));
    expect(history).toHaveLength(1);
  });

  it('forgets GPUs that are gone and keys GPUs without uuid by index', () => {
    gpuSampleReceived(gpuSnapshot(1000));
    gpuSampleReceived(gpuSnapshot(2000, [gpuInfo({ uuid: null, index: 1 })]));
    expect(Object.keys(useGpuStore.getState().history)).toEqual(['index-1']);
  });

  it('takes the enforced power limit as the chart limit', () => {
    const gpu = gpuInfo({
      powerLimit: { currentW: 450, defaultW: 450, minW: 150, maxW: 600, enforcedW: 400 },
    });
    expect(sampleFromInfo(gpu, 1).powerLimitW).toBe(400);
  });
});

describe('gpu area open and close', () => {
  it('reads a snapshot, turns watching on, and off again', async () => {
    const api = createFakeApi();
    api.handle('gpu:snapshot', () => ({ ok: true, value: gpuSnapshot(1000) }));
    api.handle('gpu:watch', (input) => ({ ok: true, value: { on: input.on, hz: input.hz ?? 2 } }));
    await gpuAreaOpened(api);
    expect(useGpuStore.getState().watching).toBe(true);
    expect(useGpuStore.getState().snapshot?.sampledAt).toBe(1000);
    await gpuAreaClosed(api);
    expect(useGpuStore.getState().watching).toBe(false);
    expect(api.calls.map((c) => c.channel)).toEqual(['gpu:snapshot', 'gpu:watch', 'gpu:watch']);
    expect(api.calls[2]?.input).toEqual({ on: false });
  });

  it('sends watch-on before a quick close can send watch-off', async () => {
    const api = createFakeApi();
    api.handle(
      'gpu:snapshot',
      () => new Promise((r) => setTimeout(() => r({ ok: true, value: gpuSnapshot(1) }), 5)),
    );
    api.handle('gpu:watch', (input) => ({ ok: true, value: { on: input.on, hz: 2 } }));
    const opened = gpuAreaOpened(api);
    const closed = gpuAreaClosed(api);
    await Promise.all([opened, closed]);
    const watches = api.calls.filter((c) => c.channel === 'gpu:watch').map((c) => c.input);
    expect(watches).toEqual([{ on: true, hz: 2 }, { on: false }]);
  });

  it('keeps the error when the snapshot fails', async () => {
    const api = createFakeApi();
    api.handle('gpu:snapshot', () => ({
      ok: false,
      error: { code: 'GPU_UNAVAILABLE', message: 'NVML failed' },
    }));
    api.handle('gpu:watch', (input) => ({ ok: true, value: { on: input.on, hz: 2 } }));
    await gpuAreaOpened(api);
    expect(useGpuStore.getState().error?.code).toBe('GPU_UNAVAILABLE');
    expect(useGpuStore.getState().watching).toBe(true);
  });
});
