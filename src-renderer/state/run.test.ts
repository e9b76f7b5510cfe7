import { beforeEach, describe, expect, it } from 'vitest';
import type { RunResult } from '../../src-main/ipc/contract';
import type { Result } from '../../src-main/shared/result';
import { createFakeApi } from './fake-api';
import { modelEntry, provider } from './fixtures';
import {
  bestProvider,
  buildRunRequest,
  resetRunStore,
  runDimChanged,
  runModelChosen,
  runProviderChosen,
  runRequested,
  runnableModels,
  useRunStore,
} from './run';

beforeEach(resetRunStore);

const result: RunResult = {
  modelId: 'sha-mnist',
  provider: 'cpu',
  sessionMs: 12,
  runMs: 0.4,
  outputs: [],
};

describe('provider and model choice', () => {
  it('prefers the fastest available provider', () => {
    expect(bestProvider([provider('cpu', true), provider('cuda', true)])).toBe('cuda');
    expect(bestProvider([provider('cpu', true), provider('cuda', false, 'No CUDA')])).toBe('cpu');
    expect(bestProvider([provider('cpu', false, 'broken')])).toBeNull();
  });

  it('offers only models that were read without error', () => {
    const bad = modelEntry({
      id: 'bad',
      inspection: null,
      error: { code: 'MODEL_INVALID', message: 'bad.onnx: not a model' },
    });
    expect(runnableModels([modelEntry(), bad]).map((m) => m.id)).toEqual(['sha-mnist']);
  });

  it('gives each symbolic dim a field, keeping typed values', () => {
    runModelChosen(modelEntry());
    expect(useRunStore.getState().form.dims).toEqual({ N: 1 });
    runDimChanged('N', 8);
    runModelChosen(modelEntry({ id: 'other' }));
    expect(useRunStore.getState().form).toMatchObject({ modelId: 'other', dims: { N: 8 } });
  });
});

describe('buildRunRequest', () => {
  const form = {
    modelId: 'm',
    provider: 'cpu' as const,
    dims: { N: 2 },
    fill: 'zeros' as const,
    seed: 3,
  };

  it('builds the request from a complete form', () => {
    expect(buildRunRequest(form)).toEqual({
      request: { modelId: 'm', provider: 'cpu', dims: { N: 2 }, fill: 'zeros', seed: 3 },
    });
  });

  it.each([
    [{ modelId: null }, 'Choose a model to run.'],
    [{ provider: null }, 'Choose an execution provider.'],
    [{ dims: { N: 0 } }, 'Dimension "N" needs a whole number of at least 1.'],
    [{ dims: { N: Number.NaN } }, 'Dimension "N" needs a whole number of at least 1.'],
    [{ seed: 1.5 }, 'The seed must be a whole number.'],
  ])('rejects %j', (change, message) => {
    expect(buildRunRequest({ ...form, ...change })).toEqual({
      error: { code: 'BAD_REQUEST', message },
    });
  });
});

describe('runRequested', () => {
  it('runs and keeps the result', async () => {
    const api = createFakeApi();
    api.handle('run:execute', () => ({ ok: true, value: result }));
    runModelChosen(modelEntry());
    runProviderChosen('cpu');
    const pending = runRequested(api);
    expect(useRunStore.getState().status).toBe('running');
    await pending;
    expect(useRunStore.getState()).toMatchObject({ status: 'done', result, error: null });
    expect(api.calls[0]?.input).toEqual({
      modelId: 'sha-mnist',
      provider: 'cpu',
      dims: { N: 1 },
      fill: 'random',
      seed: 1,
    });
  });

  it('keeps the error from the main side', async () => {
    const api = createFakeApi();
    api.handle('run:execute', () => ({
      ok: false,
      error: { code: 'ORT_ERROR', message: 'Shape mismatch' },
    }));
    runModelChosen(modelEntry());
    runProviderChosen('cpu');
    await runRequested(api);
    expect(useRunStore.getState()).toMatchObject({ status: 'failed', result: null });
    expect(useRunStore.getState().error?.code).toBe('ORT_ERROR');
  });

  it('does not call the main side for an incomplete form', async () => {
    const api = createFakeApi();
    await runRequested(api);
    expect(api.calls).toHaveLength(0);
    expect(useRunStore.getState().error?.message).toBe('Choose a model to run.');
  });

  it('ignores an answer that arrives after a newer request', async () => {
    const api = createFakeApi();
    const answers: ((r: Result<RunResult>) => void)[] = [];
    api.handle('run:execute', () => new Promise((resolve) => answers.push(resolve)));
    runModelChosen(modelEntry());
    runProviderChosen('cpu');
    const first = runRequested(api);
    const second = runRequested(api);
    answers[1]?.({ ok: true, value: { ...result, runMs: 2 } });
    await second;
    answers[0]?.({ ok: true, value: { ...result, runMs: 1 } });
    await first;
    expect(useRunStore.getState().result?.runMs).toBe(2);
  });
});
