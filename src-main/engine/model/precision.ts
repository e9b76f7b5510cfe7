/**
 * What precision a model is in, read from the file: weights by stored type, compute by the
 * precision each node runs in, and where the Casts sit. TensorRT for RTX builds the precision a
 * model carries, so this is what a user needs to know before compiling (and before making a
 * float16 variant of it, see fp16.ts).
 *
 * A node's precision class:
 * - QOperator ops (QLinearConv, QLinearMatMul, ConvInteger, MatMulInteger, com.microsoft QLinear*,
 *   QGemm, DynamicQuantizeMatMul) are `int8 QOperator`; MatMulNBits is `int<bits> blocks`;
 * - a float op fed by a DequantizeLinear is `<type> QDQ` (the DQ's stored type: int8/uint8 → int8,
 *   int4/uint4 → int4, float8 → fp8), since runtimes fuse such pairs into quantized kernels;
 * - QuantizeLinear / DequantizeLinear themselves are `quantize`, Casts are `cast`;
 * - otherwise the float type it computes in (its first floating input, else its first output):
 *   fp32, fp16, bf16, fp64, fp8; ops on integers and booleans only (shape arithmetic) are `integer`.
 * FLOPs come from the same rules as the estimate (Conv/ConvTranspose/MatMul/Gemm and quantized
 * forms, plus MatMulNBits), main graph only.
 */
import type { onnx } from 'onnx-proto';
import type { PrecisionSummary } from '../../ipc/contract';
import { DTYPE_INFO, dtypeFromOnnx } from '../tensor';
import { FLOP_RULES } from './flops';
import { attrInt, opKey, realInputs, valueInfo } from './graph';
import { ELEM, walkTyped } from './elem-types';
import { toNumber, type IntLike } from './onnx-file';
import { defaultOpset, propagateShapes, type Value } from './shapes';
import { resolveDim } from './synth';

const QOPERATOR = new Set([
  'QLinearConv',
  'QLinearMatMul',
  'ConvInteger',
  'MatMulInteger',
  'com.microsoft:QLinearConv',
  'com.microsoft:QLinearAdd',
  'com.microsoft:QLinearMul',
  'com.microsoft:QLinearSigmoid',
  'com.microsoft:QLinearLeakyRelu',
  'com.microsoft:QLinearAveragePool',
  'com.microsoft:QLinearGlobalAveragePool',
  'com.microsoft:QLinearConcat',
  'com.microsoft:QLinearSoftmax',
  'com.microsoft:QGemm',
  'com.microsoft:DynamicQuantizeMatMul',
  'com.microsoft:MatMulIntegerToFloat',
]);

const QUANTIZE = new Set([
  'QuantizeLinear',
  'DequantizeLinear',
  'DynamicQuantizeLinear',
  'com.microsoft:QuantizeLinear',
  'com.microsoft:DequantizeLinear',
]);

const DEQUANTIZE = new Set(['DequantizeLinear', 'com.microsoft:DequantizeLinear']);

/** The compute class of a floating element type, or null for anything else. */
export function floatClass(elem: number): string | null {
  switch (elem) {
    case ELEM.float:
      return 'fp32';
    case ELEM.float16:
      return 'fp16';
    case ELEM.bfloat16:
      return 'bf16';
    case ELEM.double:
      return 'fp64';
    case 17:
    case 18:
    case 19:
    case 20:
      return 'fp8';
    case 23:
      return 'fp4';
    default:
      return null;
  }
}

/** The class a DequantizeLinear's stored input gives the op it feeds. */
function qdqClass(elem: number): string {
  if (elem === ELEM.int8 || elem === ELEM.uint8) return 'int8 QDQ';
  if (elem === 21 || elem === 22) return 'int4 QDQ';
  if (elem === 4 || elem === 5) return 'int16 QDQ';
  const f = floatClass(elem);
  return f ? `${f} QDQ` : 'QDQ';
}

const dtypeName = (elem: number) =>
  dtypeFromOnnx(elem) ?? (elem === 0 ? 'unknown' : `type ${elem}`);

function tensorCount(t: onnx.ITensorProto): number {
  let n = 1;
  for (const d of t.dims ?? []) n *= toNumber(d as IntLike);
  return n;
}

function tensorBytes(elem: number, count: number): number {
  const dtype = dtypeFromOnnx(elem);
  if (dtype === null || dtype === 'string') return 0;
  const bits = DTYPE_INFO[dtype].bits;
  return bits === 4 ? Math.ceil(count / 2) : (count * bits) / 8;
}

/** Concrete shapes of the main graph's values (symbolic dims from `dims` or the defaults). */
function mainShapes(model: onnx.IModelProto, dims: Record<string, number>): Map<string, Value> {
  const graph = model.graph ?? {};
  const inputShapes: Record<string, number[]> = {};
  for (const vi of realInputs(graph).map(valueInfo)) {
    if (vi.kind !== 'tensor' || vi.shape === null) continue;
    inputShapes[vi.name] = vi.shape.map((d, i) => resolveDim(d, i, dims));
  }
  return propagateShapes(graph, inputShapes, defaultOpset(model), dims);
}

/** MatMulNBits: A [..., K] × packed B [N, K] → Y [..., N]. */
function nbitsFlops(node: onnx.INodeProto, v: (n: string | undefined) => Value | undefined) {
  const y = v(node.output?.[0]);
  const k = attrInt(node, 'K', 0);
  if (!y || k <= 0) return undefined;
  return 2 * y.shape.reduce((a, b) => a * b, 1) * k;
}

/**
 * The precision breakdown of a decoded model. `dims` resolves symbolic dims for the FLOP shares
 * (the same defaults as the FLOP estimate).
 */
export function precisionSummary(
  model: onnx.IModelProto,
  dims: Record<string, number> = {},
): PrecisionSummary {
  const graph = model.graph ?? {};
  const weights = new Map<number, { count: number; bytes: number }>();
  const addWeight = (t: onnx.ITensorProto | null | undefined) => {
    if (!t) return;
    const elem = t.dataType ?? 0;
    const count = tensorCount(t);
    const w = weights.get(elem) ?? { count: 0, bytes: 0 };
    w.count += count;
    w.bytes += tensorBytes(elem, count);
    weights.set(elem, w);
  };

  const shapes = mainShapes(model, dims);
  const lookup = (name: string | undefined) => (name ? shapes.get(name) : undefined);
  const compute = new Map<string, { nodes: number; flops: number }>();
  const ops = new Map<string, number>();
  const casts = new Map<
    string,
    { from: string; to: string; count: number; at: Record<string, number>; nodes: string[] }
  >();

  walkTyped(graph, (g, typeOf, depth) => {
    for (const t of g.initializer ?? []) addWeight(t);
    for (const s of g.sparseInitializer ?? []) addWeight(s.values);
    const producer = new Map<string, onnx.INodeProto>();
    for (const node of g.node ?? []) for (const o of node.output ?? []) producer.set(o, node);
    const graphInputs = new Set((g.input ?? []).map((i) => i.name ?? ''));
    const graphOutputs = new Set((g.output ?? []).map((o) => o.name ?? ''));

    (g.node ?? []).forEach((node, index) => {
      const key = opKey(node);
      if (key === 'Constant') {
        for (const a of node.attribute ?? []) {
          if (a.t) addWeight(a.t);
          if (a.sparseTensor) addWeight(a.sparseTensor.values);
        }
      }
      const cls = nodeClass(node, key, typeOf, producer);
      if (key === 'Cast') {
        const from = dtypeName(typeOf(node.input?.[0] ?? ''));
        const to = dtypeName(attrInt(node, 'to', 0));
        const id = `${from}>${to}`;
        const c = casts.get(id) ?? { from, to, count: 0, at: {}, nodes: [] };
        c.count++;
        const where = graphInputs.has(node.input?.[0] ?? '')
          ? 'input'
          : graphOutputs.has(node.output?.[0] ?? '')
            ? 'output'
            : 'inside';
        c.at[where] = (c.at[where] ?? 0) + 1;
        if (c.nodes.length < 5) c.nodes.push(node.name || `#${index}`);
        casts.set(id, c);
      }
      const rule = key === 'com.microsoft:MatMulNBits' ? nbitsFlops : FLOP_RULES[key];
      const f = rule && depth === 0 ? rule(node, lookup) : undefined;
      const entry = compute.get(cls) ?? { nodes: 0, flops: 0 };
      entry.nodes++;
      if (f !== undefined && Number.isFinite(f)) entry.flops += f;
      compute.set(cls, entry);
      const opId = `${key}\u0000${cls}`;
      ops.set(opId, (ops.get(opId) ?? 0) + 1);
    });
  });

  const computeRows = [...compute]
    .map(([precision, c]) => ({ precision, nodes: c.nodes, flops: c.flops }))
    .sort((a, b) => b.flops - a.flops || b.nodes - a.nodes);
  return {
    headline: headline(computeRows),
    weights: [...weights]
      .map(([elem, w]) => ({ dtype: dtypeName(elem), count: w.count, bytes: w.bytes }))
      .sort((a, b) => b.bytes - a.bytes),
    compute: computeRows,
    ops: [...ops]
      .map(([id, count]) => {
        const [op, precision] = id.split('\u0000') as [string, string];
        return { op, precision, count };
      })
      .sort((a, b) => b.count - a.count || (a.op < b.op ? -1 : 1)),
    casts: [...casts.values()].sort((a, b) => b.count - a.count),
  };
}

function nodeClass(
  node: onnx.INodeProto,
  key: string,
  typeOf: (name: string) => number,
  producer: Map<string, onnx.INodeProto>,
): string {
  if (key === 'Cast' || key === 'CastLike') return 'cast';
  if (QUANTIZE.has(key)) return 'quantize';
  if (QOPERATOR.has(key)) return 'int8 QOperator';
  if (key === 'com.microsoft:MatMulNBits') return `int${attrInt(node, 'bits', 4)} blocks`;
  for (const input of node.input ?? []) {
    const p = input ? producer.get(input) : undefined;
    if (p && DEQUANTIZE.has(opKey(p))) return qdqClass(typeOf(p.input?.[0] ?? ''));
  }
  for (const input of node.input ?? []) {
    const c = input ? floatClass(typeOf(input)) : null;
    if (c) return c;
  }
  for (const output of node.output ?? []) {
    const c = output ? floatClass(typeOf(output)) : null;
    if (c) return c;
  }
  return 'integer';
}

/** Classes that describe arithmetic precision (not casts, quantize steps or index arithmetic). */
const NOT_ARITHMETIC = new Set(['cast', 'quantize', 'integer']);

const LONG_NAMES: Record<string, string> = {
  fp32: 'float32',
  fp16: 'float16',
  bf16: 'bfloat16',
  fp64: 'float64',
  fp8: 'float8',
  fp4: 'float4',
};

function headline(rows: { precision: string; nodes: number; flops: number }[]): string {
  const arithmetic = rows.filter((r) => !NOT_ARITHMETIC.has(r.precision));
  if (arithmetic.length === 0) return 'no floating-point compute';
  const totalFlops = arithmetic.reduce((s, r) => s + r.flops, 0);
  const weightOf = (r: (typeof rows)[number]) => (totalFlops > 0 ? r.flops : r.nodes);
  const total = arithmetic.reduce((s, r) => s + weightOf(r), 0);
  const shares = arithmetic
    .map((r) => ({ name: LONG_NAMES[r.precision] ?? r.precision, share: weightOf(r) / total }))
    .filter((s) => s.share > 0)
    .sort((a, b) => b.share - a.share);
  const top = shares[0];
  if (!top) return 'no floating-point compute';
  // With FLOPs known, ops that add none (a float32 Softmax at the end) do not make a model mixed.
  if (shares.length === 1) return top.name;
  return `mixed: ${shares
    .slice(0, 3)
    .map((s) => `${s.name} ${Math.round(s.share * 100)}%`)
    .join(', ')}${totalFlops > 0 ? ' of FLOPs' : ' of nodes'}`;
}
