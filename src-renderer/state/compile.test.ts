import { beforeEach, describe, expect, it } from 'vitest';
import {
  cacheCleared,
  compileFormChanged,
  compileInputsChecked,
  compileRequested,
  connectCompile,
  resetCompileStore,
  useCompileStore,
} from './compile';
import { createFakeApi } from './fake-api';
import { compileJob } from './fixtures';
import {
  buildRunRequest,
  resetRunStore,
  runDimChanged,
  runInputsChanged,
  runModelChosen,
  runProviderChosen,
  sizingKey,
  useRunStore,
} from './run';
import type { ModelEntry } from '../../src-main/ipc/contract';

beforeEach(resetCompileStore);

describe('compile store', () => {
  it('follows status chips and switch-overs until disconnected', async () => {
    const api = createFakeApi();
    const chip = { modelId: 'm', provider: 'cpu' as const, state: 'ready' as const, reason: null };
    api.handle('compile:status', () => ({ ok: true, value: [chip] }));
    const off = connectCompile(api);
    await Promise.resolve();
    await Promise.resolve();
    expect(useCompileStore.getState().statuses).toEqual([chip]);
    api.emit('run:switched', {
      modelId: 'm',
      from: 'cpu',
      to: 'webgpu',
      beforeMs: 26,
      afterMs: 3.3,
      message: 'was 26 ms on CPU, now 3.3 ms on WebGPU',
      at: 1,
    });
    expect(useCompileStore.getState().switches[0]?.message).toBe(
      'was 26 ms on CPU, now 3.3 ms on WebGPU',
    );
    off();
    expect(api.listenerCount('run:switched')).toBe(0);
    expect(api.listenerCount('compile:status-changed')).toBe(0);
  });

  it('puts an enqueued job in the queue, and keeps a refusal to show', async () => {
    const api = createFakeApi();
    compileFormChanged({ modelId: 'm', provider: 'cpu' });
    api.handle('compile:enqueue', () => ({
      ok: true,
      value: compileJob({ id: 'j9', state: 'queued' }),
    }));
    await compileRequested(api);
    expect(useCompileStore.getState().jobs.map((j) => j.id)).toEqual(['j9']);
    expect(api.calls.at(-1)).toEqual({
      channel: 'compile:enqueue',
      input: { modelId: 'm', provider: 'cpu' },
    });
    api.handle('compile:enqueue', () => ({
      ok: false,
      error: { code: 'PROVIDER_UNAVAILABLE', message: 'TensorRT-RTX cannot compile here' },
    }));
    await compileRequested(api);
    expect(useCompileStore.getState().actionError?.code).toBe('PROVIDER_UNAVAILABLE');
  });

  it('compiles a dynamic model at the dims the Run form uses, so the next run can use the entry', async () => {
    resetRunStore();
    const api = createFakeApi();
    api.handle('compile:enqueue', () => ({ ok: true, value: compileJob({ id: 'j1' }) }));
    const dynamic = {
      id: 'dyn',
      name: 'dyn.onnx',
      inspection: { dynamicDims: ['batch', 'seq'] },
    } as unknown as ModelEntry;
    runModelChosen(dynamic);
    runDimChanged('batch', 4);
    compileFormChanged({ modelId: 'dyn', provider: 'cpu' });
    await compileRequested(api, dynamic);
    expect(api.calls.at(-1)).toEqual({
      channel: 'compile:enqueue',
      input: {
        modelId: 'dyn',
        provider: 'cpu',
        options: { dims: { batch: 4 }, dimRanges: {}, cudaGraph: false },
      },
    });
    // The model ran with seq 12 (a token file sized it): the compile is for what ran, typed
    // dims first — while the form is still the one that ran.
    runProviderChosen('cpu');
    runInputsChanged({ kinds: { ids: 'file' }, files: { ids: '/data/ids.txt' } });
    const ran = buildRunRequest(useRunStore.getState().form);
    if (!('request' in ran)) throw new Error('form incomplete');
    useRunStore.setState({
      resultSizing: sizingKey(ran.request),
      result: {
        modelId: 'dyn',
        provider: 'cpu',
        variant: 'original',
        entryId: null,
        dims: { batch: 4, seq: 12 },
        sessionMs: 1,
        runMs: 1,
        outputs: [],
      },
    });
    await compileRequested(api, dynamic);
    expect(api.calls.at(-1)?.input).toMatchObject({ options: { dims: { batch: 4, seq: 12 } } });
    // Another token file since that run: its seq is not known here; the main side sizes it.
    runInputsChanged({ files: { ids: '/data/other-ids.txt' } });
    await compileRequested(api, dynamic);
    expect(api.calls.at(-1)?.input).toMatchObject({ options: { dims: { batch: 4 } } });
    expect(
      (api.calls.at(-1)?.input as { options: { dims: object } }).options.dims,
    ).not.toHaveProperty('seq');
    // Not the Run form's model: nothing typed; the main side sizes the dims as a run would.
    runModelChosen(null);
    await compileRequested(api, dynamic);
    expect(api.calls.at(-1)?.input).toEqual({ modelId: 'dyn', provider: 'cpu' });
  });

  it("checks the compile's inputs with the dims the compile will have (the Run form's, then as a run sizes them)", async () => {
    resetRunStore();
    const api = createFakeApi();
    api.handle('inputs:check', () => ({
      ok: true,
      value: { fed: [], dimChoices: [], replay: [] },
    }));
    const dynamic = {
      id: 'dyn',
      name: 'dyn.onnx',
      inspection: { dynamicDims: ['batch', 'seq'], inputs: [] },
    } as unknown as ModelEntry;
    runModelChosen(dynamic);
    runDimChanged('batch', 4);
    compileFormChanged({ modelId: 'dyn', provider: 'cpu' });
    compileInputsChecked(api, dynamic);
    await Promise.resolve();
    expect(api.calls.at(-1)).toMatchObject({
      channel: 'inputs:check',
      input: { modelId: 'dyn', inputs: { dims: { batch: 4 } }, asRun: true },
    });
  });

  it('re-reads the cache after clearing', async () => {
    const api = createFakeApi();
    api.handle('cache:clear', () => ({ ok: true, value: { removed: 1, freedBytes: 10 } }));
    api.handle('cache:list', () => ({ ok: true, value: [] }));
    await cacheCleared(api, 'cpu/cpu/x/1.30.0/m/o');
    expect(api.calls.map((c) => c.channel)).toEqual(['cache:clear', 'cache:list']);
    expect(useCompileStore.getState()).toMatchObject({ cache: [], cacheLoaded: true });
  });
});
