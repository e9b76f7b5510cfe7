import { describe, expect, it } from 'vitest';
import type { CheckedEntry } from './cache';
import { entryId, keyOfEntryId, type CacheKey } from './key';
import { artifactOf, cacheEntryOf } from './view';

const key: CacheKey = {
  provider: 'nv-tensorrt-rtx',
  gpu: 'GPU-1234',
  driver: '581.15',
  ortVersion: '1.23.0',
  epVersion: 'ep0123',
  modelSha256: 'a'.repeat(64),
  optionsHash: '0123456789abcdef',
};

const corrupt = (id: string): CheckedEntry => ({
  id,
  dir: `/cache/${id}`,
  meta: null,
  state: 'corrupt',
  reason: 'meta.json is missing',
  sizeBytes: 10,
});

describe('cache entry views', () => {
  it('reads a key back from the folder it names (the inverse of entryId)', () => {
    expect(keyOfEntryId(entryId(key))).toEqual(key);
    expect(keyOfEntryId(entryId({ ...key, provider: 'cpu', epVersion: null }))).toEqual({
      ...key,
      provider: 'cpu',
      epVersion: null,
    });
  });

  it('describes an entry without a passport by its folder, so it can be seen and cleared', () => {
    const row = cacheEntryOf(corrupt(entryId(key)), (id) =>
      id === key.modelSha256 ? 'yolo.onnx' : undefined,
    );
    expect(row).toMatchObject({
      provider: 'nv-tensorrt-rtx',
      modelId: key.modelSha256,
      modelName: 'yolo.onnx',
      gpu: 'GPU-1234',
      driver: '581.15',
      ortVersion: '1.23.0',
      epVersion: 'ep0123',
      optionsHash: '0123456789abcdef',
      state: 'corrupt',
      createdAt: 0,
      compileMs: null,
    });
    expect(artifactOf(corrupt(entryId(key)))).toBeNull();
  });

  it('lists a folder named after no known provider as CPU rather than failing the listing', () => {
    const id = entryId({ ...key, provider: 'cpu' }).replace(/^cpu/, 'future-ep');
    expect(cacheEntryOf(corrupt(id), () => undefined)).toMatchObject({
      provider: 'cpu',
      modelName: key.modelSha256.slice(0, 12),
    });
  });
});
