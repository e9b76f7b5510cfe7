// The compile pipeline tested from the outside (it belongs to another area; this file only
// observes it): a compile queued right after start-up, before the engine host said hello.
import { cp, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { nodeWorkerSpawner } from '../../src-main/engine/compile/runner';
import { nodeChildSpawner } from '../../src-main/engine/host/engine-client';
import { composeMain } from '../../src-main/services/compose';
import { call } from '../../src-main/services/dispatch';

const root = path.resolve(__dirname, '..', '..');
const dist = path.join(root, 'dist', 'engine');

// Found by tools/security/sigkill.int.test.ts: a compile queued before the engine host's hello
// failed at once ("the engine has not started, so ONNX Runtime's version is unknown"). The compile
// service now waits for the engine before keying a job.
it(
  'a compile queued before the engine said hello waits for it, and succeeds',
  { timeout: 60_000 },
  async () => {
    const data = await mkdtemp(path.join(os.tmpdir(), 'crucible-early-'));
    const model = path.join(data, 'mlp-tiny.onnx');
    await cp(path.join(root, 'models', 'mlp-tiny.onnx'), model);
    const start = () =>
      composeMain({
        mode: 'browser',
        version: 'test',
        dataRoot: data,
        builtInModelsDir: null,
        spawnEngine: nodeChildSpawner(path.join(dist, 'engine-host.js')),
        spawnCompileWorker: nodeWorkerSpawner(path.join(dist, 'compile-worker.js')),
        notice: () => undefined,
      });
    // The library needs the engine to inspect: add through a first start, then start again.
    const first = await start();
    const added = await call(first.services.handlers, 'models:add', { path: model });
    first.close();
    if (!added.ok) throw new Error(added.error.message);
    const app = await start();
    try {
      const job = await call(app.services.handlers, 'compile:enqueue', {
        modelId: added.value.id,
        provider: 'cpu',
      });
      expect(job.ok).toBe(true);
      let state = 'queued';
      let error: string | undefined;
      while (state === 'queued' || state === 'running') {
        await new Promise((r) => setTimeout(r, 50));
        const list = await call(app.services.handlers, 'compile:list', {});
        const j = list.ok && job.ok ? list.value.find((x) => x.id === job.value.id) : undefined;
        state = j?.state ?? 'missing';
        error = j?.error?.message;
      }
      expect(state, error).toBe('done');
    } finally {
      app.close();
      await rm(data, { recursive: true, force: true });
    }
  },
);
