import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { GpuInfo } from '../../ipc/contract';
import { parseNvidiaSmiCsv } from '../../gpu/nvidia-smi';
import { FIXTURE_DIR } from '../../gpu/test-support';
import { energyFigures, type EnergyInput } from './energy';

// The H200's real idle reading (94.64 W, nvidia-smi on the lent host) as the idle baseline.
const idle = parseNvidiaSmiCsv(readFileSync(join(FIXTURE_DIR, 'h200-query-gpu.csv'), 'utf8'))
  .gpus[0] as GpuInfo;
const busy = (w: number, mj: number | null): GpuInfo => ({
  ...idle,
  powerDrawW: w,
  totalEnergyMJ: mj,
});

const base: EnergyInput = {
  provider: 'webgpu',
  gpuIndex: 0,
  idle: [idle, idle],
  // 2 s apart, 500 J used: 250 W on average.
  start: { at: 10_000, gpu: busy(240, 1_000_000) },
  end: { at: 12_000, gpu: busy(260, 1_500_000) },
  during: [busy(300, null), busy(320, null)],
  throughput: 1000,
};

describe('energyFigures', () => {
  it('a CPU-provider run never carries GPU energy, however busy the GPU was', () => {
    const e = energyFigures({ ...base, provider: 'cpu' });
    expect(e).toEqual({
      attributed: false,
      method: null,
      gpuIndex: null,
      idleW: null,
      activeW: null,
      netW: null,
      joulesPerInference: null,
      note: 'GPU energy not attributed: the run used the CPU provider',
    });
  });

  it("subtracts the idle baseline from NVML's energy counter", () => {
    const e = energyFigures(base);
    expect(idle.powerDrawW).toBe(94.64);
    expect(e.method).toBe('nvml-energy-counter');
    expect(e.attributed).toBe(true);
    expect(e.activeW).toBeCloseTo(250, 9);
    expect(e.netW).toBeCloseTo(250 - 94.64, 9);
    // Net watts ÷ inferences per second = joules per inference.
    expect(e.joulesPerInference).toBeCloseTo((250 - 94.64) / 1000, 12);
    expect(e.note).toMatch(/minus the idle baseline \(94\.6 W\)/);
  });

  it('falls back to the power samples where there is no counter, and says so', () => {
    const e = energyFigures({
      ...base,
      start: { at: 10_000, gpu: busy(240, null) },
      end: { at: 12_000, gpu: busy(260, null) },
    });
    expect(e.method).toBe('power-samples');
    expect(e.activeW).toBe(310);
    expect(e.netW).toBeCloseTo(310 - 94.64, 9);
    expect(e.note).toMatch(/^fallback: 4 Hz power samples/);
  });

  it('never goes negative or says zero joules, and credits nothing without an idle reading or a GPU', () => {
    // Drawing less than the baseline (the GPU still settling from earlier work): no figure, said.
    const below = energyFigures({ ...base, during: [busy(50, null)], start: null, end: null });
    expect(below).toMatchObject({ attributed: false, netW: null, joulesPerInference: null });
    expect(below.activeW).toBe(50);
    expect(below.note).toMatch(
      /^no energy attributed: the GPU drew 50\.0 W during the run, no more than the .* W baseline/,
    );
    const noIdle = energyFigures({ ...base, idle: [] });
    expect(noIdle.attributed).toBe(false);
    expect(noIdle.joulesPerInference).toBeNull();
    expect(energyFigures({ ...base, gpuIndex: null }).attributed).toBe(false);
  });
});
