/**
 * Entry point of dist/engine/conformance-baseline.js (see baseline-run.ts for the command line).
 * The same file is the worker: started with `--worker`, it runs the cases its parent sends.
 */
import { fork } from 'node:child_process';
import { runBaselineCli, runBaselineWorker } from './baseline-run';
import type { FromWorker, ToWorker, WorkerHandle } from './isolated-runner';

const WORKER_FLAG = '--worker';

/** Starts this same script as a worker process. */
function spawnWorker(): WorkerHandle {
  // The worker's stderr passes through: ORT's own warnings there help explain a failed case.
  const child = fork(__filename, [WORKER_FLAG], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  return {
    send: (msg) => {
      if (child.connected) child.send(msg);
    },
    onMessage: (l) => child.on('message', (m) => l(m as FromWorker)),
    onExit: (l) => child.on('exit', (code, signal) => l({ code, signal })),
    kill: () => child.kill('SIGKILL'),
  };
}

const args = process.argv.slice(2);
if (args[0] === WORKER_FLAG) {
  runBaselineWorker(
    (msg) => process.send?.(msg),
    (l) => process.on('message', (m) => l(m as ToWorker)),
  ).catch((err: unknown) => {
    console.error(
      `conformance-baseline worker: ${err instanceof Error ? err.message : String(err)}`,
    );
    process.exit(1);
  });
  // The worker lives as long as its parent's channel.
  process.on('disconnect', () => process.exit(0));
} else {
  void runBaselineCli(
    args,
    { out: (s) => process.stdout.write(`${s}\n`), err: (s) => process.stderr.write(`${s}\n`) },
    spawnWorker,
  ).then((code) => {
    process.exitCode = code;
  });
}
