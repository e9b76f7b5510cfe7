import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GpuInfoSchema } from '../ipc/contract';
import { AppError } from '../shared/errors';
import { formatCudaDriverVersion, nvmlLibraryCandidates, openNvml, pstateName } from './nvml';
import { compileFakeNvml } from './test-support';

describe('NVML helpers', () => {
  it('formats the CUDA driver version like nvidia-smi', () => {
    expect(formatCudaDriverVersion(12040)).toBe('12.4');
    expect(formatCudaDriverVersion(13000)).toBe('13.0');
    expect(formatCudaDriverVersion(12090)).toBe('12.9');
  });

  it('names P-states and hides the unknown one', () => {
    expect(pstateName(0)).toBe('P0');
    expect(pstateName(15)).toBe('P15');
    expect(pstateName(32)).toBeNull();
  });

  it('looks where the driver installs NVML', () => {
    expect(nvmlLibraryCandidates('/x.so', { CRUCIBLE_NVML_PATH: '/y.so' }, 'linux')).toEqual([
      '/x.so',
    ]);
    expect(nvmlLibraryCandidates(undefined, { CRUCIBLE_NVML_PATH: '/y.so' }, 'linux')).toEqual([
      '/y.so',
    ]);
    const linux = nvmlLibraryCandidates(undefined, {}, 'linux', 'x64');
    expect(linux[0]).toBe('libnvidia-ml.so.1');
    expect(linux).toContain('/usr/local/nvidia/lib64/libnvidia-ml.so.1');
    expect(linux).toContain('/usr/lib/x86_64-linux-gnu/libnvidia-ml.so.1');
    expect(nvmlLibraryCandidates(undefined, { SystemRoot: 'C:\\Windows' }, 'win32')).toEqual([
      'C:\\Windows\\System32\\nvml.dll',
      'C:\\Program Files\\NVIDIA Corporation\\NVSMI\\nvml.dll',
    ]);
  });

  it('fails with a reason naming the library when NVML is not there', async () => {
    const err = await openNvml({ libraryPath: '/nonexistent/libnvidia-ml.so.1' }).catch((e) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('GPU_UNAVAILABLE');
    expect((err as AppError).message).toMatch(
      /NVML library \((libnvidia-ml\.so\.1|nvml\.dll)\) could not be loaded/,
    );
    expect((err as AppError).detail).toContain('/nonexistent/libnvidia-ml.so.1');
  });
});

// The declarations against a compiled stand-in library (fake-nvml.c): checks marshalling through
// koffi's async calls and the refused-query → null rule. Values are the stand-in's, not a GPU's.
const tmp = mkdtempSync(join(tmpdir(), 'crucible-nvml-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const fakeLib = compileFakeNvml(tmp);

describe.skipIf(!fakeLib)('NvmlSource against the stand-in library', () => {
  it('reads every field of a GPU that answers', async () => {
    const nvml = await openNvml({ libraryPath: fakeLib! });
    try {
      const reading = await nvml.sample();
      expect(reading.driverVersion).toBe('999.12.34');
      expect(reading.cudaDriverVersion).toBe('13.1');
      expect(reading.gpus).toHaveLength(2);
      const gpu = GpuInfoSchema.parse(reading.gpus[0]);
      expect(gpu).toEqual({
        index: 0,
        name: 'Fake GeForce RTX 4090',
        uuid: 'GPU-11111111-2222-3333-4444-555555555555',
        pciBusId: '00000000:01:00.0',
        computeCapability: '8.9',
        architecture: 'Ada Lovelace',
        precisions: ['FP16', 'BF16', 'TF32', 'INT8', 'FP8'],
        memoryTotalMiB: 24564,
        memoryUsedMiB: 1024,
        memoryFreeMiB: 23540,
        powerDrawW: 61.234,
        powerLimit: { currentW: 450, defaultW: 450, minW: 150, maxW: 600, enforcedW: 450 },
        temperatureC: 47,
        fanPct: 35,
        clocks: { smMHz: 2520, smMaxMHz: 3120, memMHz: 10501, memMaxMHz: 10501 },
        utilizationGpuPct: 97,
        utilizationMemPct: 41,
        pcie: { gen: 4, genMax: 4, width: 8, widthMax: 16 },
        pstate: 'P2',
        throttleReasons: ['sw_power_cap', 'unknown_0x100000000'],
        totalEnergyMJ: expect.any(Number),
      });
    } finally {
      nvml.close();
    }
  });

  it('reads the total-energy counter (mJ), which moves between readings, and null where refused', async () => {
    const nvml = await openNvml({ libraryPath: fakeLib! });
    try {
      const first = (await nvml.sample()).gpus;
      const second = (await nvml.sample()).gpus;
      // The stand-in adds 50 J per call (50,000 mJ).
      expect((second[0]?.totalEnergyMJ ?? 0) - (first[0]?.totalEnergyMJ ?? 0)).toBe(50_000);
      expect(second[1]?.totalEnergyMJ).toBeNull();
    } finally {
      nvml.close();
    }
  });

  it('turns refused queries into null without failing the snapshot', async () => {
    const nvml = await openNvml({ libraryPath: fakeLib! });
    try {
      const gpu = GpuInfoSchema.parse((await nvml.sample()).gpus[1]);
      expect(gpu).toMatchObject({
        name: 'Fake Restricted GPU',
        uuid: null,
        computeCapability: '7.5',
        architecture: 'Turing',
        memoryTotalMiB: null,
        powerDrawW: null,
        powerLimit: { currentW: null, defaultW: null, minW: null, maxW: null, enforcedW: null },
        temperatureC: 30,
        fanPct: null,
        pstate: null,
        throttleReasons: [],
      });
    } finally {
      nvml.close();
    }
  });

  it('takes the library path from CRUCIBLE_NVML_PATH', async () => {
    const nvml = await openNvml({ env: { CRUCIBLE_NVML_PATH: fakeLib! } });
    expect(nvml.path).toBe(fakeLib);
    nvml.close();
  });
});
