import { beforeEach, describe, expect, it } from 'vitest';
import {
  benchCompareToggled,
  benchExportRequested,
  benchFormChanged,
  benchFormProblem,
  benchProgressReceived,
  benchRunRequested,
  resetBenchStore,
  useBenchStore,
} from './bench';
import { createFakeApi } from './fake-api';
import { benchResult } from './fixtures';

beforeEach(() => resetBenchStore());

describe('benchmark run form', () => {
  it('says what is missing before it can run', () => {
    const form = useBenchStore.getState().form;
    expect(benchFormProblem(form)).toBe('Choose a model');
    expect(benchFormProblem({ ...form, modelId: 'm' })).toBe('Choose a provider');
    const ready = { ...form, modelId: 'm', provider: 'cpu' as const };
    expect(benchFormProblem(ready)).toBeNull();
    expect(benchFormProblem({ ...ready, iterations: 0 })).toMatch(/Iterations/);
    expect(benchFormProblem({ ...ready, by: 'duration', durationS: Number.NaN })).toMatch(
      /Duration/,
    );
    expect(benchFormProblem({ ...ready, warmup: -1 })).toMatch(/Warm-up/);
  });

  it('never keeps graph mode for a provider that cannot capture graphs', () => {
    benchFormChanged({ provider: 'cuda', mode: 'graph' });
    expect(useBenchStore.getState().form.mode).toBe('graph');
    benchFormChanged({ provider: 'cpu' });
    expect(useBenchStore.getState().form.mode).toBe('plain');
    benchFormChanged({ mode: 'graph' });
    expect(useBenchStore.getState().form.mode).toBe('plain');
    benchFormChanged({ mode: 'iobinding' });
    expect(useBenchStore.getState().form.mode).toBe('iobinding');
  });

  it('sends a count or a duration, and puts the result first', async () => {
    const api = createFakeApi();
    api.handle('bench:run', () => ({ ok: true, value: benchResult({ id: 'new' }) }));
    useBenchStore.setState({ results: [benchResult({ id: 'old' })] });
    benchFormChanged({ modelId: 'm', provider: 'cpu', mode: 'iobinding', iterations: 50 });
    const pending = benchRunRequested(api);
    expect(useBenchStore.getState().running).toBe(true);
    benchProgressReceived({
      modelId: 'm',
      provider: 'cpu',
      mode: 'iobinding',
      phase: 'measure',
      done: 10,
      total: 50,
    });
    expect(useBenchStore.getState().progress?.done).toBe(10);
    await pending;
    expect(api.calls[0]).toEqual({
      channel: 'bench:run',
      input: {
        modelId: 'm',
        provider: 'cpu',
        mode: 'iobinding',
        warmup: 10,
        profile: false,
        iterations: 50,
      },
    });
    const s = useBenchStore.getState();
    expect(s.running).toBe(false);
    expect(s.lastId).toBe('new');
    expect(s.results.map((r) => r.id)).toEqual(['new', 'old']);

    benchFormChanged({ by: 'duration', durationS: 2.5 });
    await benchRunRequested(api);
    expect(api.calls[1]?.input).toMatchObject({ durationS: 2.5 });
    expect(api.calls[1]?.input).not.toHaveProperty('iterations');
  });

  it('keeps the error of a run that could not start', async () => {
    const api = createFakeApi();
    api.handle('bench:run', () => ({
      ok: false,
      error: { code: 'PROVIDER_UNAVAILABLE', message: 'no GPU' },
    }));
    benchFormChanged({ modelId: 'm', provider: 'webgpu' });
    await benchRunRequested(api);
    expect(useBenchStore.getState()).toMatchObject({
      running: false,
      runError: { code: 'PROVIDER_UNAVAILABLE' },
    });
  });
});

describe('benchmark export', () => {
  it('returns the file, or keeps the error', async () => {
    const api = createFakeApi();
    api.handle('bench:export', (input) => ({
      ok: true,
      value: { fileName: `b.${input.format}`, mime: 'text/csv', content: 'id\r\n' },
    }));
    expect(await benchExportRequested(api, 'csv')).toMatchObject({ fileName: 'b.csv' });
    const failing = createFakeApi();
    expect(await benchExportRequested(failing, 'json')).toBeNull();
    expect(useBenchStore.getState().exportError?.code).toBe('UNSUPPORTED');
  });
});

describe('comparing two results', () => {
  const comparison = {
    a: { label: 'a', p50Ms: 2, samples: 100, verdict: null },
    b: { label: 'b', p50Ms: 1, samples: 100, verdict: null },
    diffMs: -1,
    diffRel: -0.5,
    ci95Ms: [-1.1, -0.9] as [number, number],
    withinNoise: false,
    resamples: 2000,
    notes: [],
  };

  it('asks bench:compare for B (the second pick) against A once two are ticked', async () => {
    const api = createFakeApi();
    api.handle('bench:compare', () => ({ ok: true, value: comparison }));
    await benchCompareToggled(api, 'x');
    expect(api.calls).toEqual([]);
    expect(useBenchStore.getState().compareIds).toEqual(['x']);
    await benchCompareToggled(api, 'y');
    expect(api.calls).toEqual([{ channel: 'bench:compare', input: { a: 'x', b: 'y' } }]);
    expect(useBenchStore.getState().comparison).toEqual(comparison);
  });

  it('keeps at most two picks (the oldest drops off) and unticking clears the comparison', async () => {
    const api = createFakeApi();
    api.handle('bench:compare', () => ({ ok: true, value: comparison }));
    await benchCompareToggled(api, 'x');
    await benchCompareToggled(api, 'y');
    await benchCompareToggled(api, 'z');
    expect(useBenchStore.getState().compareIds).toEqual(['y', 'z']);
    await benchCompareToggled(api, 'z');
    expect(useBenchStore.getState().compareIds).toEqual(['y']);
    expect(useBenchStore.getState().comparison).toBeNull();
  });

  it('shows the error when a result is gone', async () => {
    const api = createFakeApi();
    api.handle('bench:compare', () => ({
      ok: false,
      error: { code: 'NOT_FOUND', message: 'no benchmark result y in the history' },
    }));
    await benchCompareToggled(api, 'x');
    await benchCompareToggled(api, 'y');
    expect(useBenchStore.getState().compareError?.code).toBe('NOT_FOUND');
  });
});
