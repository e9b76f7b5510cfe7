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
});
