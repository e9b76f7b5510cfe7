/**
 * Test support for sync-run.int.test.ts: a child process that runs a single-threaded CPU session
 * synchronously on the JS thread with ORT logging at VERBOSE, so that a deadlock (the JS thread
 * blocked in Run while an ORT thread waits for it to run the log callback) hangs this process and
 * the parent's watchdog fails the test, instead of hanging the test run itself.
 *
 *   node sync-run-child.js MODEL ITERATIONS [unsafe-parallel]
 *
 * Prints one JSON line: log lines received in total and during synchronous calls, and the outputs
 * of the last run of each kind (plain, IO binding) as arrays.
 *
 * `unsafe-parallel` is the control: it calls ORT's Run synchronously (the raw binding, bypassing
 * runSync's check) on a session in parallel execution mode, whose inter-op threads log at VERBOSE.
 * That is the deadlock runSync exists to rule out; it hangs, and the test expects it to.
 */
import { ortBinding } from './api';
import { initOrt } from './env';
import { IoBinding } from './io-binding';
import { MemoryInfo } from './memory-info';
import { RunOptions } from './run-options';
import { Session } from './session';
import { SessionOptions, SINGLE_THREADED_CPU } from './session-options';
import { OrtValue } from './value';

async function main(): Promise<void> {
  const [model, iterations, mode] = process.argv.slice(2);
  if (!model) throw new Error('usage: sync-run-child MODEL ITERATIONS [unsafe-parallel]');
  const n = Number(iterations ?? '50');
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
