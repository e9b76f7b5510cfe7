/**
 * Concrete shapes for a model's inputs and synthesized input tensors to run it with.
 *
 * Symbolic dims take the user's value by name, else a documented default: 1 for batch-like names
 * (batch, batch_size, N, B, bs …) and for an unnamed leading dim, 128 for everything else.
 * Synthesized data comes from a seeded integer PRNG (mulberry32) using only 32-bit integer
 * arithmetic, so the same seed gives the same bytes on every platform.
 */
import type { DType, Dim, ValueInfo } from '../../ipc/contract';
import { AppError } from '../../shared/errors';
import { allocData, byteLength, elementCount, type HostTensor } from '../tensor';
import { miniFloatTable, numberToBf16, numberToF16 } from './float-bits';

/** The default for symbolic dims that are not batch-like. */
export const DEFAULT_DIM = 128;

/** Largest input synthesized: 2 GiB of data (strings: 2^28 values). */
export const MAX_INPUT_BYTES = 2 ** 31;

/**
 * Largest total of one request's inputs: 1 GiB. A per-input cap alone let a run ask for several
 * inputs just under it, or one whose copies (JS, then ORT's) and outputs took the engine host to
 * 5.5 GB; this bound is checked on the sizes before anything is allocated.
 */
export const MAX_REQUEST_INPUT_BYTES = 2 ** 30;

/**
 * INPUT_INVALID when a request's inputs add up to more than {@link MAX_REQUEST_INPUT_BYTES},
 * naming the cap, the size asked for and the largest inputs.
 */
export function checkRequestInputBytes(sizes: readonly { name: string; bytes: number }[]): void {
  const total = sizes.reduce((n, s) => n + s.bytes, 0);
  if (total <= MAX_REQUEST_INPUT_BYTES) return;
  const largest = [...sizes]
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, 3)
    .map((s) => `'${s.name}' ${formatBytes(s.bytes)}`)
    .join(', ');
  throw new AppError(
    'INPUT_INVALID',
    `this run's inputs would take ${formatBytes(total)} (${largest}), over the ${formatBytes(MAX_REQUEST_INPUT_BYTES)} limit for one request; choose smaller values for their dims`,
  );
}

// Names exporters write for batch dims: torch.onnx users (batch, batch_size, N, B, bs …), Keras.
const BATCH_LIKE = /^(n|b|bs|nb|batch|batch_?size|batchsize|num_?batch(es)?|.*_batch|batch_.*)$/i;
// Names that say nothing about the dim, read by position as if unnamed: tf2onnx's unk__123,
// paddle2onnx's p2o.DynamicDimension.0, '?', '-1', 'None'.
const UNNAMED = /^(|\?|-1|none|unk__\d+|p2o\.dynamicdimension\.\d+|dynamicdimension\.?\d*)$/i;

/** Whether a symbolic dim name reads as a batch dimension. */
export function isBatchLike(name: string): boolean {
  return BATCH_LIKE.test(name.trim());
}

/** Whether a dim name says nothing about the dim (unk__12, p2o.DynamicDimension.0, ?, None). */
export function isAnonymousDim(name: string | null): boolean {
  return name === null || UNNAMED.test(name.trim());
}

/** The documented default for one dim: 1 for batch-like or unnamed leading dims, else 128. */
export function defaultDim(name: string | null, index: number): number {
  if (isAnonymousDim(name)) return index === 0 ? 1 : DEFAULT_DIM;
  return isBatchLike(name as string) ? 1 : DEFAULT_DIM;
}

/** A dim from the model resolved against the user's values; never throws. */
export function resolveDim(dim: Dim, index: number, userDims: Record<string, number>): number {
  if (typeof dim === 'number' && dim >= 0) return dim;
  if (typeof dim === 'string') {
    const v = userDims[dim];
    if (v !== undefined) return v;
    return defaultDim(dim, index);
  }
  return defaultDim(null, index);
}

/**
 * The concrete shape of an input: fixed dims as they are, symbolic ones from `userDims` by name or
 * the defaults. INPUT_INVALID (naming the input) when it is not a tensor, has no shape, or the
 * shape asks for more than {@link MAX_INPUT_BYTES}.
 */
export function resolveDims(valueInfo: ValueInfo, userDims: Record<string, number> = {}): number[] {
  const name = valueInfo.name;
  if (valueInfo.kind !== 'tensor' || valueInfo.dtype === null) {
    throw new AppError(
      'INPUT_INVALID',
      `input '${name}' is a ${valueInfo.kind === 'tensor' ? 'tensor of unknown type' : valueInfo.kind}; only tensor inputs can be synthesized`,
    );
  }
  if (valueInfo.shape === null) {
    throw new AppError(
      'INPUT_INVALID',
      `input '${name}' has no shape in the model, so its size is unknown`,
    );
  }
  const dims = valueInfo.shape.map((d, i) => resolveDim(d, i, userDims));
  for (const [i, d] of dims.entries()) {
    if (!Number.isSafeInteger(d) || d < 0) {
      throw new AppError('INPUT_INVALID', `input '${name}': dim ${i} = ${d} is not a valid size`);
    }
  }
  checkInputSize(name, valueInfo.dtype, dims);
  return dims;
}

/** Bytes a tensor of `dims` takes (strings counted at 8 bytes a value), as a float. */
function tensorBytes(dtype: DType, dims: readonly number[]): number {
  let count = 1;
  for (const d of dims) count *= d; // a float product: no overflow to worry about, only size
  return dtype === 'string' ? count * 8 : byteLength(dtype, count);
}

function checkInputSize(name: string, dtype: DType, dims: number[]): void {
  const bytes = tensorBytes(dtype, dims);
  if (!(bytes <= MAX_INPUT_BYTES)) {
    throw new AppError(
      'INPUT_INVALID',
      `input '${name}' of shape [${dims.join(', ')}] would take ${formatBytes(bytes)}, ` +
        `over the ${formatBytes(MAX_INPUT_BYTES)} limit; choose smaller values for its dims`,
    );
  }
}

function formatBytes(n: number): string {
  if (n >= 2 ** 40) return `${(n / 2 ** 40).toPrecision(3)} TiB`;
  if (n >= 2 ** 30) return `${(n / 2 ** 30).toPrecision(3)} GiB`;
  return `${(n / 2 ** 20).toPrecision(3)} MiB`;
}

/** How to fill synthesized inputs. */
export interface SynthOptions {
  fill: 'random' | 'zeros' | 'ones';
  /** PRNG seed for 'random' (any integer; the same seed gives the same bytes everywhere). */
  seed: number;
  /** Values for symbolic dims, by name. */
  dims?: Record<string, number>;
}

/** mulberry32: a small 32-bit PRNG, integer-only so it is bit-identical across platforms. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/**
 * Builds one tensor per input (in order), shaped by {@link resolveDims}. Random floats are uniform
 * in [0, 1) on a grid the dtype holds exactly (2^-24 for float32, 2^-11 float16, 2^-8 bfloat16,
 * 2^-53 float64; float8/float4: a random code whose value is in [0, 1)); integers in [0, 10)
 * (int4/uint4 in [0, 8)); bool 0/1; strings 1–8 lowercase ASCII letters.
 */
export function synthesizeInputs(
  inputs: readonly ValueInfo[],
  options: SynthOptions,
): Record<string, HostTensor> {
  const next = mulberry32(options.seed);
  const shaped = inputs.map((vi) => ({ vi, dims: resolveDims(vi, options.dims ?? {}) }));
  // The whole request's size, before any of it is allocated.
  checkRequestInputBytes(
    shaped.map(({ vi, dims }) => ({ name: vi.name, bytes: tensorBytes(vi.dtype as DType, dims) })),
  );
  const out: Record<string, HostTensor> = {};
  for (const { vi, dims } of shaped) {
    const dtype = vi.dtype as DType;
    out[vi.name] = { dtype, dims, data: fillTensor(dtype, elementCount(dims), options.fill, next) };
  }
  return out;
}

function fillTensor(
  dtype: DType,
  count: number,
  fill: SynthOptions['fill'],
  next: () => number,
): HostTensor['data'] {
  const data = allocData(dtype, count);
  if (fill === 'zeros') return data; // every zero-filled encoding is the value 0 (strings: '')
  const ones = fill === 'ones';
  if (Array.isArray(data)) {
    for (let i = 0; i < count; i++) data[i] = ones ? '1' : randomWord(next);
    return data;
  }
  switch (dtype) {
    case 'float32':
    case 'complex64': {
      const d = data as Float32Array;
      for (let i = 0; i < d.length; i++)
        d[i] = ones ? oneOrImag(dtype, i) : (next() >>> 8) / 2 ** 24;
      return d;
    }
    case 'float64':
    case 'complex128': {
      const d = data as Float64Array;
      for (let i = 0; i < d.length; i++) {
        d[i] = ones ? oneOrImag(dtype, i) : ((next() >>> 5) * 2 ** 26 + (next() >>> 6)) / 2 ** 53;
      }
      return d;
    }
    case 'float16': {
      const d = data as Uint16Array;
      for (let i = 0; i < count; i++) d[i] = numberToF16(ones ? 1 : (next() >>> 21) / 2 ** 11);
      return d;
    }
    case 'bfloat16': {
      const d = data as Uint16Array;
      for (let i = 0; i < count; i++) d[i] = numberToBf16(ones ? 1 : (next() >>> 24) / 2 ** 8);
      return d;
    }
    case 'float8e4m3fn':
    case 'float8e4m3fnuz':
    case 'float8e5m2':
    case 'float8e5m2fnuz': {
      const d = data as Uint8Array;
      const codes = unitCodes(dtype);
      for (let i = 0; i < count; i++) d[i] = ones ? codes.one : pick(codes.below1, next);
      return d;
    }
    case 'float4e2m1':
    case 'int4':
    case 'uint4': {
      const d = data as Uint8Array;
      const codes = dtype === 'float4e2m1' ? unitCodes(dtype) : null;
      for (let i = 0; i < count; i++) {
        const v = codes ? (ones ? codes.one : pick(codes.below1, next)) : ones ? 1 : next() >>> 29;
        d[i >> 1] = (d[i >> 1] as number) | (v << ((i & 1) * 4));
      }
      return d;
    }
    case 'bool': {
      const d = data as Uint8Array;
      for (let i = 0; i < count; i++) d[i] = ones ? 1 : next() >>> 31;
      return d;
    }
    case 'int64': {
      const d = data as BigInt64Array;
      for (let i = 0; i < count; i++) d[i] = BigInt(ones ? 1 : next() % 10);
      return d;
    }
    case 'uint64': {
      const d = data as BigUint64Array;
      for (let i = 0; i < count; i++) d[i] = BigInt(ones ? 1 : next() % 10);
      return d;
    }
    default: {
      const d = data as
        Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array;
      for (let i = 0; i < count; i++) d[i] = ones ? 1 : next() % 10;
      return d;
    }
  }
}

/** For 'ones' on complex types: 1 + 0i (real slots 1, imaginary slots 0). */
function oneOrImag(dtype: DType, i: number): number {
  return dtype.startsWith('complex') && i % 2 === 1 ? 0 : 1;
}

function pick(codes: number[], next: () => number): number {
  return codes[next() % codes.length] as number;
}

function unitCodes(
  dtype: 'float8e4m3fn' | 'float8e4m3fnuz' | 'float8e5m2' | 'float8e5m2fnuz' | 'float4e2m1',
): { one: number; below1: number[] } {
  const table = miniFloatTable(dtype);
  const below1: number[] = [];
  let one = 0;
  table.forEach((v, code) => {
    // +0 only (fnuz has no -0; elsewhere the sign bit would give -0).
    if (v >= 0 && v < 1 && !Object.is(v, -0)) below1.push(code);
    if (v === 1) one = code;
  });
  return { one, below1 };
}

function randomWord(next: () => number): string {
  const len = 1 + (next() % 8);
  let s = '';
  for (let i = 0; i < len; i++) s += String.fromCharCode(97 + (next() % 26));
  return s;
}
