/**
 * Precision breakdowns of a float32, a float16 and quantized models (QDQ, QOperator, int4
 * MatMulNBits), built here, plus the float16 variant of a demo model.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { onnx } from 'onnx-proto';
import { describe, expect, it } from 'vitest';
import { writeFp16Variant } from './fp16-file';
import { inspectModel } from './inspect';
import { precisionSummary } from './precision';
import { node, tensorInfo } from './test-helpers';

const F = 1;
const H = 10;
const U8 = 2;
const I8 = 3;

const floats = (name: string, dims: number[], type = F): onnx.ITensorProto => {
  const n = dims.reduce((a, b) => a * b, 1);
  const bytes = type === H ? 2 : 4;
  return { name, dataType: type, dims, rawData: new Uint8Array(n * bytes) };
};
const ints = (name: string, dims: number[], type: number): onnx.ITensorProto => ({
  name,
  dataType: type,
  dims,
  rawData: new Uint8Array(dims.reduce((a, b) => a * b, 1)),
});

function model(graph: onnx.IGraphProto, opsets = [{ domain: '', version: 17 }]) {
  return onnx.ModelProto.decode(
    onnx.ModelProto.encode({ irVersion: 8, opsetImport: opsets, graph }).finish(),
  );
}

/** A Conv → Relu → Gemm-sized MatMul net in `type` (1 float32, 10 float16). */
function convNet(type: number) {
  return model({
    name: 'net',
    node: [
      node('Conv', ['x', 'w'], ['c'], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] }),
      node('Relu', ['c'], ['r']),
      node('Flatten', ['r'], ['f']),
      node('Constant', [], ['m'], { value: floats('m', [8 * 4 * 4, 10], type) }),
      node('MatMul', ['f', 'm'], ['y']),
    ],
    initializer: [floats('w', [8, 3, 3, 3], type)],
    input: [tensorInfo('x', type, [1, 3, 4, 4])],
    output: [tensorInfo('y', type, [1, 10])],
  });
}

describe('precisionSummary', () => {
  it('a float32 model: float32 weights (Constant nodes too) and compute', () => {
    const p = precisionSummary(convNet(F));
    expect(p.headline).toBe('float32');
    expect(p.weights).toEqual([{ dtype: 'float32', count: 216 + 1280, bytes: (216 + 1280) * 4 }]);
    const fp32 = p.compute.find((c) => c.precision === 'fp32');
    // Conv 2·(8·4·4)·27 + MatMul 2·10·128
    expect(fp32).toEqual({ precision: 'fp32', nodes: 5, flops: 2 * 128 * 27 + 2 * 10 * 128 });
    expect(p.ops).toContainEqual({ op: 'Conv', precision: 'fp32', count: 1 });
    expect(p.casts).toEqual([]);
  });

  it('a float16 model: float16 everywhere, half the bytes', () => {
    const p = precisionSummary(convNet(H));
    expect(p.headline).toBe('float16');
    expect(p.weights).toEqual([{ dtype: 'float16', count: 1496, bytes: 1496 * 2 }]);
    expect(p.compute.map((c) => c.precision)).toEqual(['fp16']);
  });

  it('a mixed model: shares of FLOPs, and where the Casts sit', () => {
    const m = model({
      name: 'mixed',
      node: [
        node('Cast', ['x'], ['x16'], { to: H }),
        node('MatMul', ['x16', 'w16'], ['a']),
        node('Cast', ['a'], ['a32'], { to: F }),
        node('MatMul', ['a32', 'w32'], ['y']),
      ],
      initializer: [floats('w16', [64, 64], H), floats('w32', [64, 16], F)],
      input: [tensorInfo('x', F, [1, 64])],
      output: [tensorInfo('y', F, [1, 16])],
    });
    const p = precisionSummary(m);
    expect(p.headline).toBe('mixed: float16 80%, float32 20% of FLOPs');
    expect(p.casts).toEqual([
      { from: 'float32', to: 'float16', count: 1, at: { input: 1 }, nodes: ['#0'] },
      { from: 'float16', to: 'float32', count: 1, at: { inside: 1 }, nodes: ['#2'] },
    ]);
  });

  it('a QDQ model: int8 weights, the Conv counted as int8 QDQ', () => {
    const m = model({
      name: 'qdq',
      node: [
        node('QuantizeLinear', ['x', 's', 'zp'], ['xq']),
        node('DequantizeLinear', ['xq', 's', 'zp'], ['xd']),
        node('DequantizeLinear', ['wq', 'ws', 'wzp'], ['wd']),
        node('Conv', ['xd', 'wd'], ['y'], { kernel_shape: [1, 1] }),
      ],
      initializer: [
        floats('s', []),
        ints('zp', [], U8),
        ints('wq', [4, 3, 1, 1], I8),
        floats('ws', []),
        ints('wzp', [], I8),
      ],
      input: [tensorInfo('x', F, [1, 3, 2, 2])],
      output: [tensorInfo('y', F, [1, 4, 2, 2])],
    });
    const p = precisionSummary(m);
    expect(p.headline).toBe('int8 QDQ');
    expect(p.compute).toContainEqual({ precision: 'int8 QDQ', nodes: 1, flops: 2 * 16 * 3 });
    expect(p.compute).toContainEqual({ precision: 'quantize', nodes: 3, flops: 0 });
    expect(p.weights.find((w) => w.dtype === 'int8')?.count).toBe(13);
  });

  it('QOperator and int4 MatMulNBits models', () => {
    const qop = model({
      name: 'qop',
      node: [node('QLinearMatMul', ['a', 'as', 'az', 'b', 'bs', 'bz', 'ys', 'yz'], ['y'])],
      initializer: [
        floats('as', []),
        ints('az', [], U8),
        ints('b', [8, 4], U8),
        floats('bs', []),
        ints('bz', [], U8),
        floats('ys', []),
        ints('yz', [], U8),
      ],
      input: [tensorInfo('a', U8, [2, 8])],
      output: [tensorInfo('y', U8, [2, 4])],
    });
    const q = precisionSummary(qop);
    expect(q.headline).toBe('int8 QOperator');
    expect(q.compute).toEqual([{ precision: 'int8 QOperator', nodes: 1, flops: 2 * 8 * 8 }]);

    const nbits = model(
      {
        name: 'nbits',
        node: [
          node(
            'MatMulNBits',
            ['a', 'bq', 'scales'],
            ['y'],
            { K: 32, N: 16, bits: 4, block_size: 32 },
            'com.microsoft',
          ),
        ],
        initializer: [ints('bq', [16, 1, 16], U8), floats('scales', [16])],
        input: [tensorInfo('a', F, [1, 32])],
        output: [tensorInfo('y', F, [1, 16])],
      },
      [
        { domain: '', version: 17 },
        { domain: 'com.microsoft', version: 1 },
      ],
    );
    const n = precisionSummary(nbits);
    expect(n.headline).toBe('int4 blocks');
    expect(n.compute).toEqual([{ precision: 'int4 blocks', nodes: 1, flops: 2 * 16 * 32 }]);
  });

  it('bfloat16 compute and float8 weights behind a DequantizeLinear', () => {
    const bf16 = precisionSummary(
      model({
        name: 'bf16',
        node: [node('MatMul', ['x', 'w'], ['y'])],
        initializer: [{ name: 'w', dataType: 16, dims: [4, 4], rawData: new Uint8Array(32) }],
        input: [tensorInfo('x', 16, [1, 4])],
        output: [tensorInfo('y', 16, [1, 4])],
      }),
    );
    expect(bf16.headline).toBe('bfloat16');
    expect(bf16.weights).toEqual([{ dtype: 'bfloat16', count: 16, bytes: 32 }]);

    const fp8 = precisionSummary(
      model(
        {
          name: 'fp8',
          node: [
            node('DequantizeLinear', ['w8', 'ws'], ['wd']),
            node('MatMul', ['x', 'wd'], ['y']),
          ],
          initializer: [
            { name: 'w8', dataType: 17, dims: [4, 4], rawData: new Uint8Array(16) },
            floats('ws', []),
          ],
          input: [tensorInfo('x', F, [1, 4])],
          output: [tensorInfo('y', F, [1, 4])],
        },
        [{ domain: '', version: 19 }],
      ),
    );
    expect(fp8.headline).toBe('fp8 QDQ');
    expect(fp8.weights.find((w) => w.dtype === 'float8e4m3fn')).toEqual({
      dtype: 'float8e4m3fn',
      count: 16,
      bytes: 16,
    });
  });

  it('the float16 variant of a demo model reads as float16 with Casts at input and output', async () => {
    const dest = path.join(mkdtempSync(path.join(tmpdir(), 'crucible-prec-')), 'r.onnx');
    await writeFp16Variant('models/resnet-mini.onnx', dest, { keepIoTypes: true, block: [] }, 'x');
    const before = await inspectModel('models/resnet-mini.onnx');
    const after = await inspectModel(dest);
    expect(before.precision?.headline).toBe('float32');
    expect(after.precision?.headline).toBe('float16');
    expect(after.precision?.casts).toEqual([
      expect.objectContaining({ from: 'float32', to: 'float16', at: { input: 1 } }),
      expect.objectContaining({ from: 'float16', to: 'float32', at: { output: 1 } }),
    ]);
    const flops = (p: typeof before.precision) => p?.compute.reduce((s, c) => s + c.flops, 0);
    expect(flops(after.precision)).toBe(flops(before.precision));
  });
});
