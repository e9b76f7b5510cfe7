import { describe, expect, it } from 'vitest';
import type { EngineStatus, GpuSnapshot, ProviderStatus } from '../ipc/contract';
import { TRT_RTX_NO_DEVICE_REASON } from '../engine/providers/catalog';
import { withProviderGpus, withTrtRtxNeeds } from './provider-gpus';
import type { EngineSource, GpuSource } from './services';

const webgpu: ProviderStatus = {
  id: 'webgpu',
  ortName: 'WebGpuExecutionProvider',
  available: true,
  reason: null,
  compiles: false,
  device: {
    vendorId: 0x10de,
    deviceId: 0x2820,
    name: 'NVIDIA',
    pciBusId: '0000:01:00.0',
    luid: null,
    gpu: null,
  },
};
const status = (restarts = 0): EngineStatus => ({
  state: 'ready',
  ortVersion: '1.23.0',
  libraryPath: '/ort/libonnxruntime.so',
  providers: [webgpu],
  restarts,
  lastError: null,
});

function snapshotWith(gpus: { name: string; pciBusId: string | null }[]): GpuSnapshot {
  return {
    source: gpus.length > 0 ? 'nvml' : 'none',
    reason: gpus.length > 0 ? null : 'no NVIDIA driver',
    driverVersion: null,
    cudaDriverVersion: null,
    sampledAt: 0,
    gpus: gpus.map((g, index) => ({ index, uuid: null, ...g }) as GpuSnapshot['gpus'][number]),
  };
}

function fakes(snapshots: GpuSnapshot[]) {
  let current = status();
  const listeners = new Set<(s: EngineStatus) => void>();
  let reads = 0;
  const engine: EngineSource = {
    status: () => current,
    onChange(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    run: () => Promise.reject(new Error('not used')),
    outputs: () => Promise.reject(new Error('not used')),
  };
  const gpu: GpuSource = {
    snapshot: async () => snapshots[Math.min(reads++, snapshots.length - 1)] as GpuSnapshot,
    watch: () => () => undefined,
    close: () => undefined,
  };
  const change = (s: EngineStatus) => {
    current = s;
    for (const l of listeners) l(s);
  };
  return { engine, gpu, change, reads: () => reads, engineListeners: () => listeners.size };
}

const settle = () => new Promise((r) => setTimeout(r, 0));

describe('withProviderGpus', () => {
  it('names the GPU a provider will use once the snapshot is read, and tells listeners', async () => {
    const f = fakes([
      snapshotWith([{ name: 'NVIDIA GeForce RTX 4070', pciBusId: '00000000:01:00.0' }]),
    ]);
    const engine = withProviderGpus(f.engine, f.gpu);
    const seen: EngineStatus[] = [];
    engine.onChange((s) => seen.push(s));
    await settle();
    expect(engine.status().providers[0]?.device?.gpu).toEqual({
      index: 0,
      name: 'NVIDIA GeForce RTX 4070',
      pciBusId: '0000:01:00.0',
      matchedBy: 'pci-bus-id',
    });
    expect(seen.at(-1)?.providers[0]?.device?.gpu?.name).toBe('NVIDIA GeForce RTX 4070');
    // A restarted engine's status is matched too, without reading the GPUs again.
    f.change(status(1));
    expect(seen.at(-1)?.restarts).toBe(1);
    expect(seen.at(-1)?.providers[0]?.device?.gpu?.index).toBe(0);
    expect(f.reads()).toBe(1);
  });

  it('without GPUs in the snapshot the status is ORT’s own, and the next engine change reads again', async () => {
    const f = fakes([
      snapshotWith([]),
      snapshotWith([{ name: 'NVIDIA GeForce RTX 4070', pciBusId: '0000:01:00.0' }]),
    ]);
    const engine = withProviderGpus(f.engine, f.gpu);
    await settle();
    expect(engine.status().providers[0]?.device?.gpu).toBeNull();
    const seen: EngineStatus[] = [];
    engine.onChange((s) => seen.push(s));
    f.change(status(1));
    await settle();
    expect(f.reads()).toBe(2);
    expect(seen.at(-1)?.providers[0]?.device?.gpu?.matchedBy).toBe('pci-bus-id');
  });

  it('a failing GPU monitor leaves the devices unmatched, not the engine status broken', async () => {
    const f = fakes([]);
    f.gpu.snapshot = () => Promise.reject(new Error('NVML exploded'));
    const engine = withProviderGpus(f.engine, f.gpu);
    await settle();
    expect(engine.status().providers[0]?.device).toMatchObject({ name: 'NVIDIA', gpu: null });
  });

  it('unsubscribing removes the listener from the engine', () => {
    const f = fakes([snapshotWith([])]);
    const off = withProviderGpus(f.engine, f.gpu).onChange(() => undefined);
    expect(f.engineListeners()).toBe(1);
    off();
    expect(f.engineListeners()).toBe(0);
  });
});

describe('TensorRT for RTX on the user’s GPU (withTrtRtxNeeds)', () => {
  const trt = (over: Partial<ProviderStatus>): ProviderStatus => ({
    id: 'nv-tensorrt-rtx',
    ortName: 'NvTensorRTRTXExecutionProvider',
    available: false,
    reason: 'the TensorRT-RTX provider library is not installed (choose its folder in Settings)',
    compiles: true,
    device: null,
    ...over,
  });
  const h200 = [{ name: 'NVIDIA H200', computeCapability: '9.0' }];
  const rtx4090 = [{ name: 'NVIDIA GeForce RTX 4090', computeCapability: '8.9' }];

  it('H200: unavailable because the GPU is not one TensorRT for RTX serves, even if the plugin offered a device', () => {
    for (const p of [trt({}), trt({ available: true, reason: null })]) {
      const out = withTrtRtxNeeds(p, h200, '580.159.04');
      expect(out).toMatchObject({
        available: false,
        reason: expect.stringMatching(/^TensorRT for RTX does not support NVIDIA H200 \(Hopper/),
        trtRtx: { state: 'unsupported-gpu', gpu: 'NVIDIA H200', requiredDriver: null },
      });
    }
  });

  it('RTX 4090 without the plugin: says what is missing and how to get it; with it, ready', () => {
    expect(withTrtRtxNeeds(trt({}), rtx4090, '595.71.05')).toMatchObject({
      available: false,
      reason: expect.stringMatching(
        /RTX 4090 can run TensorRT for RTX, but NVIDIA's plugin is missing/,
      ),
      trtRtx: { state: 'plugin-missing', requiredDriver: '555.85' },
    });
    const ready = trt({ available: true, reason: null });
    expect(withTrtRtxNeeds(ready, rtx4090, '595.71.05')).toEqual({
      ...ready,
      trtRtx: { state: 'ready', gpu: 'NVIDIA GeForce RTX 4090', requiredDriver: '555.85' },
    });
    // Registered, no device offered, old driver: the driver is what to fix.
    expect(
      withTrtRtxNeeds(trt({ reason: TRT_RTX_NO_DEVICE_REASON }), rtx4090, '552.44').trtRtx?.state,
    ).toBe('driver-too-old');
  });

  it('without a GPU in the snapshot keeps the engine’s reason (what happened to the plugin)', () => {
    const p = trt({
      reason: 'Settings points at /x, which has no onnxruntime_providers_nv_tensorrt_rtx.dll',
    });
    expect(withTrtRtxNeeds(p, [], null)).toEqual({
      ...p,
      trtRtx: { state: 'no-gpu', gpu: null, requiredDriver: null },
    });
  });

  it('leaves the other providers alone', () => {
    expect(withTrtRtxNeeds(webgpu, h200, '580.159.04')).toBe(webgpu);
  });
});
