import { describe, expect, it } from 'vitest';
import {
  latencyStats,
  median,
  pickSamples,
  quantileSorted,
  SampleBuffer,
  throughputPerS,
} from './stats';

describe('latency statistics', () => {
  it('computes min/mean/percentiles/max/std of known samples', () => {
    // 1..100: mean 50.5, population std sqrt((100^2 - 1) / 12).
    const samples = Array.from({ length: 100 }, (_, i) => 100 - i);
    const s = latencyStats(samples);
    expect(s).not.toBeNull();
    expect(s?.min).toBe(1);
    expect(s?.max).toBe(100);
    expect(s?.mean).toBeCloseTo(50.5, 12);
    expect(s?.p50).toBeCloseTo(50.5, 12);
    expect(s?.p90).toBeCloseTo(90.1, 12);
    expect(s?.p99).toBeCloseTo(99.01, 12);
    expect(s?.std).toBeCloseTo(Math.sqrt((100 * 100 - 1) / 12), 12);
  });

  it('has no statistics without samples, and a zero spread for one', () => {
    expect(latencyStats([])).toBeNull();
    expect(latencyStats([3])).toEqual({ min: 3, mean: 3, p50: 3, p90: 3, p99: 3, max: 3, std: 0 });
  });

  it.each([
    [[1, 2, 3, 4], 0.5, 2.5],
    [[1, 2, 3, 4], 0, 1],
    [[1, 2, 3, 4], 1, 4],
    [[10], 0.99, 10],
  ])('quantile of %j at %d is %d', (sorted, q, want) => {
    expect(quantileSorted(sorted, q)).toBe(want);
  });

  it('takes the median of unsorted values', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(Number.isNaN(median([]))).toBe(true);
  });
});

describe('throughput', () => {
  it('is iterations per second of wall time', () => {
    expect(throughputPerS(500, 250)).toBe(2000);
    expect(throughputPerS(0, 250)).toBeNull();
    expect(throughputPerS(5, 0)).toBeNull();
  });
});

describe('sample picking', () => {
  it('keeps all samples under the limit and picks evenly above it, ends included', () => {
    expect(pickSamples([1, 2, 3], 5)).toEqual([1, 2, 3]);
    const many = Array.from({ length: 1001 }, (_, i) => i);
    const picked = pickSamples(many, 11);
    expect(picked).toEqual([0, 100, 200, 300, 400, 500, 600, 700, 800, 900, 1000]);
    expect(pickSamples(many, 0)).toEqual([]);
  });

  it('grows its buffer without losing samples', () => {
    const b = new SampleBuffer();
    for (let i = 0; i < 5000; i++) b.push(i);
    expect(b.length).toBe(5000);
    expect(b.view()[4999]).toBe(4999);
    expect(b.view()[1023]).toBe(1023);
  });
});
