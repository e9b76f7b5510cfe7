// precision:convert and precision:compare against the real engine host process (dist/engine/
// engine-host.js, built by the test setup) and a real library in a temp folder.
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventPayload } from '../ipc/contract';
import { EngineClient, nodeChildSpawner } from '../engine/host/engine-client';
import { checkExternalData, inspectModel } from '../engine/model/inspect';
import { errorOf } from '../engine/model/test-helpers';
import { ModelLibrary } from './model-library';
import { benchViaOwner, PrecisionService, tradeModel } from './precision-service';
import { SessionOwner } from './sessions';

const root = path.resolve(__dirname, '..', '..');
let engine: EngineClient;
let library: ModelLibrary;
let service: PrecisionService;
const progress: EventPayload<'precision:progress'>[] = [];

beforeAll(async () => {
  engine = new EngineClient(nodeChildSpawner(path.join(root, 'dist', 'engine', 'engine-host.js')));
  await engine.start();
  library = new ModelLibrary({
    dir: path.join(mkdtempSync(path.join(tmpdir(), 'crucible-precision-')), 'library'),
    builtInDir: null,
    inspect: (p) => inspectModel(p),
    checkExternalData: (p) => checkExternalData(p),
  });
  await library.open();
  const owner = new SessionOwner(engine);
  service = new PrecisionService({
    library,
    engine,
    owner,
    bench: async (req) => {
      const model = library.get(req.modelId);
      if (!model) throw new Error(`no model ${req.modelId}`);
      const r = await benchViaOwner(
        engine,
        owner,
        null,
        tradeModel(model),
        req.provider,
        req.dims,
        req.iterations,
      );
      return r;
    },
    bus: { emit: (_event, payload) => void progress.push(payload as (typeof progress)[number]) },
  });
});
afterAll(() => engine.close());

describe('precision variants through the engine host', () => {
  it('makes an fp16 variant beside the library, runnable under its own id', async () => {
    const model = await library.add(path.join(root, 'models', 'mlp-tiny.onnx'));
    const entry = await service.convert({
      modelId: model.id,
      to: 'fp16',
      keepIoTypes: true,
      block: [],
    });
    const variant = entry.variants?.[0];
    expect(variant?.kind).toBe('fp16');
    expect(variant?.path.startsWith(library.variantsDir(model.id))).toBe(true);
    expect(existsSync(variant?.path ?? '')).toBe(true);
    expect(variant?.inspection?.precision?.headline).toBe('float16');
    expect(variant?.inspection?.inputs).toEqual(model.inspection?.inputs);
    expect(library.get(variant?.id ?? '')?.name).toBe('mlp-tiny · fp16');
    expect(progress.map((p) => p.phase)).toEqual(['converting', 'inspecting', 'done']);
    // The user's model is untouched and a variant cannot be converted again.
    expect(
      (
        await errorOf(
          service.convert({ modelId: variant?.id ?? '', to: 'fp16', keepIoTypes: true, block: [] }),
        )
      ).code,
    ).toBe('BAD_REQUEST');
  });

  it('measures the trade on the CPU and says why another provider has no figures', async () => {
    const model = await library.add(path.join(root, 'models', 'mlp-tiny.onnx'));
    const table = await service.compare({
      modelId: model.id,
      kind: 'fp16',
      providers: ['cpu', 'dml'],
      sets: 3,
      iterations: 20,
      dims: {},
    });
    const [orig, fp16, dmlA, dmlB] = table.rows;
    expect(orig?.precision).toBe('original');
    expect(orig?.p50Ms).toBeGreaterThan(0);
    expect(fp16?.precision).toBe('fp16');
    expect(fp16?.p50Ms).toBeGreaterThan(0);
    expect(fp16?.error?.sets).toBe(3);
    expect(fp16?.error?.cosine).toBeGreaterThan(0.999);
    // mlp-tiny's output [1, 4] is a score vector: top-1 over 3 sets.
    expect(fp16?.error?.topk?.rows).toBe(3);
    expect(fp16?.verdict).not.toBe('');
    expect(dmlA?.problem).toBeTruthy();
    expect(dmlB?.problem).toBe(dmlA?.problem);
    // Kept on the variant.
    expect(library.get(model.id)?.variants?.[0]?.trade?.rows).toHaveLength(4);
  });

  it('makes a dynamic int8 variant beside the fp16 one and measures it on the CPU', async () => {
    const model = await library.add(path.join(root, 'models', 'transformer-block.onnx'));
    progress.length = 0;
    await service.convert({ modelId: model.id, to: 'fp16', keepIoTypes: true, block: [] });
    const entry = await service.convert({
      modelId: model.id,
      to: 'int8',
      keepIoTypes: true,
      block: [],
    });
    expect(entry.variants?.map((v) => v.kind).sort()).toEqual(['fp16', 'int8']);
    const variant = entry.variants?.find((v) => v.kind === 'int8');
    if (variant?.kind !== 'int8') throw new Error('no int8 variant');
    expect(variant.path).toMatch(/\.int8\.[a-z0-9]+\.onnx$/);
    expect(variant.report.quantized).toEqual([{ op: 'MatMul', count: 6 }]);
    expect(variant.report.left).toEqual([
      {
        op: 'MatMul',
        count: 2,
        reason: 'its weight B is computed at run time (activation × activation), not a constant',
      },
    ]);
    expect(variant.inspection?.precision?.headline).toMatch(/^mixed: int8 QOperator/);
    expect(variant.inspection?.inputs).toEqual(model.inspection?.inputs);
    expect(variant.inspection?.outputs).toEqual(model.inspection?.outputs);
    expect(library.get(variant.id)?.name).toBe('transformer-block · int8');
    expect(progress.filter((p) => p.message.includes('int8')).length).toBeGreaterThan(0);

    const table = await service.compare({
      modelId: model.id,
      kind: 'int8',
      providers: ['cpu'],
      sets: 2,
      iterations: 20,
      dims: {},
    });
    const int8 = table.rows.find((r) => r.precision === 'int8');
    expect(int8?.problem).toBeNull();
    expect(int8?.p50Ms).toBeGreaterThan(0);
    expect(int8?.error?.cosine).toBeGreaterThan(0.999);
    // Kept on the int8 variant only.
    const after = library.get(model.id)?.variants ?? [];
    expect(after.find((v) => v.kind === 'int8')?.trade?.rows).toHaveLength(2);
    expect(after.find((v) => v.kind === 'fp16')?.trade).toBeNull();
  });
});
