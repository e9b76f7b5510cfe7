import { beforeEach, describe, expect, it } from 'vitest';
import { resetCompileStore, useCompileStore } from '../state/compile';
import { resetEngineStore, useEngineStore } from '../state/engine';
import { createFakeApi } from '../state/fake-api';
import { compileJob, gpuSnapshot, modelEntry } from '../state/fixtures';
import { resetGpuStore, useGpuStore } from '../state/gpu';
import { resetModelsStore, useModelsStore } from '../state/models';
import { resetNoticesStore, useNoticesStore } from '../state/notices';
import { connectStores } from './sync';

beforeEach(() => {
  resetCompileStore();
  resetEngineStore();
  resetGpuStore();
  resetModelsStore();
  resetNoticesStore();
});

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('connectStores', () => {
  it('reads the first state and follows the push channels until disconnected', async () => {
    const api = createFakeApi();
    api.handle('models:list', () => ({ ok: true, value: [modelEntry()] }));
    api.handle('compile:list', () => ({ ok: true, value: [] }));
    api.handle('engine:status', () => ({
      ok: false,
      error: { code: 'ENGINE_CRASHED', message: 'engine host exited' },
    }));
    const disconnect = connectStores(api);
    await flush();

    expect(useModelsStore.getState().entries.map((e) => e.id)).toEqual(['sha-mnist']);
    expect(useCompileStore.getState().loaded).toBe(true);
    expect(useEngineStore.getState().error?.code).toBe('ENGINE_CRASHED');

    api.emit('compile:progress', compileJob());
    api.emit('gpu:sample', gpuSnapshot(5));
    api.emit('models:changed', []);
    expect(useCompileStore.getState().jobs).toHaveLength(1);
    expect(useGpuStore.getState().snapshot?.sampledAt).toBe(5);
    expect(useModelsStore.getState().entries).toEqual([]);

    disconnect();
    expect(api.listenerCount('gpu:sample')).toBe(0);
    expect(api.listenerCount('engine:changed')).toBe(0);
  });

  it('reads the notices so far and follows app:notice', async () => {
    const api = createFakeApi();
    const damaged = {
      id: 'notice-1',
      level: 'warning',
      message: 'library damaged',
      at: 1,
    } as const;
    api.handle('app:notices', () => ({ ok: true, value: [damaged] }));
    const disconnect = connectStores(api);
    await flush();
    api.emit('app:notice', { id: 'notice-2', level: 'info', message: 'cache stale', at: 2 });
    expect(useNoticesStore.getState().notices.map((n) => n.message)).toEqual([
      'library damaged',
      'cache stale',
    ]);
    disconnect();
    expect(api.listenerCount('app:notice')).toBe(0);
  });

  it('drops answers that arrive after disconnecting', async () => {
    const api = createFakeApi();
    api.handle('models:list', () => ({ ok: true, value: [modelEntry()] }));
    connectStores(api)();
    await flush();
    expect(useModelsStore.getState().loaded).toBe(false);
  });
});
