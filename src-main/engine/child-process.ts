/**
 * The one way Crucible starts Node child processes (the engine host in browser mode and the CLI,
 * compile workers, the conformance baseline), and the way each of them dies with its parent.
 *
 * A child must never outlive the process that started it: a compile worker left running after
 * its host was killed held a core for minutes. Three things hold it, from the child's side:
 * - the IPC channel: its `disconnect` (the parent is gone, or closed it) ends the child at once;
 * - a watchdog on a worker thread, which runs even while the child's JS thread is inside a long
 *   native call: every 250 ms it checks the parent's pid is still the parent (Linux re-parents an
 *   orphan, so getppid() changes) and still alive (signal 0; on Windows a pid is never re-parented,
 *   so liveness is the check there — a job object would make it immediate, and is not used yet);
 * - ending with SIGKILL to itself, because process.exit() waits for native work in flight and an
 *   ORT run can take forever.
 * Electron's utilityProcess (the engine host in the desktop app) runs the same child code.
 */
import { fork, type ChildProcess, type ForkOptions } from 'node:child_process';
import { Worker } from 'node:worker_threads';

/** The variable that tells a child which pid is its parent. */
const PARENT_PID_VAR = 'CRUCIBLE_PARENT_PID';

/** Forks `script` with an IPC channel; the child learns its parent's pid for its watchdog. */
export function forkChild(
  script: string,
  args: readonly string[],
  options: Pick<ForkOptions, 'env' | 'stdio' | 'serialization'> = {},
): ChildProcess {
  return fork(script, [...args], {
    ...options,
    env: { ...(options.env ?? process.env), [PARENT_PID_VAR]: String(process.pid) },
  });
}

/** Ends this process at once, whatever native work is running (see the module comment). */
export function exitNow(): never {
  process.kill(process.pid, 'SIGKILL');
  throw new Error('unreachable: SIGKILL did not end the process');
}

// The watchdog's own code: plain CommonJS, run with `eval` so it needs no file of its own.
const WATCHDOG = `
const { workerData } = require('node:worker_threads');
const gone = () => process.kill(process.pid, 'SIGKILL');
setInterval(() => {
  if (process.ppid !== workerData.ppid) return gone();
  try { process.kill(workerData.ppid, 0); } catch (err) { if (err.code === 'ESRCH') gone(); }
}, workerData.periodMs);
`;

let watching = false;

/**
 * Call first thing in a child process: it ends itself when its parent goes away (IPC disconnect,
 * or the watchdog thread). Without an IPC channel or a known parent it watches `process.ppid`.
 */
export function dieWithParent(periodMs = 250): void {
  if (watching) return;
  watching = true;
  if (process.send) process.on('disconnect', () => exitNow());
  const fromEnv = Number(process.env[PARENT_PID_VAR]);
  const ppid = Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : process.ppid;
  // The parent may already be gone between fork and here.
  if (process.ppid !== ppid && process.platform !== 'win32') exitNow();
  const worker = new Worker(WATCHDOG, { eval: true, workerData: { ppid, periodMs } });
  worker.unref();
}

/** For a killed child's pid: is that process still there? (tests, diagnostics) */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
