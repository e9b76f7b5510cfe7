/**
 * Builders for hand-made ONNX models in tests, encoded with onnx-proto (the same package that
 * decodes them). Test-only: nothing outside *.test.ts imports this.
 */
import { onnx } from 'onnx-proto';
import { expect } from 'vitest';
import type { DType } from '../../ipc/contract';
import { AppError } from '../../shared/errors';
import { allocData, elementCount, type HostTensor } from '../tensor';

/** Libonnx test data, installed by Debian's libonnx-testdata package. */
export const TESTDATA = '/usr/share/libonnx-testdata/data';

/** A tensor ValueInfoProto; dims are sizes, names (symbolic) or null (unknown). */
export function tensorInfo(
  name: string,
  elemType: number,
  dims: (number | string | null)[] | null,
): onnx.IValueInfoProto {
  const shape =
    dims === null
      ? undefined
      : {
          dim: dims.map((d) =>
            typeof d === 'number' ? { dimValue: d } : d === null ? {} : { dimParam: d },
          ),
        };
  return { name, type: { tensorType: { elemType, shape } } };
}

/** A node with integer-list, integer, float, string or graph attributes. */
export function node(
  opType: string,
  input: string[],
  output: string[],
  attrs: Record<string, number[] | number | string | onnx.IGraphProto | onnx.ITensorProto> = {},
  domain = '',
): onnx.INodeProto {
  const attribute: onnx.IAttributeProto[] = Object.entries(attrs).map(([name, v]) => {
    if (Array.isArray(v)) return { name, type: onnx.AttributeProto.AttributeType.INTS, ints: v };
    if (typeof v === 'number') return { name, type: onnx.AttributeProto.AttributeType.INT, i: v };
    if (typeof v === 'string')
      return {
        name,
        type: onnx.AttributeProto.AttributeType.STRING,
        s: new TextEncoder().encode(v),
      };
    if ('dataType' in v) return { name, type: onnx.AttributeProto.AttributeType.TENSOR, t: v };
    return { name, type: onnx.AttributeProto.AttributeType.GRAPH, g: v as onnx.IGraphProto };
  });
  return { opType, input, output, attribute, domain };
}

/** An int64 initializer with its values. */
export function int64Init(
  name: string,
  values: number[],
  dims = [values.length],
): onnx.ITensorProto {
  return { name, dataType: 7, dims, int64Data: values };
}

/** Encodes a model around a graph. */
export function encodeModel(graph: onnx.IGraphProto, opset = 13): Uint8Array {
  return onnx.ModelProto.encode({
    irVersion: 8,
    opsetImport: [{ domain: '', version: opset }],
    producerName: 'crucible-test',
    producerVersion: '1',
    graph,
  }).finish();
}

/** A tensor of `dtype` with distinct, edge-case values (every byte pattern differs per element). */
export function sampleTensor(dtype: DType, dims = [2, 3]): HostTensor {
  const count = elementCount(dims);
  const data = allocData(dtype, count);
  if (Array.isArray(data)) {
    const words = ['', 'a', 'héllo', '日本', 'x'.repeat(40), '\u{1F600}'];
    for (let i = 0; i < data.length; i++) data[i] = words[i % words.length] as string;
  } else if (data instanceof BigInt64Array) {
    const v = [0n, -1n, 2n ** 62n, -(2n ** 63n), 2n ** 63n - 1n, 12345678901234n];
    for (let i = 0; i < data.length; i++) data[i] = v[i % v.length] as bigint;
  } else if (data instanceof BigUint64Array) {
    const v = [0n, 1n, 2n ** 64n - 1n, 2n ** 53n + 1n, 7n, 2n ** 63n];
    for (let i = 0; i < data.length; i++) data[i] = v[i % v.length] as bigint;
  } else if (dtype === 'bool') {
    for (let i = 0; i < data.length; i++) data[i] = i % 2;
  } else if (data instanceof Float32Array || data instanceof Float64Array) {
    const v = [0, -1.5, 3.25, 1e-30, -0, 65504, Infinity, NaN];
    for (let i = 0; i < data.length; i++) data[i] = v[i % v.length] as number;
  } else {
    for (let i = 0; i < data.length; i++) data[i] = (i * 37 + 11) & 0xff;
  }
  return { dtype, dims, data };
}

/**
 * Raw ModelProto wire bytes nested far past any stack: graph{node{attribute{g{...}}}} `levels`
 * times, written by hand (varint lengths, inside out) since no encoder would build it.
 */
export function wireBomb(levels: number): Uint8Array {
  const wrap = (field: number, payload: Uint8Array) => {
    const len: number[] = [];
    let n = payload.byteLength;
    do {
      len.push((n & 0x7f) | (n > 0x7f ? 0x80 : 0));
      n >>>= 7;
    } while (n > 0);
    const out = new Uint8Array(1 + len.length + payload.byteLength);
    out[0] = (field << 3) | 2;
    out.set(len, 1);
    out.set(payload, 1 + len.length);
    return out;
  };
  let inner = new Uint8Array(0);
  for (let i = 0; i < levels; i++) inner = wrap(1, wrap(5, wrap(6, inner)));
  return wrap(7, inner);
}

/**
 * The AppError that `p` rejects with (or that the function `p` throws or rejects with); fails the
 * test when it settles without one or with another kind of error.
 */
export async function errorOf(p: Promise<unknown> | (() => unknown)): Promise<AppError> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    return err as AppError;
  }
  throw new Error('expected an AppError');
}
