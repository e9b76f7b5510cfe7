/**
 * Host tensors: the one in-memory tensor shape every engine module shares (the ORT binding, the
 * tensor file readers and writers, input synthesis, output summaries, the engine protocol).
 *
 * Data is always JS-owned memory (never an external ArrayBuffer over native memory: Electron's V8
 * memory cage rejects those). Types with no JS array of their own are kept as raw bits:
 *   float16, bfloat16            → Uint16Array, one element per value
 *   bool                         → Uint8Array, 0 or 1
 *   float8*                      → Uint8Array, one byte per value
 *   int4, uint4, float4e2m1      → Uint8Array, packed two values per byte (low nibble first), as ONNX
 *   complex64 / complex128       → Float32Array / Float64Array of interleaved (re, im), 2 per value
 *   string                       → string[]
 */
import type { DType } from '../ipc/contract';
import { AppError } from '../shared/errors';

export type TensorData =
  | Float32Array
  | Float64Array
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array
  | string[];

/** A tensor in JS memory. `dims` are concrete (no symbolic dims here). */
export interface HostTensor {
  dtype: DType;
  dims: number[];
  data: TensorData;
}

interface DTypeInfo {
  /** ONNX TensorProto.DataType / ONNXTensorElementDataType number (the two enums agree). */
  onnx: number;
  /** Bits per value. 0 for string. */
  bits: number;
  /** The JS array that holds it. */
  array:
    | 'Float32Array'
    | 'Float64Array'
    | 'Int8Array'
    | 'Uint8Array'
    | 'Int16Array'
    | 'Uint16Array'
    | 'Int32Array'
    | 'Uint32Array'
    | 'BigInt64Array'
    | 'BigUint64Array'
    | 'string[]';
  /** Array elements per value (2 for complex), or 0.5 for packed 4-bit types. */
  perValue: number;
}

/** Facts per element type; the ONNX numbers come from onnx.proto's TensorProto.DataType. */
export const DTYPE_INFO: Record<DType, DTypeInfo> = {
  float32: { onnx: 1, bits: 32, array: 'Float32Array', perValue: 1 },
  uint8: { onnx: 2, bits: 8, array: 'Uint8Array', perValue: 1 },
  int8: { onnx: 3, bits: 8, array: 'Int8Array', perValue: 1 },
  uint16: { onnx: 4, bits: 16, array: 'Uint16Array', perValue: 1 },
  int16: { onnx: 5, bits: 16, array: 'Int16Array', perValue: 1 },
  int32: { onnx: 6, bits: 32, array: 'Int32Array', perValue: 1 },
  int64: { onnx: 7, bits: 64, array: 'BigInt64Array', perValue: 1 },
  string: { onnx: 8, bits: 0, array: 'string[]', perValue: 1 },
  bool: { onnx: 9, bits: 8, array: 'Uint8Array', perValue: 1 },
  float16: { onnx: 10, bits: 16, array: 'Uint16Array', perValue: 1 },
  float64: { onnx: 11, bits: 64, array: 'Float64Array', perValue: 1 },
  uint32: { onnx: 12, bits: 32, array: 'Uint32Array', perValue: 1 },
  uint64: { onnx: 13, bits: 64, array: 'BigUint64Array', perValue: 1 },
  complex64: { onnx: 14, bits: 64, array: 'Float32Array', perValue: 2 },
  complex128: { onnx: 15, bits: 128, array: 'Float64Array', perValue: 2 },
  bfloat16: { onnx: 16, bits: 16, array: 'Uint16Array', perValue: 1 },
  float8e4m3fn: { onnx: 17, bits: 8, array: 'Uint8Array', perValue: 1 },
  float8e4m3fnuz: { onnx: 18, bits: 8, array: 'Uint8Array', perValue: 1 },
  float8e5m2: { onnx: 19, bits: 8, array: 'Uint8Array', perValue: 1 },
  float8e5m2fnuz: { onnx: 20, bits: 8, array: 'Uint8Array', perValue: 1 },
  uint4: { onnx: 21, bits: 4, array: 'Uint8Array', perValue: 0.5 },
  int4: { onnx: 22, bits: 4, array: 'Uint8Array', perValue: 0.5 },
  float4e2m1: { onnx: 23, bits: 4, array: 'Uint8Array', perValue: 0.5 },
};

const BY_ONNX = new Map<number, DType>(
  (Object.entries(DTYPE_INFO) as [DType, DTypeInfo][]).map(([name, info]) => [info.onnx, name]),
);

/** The Crucible dtype for an ONNX / ORT element-type number, or null when unknown. */
export function dtypeFromOnnx(n: number): DType | null {
  return BY_ONNX.get(n) ?? null;
}

/** The ONNX / ORT element-type number of a dtype. */
export function onnxFromDtype(dtype: DType): number {
  return DTYPE_INFO[dtype].onnx;
}

/** Number of values for dims (1 for a scalar). Throws INPUT_INVALID past 2^53 or for negatives. */
export function elementCount(dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) {
    if (!Number.isSafeInteger(d) || d < 0) {
      throw new AppError('INPUT_INVALID', `invalid dimension ${d} in shape [${dims.join(', ')}]`);
    }
    n *= d;
    if (!Number.isSafeInteger(n)) {
      throw new AppError('INPUT_INVALID', `shape [${dims.join(', ')}] has too many elements`);
    }
  }
  return n;
}

/** Length of the JS array that holds `count` values of `dtype`. */
export function arrayLength(dtype: DType, count: number): number {
  const per = DTYPE_INFO[dtype].perValue;
  return per === 0.5 ? Math.ceil(count / 2) : count * per;
}

/** Bytes that `count` values of a fixed-size dtype take (0 for string). */
export function byteLength(dtype: DType, count: number): number {
  const info = DTYPE_INFO[dtype];
  return info.bits === 4 ? Math.ceil(count / 2) : (count * info.bits) / 8;
}

/** Allocates a zero-filled JS array for `count` values of `dtype`. */
export function allocData(dtype: DType, count: number): TensorData {
  const len = arrayLength(dtype, count);
  switch (DTYPE_INFO[dtype].array) {
    case 'Float32Array':
      return new Float32Array(len);
    case 'Float64Array':
      return new Float64Array(len);
    case 'Int8Array':
      return new Int8Array(len);
    case 'Uint8Array':
      return new Uint8Array(len);
    case 'Int16Array':
      return new Int16Array(len);
    case 'Uint16Array':
      return new Uint16Array(len);
    case 'Int32Array':
      return new Int32Array(len);
    case 'Uint32Array':
      return new Uint32Array(len);
    case 'BigInt64Array':
      return new BigInt64Array(len);
    case 'BigUint64Array':
      return new BigUint64Array(len);
    case 'string[]':
      return new Array<string>(len).fill('');
  }
}

/** Wraps raw little-endian bytes (copied) as the JS array for `dtype`. */
export function dataFromBytes(dtype: DType, bytes: Uint8Array, count: number): TensorData {
  if (dtype === 'string') throw new AppError('INPUT_INVALID', 'string tensors have no raw bytes');
  const expected = byteLength(dtype, count);
  if (bytes.byteLength !== expected) {
    throw new AppError(
      'INPUT_INVALID',
      `${dtype} tensor of ${count} values needs ${expected} bytes, got ${bytes.byteLength}`,
    );
  }
  const data = allocData(dtype, count);
  new Uint8Array(
    (data as Exclude<TensorData, string[]>).buffer,
    (data as Exclude<TensorData, string[]>).byteOffset,
    expected,
  ).set(bytes);
  return data;
}

/** Checks that a host tensor's data matches its dtype and dims. Throws INPUT_INVALID naming it. */
export function checkHostTensor(name: string, t: HostTensor): void {
  const count = elementCount(t.dims);
  const info = DTYPE_INFO[t.dtype];
  const want = arrayLength(t.dtype, count);
  const isRightKind =
    info.array === 'string[]'
      ? Array.isArray(t.data)
      : !Array.isArray(t.data) && t.data.constructor.name === info.array;
  if (!isRightKind) {
    throw new AppError('INPUT_INVALID', `input '${name}': ${t.dtype} data must be a ${info.array}`);
  }
  if (t.data.length !== want) {
    throw new AppError(
      'INPUT_INVALID',
      `input '${name}': shape [${t.dims.join(', ')}] needs ${want} elements, got ${t.data.length}`,
    );
  }
}
