import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BenchResult } from '../../ipc/contract';
import { compareResults, compareSamples, formatComparison } from './compare';
import { latencyStats } from './stats';

const busy = JSON.parse(
  readFileSync(join(__dirname, 'fixtures', 'cpu-resnet-mini-busy.json'), 'utf8'),
) as { samplesMs: number[] };

function result(samplesMs: number[], over: Partial<BenchResult> = {}): BenchResult {
  return {
    id: 'x',
    modelId: 'm',
    modelName: 'resnet-mini.onnx',
    provider: 'cpu',
    mode: 'plain',
    at: 0,
    status: 'ok',
    error: null,
    iterations: samplesMs.length,
    batch: 1,
    latencyMs: latencyStats(samplesMs),
    throughput: null,
    itemsPerS: null,
    sessionCreateMs: { cold: null, warm: null },
    firstInferenceMs: null,
    power: null,
    tflops: null,
    samplesMs,
    ...over,
  };
}

describe('compareSamples', () => {
  it('two halves of one recorded run are within noise', () => {
    const a = busy.samplesMs.filter((_, i) => i % 2 === 0);
    const b = busy.samplesMs.filter((_, i) => i % 2 === 1);
    const c = compareSamples(a, b);
    expect(c.ci95Ms).not.toBeNull();
    expect(c.ci95Ms![0]).toBeLessThanOrEqual(0);
    expect(c.ci95Ms![1]).toBeGreaterThanOrEqual(0);
    expect(c.withinNoise).toBe(true);
  });

  it('the same run made 30% slower is a difference beyond noise, inside its interval', () => {
    const a = busy.samplesMs;
    const b = a.map((v) => v * 1.3);
    const c = compareSamples(a, b);
    expect(c.withinNoise).toBe(false);
    expect(c.diffRel).toBeCloseTo(0.3, 9);
    expect(c.ci95Ms![0]).toBeGreaterThan(0);
    expect(c.ci95Ms![0]).toBeLessThanOrEqual(c.diffMs);
    expect(c.ci95Ms![1]).toBeGreaterThanOrEqual(c.diffMs);
  });

  it('is deterministic (seeded) and gives no interval with too few samples', () => {
    expect(compareSamples(busy.samplesMs, busy.samplesMs.slice(7))).toEqual(
      compareSamples(busy.samplesMs, busy.samplesMs.slice(7)),
    );
    const few = compareSamples([1, 2, 3], busy.samplesMs);
    expect(few.ci95Ms).toBeNull();
    expect(few.resamples).toBe(0);
  });
});

describe('compareResults / formatComparison', () => {
  it('prints the difference, its interval and the verdict of each side', () => {
    const a = result(busy.samplesMs, {
      verdict: { state: 'noisy', reasons: ['spread: …'], percentile: 'p90' },
    });
    const b = result(
      busy.samplesMs.map((v) => v * 0.5),
      { provider: 'webgpu' },
    );
    const text = formatComparison(compareResults(a, b));
    expect(text).toMatch(
      /^A: resnet-mini\.onnx · cpu · plain: p50 \d+\.\d{3} ms \(200 samples\) \[noisy\]/,
    );
    expect(text).toMatch(
      /B − A: -\d+\.\d{3} ms \(-50\.0%\), 95% CI \[-\d+\.\d{3}, -\d+\.\d{3}\] ms/,
    );
    expect(text).toMatch(/B is faster than A beyond the iteration-to-iteration noise/);
    expect(text).toMatch(/note: A is noisy: spread: …/);
    // A side not valid: the difference is not trusted beyond these two runs.
    expect(text).toMatch(/note: the interval covers the spread within each run, not conditions/);
    const valid = { state: 'valid' as const, reasons: [], percentile: 'p90' as const };
    const clean = compareResults(
      result(busy.samplesMs, { verdict: valid }),
      result(
        busy.samplesMs.map((v) => v * 0.5),
        { verdict: valid },
      ),
    );
    expect(clean.notes).toEqual([]);
  });
});
