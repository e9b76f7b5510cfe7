/**
 * OrtValue ↔ HostTensor, for every ONNX element type. Fixed-size types are created over the JS
 * array's own memory (CreateTensorWithDataAsOrtValue, no copy; the handle keeps the array alive) and
 * read back with one memcpy into a fresh JS array. Strings go through FillStringTensor and
 * GetStringTensorContent. 4-bit types stay packed two per byte, as in ONNX and in ORT's memory.
 *
 * Reading an output is on the hot path of every run (a tiny model's whole inference costs about as
 * much as a few koffi calls), so {@link readTensor} keeps it to three native calls: element type
 * and shape together (GetTensorElementTypeAndShapeDataReference), the data address, one memcpy.
 * Out-parameters go into preallocated typed arrays, which koffi passes as plain pointers; its
 * one-element JS arrays cost ~2 µs a call here (a temporary, then a write-back). A non-tensor is
 * only asked for its kind once a tensor read failed, to name it in OUTPUT_NOT_TENSOR.
 */
import type { DType, ValueInfo } from '../../ipc/contract';
import { AppError } from '../../shared/errors';
import {
  allocData,
  arrayLength,
  byteLength,
  checkHostTensor,
  dtypeFromOnnx,
  elementCount,
  onnxFromDtype,
} from '../tensor';
import type { HostTensor, TensorData } from '../tensor';
import { ortBinding } from './api';
import type { NPtr, Ptr } from './api';
import { ortEnv } from './env';
import { NativeHandle } from './handle';
import { Allocator, cpuMemoryInfo } from './memory-info';
import { copyFromNative } from './native-memory';
import { check } from './status';

/** ONNXType values by number. */
const ONNX_TYPES = [
  'unknown',
  'tensor',
  'sequence',
  'map',
  'opaque',
  'sparse_tensor',
  'optional',
] as const;
export type OnnxValueType = (typeof ONNX_TYPES)[number];

/** The ONNXType name of a number. */
export function onnxValueType(n: number): OnnxValueType {
  return ONNX_TYPES[n] ?? 'unknown';
}

/** The contract's ValueInfo kind for an ONNXType (opaque has no kind of its own there). */
export function valueInfoKind(t: OnnxValueType): ValueInfo['kind'] {
  return t === 'opaque' ? 'unknown' : t;
}

function dimsToShape(dims: readonly number[]): BigInt64Array {
  return BigInt64Array.from(dims, (d) => BigInt(d));
}

/** The Crucible dtype for an ORT element type, or a clear error for types Crucible lacks. */
export function dtypeOf(onnx: number, what: string): DType {
  const dtype = dtypeFromOnnx(onnx);
  if (!dtype) throw new AppError('UNSUPPORTED', `${what} has element type ${onnx}, unknown here`);
  return dtype;
}

/** A fixed-size dtype's JS array type. */
type FixedData = Exclude<TensorData, string[]>;
type FixedCtor = new (buffer: ArrayBuffer) => FixedData;

// Scratch memory for the synchronous reads below: out-parameters and small outputs. Each is used
// only between a native call and the next JS statement (no callback can run in between: these
// getters never log), so one set serves the whole thread. Off-heap ArrayBuffers: koffi passes
// their memory directly, with no on-heap typed array to move out first.
const outType = new Int32Array(new ArrayBuffer(4));
const outPtr = new BigUint64Array(new ArrayBuffer(8));
const outSize = new BigUint64Array(new ArrayBuffer(8));
const MAX_SCRATCH_DIMS = 32;
const scratchDims = new BigInt64Array(new ArrayBuffer(MAX_SCRATCH_DIMS * 8));
/**
 * Outputs up to this size are copied into scratch memory and sliced out: V8 keeps typed arrays of
 * up to 64 bytes on its heap, and handing such an array to native code first moves it off the heap
 * (~0.5 µs, more than the copy). Larger ones are allocated off-heap anyway and copied in directly.
 */
const SMALL_OUTPUT_BYTES = 64;
const scratchData = new ArrayBuffer(SMALL_OUTPUT_BYTES);
const scratchViews = new Map<DType, FixedData>();

function scratchView(dtype: DType): FixedData {
  let view = scratchViews.get(dtype);
  if (!view) {
    const ctor = (allocData(dtype, 0) as FixedData).constructor as FixedCtor;
    view = new ctor(scratchData);
    scratchViews.set(dtype, view);
  }
  return view;
}

// koffi fills an `_Out_` pointer parameter given a typed array through its memory; the api table
// types those parameters as one-element arrays, so these views retype the calls used here.
type TypeAndShapeFn = (
  value: Ptr,
  type: Int32Array,
  shape: BigUint64Array,
  count: BigUint64Array,
) => NPtr;
type PtrOutFn = (value: Ptr, out: BigUint64Array) => NPtr;
type IntOutFn = (value: Ptr, out: Int32Array) => NPtr;

// One function for every OrtValue, not a closure per value.
function releaseValue(ptr: bigint): void {
  ortBinding().api.ReleaseValue(ptr);
}

/** GetValueType of a raw OrtValue pointer. */
function valueTypeAt(ptr: Ptr): OnnxValueType {
  const getType = ortBinding().api.GetValueType as unknown as IntOutFn;
  check(getType(ptr, outType), 'reading a value type');
  return onnxValueType(outType[0] as number);
}

/** Element type and shape of a raw tensor pointer (fails for values that are not tensors). */
function tensorInfoAt(ptr: Ptr, name: string): { dtype: DType; dims: number[] } {
  const fn = ortBinding().api
    .GetTensorElementTypeAndShapeDataReference as unknown as TypeAndShapeFn;
  const status = fn(ptr, outType, outPtr, outSize);
  if (status) check(status, `reading the type and shape of '${name}'`);
  const type = outType[0] as number;
  const rank = Number(outSize[0]);
  const shape = outPtr[0] as bigint;
  let dims: number[];
  if (rank === 0 || shape === 0n) dims = [];
  else {
    const src = rank <= MAX_SCRATCH_DIMS ? scratchDims : new BigInt64Array(rank);
    copyFromNative(src, shape, rank * 8);
    dims = new Array<number>(rank);
    for (let i = 0; i < rank; i++) dims[i] = Number(src[i]);
  }
  return { dtype: dtypeOf(type, `'${name}'`), dims };
}

/** GetTensorMutableData of a raw pointer. */
function dataPointerAt(ptr: Ptr): NPtr {
  const fn = ortBinding().api.GetTensorMutableData as unknown as PtrOutFn;
  check(fn(ptr, outPtr), 'reading a tensor data address');
  return outPtr[0] || null;
}

function notTensorError(name: string, kind: OnnxValueType): AppError {
  return new AppError(
    'OUTPUT_NOT_TENSOR',
    `output '${name}' is a ${kind.replace('_', ' ')}, not a tensor; Crucible reads tensors only`,
  );
}

/**
 * Copies the CPU-resident tensor at a raw OrtValue pointer into a new HostTensor in JS-owned
 * memory, without wrapping the pointer in a handle: for outputs that are read and released at once
 * (the caller still owns `ptr` and releases it, also when this throws). Non-tensors (sequences,
 * maps, sparse tensors, unset optionals) fail with OUTPUT_NOT_TENSOR naming `name` and the kind.
 */
export function readTensor(ptr: Ptr, name = 'value'): HostTensor {
  try {
    return readTensorUnchecked(ptr, name);
  } catch (err) {
    // Type and shape fail for non-tensors, and the data address for sparse tensors (whose type
    // and shape do read): only then is the kind worth a native call, to say what the value is.
    let kind: OnnxValueType = 'tensor';
    try {
      kind = valueTypeAt(ptr);
    } catch {
      // Keep the first error: it says what failed.
    }
    if (kind !== 'tensor') throw notTensorError(name, kind);
    throw err;
  }
}

function readTensorUnchecked(ptr: Ptr, name: string): HostTensor {
  const { dtype, dims } = tensorInfoAt(ptr, name);
  const count = elementCount(dims);
  // Asked even when no byte is copied: it is what fails for a sparse tensor.
  const src = dataPointerAt(ptr);
  if (dtype === 'string') return { dtype, dims, data: readStrings(ptr, count, name) };
  const bytes = byteLength(dtype, count);
  if (bytes === 0) return { dtype, dims, data: allocData(dtype, count) };
  if (!src) throw new Error(`tensor '${name}' of ${bytes} bytes has no data`);
  if (bytes <= SMALL_OUTPUT_BYTES) {
    const view = scratchView(dtype);
    copyFromNative(view, src, bytes);
    // slice() of the same element type copies the bytes as they are (NaN payloads included).
    return { dtype, dims, data: view.slice(0, arrayLength(dtype, count)) };
  }
  const data = allocData(dtype, count) as FixedData;
  copyFromNative(data, src, bytes);
  return { dtype, dims, data };
}

function readStrings(ptr: Ptr, count: number, name: string): string[] {
  if (count === 0) return [];
  const { api } = ortBinding();
  const what = `reading string tensor '${name}'`;
  const total: [number] = [0];
  check(api.GetStringTensorDataLength(ptr, total), what);
  const buf = new Uint8Array(total[0]);
  const offsets = new BigUint64Array(count);
  check(api.GetStringTensorContent(ptr, buf, buf.length, offsets, count), what);
  const decoder = new TextDecoder();
  const out = new Array<string>(count);
  for (let i = 0; i < count; i++) {
    const start = Number(offsets[i]);
    const end = i + 1 < count ? Number(offsets[i + 1]) : buf.length;
    out[i] = decoder.decode(buf.subarray(start, end));
  }
  return out;
}

/** An OrtValue handle. Values created from JS arrays keep the array alive while they exist. */
export class OrtValue extends NativeHandle {
  // The JS memory a tensor was created over: referenced so it outlives the native value.
  readonly #keepAlive: TensorData | null;

  private constructor(ptr: bigint, keepAlive: TensorData | null) {
    super('OrtValue', ptr, releaseValue);
    this.#keepAlive = keepAlive;
  }

  /** Takes ownership of a value ORT handed over (e.g. a Run output). */
  static adopt(ptr: Ptr): OrtValue {
    return new OrtValue(ptr, null);
  }

  /**
   * A tensor over `t`'s memory (strings are copied into ORT). `name` labels errors. The data must not
   * change while a run uses the value.
   */
  static fromHost(t: HostTensor, name = 'tensor'): OrtValue {
    checkHostTensor(name, t);
    ortEnv();
    const { api } = ortBinding();
    const shape = dimsToShape(t.dims);
    const type = onnxFromDtype(t.dtype);
    const out: [NPtr] = [null];
    const what = `creating ${t.dtype} tensor '${name}' [${t.dims.join(', ')}]`;
    if (t.dtype === 'string') {
      check(
        api.CreateTensorAsOrtValue(Allocator.default().ptr, shape, shape.length, type, out),
        what,
      );
      const value = new OrtValue(out[0] ?? 0n, null);
      const strings = t.data as string[];
      if (strings.length > 0) {
        try {
          check(api.FillStringTensor(value.ptr, strings, strings.length), what);
        } catch (err) {
          value.release();
          throw err;
        }
      }
      return value;
    }
    const data = t.data as Exclude<TensorData, string[]>;
    const bytes = byteLength(t.dtype, elementCount(t.dims));
    check(
      api.CreateTensorWithDataAsOrtValue(
        cpuMemoryInfo().ptr,
        data,
        bytes,
        shape,
        shape.length,
        type,
        out,
      ),
      what,
    );
    return new OrtValue(out[0] ?? 0n, data);
  }

  /** CreateTensorAsOrtValue: a tensor in memory from `allocator` (e.g. a GPU shared allocator). */
  static allocate(allocator: Allocator, dtype: DType, dims: readonly number[]): OrtValue {
    elementCount(dims);
    const shape = dimsToShape(dims);
    const out: [NPtr] = [null];
    check(
      ortBinding().api.CreateTensorAsOrtValue(
        allocator.ptr,
        shape,
        shape.length,
        onnxFromDtype(dtype),
        out,
      ),
      `allocating a ${dtype} tensor [${dims.join(', ')}]`,
    );
    return new OrtValue(out[0] ?? 0n, null);
  }

  /** GetValueType. */
  get valueType(): OnnxValueType {
    return valueTypeAt(this.ptr);
  }

  /** Element type and shape of a tensor value. */
  tensorInfo(name = 'tensor'): { dtype: DType; dims: number[] } {
    return tensorInfoAt(this.ptr, name);
  }

  /** GetTensorMutableData: the tensor's data address (NULL for zero-size tensors). */
  dataPointer(): NPtr {
    return dataPointerAt(this.ptr);
  }

  /** GetTensorSizeInBytes. */
  byteSize(): number {
    const out: [number] = [0];
    check(ortBinding().api.GetTensorSizeInBytes(this.ptr, out), 'reading a tensor size');
    return out[0];
  }

  /**
   * Copies a CPU-resident tensor into a new HostTensor in JS-owned memory (see {@link readTensor}).
   * Non-tensors fail with OUTPUT_NOT_TENSOR naming `name` and the value's kind.
   */
  toHost(name = 'value'): HostTensor {
    return readTensor(this.ptr, name);
  }

  /** The JS array this value was created over, if any. */
  get hostData(): TensorData | null {
    return this.#keepAlive;
  }
}
