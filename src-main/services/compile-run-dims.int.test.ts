// Issue #13, must-show 3: a dynamic model compiled from the Compile area is the entry a Run of the
// same dims uses. Everything real (engine host and compile worker from dist/, the cache on disk),
// called through the contract's channels as the renderer calls them: `compile:enqueue` with the
// options the Compile area sends (src-renderer/state/compile.ts compileRequested: the Run form's
// values of the model's dynamic dims), then `run:execute` as the Run area sends it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CompileJob, InvokeInput, ModelEntry } from '../ipc/contract';
import { EngineClient, nodeChildSpawner } from '../engine/host/engine-client';
import { emptyPlan } from '../engine/model/input-sources';
import { decodeNpy, encodeNpy } from '../engine/model/npy';
import type { CompileSide } from './compile-service';
import { call, type Handlers } from './dispatch';
import { EngineService } from './engine-service';
import { EventBus } from './events';
import { createServices, type DomainHandlers } from './services';
import { builtInEntry, noGpuMonitor, readOnlyLibrary, testCompileSide } from './model-test-support';
import { SessionOwner } from './sessions';

const root = path.resolve(__dirname, '..', '..');
const dist = path.join(root, 'dist', 'engine');

let engine: EngineClient;
let compile: CompileSide;
let handlers: Handlers;
let model: ModelEntry;

beforeAll(async () => {
  engine = new EngineClient(nodeChildSpawner(path.join(dist, 'engine-host.js')));
  await engine.start();
  model = await builtInEntry('resnet-mini.onnx');
  const library = readOnlyLibrary(() => [model]);
  const data = fs.mkdtempSync(path.join(os.tmpdir(), 'crucible-compile-run-'));
  // As compose.ts wires it: entries deep-checked before a session opens from one.
  const owner = new SessionOwner(engine, { verify: (a) => compile.cache.verifyEntry(a.entryId) });
  const runs = new EngineService(engine, owner, library);
  const bus = new EventBus();
  compile = testCompileSide({ bus, library, engine: runs, dataDir: data });
  await compile.open();
  handlers = createServices({
    info: {
      name: 'crucible',
      version: 'test',
      mode: 'browser',
      platform: process.platform,
      arch: process.arch,
      userDataDir: data,
      cacheDir: path.join(data, 'cache'),
    },
    bus,
    gpu: noGpuMonitor,
    engine: runs,
    library,
    // Only the compile domain is called here; the others are not part of this path.
    domains: compile.handlers() as unknown as DomainHandlers,
  }).handlers;
});

afterAll(async () => {
  await compile.close();
  engine.close();
});

/** `compile:enqueue` as the Compile area sends it; the job as `compile:list` has it once done. */
async function compiled(input: InvokeInput<'compile:enqueue'>): Promise<CompileJob> {
  const enqueued = await call(handlers, 'compile:enqueue', input);
  if (!enqueued.ok) throw new Error(enqueued.error.message);
  await compile.queue.idle();
  const listed = await call(handlers, 'compile:list', {});
  if (!listed.ok) throw new Error(listed.error.message);
  return listed.value.find((j) => j.id === enqueued.value.id) as CompileJob;
}

describe('Compile area → Run (real engine, CPU)', () => {
  it('a Run with the dims the model was compiled for uses that entry; other dims run the original', async () => {
    expect(model.inspection?.dynamicDims).toEqual(['batch']);
    // The Run form holds batch = 2; the Compile area sends the Run form's dims for the model.
    const job = await compiled({
      modelId: model.id,
      provider: 'cpu',
      options: { dims: { batch: 2 }, dimRanges: {}, cudaGraph: false },
    });
    expect(job).toMatchObject({ state: 'done', error: null });
    expect(job.cacheEntryId).toEqual(expect.any(String));

    // The Run area's request (buildRunRequest: the form's dims, fill and seed).
    const run = (batch: number) =>
      call(handlers, 'run:execute', {
        modelId: model.id,
        provider: 'cpu',
        dims: { batch },
        fill: 'random',
        seed: 1,
      });
    const same = await run(2);
    if (!same.ok) throw new Error(same.error.message);
    expect(same.value).toMatchObject({
      provider: 'cpu',
      variant: 'compiled',
      entryId: job.cacheEntryId,
    });
    expect(same.value.outputs[0]?.shape).toEqual([2, 100]);

    const other = await run(1);
    if (!other.ok) throw new Error(other.error.message);
    expect(other.value).toMatchObject({ provider: 'cpu', variant: 'original', entryId: null });
    expect(other.value.outputs[0]?.shape).toEqual([1, 100]);

    // Back to the compiled dims: the compiled entry again, not whatever ran last.
    const again = await run(2);
    if (!again.ok) throw new Error(again.error.message);
    expect(again.value).toMatchObject({ variant: 'compiled', entryId: job.cacheEntryId });
  });

  it('dims left open are sized by the inputs in both the compile and the run, so the run finds the entry', async () => {
    // A picture batch of 3 in a file; the Run form leaves batch empty, the Compile area too.
    const vi = model.inspection?.inputs[0];
    const [, c, h, w] = vi?.shape as [number, number, number, number];
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crucible-open-dims-'));
    const file = path.join(dir, 'three.npy');
    const n = 3 * c * h * w;
    fs.writeFileSync(
      file,
      encodeNpy({
        dtype: 'float32',
        dims: [3, c, h, w],
        data: Float32Array.from({ length: n }, (_, i) => (i % 17) / 17),
      }),
    );
    const inputs = {
      ...emptyPlan(),
      sources: { [vi?.name as string]: { kind: 'file' as const, path: file } },
    };
    const job = await compiled({ modelId: model.id, provider: 'cpu', inputs });
    expect(job).toMatchObject({ state: 'done', error: null });

    const fromFile = await call(handlers, 'run:execute', {
      modelId: model.id,
      provider: 'cpu',
      dims: {},
      fill: 'random',
      seed: 1,
      inputs,
    });
    if (!fromFile.ok) throw new Error(fromFile.error.message);
    expect(fromFile.value).toMatchObject({ variant: 'compiled', entryId: job.cacheEntryId });
    expect(fromFile.value.outputs[0]?.shape).toEqual([3, 100]);
    // The answer says the dims its session has (the Compile area compiles for them next time).
    expect(fromFile.value.dims).toEqual({ batch: 3 });
    // The check the Run form asks for says the same size, and why.
    const checked = await call(handlers, 'inputs:check', {
      modelId: model.id,
      inputs,
      asRun: true,
    });
    if (!checked.ok) throw new Error(checked.error.message);
    expect(checked.value.dimChoices.find((d) => d.dim === 'batch')).toMatchObject({ value: 3 });
    // Nothing given: batch 1 (the dims auto-compile compiles for), not the file's entry.
    const plain = await call(handlers, 'run:execute', {
      modelId: model.id,
      provider: 'cpu',
      dims: {},
      fill: 'random',
      seed: 1,
    });
    if (!plain.ok) throw new Error(plain.error.message);
    expect(plain.value.outputs[0]?.shape).toEqual([1, 100]);
    expect(plain.value.entryId).not.toBe(job.cacheEntryId);
  });

  it("run:outputs hands over the model's last run's outputs as .npy files (the Run area's Save outputs)", async () => {
    const ran = await call(handlers, 'run:execute', {
      modelId: model.id,
      provider: 'cpu',
      dims: { batch: 3 },
      fill: 'random',
      seed: 7,
    });
    if (!ran.ok) throw new Error(ran.error.message);
    const saved = await call(handlers, 'run:outputs', { modelId: model.id });
    if (!saved.ok) throw new Error(saved.error.message);
    expect(saved.value.map((o) => [o.name, o.dtype, o.shape])).toEqual([
      ['probabilities', 'float32', [3, 100]],
    ]);
    const t = decodeNpy(
      Buffer.from(saved.value[0]?.npyBase64 ?? '', 'base64'),
      'probabilities.npy',
    );
    expect(t.dims).toEqual([3, 100]);
    // The values the run summarized.
    const first = ran.value.outputs[0]?.first ?? [];
    expect([...(t.data as Float32Array).slice(0, first.length)]).toEqual(first);

    const unknown = await call(handlers, 'run:outputs', { modelId: 'no-such-model' });
    expect(unknown).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });
});
