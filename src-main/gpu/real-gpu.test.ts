// Runs only on a machine with an NVIDIA driver (it skips everywhere else): NVML and nvidia-smi must
// agree about the same GPUs. This is the check to run on a real GPU host after a change here.
import { describe, expect, it } from 'vitest';
import { GpuSnapshotSchema } from '../ipc/contract';
import { createGpuMonitor } from './monitor';
import { NvidiaSmiSource } from './nvidia-smi';
import { openNvml } from './nvml';
import { measureSampleCost } from './sample-cost';

const nvml = await openNvml().catch(() => null);
const smi = nvml ? await new NvidiaSmiSource().sample().catch(() => null) : null;

describe.skipIf(!nvml || !smi)('on a real NVIDIA GPU', () => {
  it('NVML and nvidia-smi agree on identity, memory and power limits', async () => {
    const a = await nvml!.sample();
    const b = smi!;
    expect(a.driverVersion).toBe(b.driverVersion);
    if (b.cudaDriverVersion !== null) expect(a.cudaDriverVersion).toBe(b.cudaDriverVersion);
    expect(a.gpus.length).toBe(b.gpus.length);
    a.gpus.forEach((g, i) => {
      const h = b.gpus[i]!;
      console.log(`GPU ${i} via NVML:`, JSON.stringify(g));
      console.log(`GPU ${i} via nvidia-smi:`, JSON.stringify(h));
      expect([g.index, g.name, g.uuid, g.computeCapability]).toEqual([
        h.index,
        h.name,
        h.uuid,
        h.computeCapability,
      ]);
      expect(g.pciBusId?.toLowerCase()).toBe(h.pciBusId?.toLowerCase());
      expect(g.memoryTotalMiB).toBe(h.memoryTotalMiB);
      expect(g.powerLimit.currentW).toBeCloseTo(h.powerLimit.currentW ?? Number.NaN, 0);
      expect(g.powerLimit.defaultW).toBeCloseTo(h.powerLimit.defaultW ?? Number.NaN, 0);
      expect(g.powerLimit.minW).toBeCloseTo(h.powerLimit.minW ?? Number.NaN, 0);
      expect(g.powerLimit.maxW).toBeCloseTo(h.powerLimit.maxW ?? Number.NaN, 0);
      expect(g.clocks.smMaxMHz).toBe(h.clocks.smMaxMHz);
      expect(g.pcie.widthMax).toBe(h.pcie.widthMax);
      expect(g.architecture).not.toBeNull();
    });
    nvml!.close();
  });

  it('the monitor picks NVML and its snapshot fits the contract', async () => {
    const monitor = createGpuMonitor();
    const snap = GpuSnapshotSchema.parse(await monitor.snapshot());
    expect(snap.source).toBe('nvml');
    const cost = await measureSampleCost(monitor, 200);
    console.log('sample cost (NVML, 200 warm samples):', JSON.stringify(cost));
    monitor.close();
  });
});
