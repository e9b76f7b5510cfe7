/**
 * The compile worker: a child process per compile job (see protocol.ts). Loads ORT with a logger,
 * runs the job's steps (compile-steps.ts), turns ORT's log lines into progress, and ends with one
 * `result` or `failed`. Everything it writes goes into the job's temp folder; the main side seals
 * that folder into the cache, or removes it.
 */
import { AppError, toErrorData } from '../../shared/errors';
import { libraryVersion } from '../cache/hash';
import { getEpDevices, initOrt, registerExecutionProviderLibrary } from '../ort';
import { sharedLibraryProblem } from '../providers/library-check';
import { runCompileSteps } from './compile-steps';
import { parseCompileLog, type CompileLogEvent } from './log-parser';
import { CompileSpecSchema, type FromWorker, type ToWorker } from './protocol';
import { dieWithParent, exitNow } from '../child-process';

/** A direct run's limit (engine host): the warm-up gets as long. */
const DEFAULT_WARMUP_TIMEOUT_MS = 120_000;

function send(msg: FromWorker): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send) return resolve();
    process.send(msg, undefined, undefined, () => resolve());
  });
}

async function registerPlugin(name: string, library: string): Promise<void> {
  const problem = await sharedLibraryProblem(library);
  if (problem) throw new AppError('PROVIDER_UNAVAILABLE', problem);
  await registerExecutionProviderLibrary(name, library);
}

async function main(msg: ToWorker): Promise<void> {
  const env = initOrt({
    libraryLocation: process.env.CRUCIBLE_ORT_DIR || undefined,
    // Raised to verbose only around async compile calls (see StepContext.verbose).
    logLevel: 'warning',
  });
  await send({ type: 'ready', ortVersion: env.version, pid: process.pid });

  if (msg.type === 'probe') {
    try {
      await registerPlugin(msg.name, msg.library);
      const devices = getEpDevices().filter((d) => d.epName === msg.name).length;
      await send({ type: 'probe-result', registered: true, reason: null, devices });
    } catch (err) {
      await send({
        type: 'probe-result',
        registered: false,
        reason: `${msg.library} could not be registered: ${toErrorData(err).message}`,
        devices: 0,
      });
    }
    return;
  }

  const spec = CompileSpecSchema.parse(msg.spec);
  const events = new Map<number, CompileLogEvent[]>();
  let built = 0;
  env.onLog((r) => {
    const e = parseCompileLog(r.message);
    if (!e) return;
    if (r.tag !== null) events.set(r.tag, [...(events.get(r.tag) ?? []), e]);
    if (e.kind === 'subgraphs') void send({ type: 'subgraphs', count: e.count });
    if (e.kind === 'subgraph-built') {
      if (built === 0) void send({ type: 'phase', phase: 'building' });
      void send({ type: 'subgraph-built', index: ++built });
    }
  });
  let epVersion: string | null = null;
  if (spec.epLibrary) {
    await registerPlugin(spec.epLibrary.name, spec.epLibrary.path);
    epVersion = await libraryVersion(spec.epLibrary.path);
  }
  const warmupLimit = spec.warmupTimeoutMs ?? DEFAULT_WARMUP_TIMEOUT_MS;
  const result = await runCompileSteps({
    ...spec,
    epName: spec.epLibrary?.name ?? null,
    epVersion,
    ortVersion: env.version,
    phase: (phase) => {
      void send({ type: 'phase', phase });
      // The warm-up run is ORT's RunAsync: the JS thread is free, so a timer can end the worker
      // from here, whatever the run is stuck in (a Loop need not look at a terminate flag).
      if (phase === 'warmup') {
        setTimeout(() => {
          void send({
            type: 'failed',
            error: {
              code: 'ENGINE_TIMEOUT',
              message: `the warm-up run of ${spec.modelPath} took longer than ${warmupLimit / 1000} s; nothing was cached`,
            },
          }).finally(() => exitNow());
        }, warmupLimit).unref();
      }
    },
    verbose: (on) => env.setLogLevel(on ? 'verbose' : 'warning'),
    logEvents: (tag) => events.get(tag) ?? [],
  });
  await send({ type: 'result', result });
}

process.once('message', (m) => {
  main(m as ToWorker)
    .catch(async (err: unknown) => {
      if (!(err instanceof AppError)) console.error('compile worker:', err);
      await send({ type: 'failed', error: toErrorData(err) });
    })
    .finally(() => process.exit(0));
});
// The main side went away: nothing to report to (child-process.ts).
dieWithParent();
