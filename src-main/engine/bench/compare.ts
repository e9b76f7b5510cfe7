/**
 * Two benchmark results compared: the difference of their medians (B − A) with a 95% bootstrap
 * confidence interval from the samples each result kept, and "within noise" when that interval
 * contains zero. The interval is the noise within the two runs; a change of conditions between
 * them (what a verdict other than valid reports) is not in it, and a note says so. Percentile bootstrap, resampling each result's samples with replacement
 * independently; seeded, so the same two results always give the same interval.
 */
import type { BenchComparison, BenchResult } from '../../ipc/contract';
import { quantileSorted } from './stats';

/** Resamples drawn (each one a median of each side). */
export const BOOTSTRAP_RESAMPLES = 2000;
/** Below this many kept samples on either side no interval is given. */
export const MIN_COMPARE_SAMPLES = 10;

/** One side of a comparison. */
type CompareSide = BenchComparison['a'];

/** xorshift32: a small deterministic stream (Math.random cannot be seeded). */
function stream(seed: number): () => number {
  let x = seed >>> 0 || 0x9e3779b9;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 4294967296;
  };
}

function medianOfResample(src: Float64Array, buf: Float64Array, next: () => number): number {
  const n = src.length;
  for (let i = 0; i < n; i++) buf[i] = src[Math.floor(next() * n)] as number;
  buf.sort();
  return quantileSorted(buf, 0.5);
}

/** The comparison of two sample sets (ms), B against A. */
export function compareSamples(
  a: readonly number[],
  b: readonly number[],
  resamples = BOOTSTRAP_RESAMPLES,
  seed = 1,
): Pick<BenchComparison, 'diffMs' | 'diffRel' | 'ci95Ms' | 'withinNoise' | 'resamples'> {
  const sa = Float64Array.from(a).sort();
  const sb = Float64Array.from(b).sort();
  const ma = quantileSorted(sa, 0.5);
  const mb = quantileSorted(sb, 0.5);
  const diffMs = mb - ma;
  const diffRel = ma > 0 ? diffMs / ma : Number.NaN;
  if (sa.length < MIN_COMPARE_SAMPLES || sb.length < MIN_COMPARE_SAMPLES) {
    return { diffMs, diffRel, ci95Ms: null, withinNoise: true, resamples: 0 };
  }
  const next = stream(seed);
  const ba = new Float64Array(sa.length);
  const bb = new Float64Array(sb.length);
  const diffs = new Float64Array(resamples);
  for (let i = 0; i < resamples; i++) {
    diffs[i] = medianOfResample(sb, bb, next) - medianOfResample(sa, ba, next);
  }
  diffs.sort();
  const lo = quantileSorted(diffs, 0.025);
  const hi = quantileSorted(diffs, 0.975);
  return { diffMs, diffRel, ci95Ms: [lo, hi], withinNoise: lo <= 0 && hi >= 0, resamples };
}

function side(r: BenchResult, label?: string): CompareSide {
  return {
    label: label ?? `${r.modelName} · ${r.provider} · ${r.mode}`,
    p50Ms: r.latencyMs?.p50 ?? Number.NaN,
    samples: r.samplesMs.length,
    verdict: r.verdict ?? null,
  };
}

/** Compares result B against result A from the samples they kept. */
export function compareResults(
  a: BenchResult,
  b: BenchResult,
  labels: { a?: string; b?: string } = {},
): BenchComparison {
  const notes: string[] = [];
  for (const [name, r] of [
    ['A', a],
    ['B', b],
  ] as const) {
    if (r.samplesMs.length < MIN_COMPARE_SAMPLES) {
      notes.push(
        `${name} kept ${r.samplesMs.length} samples (< ${MIN_COMPARE_SAMPLES}): no interval`,
      );
    }
    if (r.verdict && r.verdict.state !== 'valid') {
      notes.push(`${name} is ${r.verdict.state}: ${r.verdict.reasons.join('; ')}`);
    }
    if (r.status !== 'ok') notes.push(`${name} did not finish (${r.status})`);
  }
  const samples = compareSamples(a.samplesMs, b.samplesMs);
  const unsure = [a, b].some((r) => r.verdict && r.verdict.state !== 'valid');
  if (unsure && samples.ci95Ms !== null && !samples.withinNoise) {
    // The bootstrap sees each run's own spread; a clock or load that differed between the runs
    // (what a verdict other than valid reports) moves a whole run and is not in the interval.
    notes.push(
      'the interval covers the spread within each run, not conditions that changed between them ' +
        '(clock, load): with a run not valid, repeat both before trusting the difference',
    );
  }
  return { a: side(a, labels.a), b: side(b, labels.b), ...samples, notes };
}

const fmt = (v: number) => (Math.abs(v) < 1 ? v.toFixed(4) : v.toFixed(3));

/** The comparison as lines for people (CLI). */
export function formatComparison(c: BenchComparison): string {
  const sign = (v: number) => (v > 0 ? '+' : '');
  const verdict = (s: CompareSide) => (s.verdict ? ` [${s.verdict.state}]` : '');
  const lines = [
    `A: ${c.a.label}: p50 ${fmt(c.a.p50Ms)} ms (${c.a.samples} samples)${verdict(c.a)}`,
    `B: ${c.b.label}: p50 ${fmt(c.b.p50Ms)} ms (${c.b.samples} samples)${verdict(c.b)}`,
    `B − A: ${sign(c.diffMs)}${fmt(c.diffMs)} ms (${sign(c.diffRel)}${(c.diffRel * 100).toFixed(1)}%)` +
      (c.ci95Ms
        ? `, 95% CI [${fmt(c.ci95Ms[0])}, ${fmt(c.ci95Ms[1])}] ms (bootstrap of medians, ${c.resamples} resamples)`
        : ''),
    c.ci95Ms === null
      ? 'no verdict on noise: too few samples for an interval'
      : c.withinNoise
        ? 'within noise: the interval contains zero'
        : `B is ${c.diffMs < 0 ? 'faster' : 'slower'} than A beyond the iteration-to-iteration noise of these runs`,
  ];
  for (const n of c.notes) lines.push(`note: ${n}`);
  return lines.join('\n');
}
