/**
 * Element types of every value in a graph, worked out from the file alone: graph inputs,
 * initializers, Constant nodes and value_info give the starting types, and a small table of
 * rules carries them through the nodes (most ops keep their first input's type; Cast, the
 * quantize ops, comparisons, shape ops and control flow are the exceptions). Precision
 * inspection and the float16 converter both need this: which tensors are float32 decides what is
 * counted, and what is converted.
 *
 * Types are ONNX TensorProto.DataType numbers (1 float, 10 float16, 16 bfloat16, …); 0 means
 * unknown. Subgraph bodies see their outer scope, as ONNX's scoping rules say.
 */
import type { onnx } from 'onnx-proto';
import { attr, attrInt, opKey, subgraphs } from './graph';

/** ONNX element-type numbers used by the rules (onnx.proto TensorProto.DataType). */
export const ELEM = {
  float: 1,
  uint8: 2,
  int8: 3,
  int32: 6,
  int64: 7,
  bool: 9,
  float16: 10,
  double: 11,
  bfloat16: 16,
} as const;

/** Ops whose outputs are all int64, whatever their inputs (shapes, sizes, indices). */
const INT64_OUT = new Set(['Shape', 'Size', 'NonZero', 'ArgMax', 'ArgMin', 'NonMaxSuppression']);

/** Ops whose outputs are booleans. */
const BOOL_OUT = new Set([
  'Equal',
  'Less',
  'Greater',
  'LessOrEqual',
  'GreaterOrEqual',
  'Not',
  'And',
  'Or',
  'Xor',
  'IsNaN',
  'IsInf',
]);

/** Integer-accumulating quantized ops (ONNX's ConvInteger / MatMulInteger): int32 out. */
const INT32_OUT = new Set(['ConvInteger', 'MatMulInteger']);

/** Ops whose outputs are sequences or optionals (or tensors of a type only those know). */
const NOT_TENSOR_OUT = new Set([
  'SequenceConstruct',
  'SequenceInsert',
  'SequenceErase',
  'SequenceEmpty',
  'SequenceMap',
  'SequenceAt',
  'SplitToSequence',
  'ConcatFromSequence',
  'Optional',
  'OptionalGetElement',
]);

const CAST_NAMES: Record<string, number> = {
  FLOAT: ELEM.float,
  FLOAT16: ELEM.float16,
  DOUBLE: ELEM.double,
  INT64: ELEM.int64,
  INT32: ELEM.int32,
  INT8: ELEM.int8,
  UINT8: ELEM.uint8,
  BOOL: ELEM.bool,
};

/** Cast's target: an INT `to`, or its name as a STRING in Cast-1 (opsets before 6). */
function castTarget(node: onnx.INodeProto): number {
  const a = attr(node, 'to');
  if (a?.s && a.s.byteLength > 0) return CAST_NAMES[new TextDecoder().decode(a.s)] ?? 0;
  return attrInt(node, 'to', 0);
}

/** The type a TensorProto declares. */
export function tensorElemType(t: onnx.ITensorProto | null | undefined): number {
  return t?.dataType ?? 0;
}

/** The type a Constant node's value attribute gives its output. */
function constantType(node: onnx.INodeProto): number {
  for (const a of node.attribute ?? []) {
    switch (a.name) {
      case 'value':
        return tensorElemType(a.t);
      case 'value_float':
      case 'value_floats':
        return ELEM.float;
      case 'value_int':
      case 'value_ints':
        return ELEM.int64;
      case 'value_string':
      case 'value_strings':
        return 8;
      case 'sparse_value':
        return tensorElemType(a.sparseTensor?.values);
    }
  }
  return 0;
}

/** The output types of one node, from its inputs' types (0 where unknown). */
export function nodeOutputTypes(node: onnx.INodeProto, typeOf: (name: string) => number): number[] {
  const ins = (node.input ?? []).map((n) => (n ? typeOf(n) : 0));
  const outs = node.output ?? [];
  const first = ins[0] ?? 0;
  const all = (t: number) => outs.map(() => t);
  const op = node.opType ?? '';
  const key = opKey(node);
  if (key === 'Cast') return all(castTarget(node));
  if (NOT_TENSOR_OUT.has(key)) return all(0);
  if (key === 'SequenceLength') return all(ELEM.int64);
  if (key === 'CastLike') return all(ins[1] ?? 0);
  if (key === 'Constant') return all(constantType(node));
  if (key === 'ConstantOfShape') {
    const a = attr(node, 'value');
    return all(a?.t ? tensorElemType(a.t) : ELEM.float);
  }
  if (INT64_OUT.has(key)) return all(ELEM.int64);
  if (BOOL_OUT.has(key)) return all(ELEM.bool);
  if (INT32_OUT.has(key)) return all(ELEM.int32);
  switch (key) {
    case 'DequantizeLinear':
    case 'com.microsoft:DequantizeLinear':
      // The scale's type (float, or float16 / bfloat16 from opset 19).
      return all(attrInt(node, 'output_dtype', 0) || (ins[1] ?? 0));
    case 'QuantizeLinear':
    case 'com.microsoft:QuantizeLinear':
      return all(attrInt(node, 'output_dtype', 0) || ins[2] || ELEM.uint8);
    case 'DynamicQuantizeLinear':
      return [ELEM.uint8, ELEM.float, ELEM.uint8].slice(0, outs.length);
    case 'QLinearConv':
    case 'QLinearMatMul':
      return all(ins[7] ?? 0);
    case 'com.microsoft:MatMulNBits':
    case 'com.microsoft:DynamicQuantizeMatMul':
      return all(first);
    case 'Where':
      return all(ins[1] ?? 0);
    case 'TopK':
      return [first, ELEM.int64].slice(0, outs.length);
    case 'MaxPool':
      return [first, ELEM.int64].slice(0, outs.length);
    case 'Dropout':
      return [first, ELEM.bool].slice(0, outs.length);
    case 'Unique':
      return [first, ELEM.int64, ELEM.int64, ELEM.int64].slice(0, outs.length);
    case 'LayerNormalization': {
      // Mean and InvStdDev are stash_type (float unless told otherwise).
      const stash = attrInt(node, 'stash_type', 1);
      return outs.map((_, i) => (i === 0 ? first : stash));
    }
    case 'EyeLike':
    case 'RandomNormalLike':
    case 'RandomUniformLike':
    case 'Bernoulli':
      return all(attrInt(node, 'dtype', 0) || first);
    case 'RandomNormal':
    case 'RandomUniform':
      return all(attrInt(node, 'dtype', ELEM.float));
    case 'Multinomial':
      return all(attrInt(node, 'dtype', ELEM.int32));
    case 'HannWindow':
    case 'HammingWindow':
    case 'BlackmanWindow':
    case 'MelWeightMatrix':
      return all(attrInt(node, 'output_datatype', ELEM.float));
    case 'OneHot':
      return all(ins[2] ?? 0);
    case 'If':
    case 'Loop':
    case 'Scan': {
      // The first body's outputs (declared, else worked out in the body with this scope); a Loop
      // body's outputs start with its condition.
      const body = subgraphs(node)[0];
      const inner = body ? elemTypes(body, typeOf) : new Map<string, number>();
      const types = (body?.output ?? []).map(
        (o) => o.type?.tensorType?.elemType || inner.get(o.name ?? '') || 0,
      );
      if (op === 'Loop') return outs.map((_, i) => types[i + 1] ?? 0);
      return outs.map((_, i) => types[i] ?? 0);
    }
    default:
      return all(first);
  }
}

/**
 * Types of the values one graph defines and uses, by name. `outer` is the enclosing scope (for
 * subgraph bodies); its types are read, not copied. Declared types (value_info, graph outputs)
 * win over the rules, since the model's producer knew them.
 */
export function elemTypes(
  graph: onnx.IGraphProto,
  outer: (name: string) => number = () => 0,
): Map<string, number> {
  const types = new Map<string, number>();
  // Declared types; -1 marks a value declared as something other than a tensor (a sequence).
  const declared = new Map<string, number>();
  const declaredType = (vi: onnx.IValueInfoProto) =>
    vi.type && !vi.type.tensorType ? -1 : (vi.type?.tensorType?.elemType ?? 0);
  for (const vi of [...(graph.valueInfo ?? []), ...(graph.output ?? [])]) {
    const t = declaredType(vi);
    if (t && vi.name) declared.set(vi.name, t);
  }
  for (const vi of graph.input ?? []) {
    if (vi.name) types.set(vi.name, Math.max(0, declaredType(vi)));
  }
  for (const t of graph.initializer ?? []) types.set(t.name ?? '', tensorElemType(t));
  for (const s of graph.sparseInitializer ?? []) {
    types.set(s.values?.name ?? '', tensorElemType(s.values));
  }
  const typeOf = (n: string) => types.get(n) ?? outer(n);
  for (const node of graph.node ?? []) {
    let outs: number[] = [];
    try {
      outs = nodeOutputTypes(node, typeOf);
    } catch {
      outs = [];
    }
    (node.output ?? []).forEach((name, i) => {
      if (!name) return;
      const d = declared.get(name);
      types.set(name, d === -1 ? 0 : d || outs[i] || 0);
    });
  }
  return types;
}

/**
 * Types for a graph and all its subgraphs, each body seeing its outer scope: one map per graph,
 * handed to `visit` in walk order (a graph before its bodies).
 */
export function walkTyped(
  root: onnx.IGraphProto,
  visit: (graph: onnx.IGraphProto, typeOf: (name: string) => number, depth: number) => void,
): void {
  const stack: { graph: onnx.IGraphProto; outer: (name: string) => number; depth: number }[] = [
    { graph: root, outer: () => 0, depth: 0 },
  ];
  while (stack.length > 0) {
    const { graph, outer, depth } = stack.pop() as (typeof stack)[number];
    const types = elemTypes(graph, outer);
    const typeOf = (n: string) => types.get(n) ?? outer(n);
    visit(graph, typeOf, depth);
    for (const node of graph.node ?? []) {
      for (const g of subgraphs(node)) stack.push({ graph: g, outer: typeOf, depth: depth + 1 });
    }
  }
}
