// The compile service with everything real: compile workers and the engine host from dist/ (built
// by the test setup), the cache on disk, the engine service switching over. CPU only (this machine).
import fs from 'node:fs';
import { readFile, truncate, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CompileJob, ModelEntry, SwitchOver } from '../ipc/contract';
import type { FromWorker } from '../engine/compile/protocol';
import { nodeWorkerSpawner, type SpawnWorker } from '../engine/compile/runner';
import { EngineClient, nodeChildSpawner } from '../engine/host/engine-client';
import type { CompileSide } from './compile-service';
import { EngineService } from './engine-service';
import { EventBus } from './events';
import { builtInEntry as entry, readOnlyLibrary, testCompileSide } from './model-test-support';
import { SessionOwner } from './sessions';

const root = path.resolve(__dirname, '..', '..');
const dist = path.join(root, 'dist', 'engine');
const defaults = { dims: {}, dimRanges: {}, cudaGraph: false };

/** What the test does to a worker when it reports something (stop it, kill it). */
let onWorkerMessage: ((msg: FromWorker, pid: number) => void) | null = null;
const spawnWorker: SpawnWorker = () => {
  const proc = nodeWorkerSpawner(path.join(dist, 'compile-worker.js'))();
  proc.onMessage((msg) => {
    try {
      onWorkerMessage?.(msg, proc.pid ?? 0);
    } catch (err) {
      // A worker that already finished (a heavily loaded machine delivers its messages late) cannot
      // be signalled: the test's assertions then say what happened.
      console.warn('test could not signal the compile worker:', (err as Error).message);
    }
  });
  return proc;
};

let engine: EngineClient;
let engineService: EngineService;
let service: CompileSide;
let models: ModelEntry[];
const bus = new EventBus();
const switches: SwitchOver[] = [];
const progress: CompileJob[] = [];

beforeAll(async () => {
  engine = new EngineClient(nodeChildSpawner(path.join(dist, 'engine-host.js')));
  await engine.start();
  engineService = new EngineService(engine, new SessionOwner(engine), {
    get: (id) => models.find((m) => m.id === id),
  });
  engineService.onSwitch((s) => switches.push(s));
  bus.on('compile:progress', (j) => progress.push(j));
  models = [await entry('mlp-tiny.onnx'), await entry('resnet-mini.onnx')];
  const data = fs.mkdtempSync(path.join(os.tmpdir(), 'crucible-compile-svc-'));
  service = testCompileSide({
    bus,
    library: readOnlyLibrary(() => models),
    engine: engineService,
    dataDir: data,
    autoCompile: true,
    spawnWorker,
  });
  await service.open();
});

afterAll(async () => {
  await service.close();
  engine.close();
});

async function finished(job: CompileJob): Promise<CompileJob> {
  await service.queue.idle();
  const j = service.queue.list().find((x) => x.id === job.id);
  if (!j) throw new Error('job vanished');
  return j;
}

const mlp = () => models[0] as ModelEntry;
const resnet = () => models[1] as ModelEntry;

describe('compile service', () => {
  it('compiles in a worker, caches the result, and the running model switches over with measured figures', async () => {
    const before = await engineService.run(
      { modelId: mlp().id, provider: 'cpu', dims: {}, fill: 'random', seed: 1 },
      mlp(),
    );
    const job = await finished(await service.queue.enqueue(mlp().id, 'cpu', defaults));
    expect(job).toMatchObject({ state: 'done', phase: 'done', error: null, percent: null });
    expect(job.cacheEntryId).toMatch(/^cpu\/cpu\/cpu-[0-9a-f]{12}\//);
    const phases = progress.filter((p) => p.id === job.id).map((p) => p.phase);
    expect([...new Set(phases)]).toEqual([
      'queued',
      'hashing',
      'loading',
      'partitioning',
      'warmup',
      'serializing',
      'done',
    ]);
    expect(service.queue.statuses()).toContainEqual({
      modelId: mlp().id,
      provider: 'cpu',
      state: 'ready',
      reason: null,
    });

    const after = await engineService.run(
      { modelId: mlp().id, provider: 'cpu', dims: {}, fill: 'random', seed: 1 },
      mlp(),
    );
    expect(switches).toHaveLength(1);
    expect(switches[0]).toMatchObject({ modelId: mlp().id, from: 'cpu', to: 'cpu' });
    expect(switches[0]?.message).toMatch(
      /^was [\d.]+ ms on CPU, now [\d.]+ ms on CPU \(compiled\)$/,
    );
    expect(switches[0]?.afterMs).toBe(after.runMs);
    // Same inputs, same outputs: the compiled session computes what the original did.
    expect(after.outputs[0]?.first).toEqual(before.outputs[0]?.first);
    const [cached] = await service.cache.list();
    expect(cached).toMatchObject({
      state: 'valid',
      nodes: { provider: expect.any(Number), cpu: 0 },
    });
  });

  it('cancel in mid-compile kills the worker and leaves no entry and no temp folder', async () => {
    let stopped = () => {};
    const atPartitioning = new Promise<void>((resolve) => (stopped = resolve));
    onWorkerMessage = (msg, pid) => {
      if (msg.type === 'phase' && msg.phase === 'partitioning') {
        process.kill(pid, 'SIGSTOP'); // frozen mid-compile: the cancel cannot race the finish
        stopped();
      }
    };
    const job = await service.queue.enqueue(resnet().id, 'cpu', defaults);
    try {
      await atPartitioning;
      expect(await service.cache.store.tempFolders()).toHaveLength(1);
      expect(await service.queue.cancel(job.id)).toBe(true);
    } finally {
      onWorkerMessage = null;
    }
    expect(service.queue.list().find((j) => j.id === job.id)).toMatchObject({
      state: 'cancelled',
      error: null,
    });
    expect(await service.cache.store.tempFolders()).toEqual([]);
    expect((await service.cache.list()).filter((e) => e.modelId === resnet().id)).toEqual([]);
    expect(service.queue.statuses()).toContainEqual(
      expect.objectContaining({ modelId: resnet().id, provider: 'cpu', state: 'not-compiled' }),
    );
  });

  it('a compile worker killed with SIGKILL fails its job with a message; the service keeps working', async () => {
    onWorkerMessage = (msg, pid) => {
      if (msg.type === 'phase' && msg.phase === 'loading') process.kill(pid, 'SIGKILL');
    };
    let killed: CompileJob;
    try {
      killed = await finished(await service.queue.enqueue(resnet().id, 'cpu', defaults));
    } finally {
      onWorkerMessage = null;
    }
    expect(killed.state).toBe('failed');
    expect(killed.error).toMatchObject({
      code: 'ENGINE_CRASHED',
      message: expect.stringMatching(
        /compile process for .*resnet-mini\.onnx was killed \(SIGKILL\) during (loading|partitioning|warmup); nothing was cached/,
      ),
    });
    expect(await service.cache.store.tempFolders()).toEqual([]);
    expect(service.queue.statuses()).toContainEqual(
      expect.objectContaining({
        modelId: resnet().id,
        state: 'failed',
        reason: killed.error?.message,
      }),
    );
    const again = await finished(await service.queue.enqueue(resnet().id, 'cpu', defaults));
    expect(again.state).toBe('done');
    // It learned: the next similar compile has an estimate.
    const third = await service.queue.enqueue(resnet().id, 'cpu', { ...defaults, dims: { N: 1 } });
    await service.queue.idle();
    expect(service.queue.list().find((j) => j.id === third.id)?.estimateMs).toEqual(
      expect.any(Number),
    );
  });

  it.each([
    [
      'a truncated file',
      async (dir: string) => truncate(path.join(dir, 'model.optimized.onnx'), 100),
      /model\.optimized\.onnx is truncated/,
    ],
    [
      'an edited meta.json',
      async (dir: string) => {
        const file = path.join(dir, 'meta.json');
        await writeFile(file, (await readFile(file, 'utf8')).replace('"cpu": 0', '"cpu": 1'));
      },
      /meta\.json was edited or damaged/,
    ],
  ])('an entry with %s is reported, never used, and rebuilt', async (_what, damage, reason) => {
    const job = await finished(
      await service.queue.enqueue(mlp().id, 'cpu', { ...defaults, cudaGraph: true }),
    );
    const id = job.cacheEntryId as string;
    await damage(path.join(service.cache.store.root, ...id.split('/')));
    const listed = (await service.cache.list()).find((e) => e.id === id);
    expect(listed).toMatchObject({ state: 'corrupt', reason: expect.stringMatching(reason) });
    const rebuilt = await finished(
      await service.queue.enqueue(mlp().id, 'cpu', { ...defaults, cudaGraph: true }),
    );
    expect(rebuilt.cacheEntryId).toBe(id);
    expect((await service.cache.list()).find((e) => e.id === id)).toMatchObject({
      state: 'valid',
      reason: null,
    });
  });

  it('clears the cache and says how much it freed', async () => {
    const listed = await service.cache.list();
    const total = listed.reduce((n, e) => n + e.sizeBytes, 0);
    expect(await service.cache.clear()).toEqual({ removed: listed.length, freedBytes: total });
    expect(await service.cache.list()).toEqual([]);
  });

  it('refuses a provider that is not available here, with its reason', async () => {
    await expect(
      service.queue.enqueue(mlp().id, 'nv-tensorrt-rtx', defaults),
    ).rejects.toMatchObject({
      code: 'PROVIDER_UNAVAILABLE',
      message: expect.stringMatching(/^TensorRT-RTX is not available here: /),
    });
  });
});
