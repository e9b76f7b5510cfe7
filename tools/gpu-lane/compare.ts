/**
 * Output comparison between a provider under test and the CPU reference: NumPy's allclose rule
 * (|actual − expected| ≤ atol + rtol·|expected|) for floating-point tensors, exact equality for
 * everything else, with the worst element reported so a failure says how far off it was.
 */
import type { HostTensor } from '../../src-main/engine/tensor';

/** Tolerances for one comparison. */
export interface Tolerance {
  rtol: number;
  atol: number;
}

/**
 * float32 on a GPU vs the CPU: the same maths in another summation order (tiled convolutions and
 * matrix products, parallel reductions), and WGSL's own exp/erf/tanh; errors grow with the length
 * of the dot products, so a few ulps per add across hundreds of terms.
 */
export const DEFAULT_TOLERANCE: Tolerance = { rtol: 1e-3, atol: 1e-4 };

/**
 * Per demo model, where the default is not enough, and why. transformer-block: 256-wide
 * projections, LayerNormalization (a division by a computed standard deviation) and GELU's erf
 * stack up; hidden values are O(1), so an absolute 1e-3 still catches any real mistake.
 */
export const MODEL_TOLERANCES: Readonly<Record<string, Tolerance>> = {
  'transformer-block': { rtol: 1e-3, atol: 1e-3 },
};

/** The tolerance the lane applies to a demo model's outputs. */
export function toleranceFor(modelId: string): Tolerance {
  return MODEL_TOLERANCES[modelId] ?? DEFAULT_TOLERANCE;
}

/** How one output compared. */
export interface TensorComparison {
  ok: boolean;
  /** Why not, in one line; null when ok. */
  problem: string | null;
  elements: number;
  mismatches: number;
  maxAbsError: number;
  /** max |a−e| / |e| over elements with e ≠ 0. */
  maxRelError: number;
  /** Index (flat) of the element furthest outside the tolerance, or of the largest error. */
  worstIndex: number | null;
}

function isFloat(t: HostTensor): boolean {
  return t.dtype === 'float32' || t.dtype === 'float64';
}

/** Compares `actual` with the reference `expected` under `tol`. */
export function compareTensors(
  actual: HostTensor,
  expected: HostTensor,
  tol: Tolerance,
): TensorComparison {
  const result: TensorComparison = {
    ok: false,
    problem: null,
    elements: expected.data.length,
    mismatches: 0,
    maxAbsError: 0,
    maxRelError: 0,
    worstIndex: null,
  };
  if (actual.dtype !== expected.dtype) {
    result.problem = `dtype ${actual.dtype}, expected ${expected.dtype}`;
    return result;
  }
  if (actual.dims.join('x') !== expected.dims.join('x')) {
    result.problem = `shape [${actual.dims.join(', ')}], expected [${expected.dims.join(', ')}]`;
    return result;
  }
  if (actual.data.length !== expected.data.length) {
    result.problem = `${actual.data.length} elements, expected ${expected.data.length}`;
    return result;
  }
  if (!isFloat(expected)) {
    for (let i = 0; i < expected.data.length; i++) {
      if (actual.data[i] !== expected.data[i]) {
        result.mismatches++;
        result.worstIndex ??= i;
      }
    }
  } else {
    const a = actual.data as Float32Array | Float64Array;
    const e = expected.data as Float32Array | Float64Array;
    let worstExcess = -Infinity;
    for (let i = 0; i < e.length; i++) {
      const x = a[i] as number;
      const y = e[i] as number;
      if (Number.isNaN(x) || Number.isNaN(y)) {
        if (Number.isNaN(x) !== Number.isNaN(y)) {
          result.mismatches++;
          worstExcess = Infinity;
          result.worstIndex = i;
        }
        continue;
      }
      if (!Number.isFinite(x) || !Number.isFinite(y)) {
        if (x !== y) {
          result.mismatches++;
          worstExcess = Infinity;
          result.worstIndex = i;
        }
        continue;
      }
      const abs = Math.abs(x - y);
      if (abs > result.maxAbsError) result.maxAbsError = abs;
      if (y !== 0 && abs / Math.abs(y) > result.maxRelError) result.maxRelError = abs / Math.abs(y);
      const excess = abs - (tol.atol + tol.rtol * Math.abs(y));
      if (excess > 0) result.mismatches++;
      if (excess > worstExcess) {
        worstExcess = excess;
        result.worstIndex = i;
      }
    }
  }
  result.ok = result.mismatches === 0;
  if (!result.ok) {
    const i = result.worstIndex ?? 0;
    result.problem = `${result.mismatches} of ${result.elements} elements outside rtol ${tol.rtol}/atol ${tol.atol}; worst at [${i}]: ${String(actual.data[i])} vs ${String(expected.data[i])}`;
  }
  return result;
}
