// The flood test's host, in its own process so its RSS is the host's alone: the real startHost
// with test services and the default budgets, printing `port token` on stdout once it listens.
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { EventBus } from '../services/events';
import { AppError } from '../shared/errors';
import { startHost } from './server';
import { stubServices } from './test-host';

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'crucible-flood-'));
  await writeFile(path.join(dir, 'index.html'), '<!doctype html><title>t</title>');
  const bus = new EventBus();
  const host = await startHost({
    services: stubServices(dir, bus),
    bus,
    rendererDir: dir,
    token: 'flood-token-0123456789',
    uploadDir: path.join(dir, 'incoming'),
    importUpload: async () => {
      throw new AppError('MODEL_INVALID', 'not a model');
    },
    log: (line) => console.error(line),
  });
  console.log(`${host.port} ${host.token}`);
}

void main();
