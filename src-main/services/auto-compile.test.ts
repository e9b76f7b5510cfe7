import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type {
  CompileOptions,
  ModelEntry,
  ModelProviderStatus,
  ProviderId,
  ProviderStatus,
} from '../ipc/contract';
import {
  autoCompileOptions,
  bestCompileProvider,
  planAutoCompile,
  startAutoCompile,
  type AutoCompileFacts,
} from './auto-compile';
import { checkExternalData, inspectModel } from '../engine/model/inspect';
import { encodeModel, node, tensorInfo } from '../engine/model/test-helpers';
import { ModelLibrary } from './model-library';

function provider(id: ProviderId, available: boolean): ProviderStatus {
  return {
    id,
    ortName: id,
    available,
    reason: available ? null : 'not here',
    compiles: id !== 'cpu',
    device: null,
  };
}

function model(id: string, over: Partial<ModelEntry> = {}): ModelEntry {
  return {
    id,
    name: `model-${id}`,
    path: `/m/${id}.onnx`,
    builtIn: false,
    addedAt: 0,
    inspection: null,
    error: null,
    ...over,
  };
}

const cpuOnly = [provider('cpu', true), provider('nv-tensorrt-rtx', false), provider('dml', false)];

function facts(over: Partial<AutoCompileFacts> = {}): AutoCompileFacts {
  return { model: model('a'), enabled: true, providers: cpuOnly, statuses: [], ...over };
}

describe('bestCompileProvider', () => {
  it('prefers TensorRT-RTX, then WebGPU, then DirectML, then the CPU, among the available', () => {
    const all = (['cpu', 'dml', 'webgpu', 'nv-tensorrt-rtx', 'cuda'] as const).map((id) =>
      provider(id, true),
    );
    expect(bestCompileProvider(all)).toBe('nv-tensorrt-rtx');
    expect(bestCompileProvider(all.filter((p) => p.id !== 'nv-tensorrt-rtx'))).toBe('webgpu');
    expect(bestCompileProvider([provider('cpu', true), provider('dml', true)])).toBe('dml');
    expect(bestCompileProvider(cpuOnly)).toBe('cpu');
    // CUDA is not in the order: it has no compile step of its own.
    expect(bestCompileProvider([provider('cuda', true)])).toBeNull();
    expect(bestCompileProvider([])).toBeNull();
  });
});

describe('autoCompileOptions', () => {
  it('compiles every symbolic dim at 1, as the Run area starts them, so runs switch over', () => {
    const inspection = { dynamicDims: ['batch', 'seq'] } as unknown as ModelEntry['inspection'];
    expect(autoCompileOptions(model('a', { inspection }))).toEqual({
      dims: { batch: 1, seq: 1 },
      dimRanges: {},
      cudaGraph: false,
    });
  });
});

describe('planAutoCompile', () => {
  it('queues a user-added model for the best provider available', () => {
    expect(planAutoCompile(facts())).toEqual({ provider: 'cpu' });
  });

  it('does nothing when the setting is off', () => {
    expect(planAutoCompile(facts({ enabled: false }))).toEqual({
      skip: 'background compiles are off in Settings',
    });
  });

  it('leaves built-ins and unreadable models alone', () => {
    expect(planAutoCompile(facts({ model: model('a', { builtIn: true }) }))).toHaveProperty('skip');
    const error = { code: 'MODEL_INVALID' as const, message: 'bad protobuf' };
    expect(planAutoCompile(facts({ model: model('a', { error }) }))).toEqual({
      skip: 'model-a cannot be read: bad protobuf',
    });
  });

  it('skips a model already compiled (a valid cache entry), queued or compiling for that provider', () => {
    for (const state of ['ready', 'queued', 'compiling'] as const) {
      const statuses: ModelProviderStatus[] = [
        { modelId: 'a', provider: 'cpu', state, reason: null },
      ];
      expect(planAutoCompile(facts({ statuses }))).toHaveProperty('skip');
    }
    // Stale, failed or another provider's entry: compile again.
    const statuses: ModelProviderStatus[] = [
      { modelId: 'a', provider: 'cpu', state: 'stale', reason: 'driver updated' },
      { modelId: 'a', provider: 'dml', state: 'ready', reason: null },
      { modelId: 'b', provider: 'cpu', state: 'ready', reason: null },
    ];
    expect(planAutoCompile(facts({ statuses }))).toEqual({ provider: 'cpu' });
  });

  it('skips when no provider that compiles is available', () => {
    expect(planAutoCompile(facts({ providers: [provider('cpu', false)] }))).toHaveProperty('skip');
  });
});

describe('startAutoCompile', () => {
  function harness(initial: ModelEntry[]) {
    let listener: (m: ModelEntry[]) => void = () => {};
    let models = initial;
    const queued: Array<{ modelId: string; provider: ProviderId; options: CompileOptions }> = [];
    const settings = { autoCompile: true };
    const notices: string[] = [];
    let refuse: Error | null = null;
    const stop = startAutoCompile({
      library: {
        list: () => models,
        onChange: (l) => {
          listener = l;
          return () => (listener = () => {});
        },
      },
      settings: { get: () => settings },
      engine: { status: () => ({ providers: cpuOnly }) },
      compile: {
        statuses: () => [],
        enqueue: async (modelId, provider, options) => {
          if (refuse) throw refuse;
          queued.push({ modelId, provider, options });
        },
      },
      notice: (m) => notices.push(m),
    });
    return {
      queued,
      settings,
      notices,
      stop,
      refuse: (e: Error) => (refuse = e),
      change(next: ModelEntry[]) {
        models = next;
        listener(next);
      },
    };
  }

  it('queues only models added after it started, once, with default options', async () => {
    const builtIn = model('b', { builtIn: true });
    const saved = model('s');
    const h = harness([builtIn, saved]);
    h.change([builtIn, saved, model('new')]);
    // A change that adds nothing (a removal) queues nothing more.
    h.change([builtIn, model('new')]);
    await Promise.resolve();
    expect(h.queued).toEqual([
      { modelId: 'new', provider: 'cpu', options: { dims: {}, dimRanges: {}, cudaGraph: false } },
    ]);
  });

  it('honours the setting at the time of the add', async () => {
    const h = harness([]);
    h.settings.autoCompile = false;
    h.change([model('x')]);
    h.settings.autoCompile = true;
    h.change([model('x'), model('y')]);
    await Promise.resolve();
    expect(h.queued.map((q) => q.modelId)).toEqual(['y']);
  });

  it('tells when a compile could not be queued, and stops watching when asked', async () => {
    const h = harness([]);
    h.refuse(new Error('the compile queue is shutting down'));
    h.change([model('x')]);
    await new Promise((r) => setImmediate(r));
    expect(h.notices).toEqual([
      'model-x could not be queued to compile for CPU: the compile queue is shutting down',
    ]);
    h.stop();
    h.change([model('x'), model('z')]);
    await new Promise((r) => setImmediate(r));
    expect(h.notices).toHaveLength(1);
  });
});

describe('startAutoCompile over the real model library', () => {
  it('leaves the built-ins found at start-up and duplicates alone, and queues a new model once', async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'crucible-auto-compile-'));
    try {
      const models = path.resolve(__dirname, '..', '..', 'models');
      const library = new ModelLibrary({
        dir: path.join(root, 'library'),
        builtInDir: models,
        inspect: (p) => inspectModel(p),
        checkExternalData: (p) => checkExternalData(p),
      });
      await library.open();
      expect(library.list().some((m) => m.builtIn)).toBe(true);
      const queued: string[] = [];
      startAutoCompile({
        library,
        settings: { get: () => ({ autoCompile: true }) },
        engine: { status: () => ({ providers: cpuOnly }) },
        compile: {
          statuses: () => [],
          enqueue: async (modelId) => void queued.push(modelId),
        },
      });
      // A copy of a built-in is the same model: the library answers with the built-in.
      const copy = path.join(root, 'mlp-copy.onnx');
      await copyFile(path.join(models, 'mlp-tiny.onnx'), copy);
      expect((await library.add(copy)).builtIn).toBe(true);
      const mine = path.join(root, 'mine.onnx');
      const graph = {
        name: 'mine',
        node: [node('Relu', ['x'], ['y'])],
        input: [tensorInfo('x', 1, [1, 'n'])],
        output: [tensorInfo('y', 1, [1, 'n'])],
      };
      await writeFile(mine, encodeModel(graph));
      const entry = await library.add(mine);
      await library.add(mine);
      expect(queued).toEqual([entry.id]);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
