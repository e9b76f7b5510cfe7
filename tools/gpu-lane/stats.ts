/** Small statistics for the lane's timing loop. */

/**
 * The q-quantile (0..1) of already sorted samples, by linear interpolation between the closest
 * ranks (the method NumPy and most benchmark tools use by default).
 */
export function quantileSorted(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) throw new Error('quantile of no samples');
  if (q < 0 || q > 1) throw new Error(`quantile ${q} is outside 0..1`);
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = sorted[lo] as number;
  const b = sorted[hi] as number;
  return a + (b - a) * (pos - lo);
}

/** Median, p90 and minimum of a set of samples. */
export function latencyStats(samples: readonly number[]): {
  median: number;
  p90: number;
  min: number;
} {
  const sorted = [...samples].sort((x, y) => x - y);
  return {
    median: quantileSorted(sorted, 0.5),
    p90: quantileSorted(sorted, 0.9),
    min: sorted[0] ?? Number.NaN,
  };
}
