/**
 * Test support for sync-run.int.test.ts: a child process that runs a single-threaded CPU session
 * synchronously on the JS thread with ORT logging at VERBOSE, so that a deadlock (the JS thread
 * blocked in Run while an ORT thread waits for it to run the log callback) hangs this process and
 * the parent's watchdog fails the test, instead of hanging the test run itself.
 *
 *   node sync-run-child.js MODEL ITERATIONS [unsafe-parallel | stderr-env]
 *
 * Prints one JSON line: log lines received in total and during synchronous calls, and the outputs
 * of the last run of each kind (plain, IO binding) as arrays.
 *
 * `unsafe-parallel` is the control: it calls ORT's Run synchronously (the raw binding, bypassing
 * runSync's check) on a session in parallel execution mode, whose inter-op threads log at VERBOSE.
 * That is the deadlock runSync exists to rule out; it hangs, and the test expects it to.
 *
 * `stderr-env` is the engine host's setting: the env logs to stderr (no JS logger), and sessions
 * with thread pools — ORT's default options, and parallel execution with two intra- and two
 * inter-op threads — run an If model (models/small-models.ts) synchronously, plain and through IO
 * binding, with ORT logging at VERBOSE; so does MODEL (mlp-tiny) on the control's parallel
 * session. Prints the outputs of the asynchronous and the synchronous runs of each session; ORT's
 * lines go to stderr.
 */
import { ifHeadModel } from '../../../models/small-models';
import { ortBinding } from './api';
import { initOrt } from './env';
import { IoBinding } from './io-binding';
import { MemoryInfo } from './memory-info';
import { RunOptions } from './run-options';
import { Session } from './session';
import { SessionOptions, SINGLE_THREADED_CPU } from './session-options';
import type { HostTensor } from '../tensor';
import { OrtValue } from './value';

async function main(): Promise<void> {
  const [model, iterations, mode] = process.argv.slice(2);
  if (!model) throw new Error('usage: sync-run-child MODEL ITERATIONS [unsafe-parallel]');
  const n = Number(iterations ?? '50');
  if (mode === 'stderr-env') return stderrEnv(model, n);
  const env = initOrt({ logLevel: 'verbose' });
  if (mode === 'unsafe-parallel') return unsafeParallel(model);
  let inSync = false;
  let total = 0;
  let duringSync = 0;
  env.onLog(() => {
    total++;
    // Only a callback made inline, on this thread, inside the synchronous call can see the flag.
    if (inSync) duringSync++;
  });
  const so = SessionOptions.create({ ...SINGLE_THREADED_CPU, logLevel: 'verbose', logTag: 7 });
  const session = await Session.create(model, { options: so });
  so.release();
  const ro = RunOptions.create({ logLevel: 'verbose', tag: 'sync-run-child' });
  const x = { dtype: 'float32' as const, dims: [1, 16], data: new Float32Array(16) };
  for (let i = 0; i < 16; i++) x.data[i] = (i - 8) / 4;
  let plain: number[] = [];
  inSync = true;
  for (let i = 0; i < n; i++) {
    const out = session.runSync({ x }, undefined, ro);
    plain = Array.from(out.y?.data as Float32Array);
  }
  inSync = false;
  const input = OrtValue.fromHost(x, 'x');
  const binding = IoBinding.create(session);
  const cpu = MemoryInfo.cpu('device', 'default');
  binding.bindInput('x', input);
  binding.bindOutputToDevice('y', cpu);
  inSync = true;
  for (let i = 0; i < n; i++) binding.runSync(ro);
  inSync = false;
  const bound = Array.from(binding.outputs().y?.data as Float32Array);
  binding.release();
  cpu.release();
  input.release();
  ro.release();
  session.release();
  process.stdout.write(`${JSON.stringify({ total, duringSync, plain, bound })}\n`);
}

async function stderrEnv(model: string, n: number): Promise<void> {
  const env = initOrt({ logSink: 'stderr', logLevel: 'verbose' });
  // What would bring a JS callback back is refused.
  const refused = {
    onLog: attempt(() => env.onLog(() => undefined)),
    useLogger: attempt(() => SessionOptions.create({ logTag: 3 }).release()),
  };
  const x = new Float32Array(64);
  for (let i = 0; i < 64; i++) x[i] = Math.sin(i) * 2;
  const ifFeeds: Record<string, HostTensor> = {
    x: { dtype: 'float32', dims: [1, 64], data: x },
    sr: { dtype: 'int64', dims: [], data: new BigInt64Array([16000n]) },
  };
  const tinyFeeds: Record<string, HostTensor> = {
    x: { dtype: 'float32', dims: [1, 16], data: x.slice(0, 16) },
  };
  const parallel = {
    intraOpThreads: 2,
    interOpThreads: 2,
    executionMode: 'parallel' as const,
    logLevel: 'verbose' as const,
  };
  const kinds: [string, Uint8Array | string, SessionOptions, Record<string, HostTensor>][] = [
    ['default', ifHeadModel(), SessionOptions.create({ logLevel: 'verbose' }), ifFeeds],
    ['parallel', ifHeadModel(), SessionOptions.create(parallel), ifFeeds],
    // The control's session (its inter-op threads log during Run), now in this env.
    ['tiny-parallel', model, SessionOptions.create(parallel), tinyFeeds],
  ];
  const results: Record<string, unknown> = { refused };
  for (const [kind, source, so, feeds] of kinds) {
    const session =
      typeof source === 'string'
        ? await Session.create(source, { options: so })
        : await Session.fromBytes(source, { options: so, label: 'if-head' });
    so.release();
    const ro = RunOptions.create({ logLevel: 'verbose', tag: `stderr-env-${kind}` });
    // The first run synchronous: ORT's pool threads log then (with a JS logger that deadlocks,
    // as the control shows), so this is the run that proves the env.
    let syncOut: number[] = [];
    for (let i = 0; i < n; i++) {
      syncOut = Array.from(session.runSync(feeds, undefined, ro).y?.data as Float32Array);
    }
    const asyncOut = Array.from((await session.run(feeds, undefined, ro)).y?.data as Float32Array);
    const inputs = Object.entries(feeds).map(
      ([name, t]) => [name, OrtValue.fromHost(t, name)] as const,
    );
    const binding = IoBinding.create(session);
    const cpu = MemoryInfo.cpu('device', 'default');
    for (const [name, v] of inputs) binding.bindInput(name, v);
    binding.bindOutputToDevice('y', cpu);
    for (let i = 0; i < n; i++) binding.runSync(ro);
    const bound = Array.from(binding.outputs().y?.data as Float32Array);
    results[kind] = {
      singleThreadedCpu: session.singleThreadedCpu,
      canRunSync: session.canRunSync,
      async: asyncOut,
      sync: syncOut,
      bound,
    };
    binding.release();
    cpu.release();
    for (const [, v] of inputs) v.release();
    ro.release();
    session.release();
  }
  process.stdout.write(`${JSON.stringify(results)}\n`);
}

/** The error message `fn` throws, or null. */
function attempt(fn: () => unknown): string | null {
  try {
    fn();
    return null;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

async function unsafeParallel(model: string): Promise<void> {
  const so = SessionOptions.create({
    intraOpThreads: 2,
    interOpThreads: 2,
    executionMode: 'parallel',
    logLevel: 'verbose',
  });
  const session = await Session.create(model, { options: so });
  so.release();
  const x = OrtValue.fromHost({ dtype: 'float32', dims: [1, 16], data: new Float32Array(16) }, 'x');
  const status = ortBinding().api.Run(
    session.ptr,
    null,
    ['x'],
    new BigUint64Array([x.ptr]),
    1,
    ['y'],
    1,
    new BigUint64Array(1),
  );
  process.stdout.write(`${JSON.stringify({ returned: true, failed: status !== null })}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
