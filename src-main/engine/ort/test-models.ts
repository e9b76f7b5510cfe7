/**
 * Test support for the ORT binding's tests only (not exported from index.ts): a minimal TensorProto
 * reader for libonnx-testdata's test_data_set_*.pb files, and tiny models built in memory with
 * onnx-proto. The full .pb/.npy readers live in engine/model/.
 */
import fs from 'node:fs';
import path from 'node:path';
import { onnx } from 'onnx-proto';
import type { DType } from '../../ipc/contract';
import { AppError } from '../../shared/errors';
import { allocData, dataFromBytes, dtypeFromOnnx, elementCount, onnxFromDtype } from '../tensor';
import type { HostTensor, TensorData } from '../tensor';

/** Where Debian's libonnx-testdata keeps the ONNX backend node tests. */
export const ONNX_NODE_TESTS = '/usr/share/libonnx-testdata/data/node';

type Long = { toString(): string } | number;

function num(v: Long): number {
  return typeof v === 'number' ? v : Number(v.toString());
}

/** Reads one serialized TensorProto into a name and a HostTensor. */
export function readTensorProto(bytes: Uint8Array): { name: string; tensor: HostTensor } {
  const t = onnx.TensorProto.decode(bytes);
  const dtype = dtypeFromOnnx(t.dataType);
  if (!dtype) throw new Error(`tensor '${t.name}': unknown data type ${t.dataType}`);
  const dims = t.dims.map(num);
  const count = elementCount(dims);
  if (dtype === 'string') {
    const dec = new TextDecoder();
    return { name: t.name, tensor: { dtype, dims, data: t.stringData.map((s) => dec.decode(s)) } };
  }
  if (t.rawData && t.rawData.length > 0) {
    return { name: t.name, tensor: { dtype, dims, data: dataFromBytes(dtype, t.rawData, count) } };
  }
  const data = allocData(dtype, count) as Exclude<TensorData, string[]>;
  const src: Long[] =
    t.floatData.length > 0
      ? t.floatData
      : t.doubleData.length > 0
        ? t.doubleData
        : t.int64Data.length > 0
          ? t.int64Data
          : t.uint64Data.length > 0
            ? t.uint64Data
            : t.int32Data;
  src.forEach((v, i) => {
    if (data instanceof BigInt64Array || data instanceof BigUint64Array) {
      data[i] = BigInt(v.toString());
    } else {
      data[i] = num(v);
    }
  });
  return { name: t.name, tensor: { dtype, dims, data } };
}

/** One libonnx-testdata node case: its model path, inputs and expected outputs (by name). */
export interface NodeCase {
  model: string;
  inputs: Record<string, HostTensor>;
  outputs: Record<string, HostTensor>;
}

/** Loads `<ONNX_NODE_TESTS>/<name>`; input/output names come from the model's graph. */
export function loadNodeCase(name: string): NodeCase {
  const dir = path.join(ONNX_NODE_TESTS, name);
  const model = path.join(dir, 'model.onnx');
  const m = onnx.ModelProto.decode(fs.readFileSync(model));
  const graph = m.graph;
  if (!graph) throw new Error(`${model}: no graph`);
  const initializers = new Set((graph.initializer ?? []).map((i) => i.name));
  const inputNames = (graph.input ?? [])
    .map((i) => i.name ?? '')
    .filter((n) => !initializers.has(n));
  const outputNames = (graph.output ?? []).map((o) => o.name ?? '');
  const set = path.join(dir, 'test_data_set_0');
  const read = (prefix: string, names: string[]): Record<string, HostTensor> => {
    const out: Record<string, HostTensor> = {};
    names.forEach((n, i) => {
      const file = path.join(set, `${prefix}_${i}.pb`);
      if (fs.existsSync(file)) out[n] = readTensorProto(fs.readFileSync(file)).tensor;
    });
    return out;
  };
  return { model, inputs: read('input', inputNames), outputs: read('output', outputNames) };
}

type DimSpec = number | string;

function valueInfo(name: string, dtype: DType, dims: readonly DimSpec[]): onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: onnxFromDtype(dtype),
        shape: {
          dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })),
        },
      },
    },
  };
}

function model(graph: onnx.IGraphProto, opset = 23, irVersion = 11): Uint8Array {
  return onnx.ModelProto.encode({
    irVersion,
    producerName: 'crucible-tests',
    opsetImport: [{ domain: '', version: opset }],
    graph,
  }).finish();
}

/** A model Y = Identity(X) for `dtype` and shape `dims` (names or sizes). */
export function identityModel(dtype: DType, dims: readonly DimSpec[]): Uint8Array {
  return model({
    name: `identity_${dtype}`,
    node: [{ opType: 'Identity', input: ['X'], output: ['Y'] }],
    input: [valueInfo('X', dtype, dims)],
    output: [valueInfo('Y', dtype, dims)],
  });
}

/** A float model Y = X · W · W · … (`n` MatMuls of size×size): slow enough to interrupt. */
export function matmulChainModel(n: number, size: number): Uint8Array {
  const w = new Float32Array(size * size);
  for (let i = 0; i < size; i++) w[i * size + i] = 1;
  const node: onnx.INodeProto[] = [];
  for (let i = 0; i < n; i++) {
    node.push({
      opType: 'MatMul',
      input: [i === 0 ? 'X' : `t${i}`, 'W'],
      output: [i === n - 1 ? 'Y' : `t${i + 1}`],
    });
  }
  return model({
    name: 'matmul_chain',
    node,
    initializer: [
      {
        name: 'W',
        dataType: onnxFromDtype('float32'),
        dims: [size, size],
        rawData: new Uint8Array(w.buffer),
      },
    ],
    input: [valueInfo('X', 'float32', ['batch', size])],
    output: [valueInfo('Y', 'float32', ['batch', size])],
  });
}

/** A model with a sequence output: Y = SequenceConstruct(X). */
export function sequenceOutputModel(): Uint8Array {
  return model({
    name: 'sequence_out',
    node: [{ opType: 'SequenceConstruct', input: ['X'], output: ['Y'] }],
    input: [valueInfo('X', 'float32', [2])],
    output: [{ name: 'Y', type: { sequenceType: { elemType: { tensorType: { elemType: 1 } } } } }],
  });
}

/** The AppError `p` rejects with; throws (failing the test) when it resolves or rejects otherwise. */
export async function failure(p: Promise<unknown>): Promise<AppError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(err instanceof AppError)) throw new Error(`expected an AppError, got ${String(err)}`);
  return err;
}
