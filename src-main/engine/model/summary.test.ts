import { describe, expect, it } from 'vitest';
import { DTYPES } from '../../ipc/contract';
import { TensorSummarySchema } from '../../ipc/contract';
import { bf16ToNumber, f16ToNumber, miniFloatTable, numberToBf16, numberToF16 } from './float-bits';
import { summarizeTensor } from './summary';
import { sampleTensor } from './test-helpers';

describe('summarizeTensor', () => {
  it('computes stats over finite values and counts the rest', () => {
    const s = summarizeTensor('y', {
      dtype: 'float32',
      dims: [6],
      data: new Float32Array([1, 2, 3, NaN, Infinity, 4]),
    });
    expect(s.stats).toEqual({ min: 1, max: 4, mean: 2.5, std: Math.sqrt(1.25), nan: 2 });
    expect(s.first).toEqual([1, 2, 3, 'NaN', 'Infinity', 4]);
    expect(s.topk).toEqual([
      { index: 5, value: 4 },
      { index: 2, value: 3 },
      { index: 1, value: 2 },
      { index: 0, value: 1 },
    ]);
  });

  it('gives the top 5 of a [1, N] score vector, largest first', () => {
    const data = new Float32Array(1000).map((_, i) => ((i * 7919) % 1000) / 10);
    const s = summarizeTensor('logits', { dtype: 'float32', dims: [1, 1000], data });
    expect(s.topk?.map((t) => t.value)).toEqual(
      [99.9, 99.8, 99.7, 99.6, 99.5].map((v) => Math.fround(v)),
    );
    expect(s.topk?.[0]?.index).toBe(Array.from(data).indexOf(Math.fround(99.9)));
    expect(s.first).toHaveLength(16);
    expect(
      summarizeTensor('x', { dtype: 'float32', dims: [2, 3], data: new Float32Array(6) }).topk,
    ).toBeNull();
  });

  it('decodes float16 and bfloat16', () => {
    const h = summarizeTensor('h', {
      dtype: 'float16',
      dims: [3],
      data: new Uint16Array([0x3c00, 0xc000, 0x3800]),
    });
    expect(h.first).toEqual([1, -2, 0.5]);
    expect(h.stats?.min).toBe(-2);
    const b = summarizeTensor('b', {
      dtype: 'bfloat16',
      dims: [2],
      data: new Uint16Array([0x3f80, 0x4049]),
    });
    expect(b.first).toEqual([1, 3.140625]);
  });

  it('shows int64 exactly as strings, bools as booleans, strings as they are', () => {
    const i = summarizeTensor('i', {
      dtype: 'int64',
      dims: [2],
      data: new BigInt64Array([2n ** 62n + 1n, -3n]),
    });
    expect(i.first).toEqual(['4611686018427387905', '-3']);
    expect(i.stats?.min).toBe(-3);
    expect(
      summarizeTensor('b', { dtype: 'bool', dims: [2], data: new Uint8Array([1, 0]) }).first,
    ).toEqual([true, false]);
    const s = summarizeTensor('s', { dtype: 'string', dims: [2], data: ['a', 'b'] });
    expect(s).toMatchObject({ stats: null, first: ['a', 'b'], topk: null });
  });

  it('unpacks int4 (signed) and uint4', () => {
    expect(
      summarizeTensor('q', { dtype: 'int4', dims: [3], data: new Uint8Array([0xf1, 0x07]) }).first,
    ).toEqual([1, -1, 7]);
    expect(
      summarizeTensor('q', { dtype: 'uint4', dims: [3], data: new Uint8Array([0xf1, 0x07]) }).first,
    ).toEqual([1, 15, 7]);
  });

  it('gives null stats for an empty tensor', () => {
    expect(
      summarizeTensor('e', { dtype: 'float32', dims: [0], data: new Float32Array(0) }).stats,
    ).toBeNull();
  });

  it.each(DTYPES.map((d) => [d]))('%s fits the contract schema', (dtype) => {
    const s = summarizeTensor('t', sampleTensor(dtype, [1, 6]));
    expect(TensorSummarySchema.parse(JSON.parse(JSON.stringify(s)))).toEqual(s);
  });
});

describe('float bits', () => {
  it('round-trips every float16 value', () => {
    for (let h = 0; h < 0x10000; h++) {
      const v = f16ToNumber(h);
      if (Number.isNaN(v)) expect(Number.isNaN(f16ToNumber(numberToF16(v)))).toBe(true);
      else expect(numberToF16(v)).toBe(h);
    }
  });

  it.each([
    [1, 0x3c00],
    [65504, 0x7bff],
    [65520, 0x7c00], // rounds up to Infinity
    [1 + 2 ** -11, 0x3c00], // tie to even
    [2 ** -24, 0x0001],
    [2 ** -25, 0x0000], // tie to even (zero)
    [-0, 0x8000],
  ])('numberToF16(%d) = %i', (v, h) => {
    expect(numberToF16(v)).toBe(h);
  });

  it('round-trips bfloat16 and rounds to nearest even', () => {
    for (const b of [0x3f80, 0x4049, 0xc2f7, 0x0001, 0x7f80, 0xff80])
      expect(numberToBf16(bf16ToNumber(b))).toBe(b);
    expect(numberToBf16(1 + 2 ** -8)).toBe(0x3f80);
    expect(Number.isNaN(bf16ToNumber(numberToBf16(NaN)))).toBe(true);
  });

  it.each([
    ['float8e4m3fn', 448, 0x7e],
    ['float8e4m3fnuz', 240, 0x7f],
    ['float8e5m2', 57344, 0x7b],
    ['float8e5m2fnuz', 57344, 0x7f],
    ['float4e2m1', 6, 0x7],
  ] as const)('%s: largest finite value %d at code %i', (kind, max, code) => {
    const t = miniFloatTable(kind);
    expect(t[code]).toBe(max);
    expect(Math.max(...Array.from(t).filter(Number.isFinite))).toBe(max);
  });
});
