/**
 * `crucible bench MODEL [--provider P] [--mode plain|iobinding|graph] [--iterations N | --duration S]
 * [--warmup N] [--dim NAME=N ...] [--compiled] [--json]`: one benchmark through the headless
 * use-cases (services/headless.ts): the app's session owner and BenchService, so the result lands
 * in the app's Benchmarks history (same data folder). `--compiled` benchmarks the model's valid
 * compile-cache entry for the provider and dims instead of the original.
 * Exit 0 when the benchmark ran, 3 when it failed part-way or the mode is unsupported (the
 * figures gathered are still printed), 2 for bad arguments or a missing compiled entry.
 */
import { BENCH_MODES, type BenchResult } from '../../ipc/contract';
import { checkExternalData, inspectModel } from '../../engine/model/inspect';
import {
  INPUT_OPTIONS,
  planFromArgs,
  resolveInputs,
  withModelPixels,
} from '../../engine/model/input-sources';
import { readOnnxFile } from '../../engine/model/onnx-file';
import { composeHeadless } from '../../services/headless';
import { AppError } from '../../shared/errors';
import { loopCommand } from '../bench-loop';
import { compareCommand, trustLines } from '../bench-trust';
import { type CliIo, oneModelPath, parseCliArgs, providerArg } from '../io';

function positiveNumber(
  option: string,
  v: string | undefined,
  integer: boolean,
): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isSafeInteger(n))) {
    throw new AppError(
      'BAD_REQUEST',
      `bench: ${option} must be a positive ${integer ? 'integer' : 'number'}, got '${v}'`,
    );
  }
  return n;
}

/** Runs `crucible bench`. */
export async function benchCommand(args: string[], io: CliIo): Promise<number> {
  if (args.includes('--loop'))
    return loopCommand(
      args.filter((a) => a !== '--loop'),
      io,
    );
  const { values, positionals } = parseCliArgs('bench', args, {
    provider: { type: 'string', default: 'cpu' },
    mode: { type: 'string', default: 'plain' },
    iterations: { type: 'string' },
    duration: { type: 'string' },
    warmup: { type: 'string', default: '10' },
    ...INPUT_OPTIONS,
    compiled: { type: 'boolean' },
    json: { type: 'boolean' },
    compare: { type: 'boolean' },
    profile: { type: 'boolean' },
    percentile: { type: 'string', default: 'p90' },
  });
  if (values.compare) return compareCommand(positionals, values.json === true, io);
  const percentile = values.percentile as 'p50' | 'p90' | 'p99';
  if (!['p50', 'p90', 'p99'].includes(percentile)) {
    throw new AppError(
      'BAD_REQUEST',
      `bench: --percentile must be p50, p90 or p99, got '${values.percentile}'`,
    );
  }
  const modelPath = oneModelPath('bench', positionals);
  const provider = providerArg('bench', values.provider);
  const mode = values.mode as (typeof BENCH_MODES)[number];
  if (!BENCH_MODES.includes(mode)) {
    throw new AppError(
      'BAD_REQUEST',
      `bench: --mode must be ${BENCH_MODES.join(', ')}, got '${values.mode}'`,
    );
  }
  if (values.iterations !== undefined && values.duration !== undefined) {
    throw new AppError('BAD_REQUEST', 'bench: give --iterations or --duration, not both');
  }
  const iterations = positiveNumber('--iterations', values.iterations, true);
  const durationS = positiveNumber('--duration', values.duration, false);
  const warmup = Number(values.warmup);
  if (!Number.isSafeInteger(warmup) || warmup < 0) {
    throw new AppError(
      'BAD_REQUEST',
      `bench: --warmup must be an integer >= 0, got '${values.warmup}'`,
    );
  }
  const plan = planFromArgs(values);
  const dims = plan.dims;
  const inspection = await inspectModel(modelPath, { dims });
  await checkExternalData(modelPath);
  // Resolved here too: bad input flags fail before the engine starts, and the result records
  // what the engine host feeds (the same plan gives the same bytes there).
  const fed = await resolveInputs(
    {
      path: modelPath,
      inputs: inspection.inputs,
      proto: (await readOnnxFile(modelPath)).model,
      pixels: inspection.pictureScaling,
    },
    plan,
  );

  const headless = await composeHeadless();
  try {
    const model = await headless.model(modelPath, inspection);
    if (values.compiled) {
      const entry = await headless.findCompiled(model, provider, dims);
      if (!entry) {
        // Entries for other dims (the app fixes each named dim; `crucible compile` without --dim
        // does not): say which, as the --dim flags that find them.
        const others = (await headless.compiledDims(model, provider)).map(
          (d) =>
            Object.entries(d)
              .map(([n, v]) => `--dim ${n}=${v}`)
              .join(' ') || 'no --dim',
        );
        throw new AppError(
          'NOT_FOUND',
          `bench: ${modelPath} has no valid compiled ${provider} entry for dims ${JSON.stringify(dims)} in ${headless.paths.cache} (run crucible compile first)` +
            (others.length > 0 ? `; entries exist for: ${others.join('; ')}` : ''),
        );
      }
    }
    const result = await headless.bench(model, {
      modelId: model.id,
      provider: provider,
      mode,
      iterations,
      durationS,
      warmup,
      dims,
      variant: values.compiled ? 'compiled' : 'original',
      percentile,
      profile: values.profile === true,
      inputs: withModelPixels(plan, inspection.pictureScaling),
    });
    // The CLI passed --dim to the inspection, so the FLOP estimate matches the dims used.
    const tflops =
      result.tflops ??
      (inspection.flops.total !== null && inspection.flops.total > 0 && result.throughput !== null
        ? { achieved: (inspection.flops.total * result.throughput) / 1e12, peak: null }
        : null);
    const out = {
      ...result,
      tflops,
      model: modelPath,
      ortVersion: headless.engine.status().ortVersion,
      fed: fed.fed,
      dimChoices: fed.choices,
      replay: fed.replay,
    };
    if (values.json) io.out(JSON.stringify(out, null, 2));
    else io.out(formatBench(out, out.notes));
    if (result.status !== 'ok' && result.error) io.err(`crucible: ${result.error.message}`);
    return result.status === 'ok' ? 0 : 3;
  } finally {
    headless.close();
  }
}

const ms = (v: number | null | undefined) =>
  v === null || v === undefined ? '—' : `${v < 1 ? v.toFixed(4) : v.toFixed(3)} ms`;

/** A benchmark result as lines for people. */
export function formatBench(
  r: BenchResult & { model?: string },
  notes: readonly string[] = [],
): string {
  const lines = [
    `${r.model ?? r.modelName} · ${r.provider}${r.variant === 'compiled' ? ' (compiled)' : ''} · ${r.mode}: ${r.status}${r.error ? ` (${r.error.code}: ${r.error.message})` : ''}`,
    `  iterations ${r.iterations}, batch ${r.batch}`,
  ];
  if (r.latencyMs) {
    const l = r.latencyMs;
    lines.push(
      `  latency   min ${ms(l.min)}  mean ${ms(l.mean)}  p50 ${ms(l.p50)}  p90 ${ms(l.p90)}  p99 ${ms(l.p99)}  max ${ms(l.max)}  std ${ms(l.std)}`,
    );
  }
  if (r.throughput !== null) {
    lines.push(
      `  throughput ${r.throughput.toFixed(1)} inferences/s, ${(r.itemsPerS ?? 0).toFixed(1)} items/s`,
    );
  }
  lines.push(
    `  session creation cold ${ms(r.sessionCreateMs.cold)}, warm ${ms(r.sessionCreateMs.warm)}; first inference ${ms(r.firstInferenceMs)}`,
  );
  lines.push(
    r.power
      ? `  power avg ${r.power.avgW.toFixed(1)} W, peak ${r.power.peakW.toFixed(1)} W, ${r.power.inferencesPerJoule.toFixed(2)} inferences/J`
      : r.provider === 'cpu'
        ? "  power —  (CPU provider: the GPU board's watts are not this run's)"
        : '  power —  (no NVIDIA GPU readings)',
  );
  lines.push(
    r.tflops
      ? `  achieved ${r.tflops.achieved >= 0.1 ? `${r.tflops.achieved.toFixed(3)} TFLOP/s` : `${(r.tflops.achieved * 1000).toFixed(3)} GFLOP/s`} (FLOP estimate × throughput); ${r.tflops.peak !== null ? `peak ${r.tflops.peak} TFLOP/s (${((r.tflops.achieved / r.tflops.peak) * 100).toFixed(2)}%): ${r.tflops.peakWhat ?? ''}` : (r.tflops.peakWhat ?? 'no peak')}`
      : '  TFLOP/s —  (no FLOP estimate for this model)',
  );
  lines.push(...trustLines(r));
  for (const n of notes) lines.push(`  note: ${n}`);
  return lines.join('\n');
}
