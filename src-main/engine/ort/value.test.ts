import { describe, expect, it } from 'vitest';
import { DTYPES } from '../../ipc/contract';
import type { DType } from '../../ipc/contract';
import { AppError } from '../../shared/errors';
import { allocData, arrayLength, DTYPE_INFO } from '../tensor';
import type { HostTensor, TensorData } from '../tensor';
import { initOrt } from './env';
import { Allocator } from './memory-info';
import { OrtValue } from './value';

initOrt();

/** Deterministic non-trivial data for `count` values of `dtype`. */
function sample(dtype: DType, dims: number[]): HostTensor {
  const count = dims.reduce((a, b) => a * b, 1);
  if (dtype === 'string') {
    return {
      dtype,
      dims,
      data: Array.from({ length: count }, (_, i) => ['', 'ä€😀', `s${i}`][i % 3] ?? ''),
    };
  }
  const data = allocData(dtype, count) as Exclude<TensorData, string[]>;
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 37 + 11) & 0xff;
  if (dtype === 'bool') for (let i = 0; i < data.length; i++) data[i] = i % 3 === 0 ? 1 : 0;
  // Floats: keep finite values so NaN payloads cannot blur a bitwise comparison.
  if (data instanceof Float32Array || data instanceof Float64Array) {
    for (let i = 0; i < data.length; i++) data[i] = (i - 3.25) * 1.5e-3;
  }
  // An odd count of 4-bit values leaves the last high nibble unused: ONNX says zero.
  if (DTYPE_INFO[dtype].bits === 4 && count % 2 === 1 && bytes.length > 0) {
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) & 0x0f;
  }
  return { dtype, dims, data };
}

function roundTrip(t: HostTensor): HostTensor {
  const v = OrtValue.fromHost(t, 'x');
  try {
    expect(v.valueType).toBe('tensor');
    expect(v.tensorInfo()).toEqual({ dtype: t.dtype, dims: t.dims });
    return v.toHost('x');
  } finally {
    v.release();
  }
}

const ORT_LACKS = new Set<DType>(['complex64', 'complex128']);

describe('HostTensor → OrtValue → HostTensor', () => {
  for (const dtype of DTYPES.filter((d) => !ORT_LACKS.has(d))) {
    it(`keeps ${dtype} bit for bit (shapes [2,3], [5], scalar, zero-size)`, () => {
      for (const dims of [[2, 3], [5], [], [0, 4]]) {
        const t = sample(dtype, dims);
        const back = roundTrip(t);
        expect(back.dtype).toBe(dtype);
        expect(back.dims).toEqual(dims);
        expect(back.data.length).toBe(
          arrayLength(
            dtype,
            dims.reduce((a, b) => a * b, 1),
          ),
        );
        expect(back.data.constructor).toBe(t.data.constructor);
        expect(back.data).toEqual(t.data);
        // A copy in JS memory, not a view of the input.
        expect(back.data).not.toBe(t.data);
      }
    });
  }

  it('packs int4 two per byte, low nibble first, as ONNX does', () => {
    // values 1, 2, -3 → 0x21, 0x0d
    const t: HostTensor = { dtype: 'int4', dims: [3], data: new Uint8Array([0x21, 0x0d]) };
    const v = OrtValue.fromHost(t);
    expect(v.byteSize()).toBe(2);
    expect(v.toHost().data).toEqual(new Uint8Array([0x21, 0x0d]));
    v.release();
  });

  it('copies strings into ORT (later changes to the JS array do not leak in)', () => {
    const data = ['a', 'bb'];
    const v = OrtValue.fromHost({ dtype: 'string', dims: [2], data });
    data[0] = 'changed';
    expect(v.toHost().data).toEqual(['a', 'bb']);
    v.release();
  });

  it('rejects complex tensors, which ORT does not implement, with UNSUPPORTED', () => {
    const t: HostTensor = { dtype: 'complex64', dims: [2], data: new Float32Array(4) };
    let err: unknown;
    try {
      OrtValue.fromHost(t, 'z');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('UNSUPPORTED');
    expect((err as AppError).message).toContain("complex64 tensor 'z'");
    expect((err as AppError).detail).toBe('ORT_NOT_IMPLEMENTED');
  });

  it('checks data against dtype and shape before calling ORT', () => {
    const wrongLength: HostTensor = { dtype: 'float32', dims: [2, 2], data: new Float32Array(3) };
    expect(() => OrtValue.fromHost(wrongLength, 'w')).toThrow(/input 'w'.*needs 4 elements, got 3/);
    const wrongArray: HostTensor = { dtype: 'int64', dims: [1], data: new Int32Array(1) };
    expect(() => OrtValue.fromHost(wrongArray, 'w')).toThrow(/BigInt64Array/);
  });

  it('allocates tensors with an ORT allocator and reads them back', () => {
    const v = OrtValue.allocate(Allocator.default(), 'float32', [2, 2]);
    expect(v.tensorInfo()).toEqual({ dtype: 'float32', dims: [2, 2] });
    expect(v.dataPointer()).toBeTypeOf('bigint');
    expect(v.toHost().data).toHaveLength(4);
    v.release();
  });
});

describe('handles', () => {
  it('release once; use after release throws a clear Error', () => {
    const v = OrtValue.fromHost({ dtype: 'float32', dims: [1], data: new Float32Array(1) });
    v.release();
    v.release();
    expect(v.released).toBe(true);
    expect(() => v.toHost()).toThrow('OrtValue used after release()');
  });

  it('defers the native free of a pinned handle to its last unpin', () => {
    const v = OrtValue.fromHost({ dtype: 'float32', dims: [1], data: new Float32Array([7]) });
    const ptr = v.pin();
    v.release();
    expect(() => v.ptr).toThrow(/after release/);
    // Still alive natively until unpinned: a fresh wrapper over the pointer would read it.
    expect(ptr).toBeTypeOf('bigint');
    v.unpin();
    expect(() => v.unpin()).toThrow(/unpin\(\) without pin\(\)/);
  });
});
