import { describe, expect, it } from 'vitest';
import { numberToBf16, numberToF16 } from '../model/float-bits';
import type { HostTensor } from '../tensor';
import { close, compareTensors, unflatten } from './compare';

const f32 = (values: number[], dims = [values.length]): HostTensor => ({
  dtype: 'float32',
  dims,
  data: Float32Array.from(values),
});

describe('close (assert_allclose for one pair, rtol 1e-3, atol 1e-7)', () => {
  const table: [number, number, boolean][] = [
    [1, 1, true],
    [1, 1.0009, true],
    [1, 1.0011, false],
    [1000, 1001, true],
    [1000, 1001.01, false],
    [0, 1e-7, true],
    [0, 1.1e-7, false],
    [0, -0, true],
    [NaN, NaN, true],
    [NaN, 1, false],
    [1, NaN, false],
    [Infinity, Infinity, true],
    [-Infinity, -Infinity, true],
    [Infinity, -Infinity, false],
    [Infinity, 1e308, false],
    [1e308, Infinity, false],
  ];
  for (const [expected, got, ok] of table) {
    it(`expected ${expected}, got ${got} → ${ok ? 'close' : 'different'}`, () => {
      expect(close(expected, got)).toBe(ok);
    });
  }
  it('measures the tolerance against the expected value, not the result', () => {
    // |100 - 100.1| = 0.1 <= 1e-7 + 1e-3 * 100, but not against an expected value of 10.
    expect(close(100, 100.1)).toBe(true);
    expect(close(10, 10.1)).toBe(false);
  });
});

describe('compareTensors', () => {
  const cases: [string, HostTensor, HostTensor, string | null][] = [
    ['equal floats', f32([1, 2, 3]), f32([1, 2, 3]), null],
    ['floats within tolerance', f32([1, 2, 3]), f32([1.0005, 2, 3]), null],
    ['NaN in the same place', f32([NaN, 1]), f32([NaN, 1]), null],
    [
      'NaN against a number',
      f32([NaN, 1]),
      f32([0, 1]),
      'value at [0] (flat 0): expected NaN, got 0; 1 of 2 values differ',
    ],
    [
      'a float off',
      f32([1, 2, 3, 4], [2, 2]),
      f32([1, 2, 3.5, 4], [2, 2]),
      'value at [1, 0] (flat 2): expected 3, got 3.5 (|diff| 0.5 > 0.0030001); 1 of 4 values differ',
    ],
    [
      'dtype differs',
      f32([1]),
      { dtype: 'float64', dims: [1], data: Float64Array.of(1) },
      'dtype: expected float32, got float64',
    ],
    ['shape differs', f32([1, 2], [2]), f32([1, 2], [1, 2]), 'shape: expected [2], got [1, 2]'],
    [
      'scalars',
      f32([5], []),
      f32([6], []),
      'value at the scalar: expected 5, got 6 (|diff| 1 > 0.0050001); 1 of 1 values differ',
    ],
    ['empty tensors', f32([], [0, 3]), f32([], [0, 3]), null],
    [
      'int32 exact',
      { dtype: 'int32', dims: [2], data: Int32Array.of(1000, 2) },
      { dtype: 'int32', dims: [2], data: Int32Array.of(1001, 2) },
      'value at [0] (flat 0): expected 1000, got 1001; 1 of 2 values differ',
    ],
    [
      'uint8 equal',
      { dtype: 'uint8', dims: [2], data: Uint8Array.of(255, 0) },
      { dtype: 'uint8', dims: [2], data: Uint8Array.of(255, 0) },
      null,
    ],
    [
      'int64 beyond 2^53 compared exactly',
      { dtype: 'int64', dims: [1], data: BigInt64Array.of(9007199254740993n) },
      { dtype: 'int64', dims: [1], data: BigInt64Array.of(9007199254740992n) },
      'value at [0] (flat 0): expected 9007199254740993, got 9007199254740992; 1 of 1 values differ',
    ],
    [
      'uint64 equal',
      { dtype: 'uint64', dims: [1], data: BigUint64Array.of(2n ** 64n - 1n) },
      { dtype: 'uint64', dims: [1], data: BigUint64Array.of(2n ** 64n - 1n) },
      null,
    ],
    [
      'bool differs',
      { dtype: 'bool', dims: [3], data: Uint8Array.of(1, 0, 1) },
      { dtype: 'bool', dims: [3], data: Uint8Array.of(1, 1, 1) },
      'value at [1] (flat 1): expected false, got true; 1 of 3 values differ',
    ],
    [
      'strings exact',
      { dtype: 'string', dims: [2], data: ['a', 'b'] },
      { dtype: 'string', dims: [2], data: ['a', 'b'] },
      null,
    ],
    [
      'strings differ',
      { dtype: 'string', dims: [2], data: ['0.6048455', 'b'] },
      { dtype: 'string', dims: [2], data: ['0.60484552', 'b'] },
      'value at [0] (flat 0): expected "0.6048455", got "0.60484552"; 1 of 2 values differ',
    ],
    [
      'float16 decoded: one half-ulp apart at 1.0 is within 1e-3',
      { dtype: 'float16', dims: [1], data: Uint16Array.of(numberToF16(1)) },
      { dtype: 'float16', dims: [1], data: Uint16Array.of(numberToF16(1) + 1) },
      null,
    ],
    [
      'float16 decoded: 1 against 1.5 differs',
      { dtype: 'float16', dims: [1], data: Uint16Array.of(numberToF16(1)) },
      { dtype: 'float16', dims: [1], data: Uint16Array.of(numberToF16(1.5)) },
      'value at [0] (flat 0): expected 1, got 1.5 (|diff| 0.5 > 0.0010001); 1 of 1 values differ',
    ],
    [
      'bfloat16 decoded: one ulp at 1.0 (2^-7) is outside 1e-3',
      { dtype: 'bfloat16', dims: [1], data: Uint16Array.of(numberToBf16(1)) },
      { dtype: 'bfloat16', dims: [1], data: Uint16Array.of(numberToBf16(1) + 1) },
      'value at [0] (flat 0): expected 1, got 1.0078125 (|diff| 0.0078125 > 0.0010001); 1 of 1 values differ',
    ],
    [
      'bfloat16 NaN with different payloads is NaN',
      { dtype: 'bfloat16', dims: [1], data: Uint16Array.of(0x7fc0) },
      { dtype: 'bfloat16', dims: [1], data: Uint16Array.of(0x7fc1) },
      null,
    ],
    [
      'complex64 within tolerance of the modulus',
      { dtype: 'complex64', dims: [1], data: Float32Array.of(3, 4) },
      { dtype: 'complex64', dims: [1], data: Float32Array.of(3.003, 4) },
      null,
    ],
    [
      'complex64 differs',
      { dtype: 'complex64', dims: [2], data: Float32Array.of(1, 0, 3, 4) },
      { dtype: 'complex64', dims: [2], data: Float32Array.of(1, 0, 3, -4) },
      'value at [1] (flat 1): expected 3+4i, got 3-4i; 1 of 2 values differ',
    ],
    [
      'int4 packed, exact',
      { dtype: 'int4', dims: [3], data: Uint8Array.of(0x21, 0x0f) },
      { dtype: 'int4', dims: [3], data: Uint8Array.of(0x21, 0x0e) },
      'value at [2] (flat 2): expected -1, got -2; 1 of 3 values differ',
    ],
  ];
  for (const [name, expected, got, message] of cases) {
    it(name, () => {
      expect(compareTensors(expected, got)?.message ?? null).toBe(message);
    });
  }

  it('counts every differing value and points at the first', () => {
    const m = compareTensors(f32([0, 1, 2, 3]), f32([0, 9, 2, 9]));
    expect(m).toMatchObject({ what: 'value', index: 1, expected: '1', got: '9', count: 2 });
  });

  it('takes other tolerances', () => {
    expect(compareTensors(f32([1]), f32([1.01]), { rtol: 0.02, atol: 0 })).toBeNull();
  });
});

describe('unflatten', () => {
  it('turns a flat row-major index into indices', () => {
    expect(unflatten(0, [2, 3])).toEqual([0, 0]);
    expect(unflatten(5, [2, 3])).toEqual([1, 2]);
    expect(unflatten(7, [2, 2, 2])).toEqual([1, 1, 1]);
    expect(unflatten(0, [])).toEqual([]);
  });
});
