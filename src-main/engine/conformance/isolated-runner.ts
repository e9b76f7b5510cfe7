/**
 * Runs cases one at a time in a worker process, so that a native crash or a hang fails that case
 * only: a worker that dies mid-case fails the case and a fresh worker takes the next one; a case
 * that overruns its time has its worker killed. The baseline uses it to give onnxruntime-node's
 * JS API the same isolation the engine host gives Crucible.
 */
import type { CaseRef } from './cases';
import type { ConformanceCase } from './report';
import { forkChild } from '../child-process';

/** parent → worker */
export type ToWorker = { type: 'case'; ref: CaseRef; timeoutMs: number };

/** worker → parent: `ready` once after start, then one `result` per case. */
export type FromWorker =
  { type: 'ready'; ortVersion: string | null } | { type: 'result'; case: ConformanceCase };

/** One worker process, whatever starts it. */
export interface WorkerHandle {
  send(msg: ToWorker): void;
  onMessage(listener: (msg: FromWorker) => void): void;
  onExit(listener: (info: { code: number | null; signal: string | null }) => void): void;
  kill(): void;
}

/**
 * Starts `script` with `args` as a Node child process speaking the worker messages over IPC. Its
 * stderr passes through (ORT's own warnings there help explain a failed case); stdout is dropped.
 */
export function nodeWorkerSpawner(script: string, args: readonly string[]): () => WorkerHandle {
  return () => {
    const child = forkChild(script, args, { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    return {
      send: (msg) => {
        if (child.connected) child.send(msg);
      },
      onMessage: (l) => child.on('message', (m) => l(m as FromWorker)),
      onExit: (l) => child.on('exit', (code, signal) => l({ code, signal })),
      kill: () => child.kill('SIGKILL'),
    };
  };
}

/** Options for {@link runIsolated}. */
export interface IsolatedOptions {
  spawn: () => WorkerHandle;
  /** Time one case may take before its worker is killed. */
  timeoutMs: number;
  /** Time a new worker may take to say `ready` (default 30 s). */
  startTimeoutMs?: number;
  /** What died, for the reason of a crashed case, e.g. "onnxruntime-node". */
  crashedWhat: string;
  onCase?: (c: ConformanceCase) => void;
}

type Event =
  { kind: 'message'; msg: FromWorker } | { kind: 'exit'; how: string } | { kind: 'timeout' };

/** A live worker and a single waiter for its next event. */
class Worker {
  private waiter: ((e: Event) => void) | null = null;
  private readonly backlog: Event[] = [];
  dead = false;

  constructor(readonly handle: WorkerHandle) {
    handle.onMessage((msg) => this.push({ kind: 'message', msg }));
    handle.onExit(({ code, signal }) => {
      this.dead = true;
      this.push({ kind: 'exit', how: signal ? `signal ${signal}` : `exit code ${code}` });
    });
  }

  private push(e: Event): void {
    const w = this.waiter;
    if (w) {
      this.waiter = null;
      w(e);
    } else {
      this.backlog.push(e);
    }
  }

  /** The next event, or a timeout after `ms`. */
  next(ms: number): Promise<Event> {
    const queued = this.backlog.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiter = null;
        resolve({ kind: 'timeout' });
      }, ms);
      this.waiter = (e) => {
        clearTimeout(timer);
        resolve(e);
      };
    });
  }
}

/**
 * Runs every case in a worker, in order, and never ends early: crashes, hangs and workers that
 * will not start become failed cases. Resolves with the cases and the ORT version the first
 * worker reported.
 */
export async function runIsolated(
  refs: readonly CaseRef[],
  opts: IsolatedOptions,
): Promise<{ cases: ConformanceCase[]; ortVersion: string | null }> {
  const cases: ConformanceCase[] = [];
  let ortVersion: string | null = null;
  // Held in an object: it changes inside runOne, where the type checker cannot follow it.
  const current: { worker: Worker | null } = { worker: null };

  const startWorker = async (): Promise<Worker | string> => {
    const w = new Worker(opts.spawn());
    const startMs = opts.startTimeoutMs ?? 30_000;
    for (;;) {
      const e = await w.next(startMs);
      if (e.kind === 'message' && e.msg.type === 'ready') {
        ortVersion ??= e.msg.ortVersion;
        return w;
      }
      if (e.kind === 'exit')
        return `the ${opts.crashedWhat} worker exited before it was ready (${e.how})`;
      if (e.kind === 'timeout') {
        w.handle.kill();
        return `the ${opts.crashedWhat} worker did not start within ${Math.round(startMs / 1000)} s`;
      }
    }
  };

  /** Runs one case in the current worker (starting one if needed); never throws. */
  const runOne = async (ref: CaseRef): Promise<ConformanceCase> => {
    const started = Date.now();
    const fail = (reason: string): ConformanceCase => ({
      name: ref.name,
      dir: ref.dir,
      status: 'failed',
      reason,
      ms: Date.now() - started,
    });
    if (!current.worker || current.worker.dead) {
      const fresh = await startWorker();
      if (typeof fresh === 'string') {
        current.worker = null;
        return fail(fresh);
      }
      current.worker = fresh;
    }
    const w = current.worker;
    const deadline = Date.now() + opts.timeoutMs;
    w.handle.send({ type: 'case', ref, timeoutMs: opts.timeoutMs });
    for (;;) {
      const e = await w.next(Math.max(1, deadline - Date.now()));
      if (e.kind === 'message' && e.msg.type === 'result') return e.msg.case;
      if (e.kind === 'exit') {
        current.worker = null;
        return fail(`${opts.crashedWhat} crashed on this case (${e.how})`);
      }
      if (e.kind === 'timeout') {
        w.handle.kill();
        current.worker = null;
        return fail(`timed out after ${opts.timeoutMs / 1000} s; the worker was killed`);
      }
    }
  };

  for (const ref of refs) {
    const c = await runOne(ref);
    cases.push(c);
    opts.onCase?.(c);
  }
  current.worker?.handle.kill();
  return { cases, ortVersion };
}
