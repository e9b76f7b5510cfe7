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

/** A float32 initializer with its values. */
export function floatInit(
  name: string,
  values: number[],
  dims = [values.length],
): onnx.ITensorProto {
  return { name, dataType: 1, dims, floatData: values };
}

/**
 * A model with a control input, as voice-activity detectors have: `x` float32 [?, 4] (unnamed
 * batch) and `sr` int64 scalar. `y` is x × 2 when sr is 16000, x × 3 when sr is 8000, and any other
 * rate takes a branch that fails at run time (a Reshape of 4 × batch values to [3]), so a run,
 * a benchmark or a compile's warm-up run shows which branch the value it was fed selected.
 */
export function controlInputModel(): Uint8Array {
  const times = (k: string, out: string): onnx.IGraphProto => ({
    name: `times_${k}`,
    node: [node('Mul', ['x', k], [out])],
    output: [tensorInfo(out, 1, null)],
  });
  const failing: onnx.IGraphProto = {
    name: 'other_rate',
    node: [node('Reshape', ['x', 'three'], ['y_bad'])],
    output: [tensorInfo('y_bad', 1, null)],
  };
  const inner: onnx.IGraphProto = {
    name: 'not_16k',
    node: [
      node('Equal', ['sr', 'r8k'], ['is8k']),
      node('If', ['is8k'], ['y_inner'], {
        then_branch: times('three_f', 'y3'),
        else_branch: failing,
      }),
    ],
    output: [tensorInfo('y_inner', 1, null)],
  };
  return encodeModel(
    {
      name: 'control_input',
      node: [
        node('Equal', ['sr', 'r16k'], ['is16k']),
        node('If', ['is16k'], ['y'], { then_branch: times('two', 'y2'), else_branch: inner }),
      ],
      input: [tensorInfo('x', 1, [null, 4]), tensorInfo('sr', 7, [])],
      initializer: [
        int64Init('r16k', [16000], []),
        int64Init('r8k', [8000], []),
        int64Init('three', [3]),
        floatInit('two', [2], []),
        floatInit('three_f', [3], []),
      ],
      output: [tensorInfo('y', 1, null)],
    },
    13,
  );
}

/**
 * Two inputs sharing an unnamed batch dim, as recurrent models take them: `input` float32 [?, 4]
 * and `state` float32 [2, ?, 8]. The model concatenates state with a projection of the input along
 * dim 0, so the run fails inside ORT unless both batch dims agree. `out` is [3, batch, 8].
 */
export function sharedBatchModel(): Uint8Array {
  return encodeModel(
    {
      name: 'shared_batch',
      node: [
        node('MatMul', ['input', 'w'], ['h']),
        node('Unsqueeze', ['h', 'axes0'], ['h3']),
        node('Concat', ['state', 'h3'], ['out'], { axis: 0 }),
      ],
      input: [tensorInfo('input', 1, [null, 4]), tensorInfo('state', 1, [2, null, 8])],
      initializer: [
        floatInit(
          'w',
          Array.from({ length: 32 }, (_, i) => i / 32),
          [4, 8],
        ),
        int64Init('axes0', [0]),
      ],
      output: [tensorInfo('out', 1, [3, null, 8])],
    },
    13,
  );
}

/**
 * y = x + 1, 2^62 times, in a Loop: a valid, small model whose run never finishes (the compile
 * deadline and parent-death tests need a warm-up that is inside ORT when they act).
 */
export function endlessLoopModel(): Uint8Array {
  return encodeModel({
    name: 'endless',
    node: [
      node('Loop', ['trip', 'cond', 'x'], ['y'], {
        body: {
          name: 'body',
          node: [node('Identity', ['c_in'], ['c_out']), node('Add', ['x_in', 'one'], ['x_out'])],
          input: [tensorInfo('i', 7, []), tensorInfo('c_in', 9, []), tensorInfo('x_in', 1, [1, 4])],
          output: [tensorInfo('c_out', 9, []), tensorInfo('x_out', 1, [1, 4])],
        },
      }),
    ],
    input: [tensorInfo('x', 1, [1, 4])],
    initializer: [
      { name: 'trip', dataType: 7, dims: [], int64Data: [2 ** 62] },
      { name: 'cond', dataType: 9, dims: [], int32Data: [1] },
      { name: 'one', dataType: 1, dims: [], floatData: [1] },
    ],
    output: [tensorInfo('y', 1, [1, 4])],
  });
}
