/**
 * Pure figures of a benchmark: latency statistics over per-iteration samples, throughput, and the
 * evenly picked subset of samples the distribution chart draws. Kept apart from the runner so the
 * arithmetic is tested on plain arrays.
 */

/** Latency statistics in milliseconds (the contract's LatencyStats). */
export interface LatencyStats {
  min: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  /** Population standard deviation. */
  std: number;
}

/**
 * The q-quantile of ascending `sorted` by linear interpolation between closest ranks (the rule
 * numpy uses by default), so p50 of an even count is the mean of the two middle samples.
 */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const pos = Math.min(1, Math.max(0, q)) * (n - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(n - 1, lo + 1);
  const a = sorted[lo] as number;
  const b = sorted[hi] as number;
  return a + (b - a) * (pos - lo);
}

/** Statistics of `samples` (milliseconds); null when there are none. */
export function latencyStats(samples: ArrayLike<number>): LatencyStats | null {
  const n = samples.length;
  if (n === 0) return null;
  const sorted = Float64Array.from(samples).sort();
  let sum = 0;
  for (let i = 0; i < n; i++) sum += sorted[i] as number;
  const mean = sum / n;
  let sq = 0;
  for (let i = 0; i < n; i++) {
    const d = (sorted[i] as number) - mean;
    sq += d * d;
  }
  return {
    min: sorted[0] as number,
    mean,
    p50: quantileSorted(sorted, 0.5),
    p90: quantileSorted(sorted, 0.9),
    p99: quantileSorted(sorted, 0.99),
    max: sorted[n - 1] as number,
    std: Math.sqrt(sq / n),
  };
}

/** The median of `values` (NaN when empty). */
export function median(values: ArrayLike<number>): number {
  return quantileSorted(Float64Array.from(values).sort(), 0.5);
}

/**
 * Inferences per second over a measured wall time: count ÷ seconds, from the loop's own clock
 * (not 1000 / mean latency, which would leave out the time between iterations).
 */
export function throughputPerS(iterations: number, wallMs: number): number | null {
  if (iterations <= 0 || !(wallMs > 0)) return null;
  return (iterations * 1000) / wallMs;
}

/**
 * At most `max` samples picked evenly across the run (first and last included), in run order, so
 * the distribution chart of a million-iteration run still crosses IPC as a few KB.
 */
export function pickSamples(samples: ArrayLike<number>, max: number): number[] {
  const n = samples.length;
  if (n <= max) return Array.from(samples);
  if (max <= 0) return [];
  if (max === 1) return [samples[0] as number];
  const out: number[] = [];
  for (let i = 0; i < max; i++) out.push(samples[Math.round((i * (n - 1)) / (max - 1))] as number);
  return out;
}

/** A growable Float64Array: per-iteration latencies without a boxed number per sample. */
export class SampleBuffer {
  #data = new Float64Array(1024);
  #length = 0;

  /** Appends one sample. */
  push(v: number): void {
    if (this.#length === this.#data.length) {
      const next = new Float64Array(this.#data.length * 2);
      next.set(this.#data);
      this.#data = next;
    }
    this.#data[this.#length++] = v;
  }

  /** Samples so far. */
  get length(): number {
    return this.#length;
  }

  /** The samples as a view (valid until the next push). */
  view(): Float64Array {
    return this.#data.subarray(0, this.#length);
  }
}
