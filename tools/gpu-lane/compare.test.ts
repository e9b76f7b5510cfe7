import { describe, expect, it } from 'vitest';
import type { HostTensor } from '../../src-main/engine/tensor';
import { compareTensors, DEFAULT_TOLERANCE, toleranceFor } from './compare';

const f32 = (values: number[], dims = [values.length]): HostTensor => ({
  dtype: 'float32',
  dims,
  data: Float32Array.from(values),
});

describe('compareTensors (the engine’s allclose and output-diff, the lane’s tolerance)', () => {
  const tol = { rtol: 1e-3, atol: 1e-4 };

  it('accepts differences within atol + rtol·|expected| and reports the largest', () => {
    const r = compareTensors(f32([1.0009, 0.00009, -100.09]), f32([1, 0, -100]), tol);
    expect(r.ok).toBe(true);
    expect(r.problem).toBeNull();
    expect(r.maxAbsError).toBeCloseTo(0.09, 4);
    expect(r.maxRelError).toBeCloseTo(9e-4, 5);
  });

  it('reports how many values are outside and the first one', () => {
    const r = compareTensors(f32([1.01, 0.5, 2]), f32([1, 0.5, 1]), tol);
    expect(r).toMatchObject({ ok: false, mismatches: 2, firstIndex: 0 });
    expect(r.problem).toMatch(/^value at \[0\] .*expected 1, got 1\.0099.*; 2 of 3 values differ$/);
    expect(r.maxAbsError).toBeCloseTo(1, 5);
  });

  it('treats NaN as equal only to NaN, and infinities exactly', () => {
    expect(compareTensors(f32([NaN, Infinity]), f32([NaN, Infinity]), tol).ok).toBe(true);
    expect(compareTensors(f32([NaN]), f32([0]), tol).ok).toBe(false);
    expect(compareTensors(f32([-Infinity]), f32([Infinity]), tol).ok).toBe(false);
  });

  it('refuses other shapes and dtypes before looking at values', () => {
    const shape = compareTensors(f32([1, 2], [2, 1]), f32([1, 2], [1, 2]), tol);
    expect(shape).toMatchObject({ ok: false, mismatches: 0 });
    expect(shape.problem).toMatch(/^shape: /);
    expect(Number.isNaN(shape.maxAbsError)).toBe(true);
    const i32: HostTensor = { dtype: 'int32', dims: [2], data: Int32Array.from([1, 2]) };
    expect(compareTensors(i32, f32([1, 2]), tol).problem).toBe(
      'dtype: expected float32, got int32',
    );
  });

  it('compares integers exactly', () => {
    const a: HostTensor = { dtype: 'int64', dims: [3], data: BigInt64Array.from([1n, 2n, 3n]) };
    const b: HostTensor = { dtype: 'int64', dims: [3], data: BigInt64Array.from([1n, 2n, 4n]) };
    expect(compareTensors(a, a, tol).ok).toBe(true);
    expect(compareTensors(b, a, tol)).toMatchObject({ ok: false, mismatches: 1, firstIndex: 2 });
  });
});

describe('toleranceFor', () => {
  it('uses the default unless a model states its own', () => {
    expect(toleranceFor('resnet-mini')).toEqual(DEFAULT_TOLERANCE);
    expect(toleranceFor('transformer-block').atol).toBeGreaterThan(DEFAULT_TOLERANCE.atol);
  });
});
