import { describe, expect, it } from 'vitest';
import type { ProviderStatus } from '../../ipc/contract';
import { providerStatuses, type CatalogFacts, type EpDeviceFact } from './catalog';
import {
  deviceIdentity,
  matchGpu,
  normaliseLuid,
  normalisePciBusId,
  withMatchedGpus,
} from './gpu-match';

// The GPU monitor's view: NVML and nvidia-smi print the 8-digit domain, in upper case.
const rtx4070 = {
  index: 0,
  name: 'NVIDIA GeForce RTX 4070 Laptop GPU',
  pciBusId: '00000000:01:00.0',
};
const h200a = { index: 0, name: 'NVIDIA H200', pciBusId: '00000000:1B:00.0' };
const h200b = { index: 1, name: 'NVIDIA H200', pciBusId: '00000000:43:00.0' };

describe('normalisePciBusId', () => {
  it.each([
    ['00000000:01:00.0', '0000:01:00.0'], // NVML / nvidia-smi
    ['0000:01:00.0', '0000:01:00.0'], // sysfs, ORT on Linux
    ['00000000:1B:00.0', '0000:1b:00.0'], // upper-case hex
    ['0000:1b:00.0', '0000:1b:00.0'],
    ['01:00.0', '0000:01:00.0'], // no domain
    ['  0000:65:00.0\n', '0000:65:00.0'],
    ['00010000:02:00.1', '10000:02:00.1'], // a domain above 0xffff keeps its digits
    ['1:0.0', '0000:01:00.0'],
  ])('%j → %s', (text, want) => {
    expect(normalisePciBusId(text)).toBe(want);
  });

  it.each([[''], ['not a bus'], ['0000:01:00'], ['0000:01:00.8'], ['0000:001:00.0'], [null]])(
    '%j → null',
    (text) => {
      expect(normalisePciBusId(text)).toBeNull();
    },
  );

  it('the two tools agree on one card', () => {
    expect(normalisePciBusId('00000000:01:00.0')).toBe(normalisePciBusId('0000:01:00.0'));
  });
});

describe('deviceIdentity (ORT hardware-device metadata)', () => {
  it.each<[string, Record<string, string>, { pciBusId: string | null; luid: string | null }]>([
    [
      'Linux, newer ORT',
      { card_idx: '1', Discrete: '1', pci_bus_id: '0000:01:00.0' },
      { pciBusId: '0000:01:00.0', luid: null },
    ],
    ['Linux, older ORT (card_idx only)', { card_idx: '0' }, { pciBusId: null, luid: null }],
    [
      'Windows (D3D12 + DXCore)',
      {
        LUID: '70334',
        DxgiAdapterNumber: '0',
        DxgiHighPerformanceIndex: '0',
        DxgiVideoMemory: '7948 MB',
        Discrete: '1',
        Description: 'NVIDIA GeForce RTX 4070 Laptop GPU',
      },
      { pciBusId: null, luid: '70334' },
    ],
    ['Windows, DXCore only (no LUID key)', { Discrete: '0' }, { pciBusId: null, luid: null }],
    [
      'keys in another case',
      { PCI_BUS_ID: '00000000:01:00.0', luid: '0x112FE' },
      {
        pciBusId: '0000:01:00.0',
        luid: '70398',
      },
    ],
    ['a bus id ORT could not read', { pci_bus_id: 'virtual' }, { pciBusId: null, luid: null }],
    ['no metadata at all', {}, { pciBusId: null, luid: null }],
  ])('%s', (_name, metadata, want) => {
    expect(deviceIdentity(metadata)).toEqual(want);
  });

  it('LUIDs lose leading zeros only', () => {
    expect(normaliseLuid('000123')).toBe('123');
    expect(normaliseLuid('18446744073709551615')).toBe('18446744073709551615');
    expect(normaliseLuid('')).toBeNull();
    expect(normaliseLuid('00000000-0001117e')).toBe('00000000-0001117e');
  });
});

describe('matchGpu', () => {
  it.each<[string, { vendorId: number; pciBusId: string | null }, object[], object | null]>([
    [
      'Linux: ORT sysfs form against NVML form',
      { vendorId: 0x10de, pciBusId: '0000:01:00.0' },
      [rtx4070],
      { index: 0, name: rtx4070.name, pciBusId: '0000:01:00.0', matchedBy: 'pci-bus-id' },
    ],
    [
      'Linux, two H200s: the second one by its bus id',
      { vendorId: 0x10de, pciBusId: '0000:43:00.0' },
      [h200a, h200b],
      { index: 1, name: 'NVIDIA H200', pciBusId: '0000:43:00.0', matchedBy: 'pci-bus-id' },
    ],
    [
      'Linux laptop: the Intel iGPU has a bus id of its own and matches nothing',
      { vendorId: 0x8086, pciBusId: '0000:00:02.0' },
      [rtx4070],
      null,
    ],
    [
      'an NVIDIA device whose bus id is not in the snapshot is not guessed at',
      { vendorId: 0x10de, pciBusId: '0000:02:00.0' },
      [rtx4070],
      null,
    ],
    [
      'Windows (LUID, no bus id), one NVIDIA GPU: by vendor',
      { vendorId: 0x10de, pciBusId: null },
      [rtx4070],
      { index: 0, name: rtx4070.name, pciBusId: '0000:01:00.0', matchedBy: 'vendor' },
    ],
    [
      'Windows, the Intel iGPU: NVML lists no Intel GPU',
      { vendorId: 0x8086, pciBusId: null },
      [rtx4070],
      null,
    ],
    [
      'Windows, two NVIDIA GPUs and no bus id: ambiguous, so no match',
      { vendorId: 0x10de, pciBusId: null },
      [h200a, h200b],
      null,
    ],
    [
      'no NVIDIA GPU in the snapshot (no driver, or nvidia-smi missing)',
      { vendorId: 0x10de, pciBusId: '0000:01:00.0' },
      [],
      null,
    ],
    [
      'the snapshot has no bus id (old nvidia-smi) and the device has one',
      { vendorId: 0x10de, pciBusId: '0000:01:00.0' },
      [{ ...rtx4070, pciBusId: null }],
      null,
    ],
  ])('%s', (_name, device, gpus, want) => {
    expect(matchGpu(device, gpus as (typeof rtx4070)[])).toEqual(want);
  });
});

describe('from ORT facts to the status the renderer sees', () => {
  const gpu = (over: Partial<EpDeviceFact>): EpDeviceFact => ({
    epName: 'WebGpuExecutionProvider',
    type: 'gpu',
    vendorId: 0x10de,
    deviceId: 0x2820,
    vendor: 'NVIDIA',
    metadata: {},
    ...over,
  });
  const facts = (epDevices: EpDeviceFact[], platform: NodeJS.Platform): CatalogFacts => ({
    platform,
    available: ['WebGpuExecutionProvider', 'CPUExecutionProvider'],
    epDevices,
    cudaLibraryPresent: false,
    trtRtx: { registered: false, reason: 'not installed' },
  });
  const webgpu = (ps: ProviderStatus[]) => ps.find((p) => p.id === 'webgpu');

  it('Linux laptop, iGPU listed first: WebGPU is on the RTX card, named from the snapshot', () => {
    const intel = gpu({
      vendorId: 0x8086,
      deviceId: 0x46a6,
      vendor: '',
      metadata: { card_idx: '0', pci_bus_id: '0000:00:02.0' },
    });
    const rtx = gpu({ metadata: { card_idx: '1', Discrete: '1', pci_bus_id: '0000:01:00.0' } });
    const statuses = withMatchedGpus(providerStatuses(facts([intel, rtx], 'linux')), [rtx4070]);
    expect(webgpu(statuses)?.device).toEqual({
      vendorId: 0x10de,
      deviceId: 0x2820,
      name: 'NVIDIA',
      pciBusId: '0000:01:00.0',
      luid: null,
      gpu: { index: 0, name: rtx4070.name, pciBusId: '0000:01:00.0', matchedBy: 'pci-bus-id' },
    });
  });

  it('Windows laptop: the LUID is shown, the GPU matched by vendor', () => {
    const intel = gpu({ vendorId: 0x8086, metadata: { LUID: '50000', Discrete: '0' } });
    const rtx = gpu({ metadata: { LUID: '70334', Discrete: '1' } });
    const statuses = withMatchedGpus(providerStatuses(facts([intel, rtx], 'win32')), [rtx4070]);
    expect(webgpu(statuses)?.device).toMatchObject({
      luid: '70334',
      pciBusId: null,
      gpu: { name: rtx4070.name, matchedBy: 'vendor' },
    });
  });

  it('the H200 lane host (vendor name empty, older ORT: card_idx only) still finds its one GPU', () => {
    const h200 = gpu({ deviceId: 0x2335, vendor: '', metadata: { card_idx: '0' } });
    const statuses = withMatchedGpus(providerStatuses(facts([h200], 'linux')), [h200a]);
    expect(webgpu(statuses)?.device).toMatchObject({
      name: 'PCI 10de:2335',
      pciBusId: null,
      gpu: { name: 'NVIDIA H200', matchedBy: 'vendor' },
    });
  });

  it('the real H200 record (2026-11-23): ORT said pci_bus_id 0000:00:06.0, NVML 00000000:00:06.0', () => {
    // Recorded by the GPU lane (docs/gpu-results.md, 05:40 UTC run); the NVML side is
    // docs/gpu-results/2026-11-23-h200/nvml.json.
    const h200 = gpu({ deviceId: 0x2335, vendor: '', metadata: { pci_bus_id: '0000:00:06.0' } });
    const nvml = { index: 0, name: 'NVIDIA H200', pciBusId: '00000000:00:06.0' };
    const statuses = withMatchedGpus(providerStatuses(facts([h200], 'linux')), [nvml]);
    expect(webgpu(statuses)?.device).toMatchObject({
      pciBusId: '0000:00:06.0',
      gpu: { index: 0, name: 'NVIDIA H200', matchedBy: 'pci-bus-id' },
    });
  });

  it('providers without a device stay as they are', () => {
    const statuses = providerStatuses(facts([], 'linux'));
    expect(withMatchedGpus(statuses, [rtx4070])).toEqual(statuses);
  });
});
