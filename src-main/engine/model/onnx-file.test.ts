import { mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { onnx } from 'onnx-proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  MAX_GRAPH_DEPTH,
  decodeOnnxModel,
  readOnnxFile,
  scanModelWire,
  toBigInt,
  toNumber,
} from './onnx-file';
import { TESTDATA, encodeModel, errorOf, node, tensorInfo, wireBomb } from './test-helpers';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'crucible-onnx-file-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A model whose main graph holds an If nested `depth` graphs deep. */
function nestedIfModel(depth: number): Uint8Array {
  const leaf: onnx.IGraphProto = { name: 'leaf', node: [], output: [tensorInfo('c', 9, [])] };
  let g = leaf;
  for (let i = 1; i < depth; i++) {
    g = {
      name: `level${i}`,
      node: [node('If', ['c'], ['o'], { then_branch: g, else_branch: leaf })],
      output: [tensorInfo('o', 9, [])],
    };
  }
  return encodeModel({ ...g, name: 'main', input: [tensorInfo('c', 9, [])] });
}

describe('readOnnxFile', () => {
  it('decodes a real model', async () => {
    const f = await readOnnxFile(`${TESTDATA}/node/test_conv_with_strides_padding/model.onnx`);
    expect(f.fileName).toBe('model.onnx');
    expect(f.model.graph?.node?.[0]?.opType).toBe('Conv');
    expect(f.sizeBytes).toBe((await readFile(f.path)).byteLength);
  });

  it('says FILE_NOT_FOUND for a missing path', async () => {
    const e = await errorOf(readOnnxFile(path.join(dir, 'nope.onnx')));
    expect(e.code).toBe('FILE_NOT_FOUND');
    expect(e.message).toContain('nope.onnx');
  });

  it('rejects a folder', async () => {
    const e = await errorOf(readOnnxFile(dir));
    expect(e.code).toBe('MODEL_INVALID');
    expect(e.message).toContain('folder');
  });

  it('rejects an empty file', async () => {
    const p = path.join(dir, 'empty.onnx');
    await writeFile(p, new Uint8Array(0));
    const e = await errorOf(readOnnxFile(p));
    expect(e.code).toBe('MODEL_INVALID');
    expect(e.message).toBe(`${p} is not an ONNX model: the file is empty`);
  });

  it('rejects a file over the 2 GiB protobuf limit without reading it', async () => {
    const p = path.join(dir, 'huge.onnx');
    const fh = await open(p, 'w');
    await fh.truncate(2 ** 31 + 10); // sparse: no disk space used
    await fh.close();
    const e = await errorOf(readOnnxFile(p));
    expect(e.code).toBe('MODEL_INVALID');
    expect(e.message).toContain('2 GiB');
    await rm(p);
  });

  it.each([1, 2, 3, 4, 5, 6, 7, 8])('rejects random bytes (seed %i)', async (seed) => {
    let s = seed;
    const bytes = new Uint8Array(4096).map(() => {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      return s >>> 24;
    });
    const p = path.join(dir, `random${seed}.onnx`);
    await writeFile(p, bytes);
    const e = await errorOf(readOnnxFile(p));
    expect(e.code).toBe('MODEL_INVALID');
    expect(e.message).toMatch(
      new RegExp(`^${p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not an ONNX model: `),
    );
  });
});

describe('decodeOnnxModel', () => {
  it('rejects every truncation of a real model', async () => {
    const bytes = await readFile(`${TESTDATA}/pytorch-converted/test_Conv2d/model.onnx`);
    for (let cut = 1; cut < bytes.byteLength; cut++) {
      const e = await errorOf(() => decodeOnnxModel(bytes.subarray(0, cut), 'x.onnx'));
      expect(e.code).toBe('MODEL_INVALID');
      expect(e.message.startsWith('x.onnx is not an ONNX model: ')).toBe(true);
    }
    const mid = await errorOf(() => decodeOnnxModel(bytes.subarray(0, 300), 'x.onnx'));
    expect(mid.message).toBe(
      'x.onnx is not an ONNX model: the protobuf ends in the middle of a field (truncated?)',
    );
  });

  it('rejects a protobuf that is not a model (a TensorProto .pb)', async () => {
    const bytes = await readFile(`${TESTDATA}/node/test_matmul_2d/test_data_set_0/input_0.pb`);
    const e = await errorOf(() => decodeOnnxModel(bytes, 'input_0.pb'));
    expect(e.code).toBe('MODEL_INVALID');
  });

  it('rejects a model without a graph', async () => {
    const bytes = onnx.ModelProto.encode({ irVersion: 8, producerName: 'x' }).finish();
    const e = await errorOf(() => decodeOnnxModel(bytes, 'nograph.onnx'));
    expect(e.message).toBe('nograph.onnx is not an ONNX model: the protobuf has no graph');
  });

  it('rejects a field with the wrong wire type', async () => {
    // Field 7 (graph) written as a varint.
    const e = await errorOf(() => decodeOnnxModel(Uint8Array.of(0x08, 0x07, 0x38, 0x05), 'w.onnx'));
    expect(e.message).toContain('field 7 of a model at byte 2 is varint');
  });

  it('rejects a nested length that overruns its parent', async () => {
    // graph (field 7, 4 bytes) holding a node (field 1) that claims 10 bytes.
    const e = await errorOf(() =>
      decodeOnnxModel(Uint8Array.of(0x3a, 0x04, 0x0a, 0x0a, 0x00, 0x00), 'o.onnx'),
    );
    expect(e.message).toContain('truncated?');
  });

  it('accepts subgraphs up to the depth limit and rejects deeper ones without recursing', () => {
    expect(scanModelWire(nestedIfModel(MAX_GRAPH_DEPTH))).toBe(MAX_GRAPH_DEPTH);
    expect(decodeOnnxModel(nestedIfModel(MAX_GRAPH_DEPTH), 'ok.onnx').graph?.name).toBe('main');
    expect(() => decodeOnnxModel(nestedIfModel(MAX_GRAPH_DEPTH + 1), 'deep.onnx')).toThrow(
      /nested more than 32 deep/,
    );
  });

  it('survives nesting far past the stack depth (hand-written wire bytes)', () => {
    // 2000 levels of graph{node{attribute{g{...}}}}: 6000 nested messages.
    const model = wireBomb(2000);
    expect(() => decodeOnnxModel(model, 'bomb.onnx')).toThrow(/nested more than/);
  });

  it('never allocates from absurd dims', () => {
    const bytes = encodeModel({
      name: 'g',
      input: [tensorInfo('x', 1, [2 ** 40, 2 ** 40])],
      output: [tensorInfo('x', 1, [2 ** 40, 2 ** 40])],
    });
    const m = decodeOnnxModel(bytes, 'big.onnx');
    expect(
      toNumber(m.graph?.input?.[0]?.type?.tensorType?.shape?.dim?.[0]?.dimValue as number),
    ).toBe(2 ** 40);
  });
});

describe('int64 helpers', () => {
  it.each([
    [5, 5, 5n],
    ['12', 12, 12n],
    [{ low: -1, high: 0x7fffffff, unsigned: false }, 2 ** 63 - 1, 2n ** 63n - 1n],
    [{ low: -1, high: -1, unsigned: false }, -1, -1n],
    [{ low: -1, high: -1, unsigned: true }, 2 ** 64 - 1, 2n ** 64n - 1n],
  ] as const)('%o', (v, n, b) => {
    expect(toNumber(v)).toBe(n);
    expect(toBigInt(v)).toBe(b);
  });
});
