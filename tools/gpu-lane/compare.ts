/**
 * Output comparison between a provider under test and the CPU reference, with the engine's own
 * code: the verdict is engine/conformance/compare.ts's (NumPy's allclose, |got − expected| ≤
 * atol + rtol·|expected|, NaN equal only to NaN, an infinity only to itself, integers and strings
 * exact, dtype then shape checked first), and the report's error figures are
 * engine/model/output-diff.ts's (max absolute error; max relative error against max(|expected|,
 * 1e-3·max|expected|), so values that are zero up to rounding do not blow it up). Only the
 * tolerances below are the lane's own.
 */
import {
  compareTensors as allclose,
  type Tolerance,
} from '../../src-main/engine/conformance/compare';
import { diffOutputs } from '../../src-main/engine/model/output-diff';
import type { HostTensor } from '../../src-main/engine/tensor';

export type { Tolerance };

/**
 * float32 on a GPU vs the CPU: the same maths in another summation order (tiled convolutions and
 * matrix products, parallel reductions), and WGSL's own exp/erf/tanh; errors grow with the length
 * of the dot products, so a few ulps per add across hundreds of terms. (The conformance suite's
 * default, rtol 1e-3 / atol 1e-7, compares against ONNX's reference outputs, not a second device.)
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
  /** Why not, in one line (the engine's mismatch message); null when ok. */
  problem: string | null;
  /** Values outside the tolerance (0 when ok or when dtype/shape already differ). */
  mismatches: number;
  /** Flat index of the first value outside the tolerance, or null. */
  firstIndex: number | null;
  /** output-diff's figures; NaN when there are no numbers to compare (strings, other shapes). */
  maxAbsError: number;
  maxRelError: number;
}

/** Compares `actual` with the reference `expected` under `tol`. */
export function compareTensors(
  actual: HostTensor,
  expected: HostTensor,
  tol: Tolerance,
): TensorComparison {
  const mismatch = allclose(expected, actual, tol);
  let maxAbsError = Number.NaN;
  let maxRelError = Number.NaN;
  if (mismatch === null || mismatch.what === 'value') {
    try {
      const d = diffOutputs(expected, actual);
      maxAbsError = d.maxAbs;
      maxRelError = d.maxRel;
    } catch {
      // string tensors have no numeric difference; the verdict above still holds
    }
  }
  return {
    ok: mismatch === null,
    problem: mismatch?.message ?? null,
    mismatches: mismatch?.count ?? 0,
    firstIndex: mismatch?.index ?? null,
    maxAbsError,
    maxRelError,
  };
}
