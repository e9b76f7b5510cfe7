import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { BenchConditions, GpuInfo } from '../../ipc/contract';
import { parseNvidiaSmiCsv } from '../../gpu/nvidia-smi';
import { openNvml } from '../../gpu/nvml';
import { compileFakeNvml, FIXTURE_DIR } from '../../gpu/test-support';
import { latencyStats } from './stats';
import {
  benchVerdict,
  gpuConditions,
  iterationsNeeded,
  MAX_CV,
  verdictText,
  type VerdictInput,
} from './verdict';

interface Recorded {
  machine: string;
  command: string;
  host: NonNullable<BenchConditions['host']>;
  samplesMs: number[];
}
const recorded = (name: string): Recorded =>
  JSON.parse(readFileSync(join(__dirname, 'fixtures', name), 'utf8')) as Recorded;

function input(samples: number[], conditions: BenchConditions, over: Partial<VerdictInput> = {}) {
  return {
    provider: 'cpu' as const,
    iterations: samples.length,
    latencyMs: latencyStats(samples),
    percentile: 'p90' as const,
    conditions,
    ...over,
  };
}

// The H200's real idle capture (nvidia-smi, recorded on the lent host): gpu_idle set, nothing else.
const h200 = parseNvidiaSmiCsv(readFileSync(join(FIXTURE_DIR, 'h200x2-query-gpu.csv'), 'utf8'))
  .gpus[0] as GpuInfo;

describe('benchVerdict on recorded samples', () => {
  it('a CPU run on this busy 2-core machine is noisy, with the spread and the other load as reasons', () => {
    const r = recorded('cpu-resnet-mini-busy.json');
    const v = benchVerdict(input(r.samplesMs, { gpu: null, host: r.host }));
    expect(v.state).toBe('noisy');
    expect(v.reasons.join('\n')).toMatch(/coefficient of variation \d+\.\d% > 10\.0%/);
    expect(v.reasons.join('\n')).toMatch(/other load: other processes kept 1\.\d+ of 2 cores busy/);
    expect(verdictText(v)).toMatch(/^noisy \(/);
  });

  it('the same model on the same machine, quiet (one thread, nothing else running), is valid', () => {
    const r = recorded('cpu-resnet-mini-quiet.json');
    expect(r.host.otherCores).toBeLessThan(0.25);
    const v = benchVerdict(input(r.samplesMs, { gpu: null, host: r.host }));
    expect(v).toEqual({ state: 'valid', reasons: [], percentile: 'p90' });
  });
});

describe('benchVerdict on a recorded GPU run', () => {
  it('WebGPU on the lent H100: the spread, the tail and the SM clock that moved are its reasons', () => {
    const r = JSON.parse(
      readFileSync(join(__dirname, 'fixtures', 'webgpu-transformer-block-h100.json'), 'utf8'),
    ) as { conditions: BenchConditions; samplesMs: number[] };
    const v = benchVerdict(
      input(r.samplesMs, r.conditions, { provider: 'webgpu', percentile: 'p99' }),
    );
    expect(v.state).toBe('noisy');
    expect(v.reasons).toEqual([
      expect.stringMatching(/^spread: coefficient of variation 23\.\d% > 10\.0%/),
      expect.stringMatching(/^tail: p99\/p50 = 1\.6\d > 1\.50$/),
      'SM clock not steady: 1125–1980 MHz (43.2% > 5.0%)',
    ]);
  });
});

// A tight sample set, made here (not recorded): 200 latencies 10 ms ± 1%, for the rules that
// do not depend on how a machine behaves (the recorded clean run is above).
const tight = Array.from({ length: 200 }, (_, i) => 10 + ((i * 37) % 21) / 100 - 0.1);

describe('benchVerdict rules', () => {
  it('a tight run with enough iterations on a quiet machine is valid', () => {
    const quiet = { cores: 16, loadAvgStart: 0.2, loadAvgEnd: 0.3, otherCores: 0.1, ownCores: 1 };
    const v = benchVerdict(input(tight, { gpu: null, host: quiet }));
    expect(v).toEqual({ state: 'valid', reasons: [], percentile: 'p90' });
    expect(verdictText(v)).toBe('valid');
  });

  it('too few iterations for the percentile asked is noisy even when the spread is tight', () => {
    const v = benchVerdict(
      input(tight.slice(0, 150), { gpu: null, host: null }, { percentile: 'p99' }),
    );
    expect(v.state).toBe('noisy');
    expect(v.reasons).toEqual([
      '150 iterations: p99 needs at least 1000 (10 beyond it) — run more iterations',
    ]);
  });

  it("the real H200 reading's gpu_idle is a state, not throttling: a GPU run with it is valid", () => {
    const gpu = gpuConditions(0, h200, [h200, h200], h200);
    expect(gpu.throttleReasons).toEqual(['gpu_idle']);
    const v = benchVerdict(input(tight, { gpu, host: null }, { provider: 'webgpu' }));
    expect(v.state).toBe('valid');
  });

  it('an SM clock that moved while measuring is noisy', () => {
    const at = (mhz: number): GpuInfo => ({ ...h200, clocks: { ...h200.clocks, smMHz: mhz } });
    const gpu = gpuConditions(0, at(1980), [at(1980), at(1755)], at(1980));
    const v = benchVerdict(input(tight, { gpu, host: null }, { provider: 'webgpu' }));
    expect(v.state).toBe('noisy');
    expect(v.reasons[0]).toMatch(/SM clock not steady: 1755–1980 MHz/);
  });
});

// NVML readings through Crucible's real binding from the stand-in library (fake-nvml.c), whose GPU
// 0 reports sw_power_cap (and a bit no table knows) — values invented by the stand-in, read
// through the same code path as a real GPU's.
const tmp = mkdtempSync(join(tmpdir(), 'crucible-verdict-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const fakeLib = compileFakeNvml(tmp);

describe.skipIf(!fakeLib)('benchVerdict with NVML readings that carry a throttle reason', () => {
  it('is throttled, naming the reason, and takes precedence over noise', async () => {
    const nvml = await openNvml({ libraryPath: fakeLib! });
    try {
      const readings: GpuInfo[] = [];
      for (let i = 0; i < 4; i++) readings.push((await nvml.sample()).gpus[0] as GpuInfo);
      const gpu = gpuConditions(0, h200, readings.slice(0, 3), readings[3] ?? null);
      expect(gpu.throttleReasons).toContain('sw_power_cap');
      const busy = recorded('cpu-resnet-mini-busy.json');
      const v = benchVerdict(input(busy.samplesMs, { gpu, host: busy.host }, { provider: 'cuda' }));
      expect(v.state).toBe('throttled');
      expect(v.reasons[0]).toBe('GPU 0 reported sw_power_cap while measuring');
      // The spread is reported too; other load is a CPU-provider reason only.
      expect(v.reasons.some((r) => r.startsWith('spread'))).toBe(true);
      expect(v.reasons.some((r) => r.startsWith('other load'))).toBe(false);
    } finally {
      nvml.close();
    }
  });
});

describe('bounds', () => {
  it('iterations needed: 10 samples beyond the percentile', () => {
    expect([iterationsNeeded('p50'), iterationsNeeded('p90'), iterationsNeeded('p99')]).toEqual([
      20, 100, 1000,
    ]);
    expect(MAX_CV).toBe(0.1);
  });
});
