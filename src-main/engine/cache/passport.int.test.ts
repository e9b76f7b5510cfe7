// The passport of a TensorRT-RTX-style entry (EP-context model + engine hashed, runtime cache the
// EP's to grow) and the provider's own compatibility answer, asked of the real ONNX Runtime in this
// process (GetModelCompatibilityForEpDevices through engine/providers/compatibility.ts).
import { copyFile, mkdtemp, mkdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { RUNTIME_CACHE_DIR } from '../providers/options';
import { compiledModelCompatibility } from '../providers/compatibility';
import {
  CompileCache,
  EP_OWNED_DIRS,
  type CompatibilityFor,
  type MachineFor,
  type NewMeta,
} from './cache';
import { optionsHash, type CacheKey } from './key';

const root = path.resolve(__dirname, '..', '..', '..');
const here = { gpu: 'cpu', driver: 'x64-test', ortVersion: '1.30.0', epVersion: null };
const machine: MachineFor = () => here;
const options = { dims: {}, dimRanges: {}, cudaGraph: false };

function meta(k: CacheKey, artifact: string, kind: NewMeta['kind']): NewMeta {
  return {
    version: 1,
    key: k,
    model: {
      name: 'mlp-tiny.onnx',
      path: path.join(root, 'models', 'mlp-tiny.onnx'),
      bytes: 10,
      inputs: [],
    },
    options,
    providerOptions: { nv_runtime_cache_path: RUNTIME_CACHE_DIR },
    artifact,
    graphOptimizationLevel: 'disabled',
    kind,
    createdAt: 1,
    timings: {
      hashMs: 1,
      compileMs: 2,
      coldSessionMs: 3,
      warmSessionMs: 1,
      warmupRunMs: 1,
      totalMs: 5,
    },
    nodes: null,
  };
}

let cache: CompileCache;
beforeEach(async () => {
  // A user-data folder with a non-ASCII name, as on a Windows account called "Zoë".
  cache = new CompileCache(await mkdtemp(path.join(os.tmpdir(), 'crucible-passport-Zoë-用户-')));
});

/** An entry laid out like a TensorRT-RTX compile: ctx model, engine beside it, runtime cache. */
async function buildEntry(provider: CacheKey['provider']) {
  const k: CacheKey = {
    provider,
    ...here,
    modelSha256: 'b'.repeat(64),
    optionsHash: optionsHash(provider, options),
  };
  const tmp = await cache.createTemp('job');
  await copyFile(path.join(root, 'models', 'mlp-tiny.onnx'), path.join(tmp, 'model_ctx.onnx'));
  await writeFile(path.join(tmp, 'model_ctx_nv_0.engine'), 'engine'.repeat(50));
  await mkdir(path.join(tmp, RUNTIME_CACHE_DIR));
  await writeFile(path.join(tmp, RUNTIME_CACHE_DIR, 'kernels-0.bin'), 'k'.repeat(64));
  return cache.commit(tmp, meta(k, 'model_ctx.onnx', 'optimized'));
}

describe('the compile-cache passport', () => {
  it('hashes the EP-context model and engine, not the runtime cache the EP keeps growing', async () => {
    expect(EP_OWNED_DIRS).toContain(RUNTIME_CACHE_DIR);
    const e = await buildEntry('cpu');
    expect(e.meta?.files.map((f) => f.name)).toEqual(['model_ctx.onnx', 'model_ctx_nv_0.engine']);
    // The EP adds kernels after sealing (a new shape, the next start): still a valid entry.
    const rc = path.join(e.dir, RUNTIME_CACHE_DIR);
    await writeFile(path.join(rc, 'kernels-0.bin'), 'k'.repeat(4096));
    await writeFile(path.join(rc, 'kernels-1.bin'), 'new');
    expect(await cache.check(e.id, machine, true)).toMatchObject({ state: 'valid', reason: null });
    // The engine itself is frozen: a changed byte is corruption.
    const engine = path.join(e.dir, 'model_ctx_nv_0.engine');
    const bytes = await readFile(engine);
    bytes[0] = 0x45 ^ (bytes[0] ?? 0);
    await writeFile(engine, bytes);
    expect(await cache.check(e.id, machine, true)).toMatchObject({
      state: 'corrupt',
      reason: 'model_ctx_nv_0.engine is damaged (its sha256 does not match)',
    });
  });

  it('reads an older passport that hashed the runtime cache without calling the grown cache corrupt', async () => {
    const e = await buildEntry('cpu');
    const metaFile = path.join(e.dir, 'meta.json');
    const m = JSON.parse(await readFile(metaFile, 'utf8')) as {
      files: unknown[];
      checksum: string;
    };
    m.files.push({ name: `${RUNTIME_CACHE_DIR}/kernels-0.bin`, bytes: 64, sha256: 'c'.repeat(64) });
    const { metaChecksum } = await import('./meta');
    m.checksum = metaChecksum(m as never);
    await writeFile(metaFile, JSON.stringify(m));
    await writeFile(path.join(e.dir, RUNTIME_CACHE_DIR, 'kernels-0.bin'), 'grown'.repeat(100));
    expect((await cache.check(e.id, machine, true)).state).toBe('valid');
  });

  it('asks the real ONNX Runtime (GetModelCompatibilityForEpDevices) about the entry, and a non-TensorRT-RTX answer keeps it valid', async () => {
    const e = await buildEntry('cpu');
    const asked: Parameters<CompatibilityFor>[0][] = [];
    const compat: CompatibilityFor = async (entry) => {
      asked.push(entry);
      return compiledModelCompatibility(entry.provider, null, entry.modelPath, entry.kind);
    };
    const checked = await cache.check(e.id, machine, true, compat);
    expect(asked).toEqual([
      { provider: 'cpu', modelPath: path.join(e.dir, 'model_ctx.onnx'), kind: 'optimized' },
    ]);
    // The CPU EP keeps no compatibility information: "not applicable", the key decides.
    expect(checked).toMatchObject({
      state: 'valid',
      reason: null,
      compatibility: 'not-applicable',
    });
    // The same question for an EP-context model reads its stamp first (none here) and asks anyway.
    expect(
      compiledModelCompatibility('cpu', null, path.join(e.dir, 'model_ctx.onnx'), 'ep-context'),
    ).toEqual({ answer: 'not-applicable', askedEp: 'CPUExecutionProvider', stamped: false });
    // A provider with no device here cannot be asked: not applicable, nothing thrown.
    expect(
      compiledModelCompatibility('dml', null, path.join(e.dir, 'model_ctx.onnx'), 'ep-context'),
    ).toEqual({
      answer: 'not-applicable',
      askedEp: null,
      stamped: false,
    });
  });

  it('an EP that answers "unsupported" makes the entry stale with a reason; one that cannot be asked leaves it valid', async () => {
    const e = await buildEntry('cpu');
    const unsupported: CompatibilityFor = async () => ({
      answer: 'unsupported',
      askedEp: 'NvTensorRTRTXExecutionProvider',
    });
    expect(await cache.check(e.id, machine, true, unsupported)).toMatchObject({
      state: 'stale',
      reason:
        "NvTensorRTRTXExecutionProvider says this compiled model does not fit this machine's GPU or driver any more",
      compatibility: 'unsupported',
    });
    expect(await cache.findValid(e.meta!.key, machine, unsupported)).toBeNull();
    const prefer: CompatibilityFor = async () => ({ answer: 'prefer-recompilation', askedEp: 'x' });
    expect(await cache.check(e.id, machine, true, prefer)).toMatchObject({
      state: 'valid',
      compatibility: 'prefer-recompilation',
    });
    const down: CompatibilityFor = () => Promise.reject(new Error('engine restarting'));
    expect((await cache.check(e.id, machine, true, down)).state).toBe('valid');
  });
});
