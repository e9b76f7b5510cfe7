import { beforeEach, describe, expect, it } from 'vitest';
import { createFakeApi } from './fake-api';
import { modelEntry } from './fixtures';
import {
  areaLeft,
  dropErrorDismissed,
  dropResultsReceived,
  filesDropped,
  modelRemoveRequested,
  modelSelected,
  modelsLoaded,
  resetModelsStore,
  useModelsStore,
} from './models';

beforeEach(resetModelsStore);

const a = modelEntry({ id: 'a', name: 'a' });
const b = modelEntry({ id: 'b', name: 'b', builtIn: false });

describe('models library', () => {
  it('selects the first model on first load and keeps a selection that still exists', () => {
    modelsLoaded([a, b]);
    expect(useModelsStore.getState().selectedId).toBe('a');
    modelSelected('b');
    modelsLoaded([b, a]);
    expect(useModelsStore.getState().selectedId).toBe('b');
    modelsLoaded([a]);
    expect(useModelsStore.getState().selectedId).toBe('a');
    expect(useModelsStore.getState().loaded).toBe(true);
  });

  it('adds successful drops, selects the newest, and ties errors to the file they name', () => {
    modelsLoaded([a]);
    dropResultsReceived(
      ['b.onnx', 'broken.onnx', 'other.onnx'],
      [
        { ok: true, value: b },
        {
          ok: false,
          error: { code: 'MODEL_INVALID', message: 'broken.onnx is not an ONNX model' },
        },
        { ok: false, error: { code: 'IO_ERROR', message: 'Disk full' } },
      ],
    );
    const state = useModelsStore.getState();
    expect(state.entries.map((e) => e.id)).toEqual(['a', 'b']);
    expect(state.selectedId).toBe('b');
    expect(state.dropErrors.map((e) => e.fileName)).toEqual(['broken.onnx', null]);
    const first = state.dropErrors[0];
    if (first === undefined) throw new Error('expected a drop error');
    dropErrorDismissed(first.id);
    expect(useModelsStore.getState().dropErrors.map((e) => e.error.code)).toEqual(['IO_ERROR']);
  });

  it('a drop that adds a model clears earlier drop errors but keeps its own', () => {
    const notModel = {
      ok: false as const,
      error: { code: 'MODEL_INVALID' as const, message: 'notes.txt is not an ONNX model (.onnx)' },
    };
    dropResultsReceived(['notes.txt'], [notModel]);
    dropResultsReceived(['notes.txt'], [notModel]);
    expect(useModelsStore.getState().dropErrors).toHaveLength(2);
    dropResultsReceived(['b.onnx', 'notes.txt'], [{ ok: true, value: b }, notModel]);
    expect(useModelsStore.getState().dropErrors.map((e) => e.fileName)).toEqual(['notes.txt']);
    dropResultsReceived(['b.onnx'], [{ ok: true, value: b }]);
    expect(useModelsStore.getState().dropErrors).toEqual([]);
  });

  it('leaving the area clears drop errors: they never follow the user to another area', () => {
    dropResultsReceived(
      ['notes.txt'],
      [{ ok: false, error: { code: 'MODEL_INVALID', message: 'notes.txt is not an ONNX model' } }],
    );
    expect(useModelsStore.getState().dropErrors).toHaveLength(1);
    areaLeft();
    expect(useModelsStore.getState().dropErrors).toEqual([]);
  });

  it('names the only dropped file when the message does not', () => {
    dropResultsReceived(
      ['x.onnx'],
      [{ ok: false, error: { code: 'IO_ERROR', message: 'Denied' } }],
    );
    expect(useModelsStore.getState().dropErrors[0]?.fileName).toBe('x.onnx');
  });
});

describe('filesDropped', () => {
  it('sends the files to addFiles and counts them while adding', async () => {
    const api = createFakeApi();
    let seenAdding = 0;
    api.handleFiles(async (files) => {
      seenAdding = useModelsStore.getState().adding;
      return files.map(() => ({ ok: true as const, value: b }));
    });
    await filesDropped(api, [new File(['x'], 'b.onnx')]);
    expect(seenAdding).toBe(1);
    expect(useModelsStore.getState().adding).toBe(0);
    expect(useModelsStore.getState().selectedId).toBe('b');
  });

  it('turns a rejected addFiles into a message naming the files', async () => {
    const api = createFakeApi();
    api.handleFiles(async () => {
      throw new Error('socket closed');
    });
    await filesDropped(api, [new File(['x'], 'm.onnx'), new File(['y'], 'm.onnx.data')]);
    const [error] = useModelsStore.getState().dropErrors;
    expect(error?.error.message).toBe('Could not add m.onnx, m.onnx.data: socket closed');
    expect(error?.fileName).toBe('m.onnx');
  });
});

describe('modelRemoveRequested', () => {
  it('drops the model from the list when the main side removed it', async () => {
    const api = createFakeApi();
    api.handle('models:remove', () => ({ ok: true, value: { removed: true } }));
    api.handle('cache:list', () => ({ ok: true, value: [] }));
    modelsLoaded([a, b]);
    modelSelected('b');
    await modelRemoveRequested(api, 'b', () => true);
    expect(useModelsStore.getState().entries.map((e) => e.id)).toEqual(['a']);
    expect(useModelsStore.getState().selectedId).toBe('a');
  });

  it('asks first, saying what goes; a no removes nothing', async () => {
    const api = createFakeApi();
    let removed = 0;
    const cleared: string[] = [];
    api.handle('models:remove', () => {
      removed++;
      return { ok: true, value: { removed: true } };
    });
    api.handle('cache:list', () => ({
      ok: true,
      value: [
        { id: 'c1', modelId: 'b', sizeBytes: 2 ** 20 },
        { id: 'c2', modelId: 'a', sizeBytes: 1 },
      ] as never,
    }));
    api.handle('cache:clear', (input: { entryId?: string }) => {
      cleared.push(input.entryId ?? '');
      return { ok: true, value: { removed: 1, freedBytes: 1 } };
    });
    modelsLoaded([a, b]);
    let asked = '';
    await modelRemoveRequested(api, 'b', (text) => {
      asked = text;
      return false;
    });
    expect(asked).toMatch(/its entry in the model library/);
    expect(asked).toMatch(/1 compiled cache entry \(1\.0 MiB\)/);
    expect([removed, cleared]).toEqual([0, []]);
    await modelRemoveRequested(api, 'b', () => true);
    expect([removed, cleared]).toEqual([1, ['c1']]);
  });

  it("names the model's precision variants and clears their cache entries too", async () => {
    const api = createFakeApi();
    const cleared: string[] = [];
    api.handle('models:remove', () => ({ ok: true, value: { removed: true } }));
    api.handle('cache:list', () => ({
      ok: true,
      value: [
        { id: 'c1', modelId: 'b', sizeBytes: 1 },
        { id: 'c3', modelId: 'b-fp16', sizeBytes: 1 },
        { id: 'c2', modelId: 'a', sizeBytes: 1 },
      ] as never,
    }));
    api.handle('cache:clear', (input: { entryId?: string }) => {
      cleared.push(input.entryId ?? '');
      return { ok: true, value: { removed: 1, freedBytes: 1 } };
    });
    const withVariant = {
      ...b,
      variants: [{ kind: 'fp16', id: 'b-fp16', path: '/lib/variants/b/b.fp16.onnx' }],
    } as typeof b;
    modelsLoaded([a, withVariant]);
    let asked = '';
    await modelRemoveRequested(api, 'b', (text) => {
      asked = text;
      return true;
    });
    expect(asked).toMatch(/its fp16 variant \(b\.fp16\.onnx\)/);
    expect(asked).toMatch(/2 compiled cache entries/);
    expect(cleared).toEqual(['c1', 'c3']);
  });
});
