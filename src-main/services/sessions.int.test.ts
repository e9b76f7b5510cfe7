// The session owner with everything real (issue #12's proof on this machine, CPU provider): the
// engine host and compile workers from dist/ (built by the test setup), the compile cache and the
// benchmark history on disk. One model is run (original), compiled, run again (the compiled
// session, said so), benchmarked original vs compiled (two history rows); the image model runs
// from its compiled entry; the owner creates exactly one session per key through all of it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CacheEntry, CompileJob, ModelEntry, SwitchOver } from '../ipc/contract';
import { EngineClient, nodeChildSpawner } from '../engine/host/engine-client';
import { BenchService } from './bench-service';
import type { CompileSide } from './compile-service';
import { EngineService } from './engine-service';
import { EventBus } from './events';
import { ImageRunService } from './image-run';
import {
  builtInEntry as entry,
  noGpuMonitor,
  readOnlyLibrary,
  testCompileSide,
} from './model-test-support';
import { SessionOwner } from './sessions';

const root = path.resolve(__dirname, '..', '..');
const dist = path.join(root, 'dist', 'engine');
const defaults = { dims: {}, dimRanges: {}, cudaGraph: false };

let engine: EngineClient;
let owner: SessionOwner;
let runs: EngineService;
let compile: CompileSide;
let bench: BenchService;
let images: ImageRunService;
let models: ModelEntry[];
const switches: SwitchOver[] = [];
const bus = new EventBus();
const cacheEvents: CacheEntry[][] = [];

const model = (name: string) => models.find((m) => m.name === name) as ModelEntry;

async function compiled(name: string): Promise<CompileJob> {
  const job = await compile.queue.enqueue(model(name).id, 'cpu', defaults);
  await compile.queue.idle();
  const done = compile.queue.list().find((j) => j.id === job.id) as CompileJob;
  expect(done).toMatchObject({ state: 'done', error: null });
  return done;
}

/** A picture of w × h as the page sends it. */
function picture(w: number, h: number) {
  const rgba = new Uint8Array(w * h * 4).map((_, i) => (i * 37) % 256);
  return { width: w, height: h, rgbaBase64: Buffer.from(rgba).toString('base64') };
}

beforeAll(async () => {
  engine = new EngineClient(nodeChildSpawner(path.join(dist, 'engine-host.js')), {
    backoffMs: [10],
  });
  await engine.start();
  models = [await entry('mlp-tiny.onnx'), await entry('upscale2x.onnx')];
  const library = readOnlyLibrary(() => models);
  const data = fs.mkdtempSync(path.join(os.tmpdir(), 'crucible-owner-'));
  // Entries are deep-checked right before a session opens from one, as compose.ts wires it.
  owner = new SessionOwner(engine, { verify: (a) => compile.cache.verifyEntry(a.entryId) });
  runs = new EngineService(engine, owner, library);
  runs.onSwitch((s) => switches.push(s));
  bus.on('cache:changed', (c) => cacheEvents.push(c));
  compile = testCompileSide({ bus, library, engine: runs, dataDir: data });
  await compile.open();
  bench = new BenchService({
    storesDir: path.join(data, 'stores'),
    engine,
    gpu: noGpuMonitor,
    library,
    owner,
    bus,
  });
  await bench.open();
  images = new ImageRunService(engine, library, owner);
});

afterAll(async () => {
  await compile.close();
  engine.close();
});

describe('one session owner, real engine (CPU)', () => {
  it('run, compile, run on the compiled session, bench both, image from its entry: one creation per key', async () => {
    const mlp = model('mlp-tiny.onnx');
    const req = {
      modelId: mlp.id,
      provider: 'cpu' as const,
      dims: {},
      fill: 'random' as const,
      seed: 1,
    };

    const first = await runs.run(req, mlp);
    expect(first).toMatchObject({ provider: 'cpu', variant: 'original', entryId: null });
    expect(first.sessionMs).toBeGreaterThan(0);

    const job = await compiled('mlp-tiny.onnx');
    // The switch-over: the compiled session was opened and warmed when the compile finished.
    const switched = await runs.run(req, mlp);
    expect(switched).toMatchObject({
      provider: 'cpu',
      variant: 'compiled',
      entryId: job.cacheEntryId,
    });
    expect(switches).toHaveLength(1);
    expect(switches[0]).toMatchObject({ modelId: mlp.id, from: 'cpu', to: 'cpu' });
    // The warm-up paid for the creation, not this run.
    expect(switched.sessionMs).toBe(0);
    const again = await runs.run(req, mlp);
    expect(again).toMatchObject({ variant: 'compiled', entryId: job.cacheEntryId, sessionMs: 0 });

    // Original vs compiled on the same provider: two history rows.
    const b1 = await bench.run({ modelId: mlp.id, provider: 'cpu', iterations: 20, warmup: 1 });
    const b2 = await bench.run({
      modelId: mlp.id,
      provider: 'cpu',
      iterations: 20,
      warmup: 1,
      variant: 'compiled',
    });
    expect(b1).toMatchObject({ status: 'ok', variant: 'original', entryId: null });
    expect(b2).toMatchObject({ status: 'ok', variant: 'compiled', entryId: job.cacheEntryId });
    // Cold = the original's creation, warm = the compiled session's (from the entry).
    expect(b2.sessionCreateMs.cold).toBe(first.sessionMs);
    expect(b2.sessionCreateMs.warm).toBeGreaterThan(0);
    expect(bench.history(mlp.id).map((r) => r.variant)).toEqual(['compiled', 'original']);

    // The image model runs from its compiled entry.
    const up = model('upscale2x.onnx');
    const before = await images.run({ modelId: up.id, provider: 'cpu', image: picture(8, 6) });
    expect(before).toMatchObject({ variant: 'original', entryId: null });
    const upJob = await compiled('upscale2x.onnx');
    const after = await images.run({ modelId: up.id, provider: 'cpu', image: picture(8, 6) });
    expect(after).toMatchObject({ variant: 'compiled', entryId: upJob.cacheEntryId });
    expect([after.image.width, after.image.height]).toEqual([16, 12]);
    expect(after.image.rgbaBase64).toBe(before.image.rgbaBase64);

    const counts = [...owner.creationCounts().entries()];
    // mlp original + compiled, upscale original + compiled.
    expect(counts).toHaveLength(4);
    expect(counts.every(([, n]) => n === 1)).toBe(true);
  });

  it('a compile for another provider never replaces the provider the user picked', async () => {
    const mlp = model('mlp-tiny.onnx');
    // A WebGPU entry (this machine has no GPU: an entry as a GPU machine would have it).
    runs.useCompiled(
      {
        entryId: 'webgpu/gpu/driver/ort/model/opts',
        modelId: mlp.id,
        provider: 'webgpu',
        modelPath: mlp.path,
        providerOptions: {},
        graphOptimizationLevel: 'disabled',
        dims: {},
        createdAt: Date.now() + 1000,
      },
      true,
    );
    const r = await runs.run(
      { modelId: mlp.id, provider: 'cpu', dims: {}, fill: 'random', seed: 1 },
      mlp,
    );
    expect(r.provider).toBe('cpu');
    expect(r.variant).toBe('compiled');
    expect(r.entryId).toMatch(/^cpu\//);
    expect(switches).toHaveLength(1);
    expect(owner.liveKeys().some((k) => k.includes('|webgpu|'))).toBe(false);
  });

  it("'auto' runs through ORT's EP selection policy and says which EP ORT chose", async () => {
    const mlp = model('mlp-tiny.onnx');
    for (const policy of ['prefer-gpu', 'max-efficiency'] as const) {
      const r = await runs.run(
        { modelId: mlp.id, provider: 'auto', policy, dims: {}, fill: 'random', seed: 1 },
        mlp,
      );
      // No GPU adapter here: ORT's policy picks its CPU EP; a compiled CPU entry is not used
      // (auto opens the original: entries belong to the provider they were compiled for).
      expect(r).toMatchObject({
        provider: 'cpu',
        variant: 'original',
        entryId: null,
        auto: { policy, ep: 'CPUExecutionProvider' },
      });
    }
    expect(owner.liveKeys().filter((k) => k.includes('|auto:'))).toHaveLength(2);
  });

  it('sessions are forgotten when the engine host restarts, and opened again on demand', async () => {
    const mlp = model('mlp-tiny.onnx');
    const key = owner.liveKeys().find((k) => k.startsWith(`${mlp.id}|cpu|{}|compiled:`)) as string;
    expect(key).toBeDefined();
    await engine.restart('test');
    expect(owner.liveKeys()).toEqual([]);
    const r = await runs.run(
      { modelId: mlp.id, provider: 'cpu', dims: {}, fill: 'random', seed: 1 },
      mlp,
    );
    expect(r).toMatchObject({ variant: 'compiled' });
    expect(r.sessionMs).toBeGreaterThan(0);
    expect(owner.creationCounts().get(key)).toBe(2);
  });

  it('an entry edited on disk (same size) is listed cheaply, caught by the deep check before use, never used', async () => {
    const mlp = model('mlp-tiny.onnx');
    const entry = (await compile.cache.list()).find(
      (e) => e.modelId === mlp.id && e.provider === 'cpu',
    ) as CacheEntry;
    const file = path.join(compile.cache.store.dirOf(entry.id), 'model.optimized.onnx');
    const bytes = fs.readFileSync(file);
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 0xff;
    fs.writeFileSync(file, bytes);
    // The listing compares sizes and passports only: still valid there.
    expect((await compile.cache.list()).find((e) => e.id === entry.id)?.state).toBe('valid');
    await engine.restart('test');
    cacheEvents.length = 0;
    const r = await runs.run(
      { modelId: mlp.id, provider: 'cpu', dims: {}, fill: 'random', seed: 1 },
      mlp,
    );
    expect(r).toMatchObject({ variant: 'original', entryId: null });
    expect(cacheEvents.at(-1)?.find((e) => e.id === entry.id)).toMatchObject({
      state: 'corrupt',
      reason: expect.stringMatching(/model\.optimized\.onnx/),
    });
  });
});
