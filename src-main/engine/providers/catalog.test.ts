import { describe, expect, it } from 'vitest';
import {
  TRT_RTX_NO_DEVICE_REASON,
  pickDevice,
  providerStatuses,
  type CatalogFacts,
  type EpDeviceFact,
} from './catalog';

const cpuDev: EpDeviceFact = {
  epName: 'CPUExecutionProvider',
  type: 'cpu',
  vendorId: 0,
  deviceId: 0,
  vendor: 'x86',
  metadata: {},
};
const intel: EpDeviceFact = {
  epName: 'WebGpuExecutionProvider',
  type: 'gpu',
  vendorId: 0x8086,
  deviceId: 0x46a6,
  vendor: 'Intel',
  metadata: { Discrete: '0' },
};
const rtx: EpDeviceFact = {
  epName: 'WebGpuExecutionProvider',
  type: 'gpu',
  vendorId: 0x10de,
  deviceId: 0x2684,
  vendor: 'NVIDIA',
  metadata: { Discrete: '1', pci_bus_id: '0000:01:00.0' },
};
const nvRtx: EpDeviceFact = { ...rtx, epName: 'NvTensorRTRTXExecutionProvider' };

const base: CatalogFacts = {
  platform: 'linux',
  available: ['WebGpuExecutionProvider', 'CUDAExecutionProvider', 'CPUExecutionProvider'],
  epDevices: [cpuDev],
  cudaLibraryPresent: false,
  trtRtx: { registered: false, reason: 'the TensorRT-RTX provider library is not installed' },
};
const byId = (facts: CatalogFacts) =>
  Object.fromEntries(providerStatuses(facts).map((p) => [p.id, p]));

describe('provider catalog', () => {
  it('this machine (onnxruntime-node on Linux, no GPU): CPU only, each other one with its reason', () => {
    const p = byId(base);
    expect(p.cpu?.available).toBe(true);
    expect(p.webgpu).toMatchObject({
      available: false,
      reason: expect.stringMatching(/no GPU adapter/),
    });
    expect(p.cuda).toMatchObject({
      available: false,
      reason: expect.stringMatching(/CUDA provider's libraries/),
    });
    expect(p.dml).toMatchObject({ available: false, reason: 'DirectML is a Windows provider' });
    expect(p['nv-tensorrt-rtx']).toMatchObject({
      available: false,
      reason: expect.stringMatching(/not installed/),
      compiles: true,
    });
  });

  it('CUDA counts only when its provider library is really there', () => {
    expect(byId({ ...base, cudaLibraryPresent: true }).cuda?.available).toBe(true);
  });

  it('on a laptop with an Intel iGPU and an RTX dGPU, WebGPU uses the NVIDIA one, whatever the order', () => {
    expect(pickDevice([intel, rtx], 'WebGpuExecutionProvider')).toBe(rtx);
    expect(pickDevice([rtx, intel], 'WebGpuExecutionProvider')).toBe(rtx);
    const p = byId({ ...base, epDevices: [cpuDev, intel, rtx] });
    expect(p.webgpu).toMatchObject({
      available: true,
      device: { vendorId: 0x10de, deviceId: 0x2684 },
    });
  });

  it('without an NVIDIA device, a discrete GPU wins over an integrated one', () => {
    const amd: EpDeviceFact = { ...rtx, vendorId: 0x1002, vendor: 'AMD' };
    expect(pickDevice([intel, amd], 'WebGpuExecutionProvider')).toBe(amd);
  });

  it('TensorRT for RTX: registered but no supported device says what hardware it needs', () => {
    const p = byId({
      ...base,
      trtRtx: { registered: true, name: 'NvTensorRTRTXExecutionProvider' },
    });
    expect(p['nv-tensorrt-rtx']).toMatchObject({
      available: false,
      reason: TRT_RTX_NO_DEVICE_REASON,
    });
    const q = byId({
      ...base,
      epDevices: [cpuDev, nvRtx],
      trtRtx: { registered: true, name: 'NvTensorRTRTXExecutionProvider' },
    });
    expect(q['nv-tensorrt-rtx']).toMatchObject({
      available: true,
      reason: null,
      device: { vendorId: 0x10de },
    });
  });

  it('DirectML on Windows when ORT has it', () => {
    const p = byId({
      ...base,
      platform: 'win32',
      available: [...base.available, 'DmlExecutionProvider'],
    });
    expect(p.dml?.available).toBe(true);
  });

  it('a GPU chosen in Settings: each provider shows its device on that GPU, or why it has none', () => {
    const second: EpDeviceFact = { ...rtx, metadata: { pci_bus_id: '0000:41:00.0' } };
    const facts: CatalogFacts = {
      ...base,
      epDevices: [cpuDev, rtx, second, nvRtx],
      trtRtx: { registered: true, name: 'NvTensorRTRTXExecutionProvider' },
      gpuChoice: { pciBusId: '0000:41:00.0' },
    };
    const p = byId(facts);
    expect(p.webgpu).toMatchObject({ available: true, device: { pciBusId: '0000:41:00.0' } });
    // The plugin offers a device on the first GPU only.
    expect(p['nv-tensorrt-rtx']).toMatchObject({ available: false, device: null });
    expect(p['nv-tensorrt-rtx']?.reason).toMatch(
      /has no device on the GPU at PCI 0000:41:00\.0 \(the GPU chosen in Settings → GPU\)/,
    );
    // Automatic: the first NVIDIA device, as before.
    expect(byId({ ...facts, gpuChoice: null }).webgpu?.device?.pciBusId).toBe('0000:01:00.0');
  });
});
