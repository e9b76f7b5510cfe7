// The Electron client: a file dropped on an input's path field (or picked) is named by its path
// on this machine, from the preload bridge's getPathForFile — the path the inputs editor sends.
import { describe, expect, it, vi } from 'vitest';
import { createPreloadApi, type PreloadBridge } from './preload-client';

describe('createPreloadApi', () => {
  it("gives a file's path from the bridge's getPathForFile", () => {
    const getPathForFile = vi.fn(() => '/home/me/data/x.npy');
    const bridge = { invoke: vi.fn(), on: vi.fn(), getPathForFile } as unknown as PreloadBridge;
    const api = createPreloadApi(bridge);
    const file = { name: 'x.npy' } as File;
    expect(api.pathForFile?.(file)).toBe('/home/me/data/x.npy');
    expect(getPathForFile).toHaveBeenCalledWith(file);
  });
});
