/**
 * The engine host process (see protocol.ts): loads ONNX Runtime with Crucible's logger, says
 * hello, then serves requests. Runs as an Electron utilityProcess (messages through
 * process.parentPort) or a Node child process (process.send).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { AppError, toErrorData } from '../../shared/errors';
import { getAvailableProviders, getEpDevices } from '../ort/ep-devices';
import { initOrt, type OrtEnvironment } from '../ort/env';
import { RunOptions } from '../ort/run-options';
import { Session } from '../ort/session';
import { SessionOptions, SINGLE_THREADED_CPU } from '../ort/session-options';
import { chooseRunPath, releaseKept, runBench, SyncRunGuard } from '../bench/runner';
import { writeFp16Variant } from '../model/fp16-file';
import { checkExternalData, inspectModel } from '../model/inspect';
import { summarizeTensor } from '../model/summary';
import { synthesizeInputs } from '../model/synth';
import { cudaProviderLibraryName, providerStatuses, PROVIDERS } from '../providers/catalog';
import { appendProvider, attachFor, epDeviceFact } from '../providers/attach';
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

const sessions = new Map<string, Session>();
/**
 * Sessions created single-threaded for the synchronous run path (small CPU models, see
 * chooseRunPath), with the guard that sends them back to asynchronous runs when they are slow.
 */
const syncRuns = new Map<string, SyncRunGuard>();
/** Run options of requests in flight, so `cancel` can terminate them. */
const inflight = new Map<number, RunOptions>();
const cancelled = new Set<number>();
/** The name the TensorRT-RTX plugin was registered under, once it was. */
let trtRtxName: string | null = null;

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
    case 'model.inspect': {
      const a = args as OpArgsOut<'model.inspect'>;
      return (await inspectModel(a.path)) as OpResults[O];
    }
    case 'session.create': {
      const a = args as OpArgsOut<'session.create'>;
      sessions.get(a.sessionId)?.release();
      sessions.delete(a.sessionId);
      syncRuns.delete(a.sessionId);
      const spec = PROVIDERS[a.provider];
      // A model ORT cannot load fails below with ORT's own error, not the inspection's.
      const runPath = await chooseRunPath(a.modelPath, a.provider, a.dims).catch(() => null);
      const so = SessionOptions.create({
        ...(runPath?.sync ? SINGLE_THREADED_CPU : {}),
        freeDimensions: a.dims,
        optimizedModelPath: a.optimizedModelPath,
        graphOptimizationLevel: a.graphOptimizationLevel,
        providers: spec.appendName
          ? [{ name: spec.appendName, options: { ...spec.explicitOptions, ...a.providerOptions } }]
          : [],
      });
      try {
        // Plugin EPs (TensorRT-RTX) have no name to append by: they go through their EP device.
        if (!spec.appendName && a.provider !== 'cpu') {
          appendProvider(so, attachFor(a.provider, trtRtxName), {
            ...spec.explicitOptions,
            ...a.providerOptions,
          });
        }
        const t0 = performance.now();
        const session = await Session.create(a.modelPath, { options: so });
        const createMs = performance.now() - t0;
        if (cancelled.has(id)) {
          session.release();
          throw new AppError('CANCELLED', 'session creation was cancelled');
        }
        sessions.set(a.sessionId, session);
        if (runPath?.sync) syncRuns.set(a.sessionId, new SyncRunGuard());
        return {
          sessionId: a.sessionId,
          inputs: [...session.inputs],
          outputs: [...session.outputs],
          createMs,
          provider: spec.ortName,
        } as OpResults[O];
      } finally {
        so.release();
      }
    }
    case 'session.run': {
      const a = args as OpArgsOut<'session.run'>;
      const session = sessions.get(a.sessionId);
      if (!session) throw new AppError('NOT_FOUND', `no session ${a.sessionId} in the engine`);
      const feeds =
        a.inputs ??
        synthesizeInputs(session.inputs, {
          fill: a.synth?.fill ?? 'random',
          seed: a.synth?.seed ?? 1,
          dims: a.synth?.dims ?? {},
        });
      const ro = RunOptions.create();
      inflight.set(id, ro);
      try {
        const t0 = performance.now();
        const sync = syncRuns.has(a.sessionId) && session.canRunSync;
        const out = sync
          ? session.runSync(feeds, undefined, ro)
          : await session.run(feeds, undefined, ro);
        const runMs = performance.now() - t0;
        if (sync && !syncRuns.get(a.sessionId)?.record(runMs)) syncRuns.delete(a.sessionId);
        if (a.want === 'tensors') return { runMs, tensors: out } as OpResults[O];
        return {
          runMs,
          summaries: Object.entries(out).map(([name, t]) => summarizeTensor(name, t)),
        } as OpResults[O];
      } finally {
        inflight.delete(id);
        ro.release();
      }
    }
    case 'session.release': {
      const a = args as OpArgsOut<'session.release'>;
      const s = sessions.get(a.sessionId);
      s?.release();
      sessions.delete(a.sessionId);
      syncRuns.delete(a.sessionId);
      // A benchmark kept under this id (session.bench keepAs) is released the same way.
      const bench = releaseKept(a.sessionId);
      return { released: s !== undefined || bench } as OpResults[O];
    }
    case 'session.list':
      return { sessionIds: [...sessions.keys()] } as OpResults[O];
    case 'session.bench': {
      const a = args as OpArgsOut<'session.bench'>;
      return (await runBench(a, {
        progress: (progress) => send({ type: 'progress', id, progress }),
        cancelled: () => cancelled.has(id),
        runOptions: (ro) => (ro ? inflight.set(id, ro) : inflight.delete(id)),
      })) as OpResults[O];
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
    env = initOrt({
      libraryLocation: process.env.CRUCIBLE_ORT_DIR || undefined,
      logLevel: 'warning',
    });
  } catch (err) {
    send({ type: 'hello-failed', error: toErrorData(err) });
    setTimeout(() => process.exit(3), 50);
    return;
  }
  env.onLog((r) =>
    send({
      type: 'log',
      line: {
        severity: ['verbose', 'info', 'warning', 'error', 'fatal'].indexOf(r.severity),
        category: r.category,
        logid: r.logid,
        message: r.message,
      },
    }),
  );

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
  send({
    type: 'hello',
    protocol: PROTOCOL_VERSION,
    ortVersion: env.version,
    libraryPath: env.libraryPath,
    providers: providerStatuses({
      platform: process.platform,
      available: getAvailableProviders(),
      epDevices: devices,
      cudaLibraryPresent: existsSync(
        path.join(path.dirname(env.libraryPath), cudaProviderLibraryName(process.platform)),
      ),
      trtRtx,
    }),
    pid: process.pid,
  });
}

// Lost parent: nothing left to serve.
process.on('disconnect', () => process.exit(0));
void start();
