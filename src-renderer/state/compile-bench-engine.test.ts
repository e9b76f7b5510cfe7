import { beforeEach, describe, expect, it } from 'vitest';
import { benchHistoryRequested, resetBenchStore, useBenchStore } from './bench';
import {
  compileJobsLoaded,
  compileProgressReceived,
  resetCompileStore,
  useCompileStore,
} from './compile';
import {
  engineLoadFailed,
  engineStatusChanged,
  resetEngineStore,
  selectProviders,
  useEngineStore,
} from './engine';
import { createFakeApi } from './fake-api';
import { benchResult, compileJob, provider } from './fixtures';

beforeEach(() => {
  resetBenchStore();
  resetCompileStore();
  resetEngineStore();
});

describe('compile queue', () => {
  it('updates a known job in place and puts a new one first', () => {
    compileJobsLoaded([compileJob({ id: 'j1' }), compileJob({ id: 'j0', state: 'done' })]);
    compileProgressReceived(compileJob({ id: 'j0', state: 'failed' }));
    compileProgressReceived(compileJob({ id: 'j2', state: 'queued' }));
    expect(useCompileStore.getState().jobs.map((j) => `${j.id}:${j.state}`)).toEqual([
      'j2:queued',
      'j1:running',
      'j0:failed',
    ]);
  });
});

describe('benchmark history', () => {
  it('loads the history', async () => {
    const api = createFakeApi();
    api.handle('bench:history', () => ({ ok: true, value: [benchResult()] }));
    const pending = benchHistoryRequested(api);
    expect(useBenchStore.getState().loading).toBe(true);
    await pending;
    expect(useBenchStore.getState()).toMatchObject({ loaded: true, loading: false, error: null });
    expect(useBenchStore.getState().results).toHaveLength(1);
  });

  it('keeps the error', async () => {
    const api = createFakeApi();
    await benchHistoryRequested(api);
    expect(useBenchStore.getState().error?.code).toBe('UNSUPPORTED');
    expect(useBenchStore.getState().loading).toBe(false);
  });
});

describe('engine', () => {
  it('clears a load error when a status arrives', () => {
    engineLoadFailed({ code: 'ENGINE_CRASHED', message: 'gone' });
    engineStatusChanged({
      state: 'ready',
      ortVersion: '1.30.0',
      libraryPath: null,
      providers: [provider('cpu', true)],
      restarts: 0,
      lastError: null,
    });
    expect(useEngineStore.getState().error).toBeNull();
    expect(selectProviders(useEngineStore.getState()).map((p) => p.id)).toEqual(['cpu']);
  });

  it('has no providers before the engine answers', () => {
    expect(selectProviders(useEngineStore.getState())).toEqual([]);
  });
});
