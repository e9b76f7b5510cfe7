/**
 * The ONNX backend test's output comparison, as a pure function over host tensors.
 *
 * ONNX's runner (onnx/backend/test/runner) checks that the dtype matches, then compares values with
 * numpy's assert_allclose: |got - expected| <= atol + rtol * |expected|, NaN equal to NaN, an
 * infinity equal only to the same infinity. Strings compare exactly. Integers and booleans compare
 * exactly here: a tolerance on an integer output can only hide a wrong answer. float16, bfloat16,
 * float8 and float4 are decoded to numbers first so the tolerance applies to values, not bits.
 */
import type { DType } from '../../ipc/contract';
import { numericValues } from '../model/float-bits';
import type { HostTensor } from '../tensor';

/** Relative and absolute tolerance for float values. */
export interface Tolerance {
  rtol: number;
  atol: number;
}

/** The ONNX backend test's defaults for node tests. */
export const DEFAULT_TOLERANCE: Tolerance = { rtol: 1e-3, atol: 1e-7 };

/** Why two tensors differ; `message` says it for people. */
export interface Mismatch {
  what: 'dtype' | 'shape' | 'value';
  /** Flat index of the first differing value ('value' only). */
  index: number | null;
  expected: string;
  got: string;
  /** How many values differ ('value' only). */
  count: number;
  message: string;
}

const FLOAT_DTYPES: ReadonlySet<DType> = new Set<DType>([
  'float32',
  'float64',
  'float16',
  'bfloat16',
  'float8e4m3fn',
  'float8e4m3fnuz',
  'float8e5m2',
  'float8e5m2fnuz',
  'float4e2m1',
]);

/**
 * Compares an output with its expected value. Returns null when they agree, else the first
 * difference (dtype, then shape, then values).
 */
export function compareTensors(
  expected: HostTensor,
  got: HostTensor,
  tol: Tolerance = DEFAULT_TOLERANCE,
): Mismatch | null {
  if (expected.dtype !== got.dtype) {
    return {
      what: 'dtype',
      index: null,
      expected: expected.dtype,
      got: got.dtype,
      count: 0,
      message: `dtype: expected ${expected.dtype}, got ${got.dtype}`,
    };
  }
  if (!sameDims(expected.dims, got.dims)) {
    const e = shapeText(expected.dims);
    const g = shapeText(got.dims);
    return {
      what: 'shape',
      index: null,
      expected: e,
      got: g,
      count: 0,
      message: `shape: expected ${e}, got ${g}`,
    };
  }
  const dtype = expected.dtype;
  if (dtype === 'string') return compareExact(expected, got, (v) => JSON.stringify(v));
  if (dtype === 'int64' || dtype === 'uint64') return compareExact(expected, got, (v) => String(v));
  if (dtype === 'bool') return compareBool(expected, got);
  if (dtype === 'complex64' || dtype === 'complex128') return compareComplex(expected, got, tol);
  const e = numericValues(expected);
  const g = numericValues(got);
  if (!e || !g || e.length !== g.length) return lengthMismatch(expected, got);
  const float = FLOAT_DTYPES.has(dtype);
  let first = -1;
  let count = 0;
  for (let i = 0; i < e.length; i++) {
    const ev = e[i] as number;
    const gv = g[i] as number;
    const ok = float ? close(ev, gv, tol) : ev === gv;
    if (!ok) {
      if (first < 0) first = i;
      count++;
    }
  }
  if (first < 0) return null;
  const ev = e[first] as number;
  const gv = g[first] as number;
  // The size of the difference says something only between two finite numbers.
  const why =
    float && Number.isFinite(ev) && Number.isFinite(gv)
      ? ` (|diff| ${fmt(Math.abs(gv - ev))} > ${fmt(tol.atol + tol.rtol * Math.abs(ev))})`
      : '';
  return valueMismatch(expected.dims, first, fmt(ev), fmt(gv), count, e.length, why);
}

/** assert_allclose's test for one pair: NaN == NaN, infinities only equal to themselves. */
export function close(expected: number, got: number, tol: Tolerance = DEFAULT_TOLERANCE): boolean {
  if (Number.isNaN(expected) || Number.isNaN(got))
    return Number.isNaN(expected) && Number.isNaN(got);
  if (!Number.isFinite(expected) || !Number.isFinite(got)) return expected === got;
  return Math.abs(got - expected) <= tol.atol + tol.rtol * Math.abs(expected);
}

function compareExact(
  expected: HostTensor,
  got: HostTensor,
  show: (v: unknown) => string,
): Mismatch | null {
  const e = expected.data;
  const g = got.data;
  if (e.length !== g.length) return lengthMismatch(expected, got);
  let first = -1;
  let count = 0;
  for (let i = 0; i < e.length; i++) {
    if (e[i] !== g[i]) {
      if (first < 0) first = i;
      count++;
    }
  }
  if (first < 0) return null;
  return valueMismatch(expected.dims, first, show(e[first]), show(g[first]), count, e.length, '');
}

function compareBool(expected: HostTensor, got: HostTensor): Mismatch | null {
  const e = expected.data;
  const g = got.data;
  if (e.length !== g.length) return lengthMismatch(expected, got);
  let first = -1;
  let count = 0;
  for (let i = 0; i < e.length; i++) {
    // Any non-zero byte is true, as numpy reads a bool array.
    if (Boolean(e[i]) !== Boolean(g[i])) {
      if (first < 0) first = i;
      count++;
    }
  }
  if (first < 0) return null;
  return valueMismatch(
    expected.dims,
    first,
    String(Boolean(e[first])),
    String(Boolean(g[first])),
    count,
    e.length,
    '',
  );
}

/** Complex values: numpy's allclose measures the modulus of the difference against |expected|. */
function compareComplex(expected: HostTensor, got: HostTensor, tol: Tolerance): Mismatch | null {
  const e = expected.data as Float32Array | Float64Array;
  const g = got.data as Float32Array | Float64Array;
  if (e.length !== g.length) return lengthMismatch(expected, got);
  let first = -1;
  let count = 0;
  const n = e.length / 2;
  for (let i = 0; i < n; i++) {
    if (
      !complexClose(
        e[2 * i] as number,
        e[2 * i + 1] as number,
        g[2 * i] as number,
        g[2 * i + 1] as number,
        tol,
      )
    ) {
      if (first < 0) first = i;
      count++;
    }
  }
  if (first < 0) return null;
  const show = (d: Float32Array | Float64Array, i: number) =>
    `${fmt(d[2 * i] as number)}${signed(d[2 * i + 1] as number)}i`;
  return valueMismatch(expected.dims, first, show(e, first), show(g, first), count, n, '');
}

function complexClose(er: number, ei: number, gr: number, gi: number, tol: Tolerance): boolean {
  const values = [er, ei, gr, gi];
  if (values.some((v) => !Number.isFinite(v))) return close(er, gr, tol) && close(ei, gi, tol);
  return Math.hypot(gr - er, gi - ei) <= tol.atol + tol.rtol * Math.hypot(er, ei);
}

function signed(v: number): string {
  return v < 0 || Object.is(v, -0) ? fmt(v) : `+${fmt(v)}`;
}

function valueMismatch(
  dims: readonly number[],
  index: number,
  expected: string,
  got: string,
  count: number,
  total: number,
  why: string,
): Mismatch {
  const at =
    dims.length === 0 ? 'the scalar' : `${shapeText(unflatten(index, dims))} (flat ${index})`;
  return {
    what: 'value',
    index,
    expected,
    got,
    count,
    message: `value at ${at}: expected ${expected}, got ${got}${why}; ${count} of ${total} values differ`,
  };
}

/** Same dtype and dims but a different data length: one of the tensors is malformed. */
function lengthMismatch(expected: HostTensor, got: HostTensor): Mismatch {
  const e = String(expected.data.length);
  const g = String(got.data.length);
  return {
    what: 'shape',
    index: null,
    expected: e,
    got: g,
    count: 0,
    message: `data length: expected ${e} elements, got ${g} for shape ${shapeText(expected.dims)}`,
  };
}

function sameDims(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

function shapeText(dims: readonly number[]): string {
  return `[${dims.join(', ')}]`;
}

/** The multi-index of a flat (row-major) index. */
export function unflatten(flat: number, dims: readonly number[]): number[] {
  const out = new Array<number>(dims.length).fill(0);
  let rest = flat;
  for (let k = dims.length - 1; k >= 0; k--) {
    const d = dims[k] as number;
    if (d > 0) {
      out[k] = rest % d;
      rest = Math.floor(rest / d);
    }
  }
  return out;
}

/** A number for a message: integers whole, others to 9 significant digits (float32's precision). */
function fmt(v: number): string {
  if (Number.isNaN(v) || !Number.isFinite(v) || Number.isInteger(v)) return String(v);
  return String(Number(v.toPrecision(9)));
}
