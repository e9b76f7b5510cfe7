/**
 * The validity verdict of a benchmark: can a reader trust its figures? Pure, so it is tested on
 * recorded samples. Three answers, worst first:
 *
 * - throttled: the GPU reported a clock-event reason that slows it (power cap, thermal or
 *   hardware slowdown, power brake) while measuring — the figure describes a throttled GPU;
 * - noisy: the spread is too wide for a percentile to mean much (coefficient of variation,
 *   p99/p50), there were too few iterations for the percentile the reader relies on, the SM clock
 *   moved while measuring, or other processes kept the CPU busy during a CPU-provider run;
 * - valid: none of these.
 *
 * Every bound is an exported constant and every reason names the figure and the bound, so a person
 * knows what to change (more iterations, close other programs, let the GPU cool).
 */
import type { BenchConditions, BenchVerdict, GpuInfo, ProviderId } from '../../ipc/contract';
import type { LatencyStats } from './stats';

/** A percentile is meaningful when at least this many samples lie at or beyond it. */
export const MIN_TAIL_SAMPLES = 10;
/** Coefficient of variation (std ÷ mean) above which the spread makes a p50 doubtful. */
export const MAX_CV = 0.1;
/** p99 ÷ p50 above which the tail is too long for the median to describe the run. */
export const MAX_TAIL_RATIO = 1.5;
/** SM clock movement while measuring ((max − min) ÷ max) above which the GPU was not steady. */
export const MAX_SM_CLOCK_SPREAD = 0.05;
/** Cores other processes kept busy on average while a CPU-provider run measured. */
export const MAX_OTHER_CORES = 0.5;

/**
 * Clock-event reasons that mean the GPU ran slower than it would have (nvml.h's power cap,
 * thermal and hardware slowdowns, power brake). gpu_idle, applications_clocks_setting, sync_boost
 * and display_clock_setting are states, not throttling, and do not count.
 */
export const THROTTLE_REASONS: ReadonlySet<string> = new Set([
  'sw_power_cap',
  'hw_slowdown',
  'sw_thermal_slowdown',
  'hw_thermal_slowdown',
  'hw_power_brake_slowdown',
]);

/** The percentiles a reader can rely on, as quantiles. */
export const PERCENTILES = { p50: 0.5, p90: 0.9, p99: 0.99 } as const;

/** Iterations needed for `percentile`: MIN_TAIL_SAMPLES beyond it (p50 20, p90 100, p99 1000). */
export function iterationsNeeded(percentile: keyof typeof PERCENTILES): number {
  return Math.ceil(MIN_TAIL_SAMPLES / (1 - PERCENTILES[percentile]) - 1e-9);
}

/** What the verdict looks at. */
export interface VerdictInput {
  provider: ProviderId;
  iterations: number;
  latencyMs: LatencyStats | null;
  percentile: keyof typeof PERCENTILES;
  conditions: BenchConditions;
}

const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
const fix = (v: number, d = 2) => v.toFixed(d);

/** The verdict of one result. */
export function benchVerdict(input: VerdictInput): BenchVerdict {
  const throttled: string[] = [];
  const noisy: string[] = [];
  const need = iterationsNeeded(input.percentile);
  if (input.iterations < need) {
    noisy.push(
      `${input.iterations} iterations: ${input.percentile} needs at least ${need} (${MIN_TAIL_SAMPLES} beyond it) — run more iterations`,
    );
  }
  const l = input.latencyMs;
  if (l && l.mean > 0) {
    const cv = l.std / l.mean;
    if (cv > MAX_CV) {
      noisy.push(
        `spread: coefficient of variation ${pct(cv)} > ${pct(MAX_CV)} (std ${fix(l.std, 3)} ms, mean ${fix(l.mean, 3)} ms)`,
      );
    }
    if (l.p50 > 0 && l.p99 / l.p50 > MAX_TAIL_RATIO) {
      noisy.push(`tail: p99/p50 = ${fix(l.p99 / l.p50)} > ${fix(MAX_TAIL_RATIO)}`);
    }
  }
  const gpu = input.conditions.gpu;
  if (gpu) {
    const reasons = gpu.throttleReasons.filter((r) => THROTTLE_REASONS.has(r));
    if (reasons.length > 0) {
      throttled.push(`GPU ${gpu.index} reported ${reasons.join(', ')} while measuring`);
    }
    if (gpu.smMHz && gpu.smMHz.max > 0) {
      const spread = (gpu.smMHz.max - gpu.smMHz.min) / gpu.smMHz.max;
      if (spread > MAX_SM_CLOCK_SPREAD) {
        noisy.push(
          `SM clock not steady: ${gpu.smMHz.min}–${gpu.smMHz.max} MHz (${pct(spread)} > ${pct(MAX_SM_CLOCK_SPREAD)})`,
        );
      }
    }
  }
  const host = input.conditions.host;
  if (input.provider === 'cpu' && host?.otherCores != null && host.otherCores > MAX_OTHER_CORES) {
    noisy.push(
      `other load: other processes kept ${fix(host.otherCores)} of ${host.cores} cores busy while measuring (> ${MAX_OTHER_CORES})`,
    );
  }
  const state = throttled.length > 0 ? 'throttled' : noisy.length > 0 ? 'noisy' : 'valid';
  return { state, reasons: [...throttled, ...noisy], percentile: input.percentile };
}

/** The verdict as one short phrase: `valid`, `noisy (…)`, `throttled (…)`. */
export function verdictText(v: BenchVerdict): string {
  return v.reasons.length === 0 ? v.state : `${v.state} (${v.reasons.join('; ')})`;
}

/** The GPU part of the conditions, from snapshots before, during and after the measure phase. */
export function gpuConditions(
  index: number,
  before: GpuInfo | null,
  during: readonly GpuInfo[],
  after: GpuInfo | null,
): NonNullable<BenchConditions['gpu']> {
  const point = (g: GpuInfo | null) =>
    g ? { temperatureC: g.temperatureC, powerDrawW: g.powerDrawW, smMHz: g.clocks.smMHz } : null;
  // The after snapshot is taken right as the measure phase ends, so it belongs to the run.
  const seen = after ? [...during, after] : [...during];
  const clocks = seen.flatMap((g) => (typeof g.clocks.smMHz === 'number' ? [g.clocks.smMHz] : []));
  const reasons = new Set<string>();
  for (const g of seen) for (const r of g.throttleReasons) reasons.add(r);
  return {
    index,
    name: (after ?? before ?? during[0])?.name ?? `GPU ${index}`,
    before: point(before),
    after: point(after),
    smMHz: clocks.length > 0 ? { min: Math.min(...clocks), max: Math.max(...clocks) } : null,
    throttleReasons: [...reasons],
    samples: seen.length,
  };
}
