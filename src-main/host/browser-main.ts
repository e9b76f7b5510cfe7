/**
 * Browser mode's entry: the same services as the Electron app behind the local HTTP + WebSocket
 * host. Prints the URL (with its per-launch token) on stdout as `Crucible: <url>` — scripts and the
 * e2e fixture read that line.
 *
 * Options: --port N (default: a free port), --data-dir DIR (default: CRUCIBLE_DATA_DIR or the OS's
 * user-data folder, shared with the Electron app).
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { appFiles } from '../app-files/app-files';
import { nodeChildSpawner } from '../engine/host/engine-client';
import { composeMain } from '../services/compose';
import { toErrorData } from '../shared/errors';
import { startHost } from './server';

declare const CRUCIBLE_VERSION: string | undefined;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { port: { type: 'string' }, 'data-dir': { type: 'string' } },
  });
  const files = appFiles();
  const composed = await composeMain({
    mode: 'browser',
    version: typeof CRUCIBLE_VERSION === 'string' ? CRUCIBLE_VERSION : '0.0.0-dev',
    dataRoot: values['data-dir'],
    builtInModelsDir: files.builtInModelsDir,
    spawnEngine: nodeChildSpawner(files.engineHostScript),
    notice: (m) => console.warn(`Crucible: ${m}`),
  });
  const host = await startHost({
    services: composed.services,
    bus: composed.bus,
    rendererDir: files.rendererDir,
    port: values.port ? Number(values.port) : 0,
    uploadDir: path.join(composed.paths.library, 'incoming'),
    importUpload: (tmp, name) => composed.library.importUpload(tmp, name),
    log: (line) => console.warn(line),
  });
  console.log(`Crucible: ${host.url}`);
  const stop = () => {
    composed.close();
    void host.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: unknown) => {
  const e = toErrorData(err);
  console.error(`Crucible could not start in browser mode: ${e.message}`);
  process.exit(1);
});
