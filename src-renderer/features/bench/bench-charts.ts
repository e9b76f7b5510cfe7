/**
 * What the Benchmarks charts draw, derived from results: the latency distribution of one result,
 * provider-vs-provider and mode-vs-mode comparisons, and the history of one configuration.
 * Pure, so the choices (which result stands for a provider, how bins are cut) are tested.
 */
import type { BenchResult } from '../../../src-main/ipc/contract';

/** One bin of a latency histogram: [from, to) in ms and how many samples fell in it. */
export interface Bin {
  from: number;
  to: number;
  count: number;
  /** The last bin gathers the slowest 1% (to the maximum), so a few outliers do not squash the rest. */
  overflow?: boolean;
}

/**
 * Equal-width bins from the smallest sample to the 99th percentile (the last equal bin includes
 * its upper edge), plus one overflow bin up to the maximum for anything slower. One bin when
 * every sample is equal; none without samples.
 */
export function latencyHistogram(samples: readonly number[], bins = 20): Bin[] {
  if (samples.length === 0) return [];
  const sorted = [...samples].sort((a, b) => a - b);
  const min = sorted[0] as number;
  const max = sorted[sorted.length - 1] as number;
  if (max === min) return [{ from: min, to: max, count: samples.length }];
  let hi = sorted[Math.floor(0.99 * (sorted.length - 1))] as number;
  if (hi === min) hi = max;
  const width = (hi - min) / bins;
  const out: Bin[] = Array.from({ length: bins }, (_, i) => ({
    from: min + i * width,
    to: i === bins - 1 ? hi : min + (i + 1) * width,
    count: 0,
  }));
  const overflow: Bin = { from: hi, to: max, count: 0, overflow: true };
  for (const s of sorted) {
    if (s > hi) overflow.count++;
    else (out[Math.min(bins - 1, Math.floor((s - min) / width))] as Bin).count++;
  }
  return overflow.count > 0 ? [...out, overflow] : out;
}

/** The newest successful result of each value of `key` among `results` (newest first). */
function newestBy<K extends string>(
  results: readonly BenchResult[],
  key: (r: BenchResult) => K,
): Map<K, BenchResult> {
  const out = new Map<K, BenchResult>();
  for (const r of results) {
    if (r.status !== 'ok' || r.latencyMs === null) continue;
    if (!out.has(key(r))) out.set(key(r), r);
  }
  return out;
}

/** Provider vs provider: the newest ok result per provider for one model and mode. */
export function providerComparison(
  results: readonly BenchResult[],
  modelId: string,
  mode: BenchResult['mode'],
): BenchResult[] {
  return [
    ...newestBy(
      results.filter((r) => r.modelId === modelId && r.mode === mode),
      (r) => r.provider,
    ).values(),
  ];
}

/** Mode vs mode: the newest ok result per mode for one model and provider. */
export function modeComparison(
  results: readonly BenchResult[],
  modelId: string,
  provider: BenchResult['provider'],
): BenchResult[] {
  return [
    ...newestBy(
      results.filter((r) => r.modelId === modelId && r.provider === provider),
      (r) => r.mode,
    ).values(),
  ];
}

/** History of one configuration: p50 of each ok result, oldest first (a chart's left to right). */
export function p50History(
  results: readonly BenchResult[],
  of: Pick<BenchResult, 'modelId' | 'provider' | 'mode'>,
): number[] {
  return results
    .filter(
      (r) =>
        r.modelId === of.modelId &&
        r.provider === of.provider &&
        r.mode === of.mode &&
        r.status === 'ok' &&
        r.latencyMs !== null,
    )
    .sort((a, b) => a.at - b.at)
    .map((r) => (r.latencyMs as NonNullable<BenchResult['latencyMs']>).p50);
}
