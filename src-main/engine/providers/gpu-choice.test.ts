import { describe, expect, it } from 'vitest';
import type { EpDeviceFact } from './catalog';
import {
  cudaDeviceIdFor,
  describeGpuChoice,
  deviceOnChoice,
  encodeGpuChoice,
  ortGpus,
  parseGpuChoice,
} from './gpu-choice';

/** An EP device as ORT lists it on Linux (bus id) or Windows (LUID). */
function dev(
  epName: string,
  vendorId: number,
  metadata: Record<string, string>,
  type: EpDeviceFact['type'] = 'gpu',
): EpDeviceFact {
  return { epName, type, vendorId, deviceId: 0x2684, vendor: 'NVIDIA', metadata };
}

// A workstation with two NVIDIA GPUs and an integrated one, as ORT lists it on Linux: WebGPU and
// the TensorRT-RTX plugin each offer a device per GPU.
const linux = [
  dev('WebGpuExecutionProvider', 0x8086, { pci_bus_id: '0000:00:02.0' }),
  dev('WebGpuExecutionProvider', 0x10de, { pci_bus_id: '0000:41:00.0' }),
  dev('WebGpuExecutionProvider', 0x10de, { pci_bus_id: '0000:01:00.0' }),
  dev('NvTensorRTRTXExecutionProvider', 0x10de, { pci_bus_id: '0000:01:00.0' }),
  dev('NvTensorRTRTXExecutionProvider', 0x10de, { pci_bus_id: '0000:41:00.0' }),
  dev('CPUExecutionProvider', 0x8086, {}, 'cpu'),
];
// The same on Windows: DirectML and WebGPU devices carry the adapter LUID.
const windows = [
  dev('DmlExecutionProvider', 0x10de, { LUID: '70450' }),
  dev('DmlExecutionProvider', 0x10de, { LUID: '91234' }),
  dev('WebGpuExecutionProvider', 0x10de, { LUID: '91234' }),
];

describe('the GPU choice in CRUCIBLE_GPU', () => {
  it('round-trips a bus id (in any of the forms tools print) and a LUID', () => {
    const bus = encodeGpuChoice({ pciBusId: '00000000:41:00.0', luid: null });
    expect(bus).toBe('pci:0000:41:00.0');
    expect(parseGpuChoice(bus as string)).toEqual({ pciBusId: '0000:41:00.0' });
    const luid = encodeGpuChoice({ pciBusId: null, luid: '0x11AD2' });
    expect(luid).toBe('luid:72402');
    expect(parseGpuChoice(luid as string)).toEqual({ luid: '72402' });
    expect(encodeGpuChoice({ pciBusId: null, luid: null })).toBeNull();
  });

  it('unset or empty is automatic; anything else is refused, naming the value', () => {
    expect(parseGpuChoice(undefined)).toBeNull();
    expect(parseGpuChoice('  ')).toBeNull();
    expect(() => parseGpuChoice('1')).toThrow(/CRUCIBLE_GPU='1' is not a GPU: give pci:/);
    expect(() => parseGpuChoice('pci:bus 2')).toThrow(/not a GPU/);
  });

  it('says which GPU in words', () => {
    expect(describeGpuChoice({ pciBusId: '0000:41:00.0' })).toBe('the GPU at PCI 0000:41:00.0');
    expect(describeGpuChoice({ luid: '91234' })).toBe('the GPU with adapter LUID 91234');
  });
});

describe('placing a provider on the chosen GPU', () => {
  it('finds the EP device on the chosen GPU, not the first NVIDIA one', () => {
    const second = { pciBusId: '0000:41:00.0' };
    expect(deviceOnChoice(linux, 'WebGpuExecutionProvider', second)).toBe(linux[1]);
    expect(deviceOnChoice(linux, 'NvTensorRTRTXExecutionProvider', second)).toBe(linux[4]);
    expect(deviceOnChoice(windows, 'DmlExecutionProvider', { luid: '91234' })).toBe(windows[1]);
  });

  it('has none where that EP offers no device on the GPU', () => {
    expect(
      deviceOnChoice(linux, 'NvTensorRTRTXExecutionProvider', { pciBusId: '0000:00:02.0' }),
    ).toBeNull();
    expect(deviceOnChoice(windows, 'WebGpuExecutionProvider', { luid: '70450' })).toBeNull();
  });

  it("gives CUDA the chosen GPU's ordinal in PCI bus order among NVIDIA GPUs", () => {
    expect(cudaDeviceIdFor(linux, { pciBusId: '0000:01:00.0' })).toBe(0);
    expect(cudaDeviceIdFor(linux, { pciBusId: '0000:41:00.0' })).toBe(1);
    // The integrated GPU is no CUDA device; a LUID gives no bus order.
    expect(cudaDeviceIdFor(linux, { pciBusId: '0000:00:02.0' })).toBeNull();
    expect(cudaDeviceIdFor(windows, { luid: '91234' })).toBeNull();
  });
});

describe('the GPUs Settings offers', () => {
  it('one per piece of hardware, whichever EPs list it; CPUs and devices without an id left out', () => {
    const gpus = ortGpus([...linux, dev('WebGpuExecutionProvider', 0x10de, {})]);
    expect(gpus.map((g) => [g.pciBusId, g.vendorId])).toEqual([
      ['0000:00:02.0', 0x8086],
      ['0000:01:00.0', 0x10de],
      ['0000:41:00.0', 0x10de],
    ]);
    expect(ortGpus(windows).map((g) => g.luid)).toEqual(['70450', '91234']);
  });
});
