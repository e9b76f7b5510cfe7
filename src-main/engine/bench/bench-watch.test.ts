import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { GpuInfo, GpuSnapshot } from '../../ipc/contract';
import { parseNvidiaSmiCsv } from '../../gpu/nvidia-smi';
import { FIXTURE_DIR } from '../../gpu/test-support';
import { BenchWatch, IDLE_SETTLE_MAX_MS, idleSettled, type WatchedGpu } from './bench-watch';

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

/** A GPU whose power follows `watts(n)` for its n-th reading (4 Hz watch on fake timers). */
function decayingGpu(watts: (n: number) => number): WatchedGpu {
  let n = 0;
  const read = (): GpuSnapshot => {
    const w = watts(n++);
    return {
      source: 'nvml',
      reason: null,
      driverVersion: null,
      cudaDriverVersion: null,
      gpus: [{ ...idle, powerDrawW: w, totalEnergyMJ: null }],
      sampledAt: n * 250,
    };
  };
  return {
    snapshot: async () => read(),
    watch(_hz, listener) {
      const t = setInterval(() => listener(read()), 250);
      return () => clearInterval(t);
    },
  };
}

describe('the idle baseline waits for the GPU to settle', () => {
  afterEach(() => vi.useRealTimers());

  it('two windows agreeing within 2 W or 3% are settled', () => {
    expect(idleSettled([120, 118, 116, 114], 4)).toBeNull();
    expect(idleSettled([120, 118, 116, 114, 100, 95, 90, 85], 4)).toBe(false);
    expect(idleSettled([76, 75, 76, 75, 75, 76, 75, 75], 4)).toBe(true);
  });

  it('a GPU still cooling down from a previous run: the baseline is its settled idle', async () => {
    vi.useFakeTimers();
    // 126 W right after another benchmark, falling 5 W a reading to 75 W.
    const w = new BenchWatch(
      decayingGpu((n) => Math.max(75, 126 - 5 * n)),
      'webgpu',
    );
    const before = w.before();
    await vi.advanceTimersByTimeAsync(IDLE_SETTLE_MAX_MS + 1000);
    await before;
    const f = await w.finish({ ...run, throughput: 1000 }, 'p90');
    expect(f.energy.idleW).toBeCloseTo(75, 9);
    expect(f.notes.join(' ')).not.toMatch(/not settled/);
  });

  it('one that never settles in time: the last second, and a note that energy may be understated', async () => {
    vi.useFakeTimers();
    const w = new BenchWatch(
      decayingGpu((n) => 300 - 6 * n),
      'webgpu',
    );
    const before = w.before();
    await vi.advanceTimersByTimeAsync(IDLE_SETTLE_MAX_MS + 1000);
    await before;
    const f = await w.finish(run, 'p90');
    expect(f.notes.join(' ')).toMatch(
      /the GPU's power had not settled to idle after 8 s \(from 294\.0 to .* W\): the baseline is the last second, so the run's own energy may be understated/,
    );
  });
});
