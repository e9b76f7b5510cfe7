/**
 * Test support for sigkill.int.test.ts: the real main side (composeMain: model library, settings,
 * benchmark history, compile service with real compile workers, engine host) kept busy writing —
 * settings saved, models added and removed, benchmarks run and recorded, the same model compiled
 * again and again (each compile replaces the cache entry) — until the test kills it with SIGKILL.
 *
 *   node busy-app.js DATA_DIR REPO_ROOT
 *
 * Prints `ready` once composed, then one `tick <what> <n>` line per finished write, so the test
 * knows writes are under way before it kills. The engine host and compile workers it starts end
 * themselves when their IPC channel to this process closes.
 */
import { cp, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { nodeWorkerSpawner } from '../../src-main/engine/compile/runner';
import { nodeChildSpawner } from '../../src-main/engine/host/engine-client';
import { composeMain } from '../../src-main/services/compose';
import { call } from '../../src-main/services/dispatch';

async function main(): Promise<void> {
  const [dataDir, repoRoot] = process.argv.slice(2);
  if (!dataDir || !repoRoot) throw new Error('usage: busy-app DATA_DIR REPO_ROOT');
  const dist = path.join(repoRoot, 'dist', 'engine');
  const composed = await composeMain({
    mode: 'browser',
    version: 'test',
    dataRoot: dataDir,
    builtInModelsDir: null,
    spawnEngine: nodeChildSpawner(path.join(dist, 'engine-host.js')),
    spawnCompileWorker: nodeWorkerSpawner(path.join(dist, 'compile-worker.js')),
    notice: (m) => process.stderr.write(`notice: ${m}\n`),
  });
  // Compiles need ORT's version (part of every cache key): start writing once the engine is up.
  await composed.engine.start();
  const h = composed.services.handlers;
  // The user's own model folder: copies the library references (never modified).
  const pool = path.join(dataDir, 'user-models');
  await mkdir(pool, { recursive: true });
  for (const f of ['mlp-tiny.onnx', 'upscale2x.onnx']) {
    await cp(path.join(repoRoot, 'models', f), path.join(pool, f));
  }
  const mlp = await call(h, 'models:add', { path: path.join(pool, 'mlp-tiny.onnx') });
  if (!mlp.ok) throw new Error(mlp.error.message);
  const modelId = mlp.value.id;
  process.stdout.write('ready\n');
  const tick = (what: string, n: number) => process.stdout.write(`tick ${what} ${n}\n`);

  const loops: Record<string, (n: number) => Promise<unknown>> = {
    // Settings that restart nothing (a new TensorRT-RTX folder restarts the engine host, which
    // would starve the bench and compile loops; settings:set also refuses a folder that does not
    // exist); the preferences grow and shrink so the file's size keeps changing.
    settings: async (n) => {
      const preferredProviders = Object.fromEntries(
        Array.from({ length: n % 40 }, (_, i) => [`model-${i}-${'x'.repeat(n % 150)}`, 'cpu']),
      );
      const r = await call(h, 'settings:set', {
        compileDeadlineMinutes: 1 + (n % 600),
        preferredProviders,
      });
      // A refused write would leave no settings file to damage: fail loudly instead.
      if (!r.ok) throw new Error(`settings:set refused: ${r.error.message}`);
    },
    library: async (n) => {
      const p = path.join(pool, 'upscale2x.onnx');
      if (n % 2 === 0) return call(h, 'models:add', { path: p });
      const id = composed.library.list().find((m) => m.path === p)?.id;
      return id ? call(h, 'models:remove', { id }) : null;
    },
    bench: () => call(h, 'bench:run', { modelId, provider: 'cpu', iterations: 20, warmup: 1 }),
    compile: async () => {
      const job = await call(h, 'compile:enqueue', { modelId, provider: 'cpu' });
      if (!job.ok) throw new Error(job.error.message);
      // Wait for this job to finish (the queue runs one at a time).
      for (;;) {
        const list = await call(h, 'compile:list', {});
        const j = list.ok ? list.value.find((x) => x.id === job.value.id) : undefined;
        if (j?.state === 'failed') process.stderr.write(`compile failed: ${j.error?.message}\n`);
        if (!j || (j.state !== 'queued' && j.state !== 'running')) return j;
        await new Promise((r) => setTimeout(r, 20));
      }
    },
  };
  await Promise.all(
    Object.entries(loops).map(async ([what, step]) => {
      for (let n = 0; ; n++) {
        await step(n);
        tick(what, n);
        // A breath between writes, so no loop starves the others on a 2-core machine.
        await new Promise((r) => setTimeout(r, 10));
      }
    }),
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`busy-app failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
