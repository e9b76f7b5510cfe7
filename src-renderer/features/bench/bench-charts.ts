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
}

/**
 * Equal-width bins from the smallest to the largest sample (the last bin includes its upper
 * edge). One bin when every sample is equal; none without samples.
 */
export function latencyHistogram(samples: readonly number[], bins = 20): Bin[] {
  if (samples.length === 0) return [];
  const min = Math.min(...samples);
  const max = Math.max(...samples);
  if (max === min) return [{ from: min, to: max, count: samples.length }];
  const width = (max - min) / bins;
  const out: Bin[] = Array.from({ length: bins }, (_, i) => ({
    from: min + i * width,
    to: i === bins - 1 ? max : min + (i + 1) * width,
    count: 0,
  }));
  for (const s of samples) {
    const i = Math.min(bins - 1, Math.floor((s - min) / width));
    (out[i] as Bin).count++;
  }
  return out;
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
