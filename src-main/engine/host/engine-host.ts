/**
 * The engine host process (see protocol.ts): loads ONNX Runtime with its log lines on stderr (no
 * JS logger, so runs may be synchronous), says hello, then serves requests. Runs as an Electron utilityProcess (messages through
 * process.parentPort) or a Node child process (process.send).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { MAX_SAVED_OUTPUT_BYTES, savedOutputsTooLarge } from '../../ipc/contract';
import { AppError, toErrorData } from '../../shared/errors';
import { getAvailableProviders, getEpDevices } from '../ort/ep-devices';
import { initOrt, type OrtEnvironment } from '../ort/env';
import { RunOptions } from '../ort/run-options';
import { SessionOptions } from '../ort/session-options';
import { releaseKept, releaseKeptOf, runBench } from '../bench/runner';
import { runLoop } from '../bench/loop';
import { openSession, type OpenedSession } from '../session/open-session';
import { SyncRunGuard } from '../session/run-path';
import { writeFp16Variant } from '../model/fp16-file';
import { writeInt8Variant } from '../model/int8-file';
import { checkExternalData, inspectModel } from '../model/inspect';
import { summarizeTensor } from '../model/summary';
import { emptyPlan, resolveInputs } from '../model/input-sources';
import type { HostTensor } from '../tensor';
import { cudaProviderLibraryName, providerStatuses } from '../providers/catalog';
import { epDeviceFact, gpuChoiceOfProcess } from '../providers/attach';
import { ortGpus } from '../providers/gpu-choice';
import { compiledModelCompatibility } from '../providers/compatibility';
import { registerTrtRtx } from '../providers/trt-rtx';
import {
  OpArgs,
  PROTOCOL_VERSION,
  type FromHost,
  type Op,
  type OpArgsOut,
  type OpResults,
  type ToHost,
} from './protocol';
import { dieWithParent } from '../child-process';

interface ParentPort {
  on(event: 'message', listener: (e: { data: unknown }) => void): void;
  postMessage(msg: unknown): void;
}

const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;

function send(msg: FromHost): void {
  if (parentPort) parentPort.postMessage(msg);
  else process.send?.(msg);
}

function onMessage(listener: (msg: ToHost) => void): void {
  if (parentPort) parentPort.on('message', (e) => listener(e.data as ToHost));
  else process.on('message', (m) => listener(m as ToHost));
}

/** Sessions by the main side's ids, each with the spec it was opened from. */
const sessions = new Map<string, OpenedSession>();
/**
 * Each session's guard: its runs go synchronously while they are measured fast (run-path.ts). Any
 * session may: this process's env logs to stderr, so no ORT thread can wait for the JS thread.
 */
const syncRuns = new Map<string, SyncRunGuard>();
/** Run options of requests in flight, so `cancel` can terminate them. */
const inflight = new Map<number, RunOptions>();
const cancelled = new Set<number>();
/** The name the TensorRT-RTX plugin was registered under, once it was. */
let trtRtxName: string | null = null;

/**
 * What ORT's CUDA V2 options calls answer in this build (tried only when the CUDA provider library
 * is absent, where they fail at once): "CUDA is not in this ONNX Runtime build: ...", or null.
 */
function cudaProblem(): string | null {
  const so = SessionOptions.create();
  try {
    so.appendCuda();
    return null;
  } catch (err) {
    return toErrorData(err).message;
  } finally {
    so.release();
  }
}

/** Releases a session and what was prepared on it; true when there was one. */
/**
 * The outputs of each session's last run made with `keep` (session.outputs hands them over), or
 * only their size when their data alone is past what `run:outputs` hands over: outputs that can
 * never be saved from the app are not held in memory, nor copied out to be refused.
 */
const keptOutputs = new Map<
  string,
  { tensors: Record<string, HostTensor> } | { tooLargeBytes: number }
>();

/** What a `keep` run leaves in {@link keptOutputs}. */
function keepable(
  tensors: Record<string, HostTensor>,
): { tensors: Record<string, HostTensor> } | { tooLargeBytes: number } {
  let bytes = 0;
  for (const t of Object.values(tensors)) {
    bytes += ArrayBuffer.isView(t.data)
      ? t.data.byteLength
      : t.data.reduce((n, v) => n + Buffer.byteLength(v), 0);
  }
  return bytes > MAX_SAVED_OUTPUT_BYTES ? { tooLargeBytes: bytes } : { tensors };
}

function release(sessionId: string): boolean {
  const s = sessions.get(sessionId);
  releaseKeptOf(sessionId);
  keptOutputs.delete(sessionId);
  s?.session.release();
  sessions.delete(sessionId);
  syncRuns.delete(sessionId);
  return s !== undefined;
}

/** Serves one request. */
async function handle<O extends Op>(id: number, op: O, args: OpArgsOut<O>): Promise<OpResults[O]> {
  switch (op) {
    case 'model.check-external': {
      const a = args as OpArgsOut<'model.check-external'>;
      const refs = await checkExternalData(a.path);
      return { files: new Set(refs.map((r) => r.file)).size } as OpResults[O];
    }
    case 'cache.compatibility': {
      const a = args as OpArgsOut<'cache.compatibility'>;
      const epName = a.provider === 'nv-tensorrt-rtx' ? trtRtxName : null;
      return compiledModelCompatibility(a.provider, epName, a.modelPath, a.kind) as OpResults[O];
    }
    case 'model.convert-fp16': {
      const a = args as OpArgsOut<'model.convert-fp16'>;
      const options = { keepIoTypes: a.keepIoTypes, block: a.block };
      return (await writeFp16Variant(a.source, a.dest, options, a.sourceId)) as OpResults[O];
    }
    case 'model.convert-int8': {
      const a = args as OpArgsOut<'model.convert-int8'>;
      return (await writeInt8Variant(
        a.source,
        a.dest,
        { block: a.block },
        a.sourceId,
      )) as OpResults[O];
    }
    case 'model.inspect': {
      const a = args as OpArgsOut<'model.inspect'>;
      return (await inspectModel(a.path)) as OpResults[O];
    }
    case 'session.create': {
      const a = args as OpArgsOut<'session.create'>;
      release(a.sessionId);
      const opened = await openSession({
        modelPath: a.modelPath,
        provider: a.provider,
        policy: a.policy,
        dims: a.dims,
        providerOptions: a.providerOptions,
        optimizedModelPath: a.optimizedModelPath,
        graphOptimizationLevel: a.graphOptimizationLevel,
        graphCapture: a.graphCapture,
        epName: trtRtxName,
      });
      const { session } = opened;
      if (cancelled.has(id)) {
        session.release();
        throw new AppError('CANCELLED', 'session creation was cancelled');
      }
      sessions.set(a.sessionId, opened);
      if (opened.runPath.sync) syncRuns.set(a.sessionId, new SyncRunGuard());
      return {
        sessionId: a.sessionId,
        inputs: [...session.inputs],
        outputs: [...session.outputs],
        createMs: opened.createMs,
        provider: opened.ep,
        runPath: opened.runPath,
      } as OpResults[O];
    }
    case 'session.run': {
      const a = args as OpArgsOut<'session.run'>;
      const opened = sessions.get(a.sessionId);
      const session = opened?.session;
      if (!opened || !session)
        throw new AppError('NOT_FOUND', `no session ${a.sessionId} in the engine`);
      // Given tensors, else the plan (engine/model/input-sources.ts) the CLI's run, bench and
      // compile also use: the same fills by dtype and name, the same bytes for the same seed.
      const resolved = a.inputs
        ? null
        : await resolveInputs(
            { path: opened.spec.modelPath, inputs: session.inputs },
            {
              ...emptyPlan(),
              ...a.plan,
              fill: a.synth?.fill ?? a.plan?.fill ?? 'random',
              seed: a.synth?.seed ?? a.plan?.seed ?? 1,
              dims: { ...a.synth?.dims, ...a.plan?.dims },
            },
          );
      const feeds = a.inputs ?? (resolved as NonNullable<typeof resolved>).tensors;
      // What was fed travels back with the outputs: the Run area shows it and its replay.
      const fed = resolved
        ? { fed: resolved.fed, dimChoices: resolved.choices, replay: resolved.replay }
        : undefined;
      const ro = RunOptions.create();
      inflight.set(id, ro);
      try {
        const t0 = performance.now();
        const guard = syncRuns.get(a.sessionId);
        const sync = guard !== undefined && guard.sync && session.canRunSync;
        const out = sync
          ? session.runSync(feeds, undefined, ro)
          : await session.run(feeds, undefined, ro);
        const runMs = performance.now() - t0;
        guard?.record(runMs);
        if (a.keep) keptOutputs.set(a.sessionId, keepable(out));
        if (a.want === 'tensors') return { runMs, tensors: out, fed } as OpResults[O];
        return {
          runMs,
          summaries: Object.entries(out).map(([name, t]) => summarizeTensor(name, t)),
          fed,
        } as OpResults[O];
      } finally {
        inflight.delete(id);
        ro.release();
      }
    }
    case 'session.release': {
      const a = args as OpArgsOut<'session.release'>;
      const had = release(a.sessionId);
      // A benchmark kept under this id (session.bench keepAs) is released the same way.
      const bench = releaseKept(a.sessionId);
      return { released: had || bench } as OpResults[O];
    }
    case 'session.outputs': {
      const a = args as OpArgsOut<'session.outputs'>;
      const kept = keptOutputs.get(a.sessionId);
      if (!kept)
        throw new AppError('NOT_FOUND', `no kept outputs of session ${a.sessionId} in the engine`);
      if ('tooLargeBytes' in kept)
        throw new AppError('UNSUPPORTED', savedOutputsTooLarge(kept.tooLargeBytes));
      return { tensors: kept.tensors } as OpResults[O];
    }
    case 'session.list':
      return { sessionIds: [...sessions.keys()] } as OpResults[O];
    case 'session.bench': {
      const a = args as OpArgsOut<'session.bench'>;
      const opened = sessions.get(a.sessionId);
      if (!opened) throw new AppError('NOT_FOUND', `no session ${a.sessionId} in the engine`);
      return (await runBench(a, opened, {
        progress: (progress) => send({ type: 'progress', id, progress }),
        cancelled: () => cancelled.has(id),
        runOptions: (ro) => (ro ? inflight.set(id, ro) : inflight.delete(id)),
      })) as OpResults[O];
    }
    case 'session.loop': {
      const a = args as OpArgsOut<'session.loop'>;
      return (await runLoop(a, () => cancelled.has(id))) as OpResults[O];
    }
    case 'host.crash': {
      const a = args as OpArgsOut<'host.crash'>;
      if (a.how === 'abort') process.abort();
      process.exit(70);
    }
  }
  throw new AppError('BAD_REQUEST', `unknown op ${String(op)}`);
}

async function start(): Promise<void> {
  let env: OrtEnvironment;
  try {
    // ORT's own sink on stderr, no JS logger: no ORT thread can then wait for this (JS) thread,
    // so every session may run synchronously (engine/ort/env.ts). The main side reads the lines
    // back into log records (engine-client.ts, ort-log-lines.ts).
    env = initOrt({
      libraryLocation: process.env.CRUCIBLE_ORT_DIR || undefined,
      logLevel: 'warning',
      logSink: 'stderr',
    });
  } catch (err) {
    send({ type: 'hello-failed', error: toErrorData(err) });
    setTimeout(() => process.exit(3), 50);
    return;
  }
  onMessage((msg) => {
    if (msg.type === 'cancel') {
      cancelled.add(msg.id);
      inflight.get(msg.id)?.terminate();
      return;
    }
    if (msg.type !== 'request') return;
    const schema = OpArgs[msg.op];
    if (!schema) {
      send({
        type: 'response',
        id: msg.id,
        ok: false,
        error: { code: 'BAD_REQUEST', message: `unknown op ${String(msg.op)}` },
      });
      return;
    }
    const parsed = schema.safeParse(msg.args);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      send({
        type: 'response',
        id: msg.id,
        ok: false,
        error: {
          code: 'BAD_REQUEST',
          message: `${msg.op}: ${issue?.path.join('.') || 'args'}: ${issue?.message ?? 'invalid'}`,
        },
      });
      return;
    }
    handle(msg.id, msg.op, parsed.data as OpArgsOut<typeof msg.op>)
      .then(
        (value) => send({ type: 'response', id: msg.id, ok: true, value }),
        (err: unknown) => {
          if (!(err instanceof AppError)) console.error(`engine host: ${msg.op} failed:`, err);
          send({ type: 'response', id: msg.id, ok: false, error: toErrorData(err) });
        },
      )
      .finally(() => cancelled.delete(msg.id));
  });

  const trtRtx = await registerTrtRtx();
  if (trtRtx.registered) trtRtxName = trtRtx.name;
  const devices = getEpDevices().map(epDeviceFact);
  const cudaPresent = existsSync(
    path.join(path.dirname(env.libraryPath), cudaProviderLibraryName(process.platform)),
  );
  send({
    type: 'hello',
    protocol: PROTOCOL_VERSION,
    ortVersion: env.version,
    libraryPath: env.libraryPath,
    providers: providerStatuses({
      platform: process.platform,
      available: getAvailableProviders(),
      epDevices: devices,
      cudaLibraryPresent: cudaPresent,
      cudaProblem: cudaPresent ? null : cudaProblem(),
      trtRtx,
      // A GPU chosen in Settings (CRUCIBLE_GPU); a value that is no GPU fails every GPU attach
      // with its message, and the statuses fall back to automatic here.
      gpuChoice: (() => {
        try {
          return gpuChoiceOfProcess();
        } catch {
          return null;
        }
      })(),
    }),
    gpus: ortGpus(devices),
    pid: process.pid,
  });
}

// Lost parent: nothing left to serve (IPC disconnect, or the parent pid gone: child-process.ts).
dieWithParent();
void start();
