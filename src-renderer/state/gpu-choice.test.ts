import { describe, expect, it } from 'vitest';
import { gpuOptions, gpuValue } from './gpu-choice';

const ort = [
  { name: 'NVIDIA', vendorId: 0x10de, pciBusId: '0000:01:00.0', luid: null },
  { name: 'NVIDIA', vendorId: 0x10de, pciBusId: '0000:41:00.0', luid: null },
];
const monitor = [
  { name: 'NVIDIA GeForce RTX 4090', pciBusId: '00000000:01:00.0' },
  { name: 'NVIDIA RTX 6000 Ada Generation', pciBusId: '00000000:41:00.0' },
];

describe('Settings → GPU options', () => {
  it('names each GPU ORT sees as the GPU monitor does, by bus id, after Automatic', () => {
    const o = gpuOptions(ort, monitor, null);
    expect(o.map((x) => x.label)).toEqual([
      'Automatic (the NVIDIA GPU first)',
      'NVIDIA GeForce RTX 4090 (PCI 0000:01:00.0)',
      'NVIDIA RTX 6000 Ada Generation (PCI 0000:41:00.0)',
    ]);
    expect(o[2]?.gpu).toEqual({
      name: 'NVIDIA RTX 6000 Ada Generation',
      pciBusId: '0000:41:00.0',
      luid: null,
    });
  });

  it("keeps ORT's name without a monitor reading, and a LUID on Windows", () => {
    const o = gpuOptions(
      [{ name: 'NVIDIA', vendorId: 0x10de, pciBusId: null, luid: '91234' }],
      [],
      null,
    );
    expect(o[1]).toMatchObject({ value: 'luid:91234', label: 'NVIDIA (LUID 91234)' });
  });

  it('a chosen GPU ORT no longer sees stays listed, marked, so the setting is shown as it is', () => {
    const gone = { name: 'NVIDIA GeForce RTX 3090', pciBusId: '0000:02:00.0', luid: null };
    const o = gpuOptions(ort, monitor, gone);
    expect(o.at(-1)).toMatchObject({
      value: 'pci:0000:02:00.0',
      label: 'NVIDIA GeForce RTX 3090 (PCI 0000:02:00.0) — not seen now',
    });
    expect(gpuValue(gone)).toBe('pci:0000:02:00.0');
    expect(gpuValue(null)).toBe('auto');
    // The setting as NVML prints a bus id is the same GPU as ORT's.
    expect(gpuValue({ pciBusId: '00000000:41:00.0', luid: null })).toBe(o[2]?.value);
  });
});
