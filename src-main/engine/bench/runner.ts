/**
 * The benchmark runner. It runs INSIDE the engine host, next to the sessions, so no process
 * boundary is in the measured path: session creation (cold, then warm), the first inference, a
 * warm-up, then a count or a duration of timed iterations in one of three modes:
 *
 * - plain: Run with input values created once over the synthesized inputs; outputs allocated by
 *   ORT each iteration and copied into JS memory (what a caller of `session.run` pays).
 * - iobinding: inputs and outputs bound once (IoBinding); outputs pre-allocated on the provider's
 *   memory (CPU memory for the CPU provider) and reused; inputs copied once to the device and
 *   bound there (memory from the env's shared allocator, else the session's own), else in CPU
 *   memory (said in `notes`).
 * - graph: CUDA graphs (CUDA, TensorRT-RTX: enable_cuda_graph) or WebGPU graph capture
 *   (session config ep.webgpuexecutionprovider.enableGraphCapture), over an IoBinding with run
 *   config gpu_graph_id. Providers that cannot capture a graph answer 'unsupported' — never a
 *   silent plain run.
 *
 * A failure after some iterations keeps the figures gathered so far (status 'failed').
 *
 * The session benchmarked is one the engine host opened for the main side's session owner
 * (services/sessions.ts) through engine/session/open-session.ts: original or compiled, on any
 * provider the owner can open. Its run path (engine/session/run-path.ts) was decided when it was
 * opened; the figures' notes say which path was taken and why.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { BenchConditions, BenchProfile, ProviderId } from '../../ipc/contract';
import { AppError, toErrorData, type AppErrorData } from '../../shared/errors';
import { Allocator, MemoryInfo } from '../ort/memory-info';
import { IoBinding, copyTensors, copyTensorsSync } from '../ort/io-binding';
import { RunOptions } from '../ort/run-options';
import type { Session } from '../ort/session';
import { OrtValue } from '../ort/value';
import { emptyPlan, resolveInputs, type InputPlan } from '../model/input-sources';
import { graphCaptureProblem } from '../session/capabilities';
import { openSession, type OpenedSession } from '../session/open-session';
import {
  runPathNote,
  SYNC_RUN_LONGEST_MS,
  SYNC_RUN_MAX_MS,
  SyncRunGuard,
  type RunPath,
} from '../session/run-path';
import type { HostTensor } from '../tensor';
import { hostLoadBetween, markHostLoad } from './host-load';
import { profileSpec, PROFILE_RUNS } from './profile';
import { measureSplit, splitProblem, type SplitFigures } from './split';

/** Rounds of the H2D / compute / D2H split after an iobinding benchmark on a GPU provider. */
const SPLIT_RUNS = 50;
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

/** How to benchmark a session the engine host holds. */
export interface BenchPlan {
  /** The engine host's id of the session (opened for the main side's session owner). */
  sessionId: string;
  mode: BenchMode;
  warmup: number;
  /** A count of timed iterations; wins over durationS. */
  iterations?: number;
  /** Or a duration of the timed phase in seconds. */
  durationS?: number;
  /** Also time a warm session creation (from an optimized model of the session's own). */
  warmCreate: boolean;
  /** Keep the prepared session and bindings under this id for later runs (npm run bench's rounds). */
  keepAs?: string;
  /** At most this many samples come back (evenly picked); the statistics use all of them. */
  maxSamples: number;
  /** After the timed phase, profile a few runs per operator (engine/bench/profile.ts). */
  profile?: boolean;
  /** What to feed (engine/model/input-sources.ts); synthesized by dtype and name when absent. */
  inputs?: InputPlan;
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
  /** Cold is the creation without writing anything; writeOptimized what saving ORT's optimized model adds. */
  sessionCreateMs: { cold: number | null; warm: number | null; writeOptimized?: number | null };
  firstInferenceMs: number | null;
  /** Other load on the machine while measuring (engine/bench/host-load.ts). */
  host?: BenchConditions['host'];
  /** The per-operator profile, when the plan asked for one. */
  profile?: BenchProfile | null;
  /** GPU providers in iobinding mode: H2D / compute / D2H measured apart. */
  split?: SplitFigures | null;
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

/** ORT's memory names for each provider's device memory (OrtMemoryInfo names). */
const DEVICE_MEMORY: Partial<Record<ProviderId, string>> = {
  cuda: 'Cuda',
  'nv-tensorrt-rtx': 'Cuda',
  webgpu: 'WebGPU_Buffer',
  dml: 'DML',
};

/**
 * Whether a session opened from `opened`'s spec can run `mode` at all (before anything runs):
 * graph mode needs a provider that captures graphs and a session opened with graph capture.
 */
export function modeSupport(opened: Pick<OpenedSession, 'spec'>, mode: BenchMode): string | null {
  if (mode !== 'graph') return null;
  const problem = graphCaptureProblem(opened.spec.provider);
  if (problem) return problem;
  if (!opened.spec.graphCapture) {
    return 'the session was opened without graph capture (the session owner opens one with it for graph mode)';
  }
  return null;
}

/** A session made ready for one mode: everything bound, one call per iteration. */
interface Prepared {
  key: string;
  sessionId: string;
  session: Session;
  batch: number;
  runOptions: RunOptions;
  /** One timed inference: synchronous (returns nothing) on the sync path, else a promise. */
  runOnce(): void | Promise<void>;
  /** Decides, from measured run times, whether the next run goes synchronously; null: never. */
  guard: SyncRunGuard | null;
  /** This benchmark's runs so far and where the guard changed the way of running. */
  path: PathLog;
  notes: string[];
  release(): void;
}

/** The way of running through one benchmark: how it began and each change, by run number. */
interface PathLog {
  startSync: boolean;
  runs: number;
  changes: { run: number; sync: boolean }[];
}

const kept = new Map<string, Prepared>();

/** Releases every kept benchmark of a session (the session is being released). */
export function releaseKeptOf(sessionId: string): void {
  for (const [id, p] of kept) {
    if (p.sessionId !== sessionId) continue;
    p.release();
    kept.delete(id);
  }
}

/** Releases a kept benchmark (idempotent); true when one was kept under `id`. */
export function releaseKept(id: string): boolean {
  const p = kept.get(id);
  p?.release();
  kept.delete(id);
  return p !== undefined;
}

function planKey(plan: BenchPlan): string {
  return JSON.stringify([plan.sessionId, plan.mode]);
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
function prepare(
  plan: BenchPlan,
  opened: OpenedSession,
  key: string,
  runPath: RunPath,
  hostInputs: Record<string, HostTensor>,
): Prepared {
  const { session } = opened;
  const provider: ProviderId | 'auto' = opened.spec.provider;
  const batch = batchOf(hostInputs);
  const graph = plan.mode === 'graph';
  const runOptions = RunOptions.create(graph ? { config: { gpu_graph_id: '1' } } : {});
  const owned: { release(): void }[] = [runOptions];
  const notes: string[] = [];
  // The session belongs to the engine host's table (the main side's owner releases it).
  const release = () => {
    for (const o of owned.reverse()) o.release();
    owned.length = 0;
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
        sessionId: plan.sessionId,
        session,
        batch,
        runOptions,
        notes,
        release,
        guard: runPath.sync ? new SyncRunGuard() : null,
        path: newPathLog(null),
        runOnce() {
          // canRunSync: with a JS logger, also no other native call in flight (Session.canRunSync).
          if (prepared.guard?.sync && session.canRunSync) {
            return readOutputs(session.runValuesSync(inputs, undefined, runOptions));
          }
          return session.runValues(inputs, undefined, runOptions).then(readOutputs);
        },
      };
      return prepared;
    }

    const binding = IoBinding.create(session);
    owned.push(binding);
    const memName = provider === 'cpu' || provider === 'auto' ? null : DEVICE_MEMORY[provider];
    const deviceMem = memName ? MemoryInfo.create(memName, 0, 'device', 'default') : null;
    if (deviceMem) owned.push(deviceMem);
    const outMem = deviceMem ?? MemoryInfo.cpu('device', 'default');
    if (!deviceMem) owned.push(outMem);
    let deviceInputs: Promise<void> | null = null;
    let allocator: Allocator | null = null;
    if (deviceMem) {
      // Inputs resident on the device (trtexec's --noDataTransfers): in memory from the env's
      // shared allocator, else from the session's own (CreateAllocator: WebGPU has no shared one).
      try {
        allocator = Allocator.shared(deviceMem);
      } catch {
        try {
          allocator = Allocator.forSession(session, deviceMem);
          owned.push(allocator);
        } catch (err) {
          notes.push(
            `inputs bound in CPU memory, so ORT copies them to the device each run: no ${memName} allocator (${(err as Error).message})`,
          );
        }
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
      deviceInputs = copyTensors(src, dst).then(
        () => {
          Object.keys(inputs).forEach((name, i) => binding.bindInput(name, dst[i] as OrtValue));
          notes.push(`inputs copied once to ${memName} memory and bound there`);
        },
        (err: unknown) => {
          // No data transfer into that memory in ORT's env: bind the host inputs after all.
          for (const [name, v] of Object.entries(inputs)) binding.bindInput(name, v);
          notes.push(
            `inputs bound in CPU memory, so ORT copies them to the device each run: copying them into ${memName} memory failed: ${(err as Error).message}`,
          );
        },
      );
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
      sessionId: plan.sessionId,
      session,
      batch,
      runOptions,
      notes,
      release,
      guard: runPath.sync ? new SyncRunGuard() : null,
      path: newPathLog(null),
      runOnce() {
        if (first) return firstRun();
        const readBack = gpuSync;
        if (prepared.guard?.sync && session.canRunSync) {
          binding.runSync(runOptions);
          // Outputs in device memory: the run returned once its work was submitted; the read-back
          // waits for the GPU, so the time (and the guard's measure) includes the GPU's work. On
          // this thread too: the run path is synchronous only where no ORT thread calls into JS.
          if (readBack) copyTensorsSync([readBack.src], [readBack.dst]);
          return undefined;
        }
        if (readBack) {
          return binding.run(runOptions).then(() => copyTensors([readBack.src], [readBack.dst]));
        }
        return binding.run(runOptions);
      },
    };
    const firstRun = async () => {
      first = false;
      if (deviceInputs) await deviceInputs;
      if (prepared.guard?.sync && session.canRunSync) binding.runSync(runOptions);
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

/**
 * The session's creation figures: cold is the benchmarked session's own creation (measured when
 * it was opened). With `warmCreate`, a warm creation is timed too: a second session from the
 * same spec saves ORT's optimized model, and a third loads that with graph optimisation off (what
 * a CPU/WebGPU compile cache holds); both are released at once.
 */
async function creationFigures(
  plan: BenchPlan,
  opened: OpenedSession,
  figures: BenchFigures,
): Promise<void> {
  figures.sessionCreateMs.cold = opened.createMs;
  if (!plan.warmCreate) return;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'crucible-bench-'));
  try {
    const optimized = path.join(dir, 'optimized.onnx');
    try {
      const saving = await openSession({
        ...opened.spec,
        optimizedModelPath: optimized,
        // Initializers go to a data file beside the optimized model, so models with external
        // data (or over protobuf's 2 GB) still save, and nothing points back at the original.
        config: {
          ...opened.spec.config,
          'session.optimized_model_external_initializers_file_name': 'optimized.data',
          'session.optimized_model_external_initializers_min_size_in_bytes': '1024',
        },
      });
      saving.session.release();
      // The cold figure is a creation that writes nothing. What saving the optimized model adds
      // is the saving creation's time beyond a plain one made just after it (the same file
      // cache state; the very first creation also reads the model from disk).
      const plain = await openSession(opened.spec);
      plain.session.release();
      figures.sessionCreateMs.writeOptimized = Math.max(0, saving.createMs - plain.createMs);
    } catch (err) {
      // Some models cannot be saved optimized (compiled nodes, > 2 GB): say why there is no warm
      // figure.
      figures.notes.push(
        `no warm creation: ORT could not save the optimized model (${toErrorData(err).message})`,
      );
      return;
    }
    try {
      const warm = await openSession({
        ...opened.spec,
        modelPath: optimized,
        graphOptimizationLevel: 'disabled',
      });
      warm.session.release();
      figures.sessionCreateMs.warm = warm.createMs;
      figures.notes.push(
        'warm creation: from the optimized model a session of the same spec saved, graph optimisation off (what a CPU/WebGPU compile cache holds)',
      );
    } catch (err) {
      figures.notes.push(
        `no warm creation: loading the optimized model failed (${toErrorData(err).message})`,
      );
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Runs one benchmark. Never throws for a model or provider failure: those come back as status
 * 'failed' with the error and every figure gathered before it.
 */
export async function runBench(
  plan: BenchPlan,
  opened: OpenedSession,
  hooks: BenchHooks,
): Promise<BenchFigures> {
  const figures = emptyFigures();
  const unsupported = modeSupport(opened, plan.mode);
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
  const stage: { phase: BenchPhase | 'profile' } = { phase: 'session' };
  try {
    if (reused && reused.key === key) {
      prepared = reused;
      prepared.path = newPathLog(prepared.guard);
      figures.notes.push('reused the session and bindings prepared by an earlier run');
    } else {
      if (keepAs) releaseKept(keepAs);
      hooks.progress({ phase: 'session', done: 0, total });
      const runPath = opened.runPath;
      await creationFigures(plan, opened, figures);
      // The same inputs a run of this plan gets (a control input's value picks the branch timed).
      const fed = await resolveInputs(
        { path: opened.spec.modelPath, inputs: opened.session.inputs },
        { ...emptyPlan(), ...plan.inputs, dims: { ...opened.spec.dims, ...plan.inputs?.dims } },
      );
      prepared = prepare(plan, opened, key, runPath, fed.tensors);
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
      if (pending) await pending;
      checkSync(prepared, performance.now() - s);
      if (pending) continue;
      if (performance.now() - yielded >= YIELD_EVERY_MS) {
        await yieldToEvents();
        yielded = performance.now();
      }
    }

    stage.phase = 'measure';
    await measure(plan, prepared, hooks, figures);
    const provider = opened.spec.provider;
    if (plan.mode === 'iobinding' && provider !== 'auto' && !splitProblem(provider)) {
      // Where a GPU inference's time goes: H2D, compute, D2H apart (engine/bench/split.ts).
      figures.split = await measureSplit(
        opened.session,
        provider,
        opened.spec.dims ?? {},
        SPLIT_RUNS,
      ).catch((err: unknown) => {
        figures.notes.push(`no H2D / compute / D2H split: ${toErrorData(err).message}`);
        return null;
      });
    }
    if (plan.profile) {
      stage.phase = 'profile';
      figures.profile = await profileSpec(opened.spec, { warmup: 3, runs: PROFILE_RUNS });
    }
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
      const path = pathNote(prepared.path);
      figures.notes = [...new Set([...figures.notes, ...prepared.notes, ...(path ? [path] : [])])];
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

function newPathLog(guard: SyncRunGuard | null): PathLog {
  return { startSync: guard?.sync ?? false, runs: 0, changes: [] };
}

/** Feeds a run's time to the guard, logging where the way of running changed. */
function checkSync(prepared: Prepared, ms: number): void {
  const log = prepared.path;
  log.runs++;
  const guard = prepared.guard;
  if (!guard) return;
  const was = guard.sync;
  if (guard.record(ms) !== was) log.changes.push({ run: log.runs + 1, sync: !was });
}

/**
 * One note for a benchmark's way of running, in order: "runs began asynchronous; synchronous
 * from run 9 (…); asynchronous from run 412 (…)". Null when the guard never changed it (the
 * run-path note already says how runs go).
 */
export function pathNote(log: PathLog): string | null {
  if (log.changes.length === 0) return null;
  const why = (sync: boolean) =>
    sync
      ? `measured median at most ${SYNC_RUN_MAX_MS} ms`
      : `synchronous runs took over ${SYNC_RUN_MAX_MS} ms (median), or one took over ${SYNC_RUN_LONGEST_MS} ms`;
  const way = (sync: boolean) => (sync ? 'synchronous' : 'asynchronous');
  const steps = log.changes.map((c) => `${way(c.sync)} from run ${c.run} (${why(c.sync)})`);
  return `runs began ${way(log.startSync)}; ${steps.join('; ')} — of ${log.runs} runs, counted from this benchmark's first (warm-up and measured together)`;
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
  const load = markHostLoad();
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
    figures.host = hostLoadBetween(load, markHostLoad());
  };
  try {
    while (samples.length < count && last - t0 < durationMs) {
      if (hooks.cancelled()) throw new AppError('CANCELLED', 'the benchmark was cancelled');
      const s = performance.now();
      const pending = prepared.runOnce();
      if (pending) await pending;
      last = performance.now();
      samples.push(last - s);
      checkSync(prepared, last - s);
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
