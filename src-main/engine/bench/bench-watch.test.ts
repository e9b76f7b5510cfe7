import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { GpuInfo, GpuSnapshot } from '../../ipc/contract';
import { parseNvidiaSmiCsv } from '../../gpu/nvidia-smi';
import { FIXTURE_DIR } from '../../gpu/test-support';
import { BenchWatch, type WatchedGpu } from './bench-watch';

// A GPU source over the H200's real reading: idle (94.64 W) until the run starts, then busy
// (300 W, energy counter moving 300 J per second of the snapshot clock).
const idle = parseNvidiaSmiCsv(readFileSync(join(FIXTURE_DIR, 'h200-query-gpu.csv'), 'utf8'))
  .gpus[0] as GpuInfo;

function gpuSource(): WatchedGpu & { busy: boolean; reads: number } {
  let clock = 0;
  const src = {
    busy: false,
    reads: 0,
    async snapshot(): Promise<GpuSnapshot> {
      src.reads++;
      clock += 1000;
      const gpu: GpuInfo = src.busy
        ? { ...idle, powerDrawW: 300, totalEnergyMJ: clock * 300 }
        : { ...idle, totalEnergyMJ: clock * 94.64 };
      return {
        source: 'nvml',
        reason: null,
        driverVersion: null,
        cudaDriverVersion: null,
        gpus: [gpu],
        sampledAt: clock,
      };
    },
    watch(_hz: number, listener: (s: GpuSnapshot) => void) {
      const t = setInterval(() => void src.snapshot().then(listener), 250);
      return () => clearInterval(t);
    },
  };
  return src;
}

const run = { iterations: 200, latencyMs: null, throughput: 1000 };

describe('BenchWatch', () => {
  it('a CPU-provider run never carries GPU power or energy, and does not read the GPU', async () => {
    const gpu = gpuSource();
    gpu.busy = true;
    const w = new BenchWatch(gpu, 'cpu');
    await w.before();
    w.progress('measure');
    await new Promise((r) => setTimeout(r, 600));
    w.progress('done');
    const f = await w.finish(run, 'p90');
    expect(gpu.reads).toBe(0);
    expect(f.power).toBeNull();
    expect(f.energy.attributed).toBe(false);
    expect(f.energy.joulesPerInference).toBeNull();
    expect(f.energy.note).toBe('GPU energy not attributed: the run used the CPU provider');
    expect(f.conditions.gpu).toBeNull();
  });

  it('a GPU-provider run subtracts the idle baseline read just before it', async () => {
    const gpu = gpuSource();
    const w = new BenchWatch(gpu, 'webgpu');
    await w.before();
    gpu.busy = true;
    w.progress('measure');
    await new Promise((r) => setTimeout(r, 600));
    w.progress('done');
    const f = await w.finish(run, 'p90');
    expect(f.energy.method).toBe('nvml-energy-counter');
    expect(f.energy.idleW).toBeCloseTo(94.64, 9);
    expect(f.energy.activeW).toBeCloseTo(300, 9);
    expect(f.energy.joulesPerInference).toBeCloseTo((300 - 94.64) / 1000, 12);
    expect(f.conditions.gpu?.before?.powerDrawW).toBe(94.64);
    expect(f.conditions.gpu?.after?.powerDrawW).toBe(300);
    expect(f.power?.avgW).toBe(300);
  });
});
