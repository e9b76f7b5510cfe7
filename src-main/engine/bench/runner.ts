/**
 * The benchmark runner. It runs INSIDE the engine host, next to the sessions, so no process
 * boundary is in the measured path: session creation (cold, then warm), the first inference, a
 * warm-up, then a count or a duration of timed iterations in one of three modes:
 *
 * - plain: Run with input values created once over the synthesized inputs; outputs allocated by
 *   ORT each iteration and copied into JS memory (what a caller of `session.run` pays).
 * - iobinding: inputs and outputs bound once (IoBinding); outputs pre-allocated on the provider's
 *   memory (CPU memory for the CPU provider) and reused; inputs on the device when the env has a
 *   shared allocator for it, else in CPU memory (said in `notes`).
 * - graph: CUDA graphs (CUDA, TensorRT-RTX: enable_cuda_graph) or WebGPU graph capture
 *   (session config ep.webgpuexecutionprovider.enableGraphCapture), over an IoBinding with run
 *   config gpu_graph_id. Providers that cannot capture a graph answer 'unsupported' — never a
 *   silent plain run.
 *
 * A failure after some iterations keeps the figures gathered so far (status 'failed').
 *
 * Run path (chooseRunPath): a small model on the CPU provider gets a single-threaded session and
 * runs synchronously on the JS thread (no koffi worker-thread hop, which costs more than the whole
 * inference of such a model); everything else keeps ORT's default threads and asynchronous runs.
 * The figures' notes say which path was taken and why.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { ModelInspection, ProviderId } from '../../ipc/contract';
import { AppError, toErrorData, type AppErrorData } from '../../shared/errors';
import { Allocator, MemoryInfo } from '../ort/memory-info';
import { IoBinding, copyTensors } from '../ort/io-binding';
import { RunOptions } from '../ort/run-options';
import { Session } from '../ort/session';
import {
  SessionOptions,
  SINGLE_THREADED_CPU,
  type SessionOptionsInit,
} from '../ort/session-options';
import { OrtValue } from '../ort/value';
import { inspectModel } from '../model/inspect';
import { synthesizeInputs } from '../model/synth';
import { PROVIDERS } from '../providers/catalog';
import type { HostTensor } from '../tensor';
import {
  latencyStats,
  pickSamples,
  SampleBuffer,
  throughputPerS,
  type LatencyStats,
} from './stats';

/** The benchmark modes (same names as the contract's BENCH_MODES). */
export type BenchMode = 'plain' | 'iobinding' | 'graph';

/** Phases reported while a benchmark runs. */
export type BenchPhase = 'session' | 'warmup' | 'measure' | 'done';

/** What to benchmark and how. */
export interface BenchPlan {
  modelPath: string;
  provider: ProviderId;
  mode: BenchMode;
  /** Values for symbolic dims (free dimension overrides and synthesized input shapes). */
  dims: Record<string, number>;
  warmup: number;
  /** A count of timed iterations; wins over durationS. */
  iterations?: number;
  /** Or a duration of the timed phase in seconds. */
  durationS?: number;
  /** Also time a warm session creation (from ORT's optimized model of the cold one). */
  warmCreate: boolean;
  /** Keep the prepared session and bindings under this id for later runs (npm run bench's rounds). */
  keepAs?: string;
  /** At most this many samples come back (evenly picked); the statistics use all of them. */
  maxSamples: number;
}

/** A benchmark's figures, as the engine host answers them. */
export interface BenchFigures {
  status: 'ok' | 'failed' | 'unsupported';
  error: AppErrorData | null;
  /** Timed iterations completed. */
  iterations: number;
  /** Items per inference: the first input's leading dim when it has rank >= 2, else 1. */
  batch: number;
  latencyMs: LatencyStats | null;
  /** Inferences per second over the measure phase's wall time; items/s is this × batch. */
  throughput: number | null;
  itemsPerS: number | null;
  sessionCreateMs: { cold: number | null; warm: number | null };
  firstInferenceMs: number | null;
  /** Up to maxSamples per-iteration latencies, in run order. */
  samplesMs: number[];
  /** Wall time of the measure phase; epoch ms of its start (for power sampling windows). */
  measureMs: number;
  measureStartedAt: number | null;
  /** Facts a reader needs to trust the numbers ("inputs bound in CPU memory", "warm: …"). */
  notes: string[];
}

/** How the runner talks to its caller (the engine host). */
export interface BenchHooks {
  progress(p: { phase: BenchPhase; done: number; total: number | null }): void;
  /** True once the request was cancelled. */
  cancelled(): boolean;
  /** The run options in use, so a cancel can terminate the run in flight. */
  runOptions(ro: RunOptions | null): void;
}

/** Graph capture settings per provider; absent: the provider cannot capture graphs. */
const GRAPH_CAPTURE: Partial<
  Record<ProviderId, { providerOptions?: Record<string, string>; config?: Record<string, string> }>
> = {
  cuda: { providerOptions: { enable_cuda_graph: '1' } },
  'nv-tensorrt-rtx': { providerOptions: { enable_cuda_graph: '1' } },
  webgpu: { config: { 'ep.webgpuexecutionprovider.enableGraphCapture': '1' } },
};

/** ORT's memory names for each provider's device memory (OrtMemoryInfo names). */
const DEVICE_MEMORY: Partial<Record<ProviderId, string>> = {
  cuda: 'Cuda',
  'nv-tensorrt-rtx': 'Cuda',
  webgpu: 'WebGPU_Buffer',
  dml: 'DML',
};

/**
 * Estimated FLOPs (engine/model/flops.ts) at or under which a CPU model runs single-threaded and
 * synchronously. Measured on this project's 2-core build machine (p50, MLPs x[1,n] → Gemm n×n →
 * Relu → Gemm n×n): at 262,144 FLOPs (n = 256) single-threaded sync 23 µs vs ORT's default threads
 * through the async hop 49 µs; at 1 MFLOP 54 vs 82 µs; at 4 MFLOPs 186 µs vs 105 µs for
 * multi-threaded onnxruntime-node. Kept at the lower point so that machines with many cores, where
 * threads help sooner, still never lose: one core's compute there (~10 µs) is below what the hop
 * and a thread-pool dispatch cost.
 */
export const SYNC_RUN_MAX_FLOPS = 262_144;

/**
 * Synchronous runs whose median is slower than this (ms) mean the estimate missed work it does not
 * count (large element-wise ops, data movement): later runs go asynchronous again, so the engine
 * host's event loop is never held for long. See {@link SyncRunGuard}.
 */
export const SYNC_RUN_MAX_MS = 1;

/**
 * Watches a session's synchronous run times and says when to stop running synchronously: when
 * the median of the last {@link SyncRunGuard.WINDOW} runs (the first run left out: ORT allocates
 * and plans then, about 1 ms even for mlp-tiny here) is over {@link SYNC_RUN_MAX_MS}. A median,
 * so a run preempted by another process (p99 over 1 ms on a busy 2-core machine) changes nothing.
 */
export class SyncRunGuard {
  static readonly WINDOW = 7;
  #seen = 0;
  readonly #last: number[] = [];

  /** Records one synchronous run's time; false when runs should go asynchronous from now on. */
  record(ms: number): boolean {
    if (this.#seen++ === 0) return true;
    this.#last.push(ms);
    if (this.#last.length > SyncRunGuard.WINDOW) this.#last.shift();
    if (this.#last.length < Math.ceil(SyncRunGuard.WINDOW / 2)) return true;
    const sorted = [...this.#last].sort((a, b) => a - b);
    return (sorted[Math.floor(sorted.length / 2)] as number) <= SYNC_RUN_MAX_MS;
  }
}

/** Model files larger than this are never candidates (and are not parsed just to decide). */
const SYNC_RUN_MAX_FILE_BYTES = 16 * 1024 * 1024;

const CONTROL_FLOW_OPS = ['If', 'Loop', 'Scan'];

/** Which way a session runs, and why (for notes and logs). */
export interface RunPath {
  /** Single-threaded session (CPU only, one intra-op thread, sequential), synchronous runs. */
  sync: boolean;
  reason: string;
}

/** Formats the run path for a figures note. */
export function runPathNote(runPath: RunPath): string {
  return runPath.sync
    ? `single-threaded, synchronous run: ${runPath.reason}`
    : `ORT's default threads, asynchronous run: ${runPath.reason}`;
}

/**
 * The policy from an inspection: sync only for the CPU provider, a known FLOPs estimate that left
 * nothing out (no control flow, every Conv/MatMul/Gemm shape known) and at most
 * {@link SYNC_RUN_MAX_FLOPS}.
 */
export function runPathFor(
  provider: ProviderId,
  inspection: Pick<ModelInspection, 'flops' | 'ops' | 'externalData'> | null,
): RunPath {
  if (provider !== 'cpu') {
    return { sync: false, reason: `the ${provider} provider runs on its own threads or device` };
  }
  if (!inspection) return { sync: false, reason: 'the model is too large to be a tiny one' };
  if (inspection.externalData.length > 0) {
    return { sync: false, reason: 'the model has external data (large weights)' };
  }
  const flow = CONTROL_FLOW_OPS.filter((op) => (inspection.ops[op] ?? 0) > 0);
  if (flow.length > 0) {
    return { sync: false, reason: `control flow (${flow.join(', ')}) makes its work unknown` };
  }
  const total = inspection.flops.total;
  // flops.ts says "left out" in its note when some Conv/MatMul/Gemm could not be counted.
  if (total === null || /left out/.test(inspection.flops.note)) {
    return { sync: false, reason: 'its FLOPs estimate is incomplete' };
  }
  const fmt = (n: number) => n.toLocaleString('en-US');
  if (total > SYNC_RUN_MAX_FLOPS) {
    return {
      sync: false,
      reason: `estimated ${fmt(total)} FLOPs > ${fmt(SYNC_RUN_MAX_FLOPS)}, threads pay off`,
    };
  }
  return {
    sync: true,
    reason: `estimated ${fmt(total)} FLOPs <= ${fmt(SYNC_RUN_MAX_FLOPS)} on the CPU provider; ORT uses no other thread, so its logger can only call back on this thread (no deadlock)`,
  };
}

/** {@link runPathFor} for a model file: inspects it only when it is small enough to qualify. */
export async function chooseRunPath(
  modelPath: string,
  provider: ProviderId,
  dims: Record<string, number> = {},
): Promise<RunPath> {
  if (provider !== 'cpu') return runPathFor(provider, null);
  const size = (await stat(modelPath)).size;
  if (size > SYNC_RUN_MAX_FILE_BYTES) return runPathFor(provider, null);
  return runPathFor(provider, await inspectModel(modelPath, { dims }));
}

/** Whether `provider` can run `mode` at all (before anything is loaded). */
export function modeSupport(provider: ProviderId, mode: BenchMode): string | null {
  if (mode === 'graph' && !GRAPH_CAPTURE[provider]) {
    return `${PROVIDERS[provider].ortName} has no graph capture (CUDA graphs: CUDA and TensorRT-RTX; graph capture: WebGPU)`;
  }
  return null;
}

/** A session made ready for one mode: everything bound, one call per iteration. */
interface Prepared {
  key: string;
  session: Session;
  batch: number;
  runOptions: RunOptions;
  /** One timed inference: synchronous (returns nothing) on the sync path, else a promise. */
  runOnce(): void | Promise<void>;
  /** True while runs go synchronously (turned off by its SyncRunGuard). */
  sync: boolean;
  /** Watches synchronous run times. */
  guard: SyncRunGuard;
  notes: string[];
  release(): void;
}

const kept = new Map<string, Prepared>();

/** Releases a kept benchmark (idempotent); true when one was kept under `id`. */
export function releaseKept(id: string): boolean {
  const p = kept.get(id);
  p?.release();
  kept.delete(id);
  return p !== undefined;
}

function planKey(plan: BenchPlan): string {
  const dims = Object.entries(plan.dims).sort(([a], [b]) => a.localeCompare(b));
  return JSON.stringify([plan.modelPath, plan.provider, plan.mode, dims]);
}

function sessionInit(
  plan: BenchPlan,
  runPath: RunPath,
  extra: SessionOptionsInit = {},
): SessionOptionsInit {
  const spec = PROVIDERS[plan.provider];
  const graph = plan.mode === 'graph' ? GRAPH_CAPTURE[plan.provider] : undefined;
  if (!spec.appendName && plan.provider !== 'cpu') {
    // The TensorRT-RTX plugin is appended through its EP devices, which this runner does not
    // do yet; refusing is better than measuring the CPU under its name.
    throw new AppError(
      'UNSUPPORTED',
      `benchmarking ${spec.ortName} needs its plugin EP devices, which the runner does not append yet`,
    );
  }
  return {
    ...(runPath.sync ? SINGLE_THREADED_CPU : {}),
    ...extra,
    freeDimensions: plan.dims,
    config: { ...graph?.config, ...extra.config },
    providers: spec.appendName
      ? [
          {
            name: spec.appendName,
            options: { ...spec.explicitOptions, ...graph?.providerOptions },
          },
        ]
      : [],
  };
}

async function createSession(
  plan: BenchPlan,
  modelPath: string,
  init: SessionOptionsInit,
): Promise<{ session: Session; ms: number }> {
  const so = SessionOptions.create(init);
  try {
    const t0 = performance.now();
    const session = await Session.create(modelPath, { options: so });
    return { session, ms: performance.now() - t0 };
  } finally {
    so.release();
  }
}

function batchOf(inputs: Record<string, HostTensor>): number {
  const first = Object.values(inputs)[0];
  if (!first || first.dims.length < 2) return 1;
  return first.dims[0] ?? 1;
}

/**
 * Builds the per-iteration call for the plan's mode on `session`; the first call is the first
 * inference (timed by the caller).
 */
function prepare(plan: BenchPlan, session: Session, key: string, runPath: RunPath): Prepared {
  const hostInputs = synthesizeInputs(session.inputs, { fill: 'random', seed: 1, dims: plan.dims });
  const batch = batchOf(hostInputs);
  const graph = plan.mode === 'graph';
  const runOptions = RunOptions.create(graph ? { config: { gpu_graph_id: '1' } } : {});
  const owned: { release(): void }[] = [runOptions];
  const notes: string[] = [];
  const release = () => {
    for (const o of owned.reverse()) o.release();
    owned.length = 0;
    session.release();
  };
  try {
    const inputs: Record<string, OrtValue> = {};
    for (const [name, t] of Object.entries(hostInputs)) {
      inputs[name] = OrtValue.fromHost(t, name);
      owned.push(inputs[name]);
    }
    const readOutputs = (outputs: Record<string, OrtValue>) => {
      try {
        for (const [name, v] of Object.entries(outputs)) v.toHost(name);
      } finally {
        for (const v of Object.values(outputs)) v.release();
      }
    };
    if (plan.mode === 'plain') {
      const prepared: Prepared = {
        key,
        session,
        batch,
        runOptions,
        notes,
        release,
        sync: runPath.sync,
        guard: new SyncRunGuard(),
        runOnce() {
          // canRunSync: also no other native call in flight (see Session.canRunSync).
          if (prepared.sync && session.canRunSync) {
            return readOutputs(session.runValuesSync(inputs, undefined, runOptions));
          }
          return session.runValues(inputs, undefined, runOptions).then(readOutputs);
        },
      };
      return prepared;
    }

    const binding = IoBinding.create(session);
    owned.push(binding);
    const memName = plan.provider === 'cpu' ? null : DEVICE_MEMORY[plan.provider];
    const deviceMem = memName ? MemoryInfo.create(memName, 0, 'device', 'default') : null;
    if (deviceMem) owned.push(deviceMem);
    const outMem = deviceMem ?? MemoryInfo.cpu('device', 'default');
    if (!deviceMem) owned.push(outMem);
    let deviceInputs: Promise<void> | null = null;
    let allocator: Allocator | null = null;
    if (deviceMem) {
      try {
        allocator = Allocator.shared(deviceMem);
      } catch {
        notes.push(
          `inputs bound in CPU memory: the environment has no shared allocator for ${memName}, so ORT copies them to the device each run`,
        );
      }
    } else {
      notes.push('CPU provider: inputs and outputs bound in CPU memory (its device memory)');
    }
    if (allocator) {
      const src = Object.values(inputs);
      const dst = Object.entries(hostInputs).map(([, t]) =>
        OrtValue.allocate(allocator, t.dtype, t.dims),
      );
      owned.push(...dst);
      deviceInputs = copyTensors(src, dst).then(() => {
        Object.keys(inputs).forEach((name, i) => binding.bindInput(name, dst[i] as OrtValue));
        notes.push(`inputs copied once to ${memName} memory and bound there`);
      });
    } else {
      for (const [name, v] of Object.entries(inputs)) binding.bindInput(name, v);
    }
    for (const o of session.outputs) binding.bindOutputToDevice(o.name, outMem);
    let first = true;
    // With outputs left in device memory a run returns before the GPU has finished (WebGPU's
    // OnRunEnd only submits). Each timed run then ends with a read-back of one output to the
    // host, which waits for the GPU: latencies include the GPU's work.
    let gpuSync: { src: OrtValue; dst: OrtValue; name: string } | null = null;
    const prepared: Prepared = {
      key,
      session,
      batch,
      runOptions,
      notes,
      release,
      sync: runPath.sync,
      guard: new SyncRunGuard(),
      runOnce() {
        if (first) return firstRun();
        if (prepared.sync && session.canRunSync) return binding.runSync(runOptions);
        const sync = gpuSync;
        if (sync) return binding.run(runOptions).then(() => copyTensors([sync.src], [sync.dst]));
        return binding.run(runOptions);
      },
    };
    const firstRun = async () => {
      first = false;
      if (deviceInputs) await deviceInputs;
      if (prepared.sync && session.canRunSync) binding.runSync(runOptions);
      else await binding.run(runOptions);
      // ORT allocated the outputs on the provider's memory; bind those same values as
      // pre-allocated outputs so every later run writes in place (and a captured graph sees
      // fixed addresses).
      const names = binding.outputNames();
      const values = binding.outputValues();
      owned.push(...values);
      values.forEach((v, i) => binding.bindOutput(names[i] ?? '', v));
      notes.push(`outputs pre-allocated in ${memName ?? 'CPU'} memory and reused`);
      if (deviceMem && values[0]) {
        const name = names[0] ?? 'output';
        const info = values[0].tensorInfo(name);
        const host = OrtValue.allocate(Allocator.default(), info.dtype, info.dims);
        owned.push(host);
        try {
          await copyTensors([values[0]], [host]);
          gpuSync = { src: values[0], dst: host, name };
          notes.push(
            `each run ends by reading output '${name}' back to the host, so the GPU has finished (a ${memName} run returns once its work is submitted)`,
          );
        } catch (err) {
          // No data transfer for this device in ORT's env: bind the outputs in host memory
          // instead, so ORT itself downloads them (and waits for the GPU) inside each run.
          const cpu = MemoryInfo.cpu('device', 'default');
          owned.push(cpu);
          binding.clearOutputs();
          for (const o of session.outputs) binding.bindOutputToDevice(o.name, cpu);
          notes.push(
            `outputs bound in host memory so each run waits for the GPU (reading ${memName} memory back directly failed: ${(err as Error).message})`,
          );
        }
      }
    };
    return prepared;
  } catch (err) {
    release();
    throw err;
  }
}

function emptyFigures(): BenchFigures {
  return {
    status: 'ok',
    error: null,
    iterations: 0,
    batch: 1,
    latencyMs: null,
    throughput: null,
    itemsPerS: null,
    sessionCreateMs: { cold: null, warm: null },
    firstInferenceMs: null,
    samplesMs: [],
    measureMs: 0,
    measureStartedAt: null,
    notes: [],
  };
}

/** Cold creation (writing ORT's optimized model), then warm creation from that optimized model. */
async function createTimed(
  plan: BenchPlan,
  runPath: RunPath,
  figures: BenchFigures,
): Promise<Session> {
  if (!plan.warmCreate) {
    const { session, ms } = await createSession(plan, plan.modelPath, sessionInit(plan, runPath));
    figures.sessionCreateMs.cold = ms;
    return session;
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), 'crucible-bench-'));
  try {
    const optimized = path.join(dir, 'optimized.onnx');
    let cold: { session: Session; ms: number };
    try {
      cold = await createSession(
        plan,
        plan.modelPath,
        sessionInit(plan, runPath, {
          optimizedModelPath: optimized,
          // Initializers go to a data file beside the optimized model, so models with external
          // data (or over protobuf's 2 GB) still save, and nothing points back at the original.
          config: {
            'session.optimized_model_external_initializers_file_name': 'optimized.data',
            'session.optimized_model_external_initializers_min_size_in_bytes': '1024',
          },
        }),
      );
    } catch (err) {
      // Some models cannot be saved optimized (compiled nodes, > 2 GB): time the cold creation
      // without saving and say why there is no warm figure.
      cold = await createSession(plan, plan.modelPath, sessionInit(plan, runPath));
      figures.notes.push(
        `no warm creation: ORT could not save the optimized model (${toErrorData(err).message})`,
      );
      figures.sessionCreateMs.cold = cold.ms;
      return cold.session;
    }
    figures.sessionCreateMs.cold = cold.ms;
    try {
      const warm = await createSession(
        plan,
        optimized,
        sessionInit(plan, runPath, { graphOptimizationLevel: 'disabled' }),
      );
      warm.session.release();
      figures.sessionCreateMs.warm = warm.ms;
      figures.notes.push(
        'warm creation: from the optimized model the cold creation saved, graph optimisation off (what a CPU/WebGPU compile cache holds)',
      );
    } catch (err) {
      figures.notes.push(
        `no warm creation: loading the optimized model failed (${toErrorData(err).message})`,
      );
    }
    return cold.session;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Runs one benchmark. Never throws for a model or provider failure: those come back as status
 * 'failed' with the error and every figure gathered before it.
 */
export async function runBench(plan: BenchPlan, hooks: BenchHooks): Promise<BenchFigures> {
  const figures = emptyFigures();
  const unsupported = modeSupport(plan.provider, plan.mode);
  if (unsupported) {
    figures.status = 'unsupported';
    figures.error = { code: 'UNSUPPORTED', message: `${plan.mode} mode: ${unsupported}` };
    return figures;
  }
  const key = planKey(plan);
  let prepared: Prepared | null = null;
  const keepAs = plan.keepAs;
  const reused = keepAs ? kept.get(keepAs) : undefined;
  const total = plan.iterations ?? null;
  const stage = { phase: 'session' as BenchPhase };
  try {
    if (reused && reused.key === key) {
      prepared = reused;
      figures.notes.push('reused the session and bindings prepared by an earlier run');
    } else {
      if (keepAs) releaseKept(keepAs);
      hooks.progress({ phase: 'session', done: 0, total });
      const runPath = await chooseRunPath(plan.modelPath, plan.provider, plan.dims);
      const session = await createTimed(plan, runPath, figures);
      prepared = prepare(plan, session, key, runPath);
      prepared.notes.unshift(runPathNote(runPath));
      figures.notes.push(...prepared.notes);
      hooks.runOptions(prepared.runOptions);
      const t0 = performance.now();
      await prepared.runOnce();
      figures.firstInferenceMs = performance.now() - t0;
      checkSync(prepared, figures.firstInferenceMs);
    }
    hooks.runOptions(prepared.runOptions);
    figures.batch = prepared.batch;

    stage.phase = 'warmup';
    hooks.progress({ phase: 'warmup', done: 0, total: plan.warmup });
    let yielded = performance.now();
    for (let i = 0; i < plan.warmup; i++) {
      if (hooks.cancelled()) throw new AppError('CANCELLED', 'the benchmark was cancelled');
      const s = performance.now();
      const pending = prepared.runOnce();
      if (pending) {
        await pending;
        continue;
      }
      checkSync(prepared, performance.now() - s);
      if (performance.now() - yielded >= YIELD_EVERY_MS) {
        await yieldToEvents();
        yielded = performance.now();
      }
    }

    stage.phase = 'measure';
    await measure(plan, prepared, hooks, figures);
  } catch (err) {
    figures.status = 'failed';
    figures.error = toErrorData(err);
    if (figures.error.code !== 'CANCELLED') {
      figures.error = {
        ...figures.error,
        message: `${stage.phase}: ${figures.error.message}`,
      };
    }
  } finally {
    hooks.runOptions(null);
    if (prepared) {
      figures.notes = [...new Set([...figures.notes, ...prepared.notes])];
      if (keepAs && figures.status === 'ok') kept.set(keepAs, prepared);
      else {
        if (keepAs) kept.delete(keepAs);
        prepared.release();
      }
    }
  }
  hooks.progress({ phase: 'done', done: figures.iterations, total });
  return figures;
}

/** Feeds a synchronous run's time to the guard; false (and a note) when runs go async from now. */
function checkSync(prepared: Prepared, ms: number): boolean {
  if (!prepared.sync || prepared.guard.record(ms)) return true;
  prepared.sync = false;
  prepared.notes.push(
    `runs went asynchronous after all (the session stays single-threaded): synchronous runs took over ${SYNC_RUN_MAX_MS} ms (median)`,
  );
  return false;
}

/** How often a loop of synchronous runs lets the event loop run (ms). */
const YIELD_EVERY_MS = 20;

function yieldToEvents(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** The timed loop: every sample kept, figures filled in even when an iteration fails. */
async function measure(
  plan: BenchPlan,
  prepared: Prepared,
  hooks: BenchHooks,
  figures: BenchFigures,
): Promise<void> {
  const samples = new SampleBuffer();
  const count = plan.iterations ?? Number.POSITIVE_INFINITY;
  const durationMs = plan.iterations === undefined ? (plan.durationS ?? 10) * 1000 : Infinity;
  const total = plan.iterations ?? null;
  hooks.progress({ phase: 'measure', done: 0, total });
  figures.measureStartedAt = Date.now();
  const t0 = performance.now();
  let last = t0;
  let reported = t0;
  let yielded = t0;
  const finish = () => {
    const view = samples.view();
    figures.iterations = view.length;
    figures.measureMs = last - t0;
    figures.latencyMs = latencyStats(view);
    figures.throughput = throughputPerS(view.length, figures.measureMs);
    figures.itemsPerS = figures.throughput === null ? null : figures.throughput * figures.batch;
    figures.samplesMs = pickSamples(view, plan.maxSamples);
  };
  try {
    while (samples.length < count && last - t0 < durationMs) {
      if (hooks.cancelled()) throw new AppError('CANCELLED', 'the benchmark was cancelled');
      const s = performance.now();
      const pending = prepared.runOnce();
      if (pending) await pending;
      last = performance.now();
      samples.push(last - s);
      if (!pending) checkSync(prepared, last - s);
      // Synchronous runs never give the event loop a turn: give it one now and then (outside the
      // timed call) so cancel and progress messages still flow.
      if (!pending && last - yielded >= YIELD_EVERY_MS) {
        await yieldToEvents();
        yielded = performance.now();
      }
      if (last - reported >= 100) {
        reported = last;
        hooks.progress({ phase: 'measure', done: samples.length, total });
      }
    }
  } finally {
    finish();
  }
}
