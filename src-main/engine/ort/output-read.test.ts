// Reading outputs on the fast path: host outputs are read straight from the pointers Run returns
// and released exactly once (also when a read fails), small and large outputs keep their bits, and
// the session's reused name and pointer arrays follow changing input orders and output subsets.
import { onnx } from 'onnx-proto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AppError } from '../../shared/errors';
import { onnxFromDtype } from '../tensor';
import type { HostTensor } from '../tensor';
import { ortBinding } from './api';
import type { NPtr } from './api';
import { initOrt } from './env';
import { Session } from './session';
import { SessionOptions, SINGLE_THREADED_CPU } from './session-options';
import { identityModel } from './test-models';
import { OrtValue } from './value';

initOrt({ logLevel: 'error' });

function floatInfo(name: string, n: number): onnx.IValueInfoProto {
  return {
    name,
    type: { tensorType: { elemType: onnxFromDtype('float32'), shape: { dim: [{ dimValue: n }] } } },
  };
}

/** Inputs X, Y (float [n]); outputs A = X, S = SequenceConstruct(X) (not a tensor), Z = X + Y. */
function mixedOutputsModel(n: number): Uint8Array {
  return onnx.ModelProto.encode({
    irVersion: 11,
    producerName: 'crucible-tests',
    opsetImport: [{ domain: '', version: 23 }],
    graph: {
      name: 'mixed_outputs',
      node: [
        { opType: 'Identity', input: ['X'], output: ['A'] },
        { opType: 'SequenceConstruct', input: ['X'], output: ['S'] },
        { opType: 'Add', input: ['X', 'Y'], output: ['Z'] },
      ],
      input: [floatInfo('X', n), floatInfo('Y', n)],
      output: [
        floatInfo('A', n),
        { name: 'S', type: { sequenceType: { elemType: { tensorType: { elemType: 1 } } } } },
        floatInfo('Z', n),
      ],
    },
  }).finish();
}

async function singleThreaded(bytes: Uint8Array): Promise<Session> {
  const so = SessionOptions.create(SINGLE_THREADED_CPU);
  try {
    return await Session.fromBytes(bytes, { options: so });
  } finally {
    so.release();
  }
}

function floats(n: number, seed: number): HostTensor {
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = Math.sin(seed + i) * 10;
  return { dtype: 'float32', dims: [n], data };
}

function bits(t: HostTensor | undefined): number[] {
  const d = t?.data;
  if (!(d instanceof Float32Array)) throw new Error('expected float32 data');
  return Array.from(new Uint32Array(d.slice().buffer));
}

/** Records every pointer ReleaseValue frees (still freeing it). */
function watchReleases(): bigint[] {
  const api = ortBinding().api;
  const original = api.ReleaseValue;
  const released: bigint[] = [];
  vi.spyOn(api, 'ReleaseValue').mockImplementation((p) => {
    released.push(p);
    original(p);
  });
  return released;
}

/** Records the output pointers each synchronous Run returned (before anything reads them). */
function watchRunOutputs(): bigint[] {
  const api = ortBinding().api;
  const original = api.Run;
  const outputs: bigint[] = [];
  vi.spyOn(api, 'Run').mockImplementation((...args) => {
    const status = original(...args);
    outputs.push(...Array.from(args[7]).filter((p) => p !== 0n));
    return status as NPtr;
  });
  return outputs;
}

function countOf(list: readonly bigint[], p: bigint): number {
  return list.filter((x) => x === p).length;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('host outputs read from raw pointers', () => {
  it('runSync: a non-tensor output fails with OUTPUT_NOT_TENSOR and every output is released exactly once', async () => {
    const s = await singleThreaded(mixedOutputsModel(3));
    const released = watchReleases();
    const outputs = watchRunOutputs();
    const err = (() => {
      try {
        s.runSync({ X: floats(3, 1), Y: floats(3, 2) });
        return null;
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('OUTPUT_NOT_TENSOR');
    expect((err as AppError).message).toContain("output 'S' is a sequence");
    expect(outputs).toHaveLength(3);
    for (const p of outputs) expect(countOf(released, p)).toBe(1);
    // The two input values and the three outputs, nothing twice.
    expect(released).toHaveLength(5);
    expect(new Set(released).size).toBe(5);
    s.release();
  });

  it('runSync: a successful run releases each output exactly once and returns JS-owned copies', async () => {
    const s = await singleThreaded(mixedOutputsModel(3));
    const released = watchReleases();
    const outputs = watchRunOutputs();
    const x = floats(3, 1);
    const y = floats(3, 2);
    const out = s.runSync({ X: x, Y: y }, ['A', 'Z']);
    expect(Object.keys(out)).toEqual(['A', 'Z']);
    expect(bits(out.A)).toEqual(bits(x));
    const sum = Float32Array.from(
      x.data as Float32Array,
      (v, i) => v + (y.data as Float32Array)[i]!,
    );
    expect(bits(out.Z)).toEqual(Array.from(new Uint32Array(sum.buffer)));
    expect(outputs).toHaveLength(2);
    for (const p of outputs) expect(countOf(released, p)).toBe(1);
    expect(released).toHaveLength(4);
    s.release();
  });

  it('run (async): OUTPUT_NOT_TENSOR still releases every output and input exactly once', async () => {
    const s = await Session.fromBytes(mixedOutputsModel(2));
    const released = watchReleases();
    const err = await s.run({ X: floats(2, 3), Y: floats(2, 4) }).catch((e: unknown) => e);
    expect((err as AppError).code).toBe('OUTPUT_NOT_TENSOR');
    expect((err as AppError).message).toContain("output 'S' is a sequence");
    expect(released).toHaveLength(5);
    expect(new Set(released).size).toBe(5);
    s.release();
  });

  it('a failed run (wrong input type caught by ORT) releases what it got and reports the run', async () => {
    const s = await singleThreaded(mixedOutputsModel(2));
    const released = watchReleases();
    // Bypasses checkInputs: runValuesSync takes values as they are, so ORT itself refuses.
    const bad = OrtValue.fromHost({ dtype: 'int32', dims: [2], data: new Int32Array(2) }, 'X');
    const y = OrtValue.fromHost(floats(2, 1), 'Y');
    expect(() => s.runValuesSync({ X: bad, Y: y })).toThrow(AppError);
    expect(released).toHaveLength(0);
    // The session's reused arrays are usable again after the failure.
    const ok = s.runValuesSync({ X: y, Y: y }, ['Z']);
    expect(Object.keys(ok)).toEqual(['Z']);
    ok.Z?.release();
    bad.release();
    y.release();
    s.release();
  });
});

describe('bits and independence of what is read', () => {
  it.each([
    ['small (16 bytes, read through scratch memory)', 4],
    ['large (400 bytes, copied in directly)', 100],
  ])('%s: NaN payloads and -0 survive, and each read is its own array', async (_label, n) => {
    const s = await singleThreaded(identityModel('float32', [n]));
    const raw = new Uint32Array(n);
    for (let i = 0; i < n; i++) raw[i] = [0x7fc00001, 0xffa00002, 0x80000000, 0x3f800000][i % 4]!;
    const x: HostTensor = { dtype: 'float32', dims: [n], data: new Float32Array(raw.buffer) };
    const first = s.runSync({ X: x }).Y;
    const other = new Float32Array(n).fill(7);
    const second = s.runSync({ X: { dtype: 'float32', dims: [n], data: other } }).Y;
    expect(first?.dims).toEqual([n]);
    expect(bits(first)).toEqual(Array.from(raw));
    expect(bits(second)).toEqual(Array.from(new Uint32Array(other.buffer)));
    const viaValues = s.runValuesSync({ X: OrtValue.fromHost(x, 'X') });
    try {
      expect(bits(viaValues.Y?.toHost('Y'))).toEqual(Array.from(raw));
    } finally {
      viaValues.Y?.release();
    }
    expect(bits((await s.run({ X: x })).Y)).toEqual(Array.from(raw));
    s.release();
  });

  it('follows changing input orders and output subsets between runs', async () => {
    const s = await singleThreaded(mixedOutputsModel(2));
    const x = floats(2, 5);
    const y = floats(2, 6);
    const a = s.runSync({ X: x, Y: y }, ['Z', 'A']);
    const b = s.runSync({ Y: y, X: x }, ['Z']);
    const c = await s.run({ Y: y, X: x }, ['A']);
    expect(Object.keys(a)).toEqual(['Z', 'A']);
    expect(bits(b.Z)).toEqual(bits(a.Z));
    expect(bits(c.A)).toEqual(bits(x));
    expect(() => s.runSync({ X: x, Y: y }, ['nope'])).toThrow(/unknown output 'nope'/);
    s.release();
  });
});
