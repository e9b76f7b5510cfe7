/**
 * The steps of one compile, run inside the compile worker (they call ORT natively; never on the
 * main process). Exported one by one so tests can drive each against the real ORT library.
 *
 * - Providers that compile (TensorRT-RTX): the Compile API writes an EP-context model with
 *   ERROR_IF_NO_NODES_COMPILED (a compile where the EP took nothing fails instead of quietly
 *   writing a CPU model), the runtime cache fills during the warm-up session.
 * - The others (CPU, WebGPU, DirectML, CUDA): ORT's offline graph optimisation saved as an
 *   optimised model; later sessions load it with optimisation off, which is what makes them start
 *   faster. Cold (original model) and warm (optimised model) session creation are both measured.
 */
import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { CompileOptions, ProviderId } from '../../ipc/contract';
import { AppError } from '../../shared/errors';
import { sha256File } from '../cache/hash';
import { checkExternalData } from '../model/inspect';
import { readOnnxFile } from '../model/onnx-file';
import { emptyPlan, resolveInputs, type InputPlan } from '../model/input-sources';
import { compileModel, type Session, type SessionOptions } from '../ort';
import { openSession, sessionOptionsFor, type OpenSpec } from '../session/open-session';
import { PROVIDERS } from '../providers/catalog';
import { freeDimensions, resolveEntryPaths, RUNTIME_CACHE_DIR } from '../providers/options';
import { nodesFromPlacement, type CompileLogEvent } from './log-parser';
import type { CompileResult } from './protocol';

/** Above this, the optimised model keeps its weights in a side file (protobuf's 2 GiB limit). */
const EXTERNAL_WEIGHTS_OVER = 1024 ** 3;
export const OPTIMIZED_MODEL = 'model.optimized.onnx';
export const OPTIMIZED_WEIGHTS = 'model.optimized.data';
export const CONTEXT_MODEL = 'model_ctx.onnx';

/** The model's own files with their hashes; MODEL_INVALID when the .onnx is not the one expected. */
export async function hashModelInputs(
  modelPath: string,
  expectedSha256: string,
): Promise<{ name: string; bytes: number; sha256: string }[]> {
  const sha = await sha256File(modelPath);
  if (sha !== expectedSha256) {
    throw new AppError(
      'MODEL_INVALID',
      `${modelPath} changed since it was added to the library (its sha256 differs); add it again`,
    );
  }
  const out = [
    { name: path.basename(modelPath), bytes: (await stat(modelPath)).size, sha256: sha },
  ];
  const files = [...new Set((await checkExternalData(modelPath)).map((r) => r.file))];
  for (const f of files) {
    out.push({
      name: path.relative(path.dirname(modelPath), f).split(path.sep).join('/'),
      bytes: (await stat(f)).size,
      sha256: await sha256File(f),
    });
  }
  return out;
}

/** Opens a session (engine/session/open-session.ts) and says how long creation took. */
async function timedSession(spec: OpenSpec): Promise<{ session: Session; ms: number }> {
  const opened = await openSession(spec);
  return { session: opened.session, ms: opened.createMs };
}

/**
 * One run (the warm-up) with the job's inputs — the same plan a run or benchmark takes, so a
 * control input's value picks the branch warmed and checked — else inputs by dtype and name.
 */
async function warmupRun(
  session: Session,
  dims: Record<string, number>,
  modelPath: string,
  plan: InputPlan | undefined,
): Promise<number> {
  const feeds = (
    await resolveInputs(
      { path: modelPath, inputs: session.inputs },
      { ...emptyPlan(), ...plan, dims: { ...dims, ...plan?.dims } },
    )
  ).tensors;
  const t0 = performance.now();
  await session.run(feeds);
  return performance.now() - t0;
}

/**
 * The warm start of a compiled artifact: the session's creation time, then one run's. The session
 * is released before returning, whether the run worked or not.
 */
async function warmSession(
  spec: OpenSpec,
  dims: Record<string, number>,
  plan?: InputPlan,
): Promise<{ ms: number; runMs: number }> {
  const warm = await timedSession(spec);
  try {
    return { ms: warm.ms, runMs: await warmupRun(warm.session, dims, spec.modelPath, plan) };
  } finally {
    warm.session.release();
  }
}

/**
 * Compiles for a provider that compiles (EP context) through the Compile API, failing when the EP
 * compiled nothing.
 */
export async function compileEpContextModel(opts: {
  sessionOptions: SessionOptions;
  modelPath: string;
  outputPath: string;
}): Promise<void> {
  await compileModel({
    sessionOptions: opts.sessionOptions,
    input: { path: opts.modelPath },
    outputPath: opts.outputPath,
    embedEpContext: false,
    errorIfNoNodesCompiled: true,
    graphOptimizationLevel: 'basic',
  });
}

/** Nodes in a model's main graph. */
export async function graphNodeCount(file: string): Promise<number> {
  return (await readOnnxFile(file)).model.graph?.node?.length ?? 0;
}

/** Node counts of a compiled (EP-context) model against its source. */
export async function contextNodeCounts(
  sourcePath: string,
  contextPath: string,
): Promise<{ provider: number; cpu: number }> {
  const source = await readOnnxFile(sourcePath);
  const ctx = await readOnnxFile(contextPath);
  const nodes = ctx.model.graph?.node ?? [];
  const cpu = nodes.filter((n) => n.opType !== 'EPContext').length;
  const total = source.model.graph?.node?.length ?? 0;
  return { provider: Math.max(0, total - cpu), cpu };
}

/** Everything the worker needs to run one job, independent of how it talks to the main side. */
export interface StepContext {
  modelPath: string;
  modelSha256: string;
  provider: ProviderId;
  options: CompileOptions;
  providerOptions: Record<string, string>;
  outDir: string;
  epName: string | null;
  epVersion: string | null;
  ortVersion: string;
  /** What the warm-up run feeds (engine/model/input-sources.ts); by dtype and name when absent. */
  inputs?: InputPlan;
  phase(p: 'hashing' | 'loading' | 'partitioning' | 'building' | 'serializing' | 'warmup'): void;
  /**
   * Turns the env's verbose logging on or off. On only around an async native call: ORT threads
   * log through a JS callback that must wait for the JS thread, so verbose logging during a
   * synchronous call (a session's release joins its threads) can deadlock the process.
   */
  verbose(on: boolean): void;
  /** Log events of the session tagged `logTag`, collected by the worker. */
  logEvents(tag: number): CompileLogEvent[];
}

const COMPILE_TAG = 1;

/** Runs one job's steps; the caller turns the result into the entry's meta.json. */
export async function runCompileSteps(ctx: StepContext): Promise<CompileResult> {
  const t0 = performance.now();
  ctx.phase('hashing');
  const inputs = await hashModelInputs(ctx.modelPath, ctx.modelSha256);
  const hashMs = performance.now() - t0;
  const modelBytes = inputs.reduce((n, f) => n + f.bytes, 0);

  ctx.phase('loading');
  const spec = PROVIDERS[ctx.provider];
  const providerOptions = resolveEntryPaths(ctx.providerOptions, ctx.outDir);
  const dims = freeDimensions(ctx.provider, ctx.options);
  // Every session (and the Compile API's options) of this job: the one way sessions are opened.
  const base: OpenSpec = {
    modelPath: ctx.modelPath,
    provider: ctx.provider,
    dims,
    providerOptions,
    epName: ctx.epName,
  };

  if (spec.compiles) {
    await mkdir(path.join(ctx.outDir, RUNTIME_CACHE_DIR), { recursive: true });
    const out = path.join(ctx.outDir, CONTEXT_MODEL);
    ctx.phase('partitioning');
    const tc = performance.now();
    // The EP's partitioning and engine-build lines go to the env's default logger (INFO).
    ctx.verbose(true);
    try {
      await compileEpContextModel({
        // Detailed build logs give one line per finished engine: the subgraph counter.
        sessionOptions: sessionOptionsFor({
          ...base,
          providerOptions: { ...providerOptions, nv_detailed_build_log: '1' },
        }),
        modelPath: ctx.modelPath,
        outputPath: out,
      });
    } finally {
      ctx.verbose(false);
    }
    const compileMs = performance.now() - tc;
    ctx.phase('warmup');
    const warm = await warmSession({ ...base, modelPath: out }, ctx.options.dims, ctx.inputs);
    return {
      ortVersion: ctx.ortVersion,
      epVersion: ctx.epVersion,
      artifact: CONTEXT_MODEL,
      kind: 'ep-context',
      graphOptimizationLevel: 'basic',
      inputs,
      modelBytes,
      timings: {
        hashMs,
        compileMs,
        coldSessionMs: null,
        warmSessionMs: warm.ms,
        warmupRunMs: warm.runMs,
        totalMs: performance.now() - t0,
      },
      nodes: await contextNodeCounts(ctx.modelPath, out),
    };
  }

  ctx.phase('partitioning');
  const optimized = path.join(ctx.outDir, OPTIMIZED_MODEL);
  const tc = performance.now();
  // Where nodes landed is only in ORT's verbose placement log; on the CPU provider they all land
  // on the CPU, so no verbose session (and its deadlock risk, see StepContext.verbose) is needed.
  const placementLog = ctx.provider !== 'cpu';
  const saving = await timedSession({
    ...base,
    graphOptimizationLevel: 'all',
    optimizedModelPath: optimized,
    logTag: placementLog ? COMPILE_TAG : undefined,
    config:
      modelBytes > EXTERNAL_WEIGHTS_OVER || inputs.length > 1
        ? {
            'session.optimized_model_external_initializers_file_name': OPTIMIZED_WEIGHTS,
            'session.optimized_model_external_initializers_min_size_in_bytes': '1024',
          }
        : undefined,
  });
  // A session with a verbose logger is left to the process's exit (the worker ends with the job):
  // releasing it synchronously while its threads log could deadlock (see StepContext.verbose).
  if (!placementLog) saving.session.release();
  const compileMs = performance.now() - tc;

  ctx.phase('warmup');
  // Cold: a session from the original model (ORT optimises it on every start). Measured after the
  // optimising session, so neither figure carries this process's first-session costs.
  const cold = await timedSession(base);
  cold.session.release();
  const warm = await warmSession(
    { ...base, modelPath: optimized, graphOptimizationLevel: 'disabled' },
    ctx.options.dims,
    ctx.inputs,
  );
  return {
    ortVersion: ctx.ortVersion,
    epVersion: ctx.epVersion,
    artifact: OPTIMIZED_MODEL,
    kind: 'optimized',
    graphOptimizationLevel: 'disabled',
    inputs,
    modelBytes,
    timings: {
      hashMs,
      compileMs,
      coldSessionMs: cold.ms,
      warmSessionMs: warm.ms,
      warmupRunMs: warm.runMs,
      totalMs: performance.now() - t0,
    },
    nodes: placementLog
      ? nodesFromPlacement(ctx.logEvents(COMPILE_TAG), spec.ortName)
      : { provider: await graphNodeCount(optimized), cpu: 0 },
  };
}
