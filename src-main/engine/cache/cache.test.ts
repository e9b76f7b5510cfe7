import { mkdtempSync } from 'node:fs';
import { readFile, readdir, truncate, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { CompileCache, type MachineFor, type NewMeta } from './cache';
import { entryId, optionsHash, safeSegment, type CacheKey } from './key';

const here = { gpu: 'GPU-1234', driver: '580.10', ortVersion: '1.30.0', epVersion: null };
const machine: MachineFor = () => here;
const key: CacheKey = {
  provider: 'webgpu',
  ...here,
  modelSha256: 'a'.repeat(64),
  optionsHash: optionsHash('webgpu', { dims: {}, dimRanges: {}, cudaGraph: false }),
};

function meta(k: CacheKey = key): NewMeta {
  return {
    version: 1,
    key: k,
    model: { name: 'm.onnx', path: '/models/m.onnx', bytes: 10, inputs: [] },
    options: { dims: {}, dimRanges: {}, cudaGraph: false },
    providerOptions: {},
    artifact: 'model.optimized.onnx',
    graphOptimizationLevel: 'disabled',
    kind: 'optimized',
    createdAt: 1,
    timings: {
      hashMs: 1,
      compileMs: 2,
      coldSessionMs: 3,
      warmSessionMs: 1,
      warmupRunMs: 1,
      totalMs: 5,
    },
    nodes: { provider: 3, cpu: 0 },
  };
}

let cache: CompileCache;
beforeEach(() => {
  cache = new CompileCache(mkdtempSync(path.join(os.tmpdir(), 'crucible-cache-')));
});

async function build(k: CacheKey = key, body = 'x'.repeat(100)) {
  const tmp = await cache.createTemp('job');
  await writeFile(path.join(tmp, 'model.optimized.onnx'), body);
  return cache.commit(tmp, meta(k));
}

describe('compile cache', () => {
  it('lays an entry out by provider, GPU, driver, ORT, model and options, and trusts it whole', async () => {
    const e = await build();
    expect(e.id).toBe(`webgpu/GPU-1234/580.10/1.30.0/${'a'.repeat(64)}/${key.optionsHash}`);
    expect(await cache.tempFolders()).toEqual([]);
    const [checked] = await cache.list(machine);
    expect(checked).toMatchObject({ state: 'valid', reason: null, sizeBytes: expect.any(Number) });
    expect(checked?.meta?.files).toEqual([
      { name: 'model.optimized.onnx', bytes: 100, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) },
    ]);
  });

  it('puts the EP library version beside ORT in the path', () => {
    expect(entryId({ ...key, provider: 'nv-tensorrt-rtx', epVersion: 'sha256-abc' })).toContain(
      '/1.30.0+sha256-abc/',
    );
  });

  it('reports a truncated file as corrupt, and a rebuild replaces it', async () => {
    const e = await build();
    await truncate(path.join(e.dir, 'model.optimized.onnx'), 40);
    expect(await cache.check(e.id, machine)).toMatchObject({
      state: 'corrupt',
      reason: 'model.optimized.onnx is truncated (40 of 100 bytes)',
    });
    expect(await cache.findValid(key, machine)).toBeNull();
    await build();
    expect((await cache.check(e.id, machine)).state).toBe('valid');
    expect(await readdir(path.join(cache.root, '.trash')).catch(() => [])).toEqual([]);
  });

  it('catches a file changed in place by its hash', async () => {
    const e = await build();
    await writeFile(path.join(e.dir, 'model.optimized.onnx'), 'y'.repeat(100));
    expect(await cache.check(e.id, machine)).toMatchObject({
      state: 'corrupt',
      reason: 'model.optimized.onnx is damaged (its sha256 does not match)',
    });
  });

  it('reports an edited meta.json as corrupt (its checksum no longer holds)', async () => {
    const e = await build();
    const file = path.join(e.dir, 'meta.json');
    const m = JSON.parse(await readFile(file, 'utf8')) as { nodes: { provider: number } };
    m.nodes.provider = 99;
    await writeFile(file, JSON.stringify(m));
    expect(await cache.check(e.id, machine)).toMatchObject({
      state: 'corrupt',
      reason: 'meta.json was edited or damaged (its checksum does not match)',
    });
    await writeFile(file, '{ not json');
    expect((await cache.check(e.id, machine)).reason).toMatch(/not valid JSON/);
  });

  it.each([
    [{ ...here, driver: '581.0' }, 'driver updated from 580.10 to 581.0'],
    [{ ...here, gpu: 'GPU-9999' }, 'GPU changed: built for GPU-1234, this machine has GPU-9999'],
    [{ ...here, ortVersion: '1.31.0' }, 'ONNX Runtime changed from 1.30.0 to 1.31.0'],
  ])('is stale when this machine changed (%o)', async (now, reason) => {
    const e = await build();
    expect(await cache.check(e.id, () => now)).toMatchObject({ state: 'stale', reason });
    expect(await cache.findValid(key, () => now)).toBeNull();
  });

  it('is stale with the reason when the provider cannot run here', async () => {
    const e = await build();
    const gone: MachineFor = () => ({ unavailable: 'WebGPU is not available here: no adapter' });
    expect(await cache.check(e.id, gone)).toMatchObject({
      state: 'stale',
      reason: 'WebGPU is not available here: no adapter',
    });
  });

  it('refuses ids that are not entry paths', () => {
    expect(() => cache.dirOf('../../etc/passwd')).toThrow(/not a compile-cache entry id/);
    expect(() => cache.dirOf('a/b/c/d/e/..')).toThrow(/not a compile-cache entry id/);
    expect(safeSegment('../x/y')).toBe('__x_y');
  });

  it('sweeps temp folders a crash left, and clears entries with their sizes', async () => {
    await cache.createTemp('crashed');
    const a = await build();
    const b = await build({ ...key, modelSha256: 'b'.repeat(64) });
    expect(await cache.sweep()).toBe(1);
    expect(await cache.tempFolders()).toEqual([]);
    expect(await cache.clear(a.id)).toEqual({ removed: 1, freedBytes: a.sizeBytes });
    expect(await cache.ids()).toEqual([b.id]);
    expect(await cache.clear()).toEqual({ removed: 1, freedBytes: b.sizeBytes });
    expect(await readdir(cache.root)).toEqual(['.tmp']);
  });
});
