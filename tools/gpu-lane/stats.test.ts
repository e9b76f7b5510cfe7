import { describe, expect, it } from 'vitest';
import { latencyStats, quantileSorted } from './stats';

describe('quantileSorted', () => {
  it.each([
    [[5], 0.5, 5],
    [[1, 2, 3, 4], 0.5, 2.5],
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9, 9.1],
    [[1, 2, 3], 0, 1],
    [[1, 2, 3], 1, 3],
  ])('%j at %d is %d', (samples, q, want) => {
    expect(quantileSorted(samples, q)).toBeCloseTo(want, 12);
  });

  it('refuses no samples and quantiles outside 0..1', () => {
    expect(() => quantileSorted([], 0.5)).toThrow(/no samples/);
    expect(() => quantileSorted([1], 1.5)).toThrow(/outside/);
  });
});

describe('latencyStats', () => {
  it('sorts before taking quantiles', () => {
    expect(latencyStats([9, 1, 5, 3, 7])).toEqual({ median: 5, p90: 8.2, min: 1 });
  });
});
