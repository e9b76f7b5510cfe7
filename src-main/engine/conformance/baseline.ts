/**
 * Entry point of dist/engine/conformance-baseline.js (see baseline-run.ts for the command line).
 * The same file is the worker: started with `--worker`, it runs the cases its parent sends.
 */
import { unpackedPath } from '../../app-files/app-files';
import { runBaselineCli, runBaselineWorker } from './baseline-run';
import { nodeWorkerSpawner, type ToWorker } from './isolated-runner';
import { dieWithParent } from '../child-process';

const WORKER_FLAG = '--worker';

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
  // The worker lives as long as its parent (child-process.ts).
  dieWithParent();
} else {
  void runBaselineCli(
    args,
    { out: (s) => process.stdout.write(`${s}\n`), err: (s) => process.stderr.write(`${s}\n`) },
    // Forked by plain Node or Electron-as-Node: never a path inside app.asar.
    nodeWorkerSpawner(unpackedPath(__filename), [WORKER_FLAG]),
  ).then((code) => {
    process.exitCode = code;
  });
}
