import { readdirSync, readFileSync } from 'node:fs';
import { onnx } from 'onnx-proto';
import { describe, expect, it } from 'vitest';
import { DTYPES, type DType } from '../../ipc/contract';
import { AppError } from '../../shared/errors';
import { onnxFromDtype, type HostTensor } from '../tensor';
import { toBigInt, toNumber } from './onnx-file';
import { decodeTensorProto, encodeTensorProto } from './tensor-proto';
import { TESTDATA, sampleTensor } from './test-helpers';

function sameData(a: HostTensor['data'], b: HostTensor['data']): void {
  expect(b.constructor).toBe(a.constructor);
  expect(Array.from(b as ArrayLike<unknown>)).toEqual(Array.from(a as ArrayLike<unknown>));
}

describe('TensorProto round trips', () => {
  it.each(DTYPES.map((d) => [d]))('%s', (dtype) => {
    for (const dims of [[2, 3], [], [0, 4], [5]]) {
      const t = sampleTensor(dtype, dims);
      const back = decodeTensorProto(encodeTensorProto(t, 'x'), 'x.pb');
      expect(back.name).toBe('x');
      expect(back.tensor.dtype).toBe(dtype);
      expect(back.tensor.dims).toEqual(dims);
      sameData(t.data, back.tensor.data);
    }
  });

  it('encodes what onnx-proto decodes the same way', () => {
    const t = sampleTensor('int64');
    const p = onnx.TensorProto.decode(encodeTensorProto(t, 'w'));
    expect(p.name).toBe('w');
    expect(p.dims.map((d) => toNumber(d))).toEqual([2, 3]);
    expect(p.dataType).toBe(7);
    expect(p.rawData.byteLength).toBe(48);
  });
});

describe('typed fields', () => {
  const cases: [DType, onnx.ITensorProto, unknown[]][] = [
    ['float32', { floatData: [1.5, -2, 0.25] }, [1.5, -2, 0.25]],
    ['float64', { doubleData: [1e300, -2, 0.1] }, [1e300, -2, 0.1]],
    ['int32', { int32Data: [-5, 0, 2147483647] }, [-5, 0, 2147483647]],
    ['int8', { int32Data: [-128, 0, 127] }, [-128, 0, 127]],
    ['uint16', { int32Data: [0, 1, 65535] }, [0, 1, 65535]],
    ['bool', { int32Data: [1, 0, 1] }, [1, 0, 1]],
    ['float16', { int32Data: [0x3c00, 0xc000, 0x7bff] }, [0x3c00, 0xc000, 0x7bff]],
    ['bfloat16', { int32Data: [0x3f80, 0x4049, 0xff80] }, [0x3f80, 0x4049, 0xff80]],
    ['float8e4m3fn', { int32Data: [0x38, 0x7e, 0x80] }, [0x38, 0x7e, 0x80]],
    [
      'int64',
      { int64Data: ['-9223372036854775808', 5, '9007199254740993'] },
      [-(2n ** 63n), 5n, 2n ** 53n + 1n],
    ],
    ['uint64', { uint64Data: ['18446744073709551615', 0, 3] }, [2n ** 64n - 1n, 0n, 3n]],
    ['uint32', { uint64Data: [4294967295, 0, 7] }, [4294967295, 0, 7]],
    [
      'string',
      { stringData: ['a', 'bé', ''].map((s) => new TextEncoder().encode(s)) },
      ['a', 'bé', ''],
    ],
  ];
  it.each(cases)('%s', (dtype, fields, want) => {
    const bytes = onnx.TensorProto.encode({
      dims: [3],
      dataType: onnxFromDtype(dtype),
      ...fields,
    }).finish();
    const t = decodeTensorProto(bytes, 't.pb').tensor;
    expect(t.dtype).toBe(dtype);
    expect(Array.from(t.data as ArrayLike<unknown>)).toEqual(want);
  });

  it('reads int4 packed two per int32_data element, low nibble first', () => {
    const bytes = onnx.TensorProto.encode({
      dims: [3],
      dataType: 22,
      int32Data: [0xf1, 0x07],
    }).finish();
    const t = decodeTensorProto(bytes, 't.pb').tensor;
    expect(Array.from(t.data as Uint8Array)).toEqual([0xf1, 0x07]);
  });

  it('reads complex64 pairs from float_data', () => {
    const bytes = onnx.TensorProto.encode({
      dims: [2],
      dataType: 14,
      floatData: [1, 2, 3, 4],
    }).finish();
    expect(Array.from(decodeTensorProto(bytes, 'c.pb').tensor.data as Float32Array)).toEqual([
      1, 2, 3, 4,
    ]);
  });

  it('reads unpacked repeated fields too', () => {
    // dims and int64_data written one varint field at a time (proto2 style).
    const bytes = Uint8Array.of(0x08, 0x02, 0x10, 0x07, 0x38, 0x7f, 0x38, 0x05);
    const t = decodeTensorProto(bytes, 'u.pb').tensor;
    expect(t.dims).toEqual([2]);
    expect(Array.from(t.data as BigInt64Array)).toEqual([127n, 5n]);
  });
});

describe('bad tensor files', () => {
  const err = (bytes: Uint8Array): AppError => {
    try {
      decodeTensorProto(bytes, '/x/in.pb');
    } catch (e) {
      expect(e).toBeInstanceOf(AppError);
      return e as AppError;
    }
    throw new Error('expected an error');
  };
  it.each([
    ['no data type', onnx.TensorProto.encode({ dims: [1] }).finish(), 'data_type is not set'],
    [
      'unknown data type',
      onnx.TensorProto.encode({ dims: [1], dataType: 99 }).finish(),
      'unknown data_type 99',
    ],
    [
      'too few raw bytes',
      onnx.TensorProto.encode({ dims: [4], dataType: 1, rawData: new Uint8Array(12) }).finish(),
      'needs 16 bytes of raw_data, found 12',
    ],
    [
      'too few typed values',
      onnx.TensorProto.encode({ dims: [4], dataType: 1, floatData: [1] }).finish(),
      'needs 4 float_data values, found 1',
    ],
    [
      'absurd dims, tiny data',
      onnx.TensorProto.encode({
        dims: [2 ** 40, 2 ** 40],
        dataType: 1,
        rawData: new Uint8Array(4),
      }).finish(),
      'too many elements',
    ],
    [
      'huge dims with small raw',
      onnx.TensorProto.encode({
        dims: [2 ** 40],
        dataType: 1,
        rawData: new Uint8Array(4),
      }).finish(),
      'bytes of raw_data',
    ],
    [
      'truncated',
      onnx.TensorProto.encode({ dims: [4], dataType: 1, rawData: new Uint8Array(16) })
        .finish()
        .subarray(0, 10),
      'truncated?',
    ],
  ])('%s', (_label, bytes, text) => {
    const e = err(bytes);
    expect(e.code).toBe('INPUT_INVALID');
    expect(e.message).toContain('/x/in.pb is not a valid ONNX tensor file: ');
    expect(e.message).toContain(text);
  });

  it('refuses external data as UNSUPPORTED', () => {
    const bytes = onnx.TensorProto.encode({
      dims: [1],
      dataType: 1,
      dataLocation: 1,
      externalData: [{ key: 'location', value: 'w.bin' }],
    }).finish();
    expect(err(bytes).code).toBe('UNSUPPORTED');
  });
});

describe('libonnx test data agrees with onnx-proto', () => {
  // Every input and output .pb of a spread of cases, every dtype they use.
  const cases = readdirSync(`${TESTDATA}/node`).filter((c) =>
    /cast|strnorm|matmul_2d|conv_with_strides|gemm_default|bitshift|and_bcast|equal|isinf/.test(c),
  );
  it.each(cases.map((c) => [c]))('%s', (c) => {
    const dir = `${TESTDATA}/node/${c}/test_data_set_0`;
    for (const f of readdirSync(dir)) {
      const bytes = readFileSync(`${dir}/${f}`);
      const mine = decodeTensorProto(bytes, f);
      const ref = onnx.TensorProto.decode(bytes);
      expect(mine.name).toBe(ref.name);
      expect(mine.tensor.dims).toEqual(ref.dims.map((d) => toNumber(d)));
      expect(onnxFromDtype(mine.tensor.dtype)).toBe(ref.dataType);
      const d = mine.tensor.data;
      if (ref.rawData.byteLength > 0) {
        const view = d as Exclude<HostTensor['data'], string[]>;
        expect(
          Buffer.from(view.buffer, view.byteOffset, view.byteLength).equals(
            Buffer.from(ref.rawData),
          ),
        ).toBe(true);
      } else if (ref.stringData.length > 0) {
        expect(d).toEqual(ref.stringData.map((s) => Buffer.from(s).toString('utf8')));
      } else if (ref.int64Data.length > 0) {
        expect(Array.from(d as BigInt64Array)).toEqual(ref.int64Data.map((v) => toBigInt(v)));
      } else if (ref.floatData.length > 0) {
        expect(Array.from(d as Float32Array)).toEqual(ref.floatData);
      }
      // Re-encoding gives a tensor that decodes to the same thing.
      const again = decodeTensorProto(encodeTensorProto(mine.tensor, mine.name), f);
      expect(Array.from(again.tensor.data as ArrayLike<unknown>)).toEqual(
        Array.from(d as ArrayLike<unknown>),
      );
    }
  });
});
