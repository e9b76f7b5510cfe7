/**
 * What one GPU reading costs, for `npm run bench`: the monitor samples up to 4 times a second
 * while the GPU area is open, so its cost must stay small next to the inference it watches.
 */
import { performance } from 'node:perf_hooks';
import type { GpuSnapshot } from '../ipc/contract';

/** The result of {@link measureSampleCost}. */
export interface SampleCost {
  /** Median wall time of one snapshot(), warm (after the first). */
  medianMs: number;
  p90Ms: number;
  /** The first snapshot, which loads and starts the source (nvmlInit, or the first nvidia-smi run). */
  firstMs: number;
  source: GpuSnapshot['source'];
  samples: number;
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i]!;
}

/**
 * Times `n` sequential snapshots after one cold one. Sequential on purpose: overlapping calls
 * share one reading, which would hide the cost being measured.
 */
export async function measureSampleCost(
  monitor: { snapshot(): Promise<GpuSnapshot> },
  n = 1000,
): Promise<SampleCost> {
  if (!Number.isSafeInteger(n) || n <= 0) throw new Error(`sample count must be positive: ${n}`);
  const t0 = performance.now();
  let last = await monitor.snapshot();
  const firstMs = performance.now() - t0;
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    last = await monitor.snapshot();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return {
    medianMs: quantile(times, 0.5),
    p90Ms: quantile(times, 0.9),
    firstMs,
    source: last.source,
    samples: n,
  };
}
