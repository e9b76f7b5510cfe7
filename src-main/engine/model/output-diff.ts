/**
 * How far a variant's outputs are from the original's: max absolute and relative error, cosine
 * similarity, and for score vectors whether the top-1 / top-5 classes agree. Works on any numeric
 * dtype (float16 and bfloat16 bits are decoded), so the original and the variant can differ in
 * output type.
 */
import type { HostTensor } from '../tensor';
import { numericValues } from './float-bits';

/** The difference of one output. */
export interface OutputDiff {
  count: number;
  /** max |got − ref| over values finite in both. */
  maxAbs: number;
  /**
   * max |got − ref| / max(|ref|, floor), floor = 1e-3 · max|ref|: relative error, without the
   * blow-up of dividing by values that are zero up to rounding.
   */
  maxRel: number;
  /** max |ref| over its finite values (the output's scale). */
  refMaxAbs: number;
  /** Cosine similarity of the two as vectors (1 when both are all zero). */
  cosine: number;
  /** Values finite in one and not in the other (NaN/Inf appeared or vanished). */
  nonFiniteMismatch: number;
}

/** Compares `got` with `ref` (same element count; dims are not checked). */
export function diffOutputs(ref: HostTensor, got: HostTensor): OutputDiff {
  const a = numericValues(ref);
  const b = numericValues(got);
  if (a === null || b === null) throw new Error('string tensors have no numeric difference');
  if (a.length !== b.length) {
    throw new Error(`outputs differ in size: ${a.length} and ${b.length} values`);
  }
  let refMax = 0;
  for (const v of a) if (Number.isFinite(v)) refMax = Math.max(refMax, Math.abs(v));
  const floor = Math.max(refMax * 1e-3, Number.MIN_VALUE);
  let maxAbs = 0;
  let maxRel = 0;
  let dot = 0;
  let na = 0;
  let nb = 0;
  let nonFiniteMismatch = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as number;
    const y = b[i] as number;
    const fx = Number.isFinite(x);
    const fy = Number.isFinite(y);
    if (!fx || !fy) {
      if (fx !== fy || (!Number.isNaN(x) && x !== y)) nonFiniteMismatch++;
      continue;
    }
    const d = Math.abs(x - y);
    if (d > maxAbs) maxAbs = d;
    const r = d / Math.max(Math.abs(x), floor);
    if (r > maxRel) maxRel = r;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  const cosine = na === 0 && nb === 0 ? 1 : na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
  return { count: a.length, maxAbs, maxRel, cosine, nonFiniteMismatch, refMaxAbs: refMax };
}

/** Indices of the k largest values (ties: lower index first). */
export function topIndices(values: ArrayLike<number>, k: number): number[] {
  const idx = Array.from({ length: values.length }, (_, i) => i);
  idx.sort((i, j) => (values[j] as number) - (values[i] as number) || i - j);
  return idx.slice(0, k);
}

/**
 * Whether a tensor is a classifier's scores: [N] or [1, N] (or [B, N] rows) with N ≥ 2 classes.
 * Returns the number of rows and classes, or null.
 */
export function scoreRows(t: HostTensor): { rows: number; classes: number } | null {
  const d = t.dims;
  if (d.length === 1 && (d[0] as number) >= 2) return { rows: 1, classes: d[0] as number };
  if (d.length === 2 && (d[1] as number) >= 2)
    return { rows: d[0] as number, classes: d[1] as number };
  return null;
}

/** Top-1 and top-5 agreement over the rows of two score tensors: counts of rows that agree. */
export function topkAgreement(
  ref: HostTensor,
  got: HostTensor,
): { rows: number; top1: number; top5: number } | null {
  const shape = scoreRows(ref);
  const a = numericValues(ref);
  const b = numericValues(got);
  if (!shape || a === null || b === null || a.length !== b.length) return null;
  let top1 = 0;
  let top5 = 0;
  const k = Math.min(5, shape.classes);
  for (let r = 0; r < shape.rows; r++) {
    const ra = a.subarray(r * shape.classes, (r + 1) * shape.classes);
    const rb = b.subarray(r * shape.classes, (r + 1) * shape.classes);
    const ta = topIndices(ra, k);
    const tb = topIndices(rb, k);
    if (ta[0] === tb[0]) top1++;
    // Top-5 agreement: the same set of five classes, in any order.
    const set = new Set(ta);
    if (tb.every((i) => set.has(i))) top5++;
  }
  return { rows: shape.rows, top1, top5 };
}
