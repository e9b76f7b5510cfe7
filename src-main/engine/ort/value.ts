/**
 * OrtValue ↔ HostTensor, for every ONNX element type. Fixed-size types are created over the JS
 * array's own memory (CreateTensorWithDataAsOrtValue, no copy; the handle keeps the array alive) and
 * read back with one memcpy into a fresh JS array. Strings go through FillStringTensor and
 * GetStringTensorContent. 4-bit types stay packed two per byte, as in ONNX and in ORT's memory.
 */
import type { DType, ValueInfo } from '../../ipc/contract';
import { AppError } from '../../shared/errors';
import {
  allocData,
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

function shapeToDims(shape: ArrayLike<bigint | number>): number[] {
  return Array.from(shape, (d) => Number(d));
}

/** The Crucible dtype for an ORT element type, or a clear error for types Crucible lacks. */
export function dtypeOf(onnx: number, what: string): DType {
  const dtype = dtypeFromOnnx(onnx);
  if (!dtype) throw new AppError('UNSUPPORTED', `${what} has element type ${onnx}, unknown here`);
  return dtype;
}

/** An OrtValue handle. Values created from JS arrays keep the array alive while they exist. */
export class OrtValue extends NativeHandle {
  // The JS memory a tensor was created over: referenced so it outlives the native value.
  readonly #keepAlive: TensorData | null;

  private constructor(ptr: bigint, keepAlive: TensorData | null) {
    super('OrtValue', ptr, (p) => ortBinding().api.ReleaseValue(p));
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
    const out: [number] = [0];
    check(ortBinding().api.GetValueType(this.ptr, out), 'reading a value type');
    return onnxValueType(out[0]);
  }

  /** Element type and shape of a tensor value. */
  tensorInfo(name = 'tensor'): { dtype: DType; dims: number[] } {
    const type: [number] = [0];
    const shape: [NPtr] = [null];
    const count: [number] = [0];
    check(
      ortBinding().api.GetTensorElementTypeAndShapeDataReference(this.ptr, type, shape, count),
      `reading the type and shape of '${name}'`,
    );
    const dims =
      count[0] > 0 && shape[0] ? shapeToDims(readInt64s(shape[0], count[0])) : ([] as number[]);
    return { dtype: dtypeOf(type[0], `'${name}'`), dims };
  }

  /** GetTensorMutableData: the tensor's data address (NULL for zero-size tensors). */
  dataPointer(): NPtr {
    const out: [NPtr] = [null];
    check(ortBinding().api.GetTensorMutableData(this.ptr, out), 'reading a tensor data address');
    return out[0];
  }

  /** GetTensorSizeInBytes. */
  byteSize(): number {
    const out: [number] = [0];
    check(ortBinding().api.GetTensorSizeInBytes(this.ptr, out), 'reading a tensor size');
    return out[0];
  }

  /**
   * Copies a CPU-resident tensor into a new HostTensor in JS-owned memory. Non-tensors fail with
   * OUTPUT_NOT_TENSOR naming `name` and the value's kind.
   */
  toHost(name = 'value'): HostTensor {
    const kind = this.valueType;
    if (kind !== 'tensor') {
      throw new AppError(
        'OUTPUT_NOT_TENSOR',
        `output '${name}' is a ${kind.replace('_', ' ')}, not a tensor; Crucible reads tensors only`,
      );
    }
    const { dtype, dims } = this.tensorInfo(name);
    const count = elementCount(dims);
    if (dtype === 'string') return { dtype, dims, data: this.#readStrings(count, name) };
    const data = allocData(dtype, count) as Exclude<TensorData, string[]>;
    const bytes = byteLength(dtype, count);
    if (bytes > 0) {
      const src = this.dataPointer();
      if (!src) throw new Error(`tensor '${name}' of ${bytes} bytes has no data`);
      copyFromNative(data, src, bytes);
    }
    return { dtype, dims, data };
  }

  #readStrings(count: number, name: string): string[] {
    if (count === 0) return [];
    const { api } = ortBinding();
    const what = `reading string tensor '${name}'`;
    const total: [number] = [0];
    check(api.GetStringTensorDataLength(this.ptr, total), what);
    const buf = new Uint8Array(total[0]);
    const offsets = new BigUint64Array(count);
    check(api.GetStringTensorContent(this.ptr, buf, buf.length, offsets, count), what);
    const decoder = new TextDecoder();
    const out = new Array<string>(count);
    for (let i = 0; i < count; i++) {
      const start = Number(offsets[i]);
      const end = i + 1 < count ? Number(offsets[i + 1]) : buf.length;
      out[i] = decoder.decode(buf.subarray(start, end));
    }
    return out;
  }

  /** The JS array this value was created over, if any. */
  get hostData(): TensorData | null {
    return this.#keepAlive;
  }
}

function readInt64s(ptr: bigint, count: number): BigInt64Array {
  const dst = new BigInt64Array(count);
  copyFromNative(dst, ptr, count * 8);
  return dst;
}
