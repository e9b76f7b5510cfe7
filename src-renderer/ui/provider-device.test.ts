import { describe, expect, it } from 'vitest';
import type { ProviderStatus } from '../../src-main/ipc/contract';
import { providerDeviceText, providersOnGpu } from './provider-device';

const base: ProviderStatus = {
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
    gpu: {
      index: 0,
      name: 'NVIDIA GeForce RTX 4070 Laptop GPU',
      pciBusId: '0000:01:00.0',
      matchedBy: 'pci-bus-id',
    },
  },
};
const withDevice = (over: Partial<NonNullable<ProviderStatus['device']>>): ProviderStatus => ({
  ...base,
  device: { ...(base.device as NonNullable<ProviderStatus['device']>), ...over },
});

describe('providerDeviceText', () => {
  it.each<[string, ProviderStatus, string | null]>([
    [
      'matched by bus id',
      base,
      'WebGPU will use NVIDIA GeForce RTX 4070 Laptop GPU (PCI 0000:01:00.0)',
    ],
    [
      'matched, the GPU monitor gave no bus id',
      withDevice({ gpu: { index: 0, name: 'NVIDIA H200', pciBusId: null, matchedBy: 'vendor' } }),
      'WebGPU will use NVIDIA H200',
    ],
    [
      'unmatched, Linux: ORT’s bus id',
      withDevice({ gpu: null }),
      'WebGPU will use NVIDIA (PCI 10de:2820, bus 0000:01:00.0)',
    ],
    [
      'unmatched, Windows: the LUID',
      withDevice({ gpu: null, pciBusId: null, luid: '70334' }),
      'WebGPU will use NVIDIA (PCI 10de:2820, LUID 70334)',
    ],
    [
      'unmatched, no vendor name (the H200 lane host)',
      withDevice({ gpu: null, pciBusId: null, name: 'PCI 10de:2335', deviceId: 0x2335 }),
      'WebGPU will use a GPU (PCI 10de:2335)',
    ],
    ['no device', { ...base, id: 'cpu', device: null }, null],
  ])('%s', (_name, p, want) => {
    expect(providerDeviceText(p)).toBe(want);
  });
});

describe('providersOnGpu', () => {
  it('lists the available providers matched to that GPU only', () => {
    const nv: ProviderStatus = { ...base, id: 'nv-tensorrt-rtx', available: false };
    const other = withDevice({
      gpu: { index: 1, name: 'NVIDIA H200', pciBusId: null, matchedBy: 'pci-bus-id' },
    });
    expect(providersOnGpu([base, nv, { ...other, id: 'cuda' }], 0)).toEqual(['webgpu']);
    expect(providersOnGpu([base, nv, { ...other, id: 'cuda' }], 1)).toEqual(['cuda']);
  });
});
