/**
 * The precision trade, measured: the same seeded inputs through the original and its variant on
 * the same provider give the error (max abs / rel, the lowest cosine similarity, top-1 / top-5
 * agreement for classifiers), and the benchmark gives the latency and energy of both. One table
 * per model: precision × provider → error, latency, energy, verdict.
 *
 * How the runs and benchmarks happen is injected ({@link TradeDeps}): the app goes through the
 * session owner and the benchmark service, the CLI through the same owner and runner.
 */
import type { ModelInspection, ProviderId, TradeRow, TradeTable } from '../ipc/contract';
import { numberToF16 } from '../engine/model/float-bits';
import { diffOutputs, topkAgreement } from '../engine/model/output-diff';
import { synthesizeInputs } from '../engine/model/synth';
import type { HostTensor } from '../engine/tensor';
import { toErrorData } from '../shared/errors';

/** A model as the trade uses it. */
export interface TradeModel {
  id: string;
  path: string;
  name: string;
  inspection: ModelInspection;
}

/** Benchmark figures the table needs. */
export interface TradeBench {
  p50Ms: number | null;
  p90Ms: number | null;
  joulesPerInference: number | null;
  /** Why there are no figures (the benchmark failed or the mode is unsupported). */
  problem: string | null;
  /** Why the benchmark's own verdict says its figures are not to be trusted (noisy, throttled). */
  untrusted?: string | null;
  /** The verdict was `throttled`: the whole run moved, which no spread within it shows. */
  throttled?: boolean;
}

/** How runs and benchmarks are done. */
export interface TradeDeps {
  /** Why a provider cannot be used here, or null when it can. */
  unavailable(provider: ProviderId): string | null;
  /** One run with these inputs; every output in full. */
  outputs(
    model: TradeModel,
    provider: ProviderId,
    dims: Record<string, number>,
    inputs: Record<string, HostTensor>,
  ): Promise<Record<string, HostTensor>>;
  /** One benchmark (plain mode). */
  bench(
    model: TradeModel,
    provider: ProviderId,
    dims: Record<string, number>,
    iterations: number,
  ): Promise<TradeBench>;
}

/** Options of {@link measureTrade}. */
export interface TradeOptions {
  providers: readonly ProviderId[];
  /** Seeded input sets (seeds 1…sets). */
  sets: number;
  iterations: number;
  dims: Record<string, number>;
  onProgress?: (message: string) => void;
}

/**
 * What "the error is acceptable" means in a verdict: the outputs point the same way (cosine
 * similarity ≥ 0.999, i.e. within about 2.6° in output space) and a classifier picks the same
 * top-1 class on every input set. Looser than the converter's own test tolerance on purpose: this
 * is a model's answer, not an op's bits.
 */
export const ACCEPTABLE = { cosine: 0.999 } as const;

/**
 * Latencies within 10% of each other are "no real difference": run-to-run spread of a benchmark
 * on a busy machine is of that order (engine/bench verdicts flag noisier runs).
 */
export const SAME_SPEED = 0.1;

/**
 * Measures a variant against its original on each provider. A provider that is unavailable, or
 * a run that fails, gives rows with the problem instead of figures; the table is always whole.
 */
export async function measureTrade(
  original: TradeModel,
  variant: TradeModel,
  kind: string,
  deps: TradeDeps,
  opts: TradeOptions,
): Promise<TradeTable> {
  const rows: TradeRow[] = [];
  const say = opts.onProgress ?? (() => undefined);
  for (const provider of opts.providers) {
    const why = deps.unavailable(provider);
    if (why !== null) {
      rows.push(emptyRow(provider, 'original', original.id, why));
      rows.push(emptyRow(provider, kind, variant.id, why));
      continue;
    }
    say(`${provider}: ${opts.sets} input set(s) through both`);
    let error: TradeRow['error'] = null;
    let errorProblem: string | null = null;
    try {
      error = await measureError(original, variant, provider, deps, opts);
    } catch (err) {
      errorProblem = toErrorData(err).message;
    }
    say(`${provider}: benchmarking ${original.name}`);
    const a = await benchOrProblem(deps, original, provider, opts);
    say(`${provider}: benchmarking ${variant.name}`);
    const b = await benchOrProblem(deps, variant, provider, opts);
    rows.push({
      provider,
      precision: 'original',
      modelId: original.id,
      p50Ms: a.p50Ms,
      p90Ms: a.p90Ms,
      joulesPerInference: a.joulesPerInference,
      error: null,
      verdict: a.problem === null ? 'reference' : 'no figures',
      problem: a.problem,
    });
    rows.push({
      provider,
      precision: kind,
      modelId: variant.id,
      p50Ms: b.p50Ms,
      p90Ms: b.p90Ms,
      joulesPerInference: b.joulesPerInference,
      error,
      verdict: tradeVerdict(kind, a, b, error),
      problem: errorProblem ?? b.problem,
    });
  }
  return { measuredAt: Date.now(), dims: opts.dims, sets: opts.sets, rows };
}

function emptyRow(provider: ProviderId, precision: string, modelId: string, why: string): TradeRow {
  return {
    provider,
    precision,
    modelId,
    p50Ms: null,
    p90Ms: null,
    joulesPerInference: null,
    error: null,
    verdict: 'not measured',
    problem: why,
  };
}

async function benchOrProblem(
  deps: TradeDeps,
  model: TradeModel,
  provider: ProviderId,
  opts: TradeOptions,
): Promise<TradeBench> {
  try {
    return await deps.bench(model, provider, opts.dims, opts.iterations);
  } catch (err) {
    const problem = toErrorData(err).message;
    return { p50Ms: null, p90Ms: null, joulesPerInference: null, problem };
  }
}

/** The variant's inputs: the original's values, as float16 bits where the variant takes float16. */
function inputsFor(model: TradeModel, inputs: Record<string, HostTensor>) {
  const out: Record<string, HostTensor> = {};
  for (const vi of model.inspection.inputs) {
    const t = inputs[vi.name];
    if (!t) continue;
    if (vi.dtype === 'float16' && t.dtype === 'float32') {
      const src = t.data as Float32Array;
      const bits = new Uint16Array(src.length);
      for (let i = 0; i < src.length; i++) bits[i] = numberToF16(src[i] as number);
      out[vi.name] = { dtype: 'float16', dims: t.dims, data: bits };
    } else out[vi.name] = t;
  }
  return out;
}

async function measureError(
  original: TradeModel,
  variant: TradeModel,
  provider: ProviderId,
  deps: TradeDeps,
  opts: TradeOptions,
): Promise<NonNullable<TradeRow['error']>> {
  let maxAbs = 0;
  let maxRel = 0;
  let cosine = 1;
  let topk: { rows: number; top1: number; top5: number } | null = null;
  for (let seed = 1; seed <= opts.sets; seed++) {
    const inputs = synthesizeInputs(original.inspection.inputs, {
      seed,
      fill: 'random',
      dims: opts.dims,
    });
    const ref = await deps.outputs(original, provider, opts.dims, inputs);
    const got = await deps.outputs(variant, provider, opts.dims, inputsFor(variant, inputs));
    for (const o of original.inspection.outputs) {
      const a = ref[o.name];
      const b = got[o.name];
      if (!a || !b) throw new Error(`output '${o.name}' is missing from a run`);
      if (a.dtype === 'string' || b.dtype === 'string') continue;
      const d = diffOutputs(a, b);
      if (d.nonFiniteMismatch > 0) cosine = Math.min(cosine, 0);
      maxAbs = Math.max(maxAbs, d.maxAbs);
      maxRel = Math.max(maxRel, d.maxRel);
      cosine = Math.min(cosine, d.cosine);
      const agree = o === original.inspection.outputs[0] ? topkAgreement(a, b) : null;
      if (agree) {
        topk = topk ?? { rows: 0, top1: 0, top5: 0 };
        topk.rows += agree.rows;
        topk.top1 += agree.top1;
        topk.top5 += agree.top5;
      }
    }
  }
  return { sets: opts.sets, maxAbs, maxRel, cosine, topk };
}

/** The verdict on a variant row, in words. */
export function tradeVerdict(
  kind: string,
  original: TradeBench,
  variant: TradeBench,
  error: TradeRow['error'],
): string {
  if (error === null) return 'error not measured';
  const accurate =
    error.cosine >= ACCEPTABLE.cosine &&
    (error.topk === null || error.topk.top1 === error.topk.rows);
  const errorWords = `cosine ${error.cosine.toFixed(5)}${
    error.topk ? `, top-1 ${error.topk.top1}/${error.topk.rows}` : ''
  }`;
  if (!accurate) return `keep the original: ${kind} error too large (${errorWords})`;
  if (original.p50Ms === null || variant.p50Ms === null) {
    return `error acceptable (${errorWords}); no latency`;
  }
  const speedup = original.p50Ms / variant.p50Ms;
  // A speed verdict from figures the benchmark itself calls noisy is a coin toss — unless the
  // gap is wider than both runs' own p50–p90 spread and past SAME_SPEED. Never from a throttled
  // run: throttling moves a whole run, which no spread shows.
  const untrusted = original.untrusted ?? variant.untrusted ?? null;
  if (untrusted !== null) {
    const throttled = original.throttled === true || variant.throttled === true;
    const spread = (b: TradeBench) =>
      b.p50Ms !== null && b.p90Ms !== null ? b.p90Ms - b.p50Ms : Number.POSITIVE_INFINITY;
    const gap = Math.abs(original.p50Ms - variant.p50Ms);
    const clear =
      !throttled &&
      gap > Math.max(spread(original), spread(variant)) &&
      (speedup >= 1 + SAME_SPEED || speedup <= 1 / (1 + SAME_SPEED));
    const why = `${untrusted}, but the gap (${gap.toFixed(2)} ms) is wider than both runs' p50–p90 spread`;
    if (clear && speedup < 1) {
      return `keep the original: ${kind} is ${(1 / speedup).toFixed(2)}× slower on this provider — ${why}`;
    }
    if (clear) {
      return `use ${kind}: ${speedup.toFixed(2)}× faster, error acceptable (${errorWords}) — ${why}`;
    }
    return `error acceptable (${errorWords}); latency not conclusive here: ${untrusted}`;
  }
  if (speedup >= 1 + SAME_SPEED) {
    return `use ${kind}: ${speedup.toFixed(2)}× faster, error acceptable (${errorWords})`;
  }
  if (speedup <= 1 / (1 + SAME_SPEED)) {
    return `keep the original: ${kind} is ${(1 / speedup).toFixed(2)}× slower on this provider`;
  }
  return `no real speed difference (within ${SAME_SPEED * 100}%): keep the original`;
}
