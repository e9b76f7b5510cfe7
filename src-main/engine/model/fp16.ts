/**
 * A float16 variant of a float32 model, made on the decoded protobuf (onnx-proto), no Python.
 *
 * The idea is the public one of onnxconverter-common's float16 converter and Olive (written here
 * from the ONNX spec, not copied): every float32 tensor becomes float16 — initializers, Constant
 * nodes, the values between ops — except around the ops of a block list, which keep computing in
 * float32 with Casts where they meet float16 tensors. With `keepIoTypes` (the default) the model's
 * inputs and outputs stay float32, with Casts at the boundaries, so everything that feeds or reads
 * the model keeps working. If/Loop/Scan bodies are converted too; their float outputs become
 * float16 like the rest.
 *
 * How it works, in four passes over the model (main graph and every body, each seeing its outer
 * scope): (1) original element types (elem-types.ts) and which nodes are blocked; (2) the new type
 * of every float32 value — float16, except graph inputs kept as they were, outputs of blocked
 * nodes, initializers/Constants read only by blocked nodes, and the few outputs the spec fixes
 * (LayerNormalization's Mean/InvStdDev); (3) each node's inputs are checked against the type the
 * node now needs, and a Cast is put right before it where they differ (one per value and target
 * per graph); attributes that name float32 (Cast `to`, ConstantOfShape `value`, Constant values)
 * follow; (4) graph outputs get a Cast to the type they must keep (float32 for the main graph with
 * `keepIoTypes`, float16 for bodies), the producer's tensor renamed so the output keeps its name.
 *
 * Initializer values beyond float16's range (±65504) are clamped to it, and non-zero values too
 * small for it (below 2^-24) are set to ±2^-24 rather than flushed to 0 (an epsilon of 1e-12 that
 * became 0 would divide by zero); both are counted per tensor in the report.
 */
import { onnx } from 'onnx-proto';
import { AppError } from '../../shared/errors';
import { numberToF16 } from './float-bits';
import { attr, nameMinter, opKey, subgraphs } from './graph';
import { ELEM, elemTypes } from './elem-types';
import { toNumber, type IntLike } from './onnx-file';
import { defaultOpset } from './shapes';

/** Why an op stays float32 by default. Keys are op keys (graph.ts opKey). */
export const DEFAULT_BLOCK: Readonly<Record<string, string>> = {
  Range: 'shape arithmetic; float16 is not among Range’s types in the ONNX spec',
  CumSum: 'a running sum over a whole axis leaves float16’s range and precision',
  ReduceSum: 'a sum over a large extent can pass float16’s 65504',
  ReduceSumSquare: 'sums of squares pass float16’s 65504 quickly',
  ReduceL1: 'a sum over a large extent can pass float16’s 65504',
  ReduceL2: 'sums of squares pass float16’s 65504 quickly',
  ReduceLogSum: 'a sum over a large extent can pass float16’s 65504',
  ReduceLogSumExp: 'exponentials pass float16’s 65504 quickly',
  ReduceProd: 'products leave float16’s range quickly',
  TopK: 'float16 rounding makes ties that reorder the returned indices',
  NonMaxSuppression: 'boxes and scores are float32-only in the ONNX spec',
  RandomNormal: 'sampling ops name their output type in an attribute',
  RandomUniform: 'sampling ops name their output type in an attribute',
  RandomNormalLike: 'sampling ops name their output type in an attribute',
  RandomUniformLike: 'sampling ops name their output type in an attribute',
  Bernoulli: 'sampling ops name their output type in an attribute',
  Multinomial: 'sampling ops name their output type in an attribute',
  QuantizeLinear:
    'a quantized model’s precision is its quantization (scales are float32 before opset 19)',
  DequantizeLinear:
    'a quantized model’s precision is its quantization (scales are float32 before opset 19)',
  DynamicQuantizeLinear: 'its scale output is float32-only in the ONNX spec',
  Celu: 'float16 is not among Celu’s types in the ONNX spec',
  MeanVarianceNormalization: 'ONNX Runtime expands it into a body with float32 constants',
  QLinearConv: 'its scales are float32-only in the ONNX spec',
  QLinearMatMul: 'its scales are float32-only in the ONNX spec',
  EyeLike: 'its output type is an attribute, and ONNX Runtime’s CPU EyeLike has no float16',
  SequenceConstruct: 'sequences keep their element type',
  SequenceInsert: 'sequences keep their element type',
  SequenceAt: 'sequences keep their element type',
  SequenceErase: 'sequences keep their element type',
  SequenceEmpty: 'sequences keep their element type',
  SequenceMap: 'sequences keep their element type',
  SplitToSequence: 'sequences keep their element type',
  ConcatFromSequence: 'sequences keep their element type',
  Optional: 'optionals keep their element type',
  OptionalGetElement: 'optionals keep their element type',
  HannWindow: 'its output type is an attribute',
  HammingWindow: 'its output type is an attribute',
  BlackmanWindow: 'its output type is an attribute',
  MelWeightMatrix: 'its output type is an attribute',
};

/**
 * Ops outside the default domain that take float16 where they take float32 (ORT's contrib ops);
 * every other op of another domain (ai.onnx.ml, custom ops) stays float32, since nothing says it
 * has a float16 form.
 */
const OTHER_DOMAIN_FP16 = new Set([
  'com.microsoft:Gelu',
  'com.microsoft:FastGelu',
  'com.microsoft:BiasGelu',
  'com.microsoft:QuickGelu',
  'com.microsoft:SkipLayerNormalization',
  'com.microsoft:SkipSimplifiedLayerNormalization',
  'com.microsoft:SimplifiedLayerNormalization',
  'com.microsoft:Attention',
  'com.microsoft:MultiHeadAttention',
  'com.microsoft:GroupQueryAttention',
  'com.microsoft:RotaryEmbedding',
  'com.microsoft:MatMulNBits',
  'com.microsoft:FusedConv',
  'com.microsoft:FusedMatMul',
  'com.microsoft:BiasAdd',
  'com.microsoft:BiasSplitGelu',
]);

/** Control flow: never blocked, their bodies are converted instead. */
const CONTROL_FLOW = new Set(['If', 'Loop', 'Scan']);

/** Inputs the spec keeps float32 whatever the data type (Resize/Upsample scales, Resize roi). */
const FIXED_INPUTS: Readonly<Record<string, readonly number[]>> = {
  Resize: [1, 2],
  Upsample: [1],
};

/** Inputs of any type: nothing to cast (a Cast reads anything; Shape and Size read only dims). */
const ANY_INPUTS: Readonly<Record<string, readonly number[]>> = {
  Cast: [0],
  Shape: [0],
  Size: [0],
  CastLike: [0],
};

/** Outputs the spec fixes (LayerNormalization's Mean and InvStdDev are stash_type). */
const FIXED_OUTPUTS: Readonly<Record<string, readonly number[]>> = {
  LayerNormalization: [1, 2],
};

const FP16_MAX = 65504;
const FP16_MIN_SUBNORMAL = 2 ** -24;

/** Options of {@link convertToFloat16}. */
export interface Fp16Options {
  /** Keep the main graph's float32 inputs and outputs float32 (Casts at the boundary). */
  keepIoTypes: boolean;
  /** Op keys to keep in float32 besides {@link DEFAULT_BLOCK}. */
  block: readonly string[];
}

/** A tensor whose values did not fit float16. */
export interface ClampedTensor {
  tensor: string;
  /** Values beyond ±65504, set to ±65504. */
  overflow: number;
  /** Non-zero values below 2^-24 in magnitude, set to ±2^-24. */
  underflow: number;
  /** The largest magnitude found (finite values). */
  maxAbs: number;
}

/** What the conversion did. */
export interface Fp16Report {
  /** Nodes that now compute in float16 (those with a float32 input or output before). */
  convertedNodes: number;
  /** Nodes kept in float32, by op, with the reason. */
  blocked: { op: string; count: number; reason: string }[];
  /** Casts added (at blocked ops, at the boundaries, for spec-fixed inputs). */
  castsInserted: number;
  /** Float32 initializers and Constant tensors turned into float16, and their element count. */
  tensorsConverted: number;
  valuesConverted: number;
  /** Float32 initializers left float32 (read only by blocked ops or spec-fixed inputs). */
  tensorsKept: number;
  clamped: ClampedTensor[];
}

/** A node input's name and, per value, what the converted graph needs of it. */
type Need = typeof ELEM.float | typeof ELEM.float16 | null;

interface GraphInfo {
  graph: onnx.IGraphProto;
  depth: number;
  /** Original types in this graph's scope. */
  typeOf: (name: string) => number;
  blocked: Set<onnx.INodeProto>;
}

/**
 * Converts a decoded model to float16 in place and returns the report. External-data
 * initializers must have been read in first (`rawData` set, `dataLocation` cleared); BAD_REQUEST
 * for an unknown or control-flow op in `block`. The model's own float16/bfloat16/float64 tensors
 * and its integer and quantized parts are left as they are.
 */
export function convertToFloat16(model: onnx.IModelProto, options: Fp16Options): Fp16Report {
  for (const op of options.block) {
    if (CONTROL_FLOW.has(op)) {
      throw new AppError(
        'BAD_REQUEST',
        `--block ${op}: control flow cannot be kept in float32 as a whole; block the ops inside it instead`,
      );
    }
  }
  const root = model.graph;
  if (!root) throw new AppError('MODEL_INVALID', 'the model has no graph');
  const blockReasons = new Map<string, string>(Object.entries(DEFAULT_BLOCK));
  for (const op of options.block) blockReasons.set(op, 'asked for (--block)');

  const opset = defaultOpset(model);
  if (opset < 6) {
    // Cast-1 names its target as a string; ONNX Runtime failed to load such Casts to float16
    // (the opset-1 node test cases: "type inference failed").
    throw new AppError(
      'UNSUPPORTED',
      `the model imports ONNX opset ${opset}; a float16 variant needs Casts, and ONNX Runtime does not load Casts to float16 before opset 6 (upgrade the model's opset first)`,
    );
  }
  const conditionalReasons = new Map<string, string>();
  // Pass 1: original types, blocked nodes, and what each node input needs.
  const graphs: GraphInfo[] = [];
  const stack: { graph: onnx.IGraphProto; outer: (n: string) => number; depth: number }[] = [
    { graph: root, outer: () => 0, depth: 0 },
  ];
  while (stack.length > 0) {
    const { graph, outer, depth } = stack.pop() as (typeof stack)[number];
    const types = elemTypes(graph, outer);
    const typeOf = (n: string) => types.get(n) ?? outer(n);
    const blocked = new Set<onnx.INodeProto>();
    for (const node of graph.node ?? []) {
      const reason = blockReason(node, blockReasons, typeOf, opset);
      if (reason !== null) {
        blocked.add(node);
        if (!blockReasons.has(opKey(node))) conditionalReasons.set(opKey(node), reason);
      }
      for (const g of subgraphs(node)) stack.push({ graph: g, outer: typeOf, depth: depth + 1 });
    }
    graphs.push({ graph, depth, typeOf, blocked });
  }
  const isFloat = (info: GraphInfo, name: string) => !!name && info.typeOf(name) === ELEM.float;
  const need = (info: GraphInfo, node: onnx.INodeProto, i: number): Need => {
    const key = opKey(node);
    if (ANY_INPUTS[key]?.includes(i)) return null;
    if (info.blocked.has(node) || FIXED_INPUTS[key]?.includes(i)) return ELEM.float;
    return ELEM.float16;
  };
  const wantsFp16 = new Set<string>();
  for (const info of graphs) {
    for (const node of info.graph.node ?? []) {
      (node.input ?? []).forEach((name, i) => {
        if (isFloat(info, name) && need(info, node, i) === ELEM.float16) wantsFp16.add(name);
      });
    }
  }

  // Pass 2: the new type of every float32 value, by name (ONNX names are unique in a model).
  const newType = new Map<string, number>();
  for (const info of graphs) {
    const { graph, depth } = info;
    for (const vi of graph.input ?? []) {
      if (!isFloat(info, vi.name ?? '')) continue;
      newType.set(vi.name ?? '', depth === 0 && options.keepIoTypes ? ELEM.float : ELEM.float16);
    }
    for (const t of graph.initializer ?? []) {
      if (t.dataType !== ELEM.float) continue;
      newType.set(t.name ?? '', wantsFp16.has(t.name ?? '') ? ELEM.float16 : ELEM.float);
    }
    for (const node of graph.node ?? []) {
      const key = opKey(node);
      (node.output ?? []).forEach((name, i) => {
        if (!isFloat(info, name)) return;
        let t: number = ELEM.float16;
        if (key === 'Constant') {
          const sparse = (node.attribute ?? []).some((a) => a.name === 'sparse_value');
          t = wantsFp16.has(name) && !sparse ? ELEM.float16 : ELEM.float;
        } else if (info.blocked.has(node) || FIXED_OUTPUTS[key]?.includes(i)) t = ELEM.float;
        newType.set(name, t);
      });
    }
  }
  const nowType = (info: GraphInfo, name: string) => newType.get(name) ?? info.typeOf(name);

  const unique = nameMinter(model);
  const report: Fp16Report = {
    convertedNodes: 0,
    blocked: [],
    castsInserted: 0,
    tensorsConverted: 0,
    valuesConverted: 0,
    tensorsKept: 0,
    clamped: [],
  };
  const blockedCounts = new Map<string, number>();
  const castNode = (from: string, to: string, type: number): onnx.INodeProto => {
    report.castsInserted++;
    return {
      name: unique(`${to}_cast`),
      opType: 'Cast',
      domain: '',
      input: [from],
      output: [to],
      attribute: [{ name: 'to', type: onnx.AttributeProto.AttributeType.INT, i: type }],
    };
  };

  // Pass 3: casts before nodes whose inputs changed type, attributes, tensors, value_info.
  for (const info of graphs) {
    const { graph } = info;
    const casts = new Map<string, string>();
    const nodes: onnx.INodeProto[] = [];
    for (const node of graph.node ?? []) {
      const key = opKey(node);
      const touchesFloat =
        (node.input ?? []).some((n) => isFloat(info, n)) ||
        (node.output ?? []).some((n) => isFloat(info, n));
      if (info.blocked.has(node)) {
        if (touchesFloat) blockedCounts.set(key, (blockedCounts.get(key) ?? 0) + 1);
      } else if (touchesFloat) report.convertedNodes++;
      node.input = (node.input ?? []).map((name, i) => {
        if (!isFloat(info, name)) return name;
        const want = need(info, node, i);
        const have = nowType(info, name);
        if (want === null || want === have) return name;
        const cacheKey = `${name}\u0000${want}`;
        let cast = casts.get(cacheKey);
        if (cast === undefined) {
          cast = unique(`${name}_${want === ELEM.float16 ? 'fp16' : 'fp32'}`);
          nodes.push(castNode(name, cast, want));
          casts.set(cacheKey, cast);
        }
        return cast;
      });
      if (!info.blocked.has(node)) convertAttributes(node, key, info, newType, report);
      nodes.push(node);
    }
    graph.node = nodes;
    for (const t of graph.initializer ?? []) {
      if (t.dataType !== ELEM.float) continue;
      if (newType.get(t.name ?? '') === ELEM.float16) convertTensor(t, report);
      else report.tensorsKept++;
    }
    for (const vi of [
      ...(graph.valueInfo ?? []),
      ...(graph.input ?? []),
      ...(graph.output ?? []),
    ]) {
      const tt = vi.type?.tensorType;
      if (tt && tt.elemType === ELEM.float) tt.elemType = nowType(info, vi.name ?? '');
    }
  }

  // Pass 4: graph outputs that must keep (main, keepIoTypes) or take (bodies) a type.
  for (const info of graphs) {
    const { graph, depth } = info;
    const target = depth === 0 && options.keepIoTypes ? ELEM.float : ELEM.float16;
    for (const out of graph.output ?? []) {
      const name = out.name ?? '';
      if (info.typeOf(name) !== ELEM.float) continue;
      const have = nowType(info, name);
      const tt = out.type?.tensorType;
      if (tt) tt.elemType = target;
      if (have === target) continue;
      if (depth === 0) {
        // The output keeps its name: the tensor made inside is renamed, then cast into it.
        const inner = unique(`${name}_${have === ELEM.float16 ? 'fp16' : 'fp32'}`);
        renameValue(model, name, inner, out);
        graph.node = [...(graph.node ?? []), castNode(inner, name, target)];
      } else {
        const cast = unique(`${name}_${target === ELEM.float16 ? 'fp16' : 'fp32'}`);
        graph.node = [...(graph.node ?? []), castNode(name, cast, target)];
        out.name = cast;
      }
    }
  }

  report.blocked = [...blockedCounts]
    .map(([op, count]) => ({
      op,
      count,
      reason: blockReasons.get(op) ?? conditionalReasons.get(op) ?? otherDomainReason(op) ?? '',
    }))
    .sort((a, b) => b.count - a.count);
  return report;
}

/**
 * Ops kept float32 only in some forms, each checked against what ONNX Runtime runs (the node
 * test cases in fp16.test.ts fail without them).
 */
const CONDITIONAL_BLOCK: Readonly<
  Record<
    string,
    (node: onnx.INodeProto, typeOf: (name: string) => number, opset: number) => string | null
  >
> = {
  // IsInf takes float16 from opset 20 on.
  IsInf: (_n, _t, opset) =>
    opset < 20 ? 'float16 is among IsInf’s types only from opset 20' : null,
  // ORT's CPU kernels refuse float16 with reduction 'add' / 'mul' at run time.
  ScatterND: (n) => scatterReduction(n),
  ScatterElements: (n) => scatterReduction(n),
  Pow: (n, typeOf) => {
    const e = typeOf(n.input?.[1] ?? '');
    return e !== ELEM.float && e !== ELEM.float16 && e !== ELEM.double && e !== 0
      ? 'ONNX Runtime’s CPU Pow has no float16 base with an integer exponent'
      : null;
  },
};

function scatterReduction(node: onnx.INodeProto): string | null {
  const a = attr(node, 'reduction');
  const r = a?.s ? new TextDecoder().decode(a.s) : 'none';
  return r === 'add' || r === 'mul'
    ? `ONNX Runtime’s CPU kernel has no float16 with reduction '${r}'`
    : null;
}

function blockReason(
  node: onnx.INodeProto,
  reasons: Map<string, string>,
  typeOf: (name: string) => number,
  opset: number,
): string | null {
  const key = opKey(node);
  if (CONTROL_FLOW.has(key)) return null;
  return (
    reasons.get(key) ?? CONDITIONAL_BLOCK[key]?.(node, typeOf, opset) ?? otherDomainReason(key)
  );
}

function otherDomainReason(key: string): string | null {
  if (!key.includes(':') || OTHER_DOMAIN_FP16.has(key)) return null;
  return 'an op outside the ONNX domain with no known float16 form';
}

/** Attributes that name float32 follow the node into float16. */
function convertAttributes(
  node: onnx.INodeProto,
  key: string,
  info: GraphInfo,
  newType: Map<string, number>,
  report: Fp16Report,
): void {
  const out = node.output?.[0] ?? '';
  const outFp16 = info.typeOf(out) === ELEM.float && newType.get(out) === ELEM.float16;
  if (!outFp16) return;
  const T = onnx.AttributeProto.AttributeType;
  switch (key) {
    case 'Cast': {
      const a = attr(node, 'to');
      if (a) a.i = ELEM.float16;
      return;
    }
    case 'EyeLike': {
      const a = attr(node, 'dtype');
      if (a && toNumber(a.i as IntLike) === ELEM.float) a.i = ELEM.float16;
      return;
    }
    case 'ConstantOfShape': {
      const a = attr(node, 'value');
      if (a?.t) convertTensor(a.t, report);
      // Without a value the output is float32 zeros: say float16 zeros explicitly.
      else
        node.attribute = [
          ...(node.attribute ?? []),
          { name: 'value', type: T.TENSOR, t: fp16Tensor('', [1], [0]) },
        ];
      return;
    }
    case 'Constant': {
      for (const a of node.attribute ?? []) {
        if (a.name === 'value' && a.t) convertTensor(a.t, report);
        if (a.name === 'value_float' || a.name === 'value_floats') {
          const values = a.name === 'value_float' ? [a.f ?? 0] : [...(a.floats ?? [])];
          const dims = a.name === 'value_float' ? [] : [values.length];
          const t = fp16Tensor(node.name ?? out, dims, values);
          noteClamp(t.name ?? '', values, report);
          report.tensorsConverted++;
          report.valuesConverted += values.length;
          node.attribute = [{ name: 'value', type: T.TENSOR, t }];
        }
      }
      return;
    }
  }
}

function fp16Tensor(name: string, dims: number[], values: readonly number[]): onnx.ITensorProto {
  const raw = new Uint8Array(values.length * 2);
  const view = new DataView(raw.buffer);
  values.forEach((v, i) => view.setUint16(i * 2, numberToF16(clampValue(v)), true));
  return { name, dims, dataType: ELEM.float16, rawData: raw };
}

function clampValue(v: number): number {
  if (!Number.isFinite(v) || v === 0) return v;
  const a = Math.abs(v);
  if (a > FP16_MAX) return Math.sign(v) * FP16_MAX;
  if (a < FP16_MIN_SUBNORMAL) return Math.sign(v) * FP16_MIN_SUBNORMAL;
  return v;
}

function noteClamp(name: string, values: ArrayLike<number>, report: Fp16Report): void {
  let overflow = 0;
  let underflow = 0;
  let maxAbs = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (!Number.isFinite(v)) continue;
    const a = Math.abs(v);
    if (a > maxAbs) maxAbs = a;
    if (a > FP16_MAX) overflow++;
    else if (a !== 0 && a < FP16_MIN_SUBNORMAL) underflow++;
  }
  if (overflow + underflow > 0) report.clamped.push({ tensor: name, overflow, underflow, maxAbs });
}

/** A float32 TensorProto (raw_data or float_data) rewritten as float16 raw_data. */
function convertTensor(t: onnx.ITensorProto, report: Fp16Report): void {
  if (t.dataType !== ELEM.float) return;
  if (t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL) {
    throw new AppError(
      'UNSUPPORTED',
      `tensor '${t.name ?? ''}' keeps its data in another file, which was not read in`,
    );
  }
  let values: Float32Array;
  if (t.rawData && t.rawData.byteLength > 0) {
    const raw = t.rawData;
    values = new Float32Array(raw.byteLength / 4);
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    for (let i = 0; i < values.length; i++) values[i] = view.getFloat32(i * 4, true);
  } else {
    values = Float32Array.from(t.floatData ?? []);
  }
  noteClamp(t.name ?? '', values, report);
  const raw = new Uint8Array(values.length * 2);
  const view = new DataView(raw.buffer);
  for (let i = 0; i < values.length; i++) {
    view.setUint16(i * 2, numberToF16(clampValue(values[i] as number)), true);
  }
  t.dataType = ELEM.float16;
  t.rawData = raw;
  t.floatData = [];
  report.tensorsConverted++;
  report.valuesConverted += values.length;
}

/**
 * Renames a value everywhere in the model (producer, consumers in every body, initializer,
 * value_info), except the one graph-output entry `keep`, which keeps the old name.
 */
function renameValue(
  model: onnx.IModelProto,
  from: string,
  to: string,
  keep: onnx.IValueInfoProto,
): void {
  const stack: onnx.IGraphProto[] = model.graph ? [model.graph] : [];
  const swap = (n: string) => (n === from ? to : n);
  while (stack.length > 0) {
    const g = stack.pop() as onnx.IGraphProto;
    for (const vi of [...(g.valueInfo ?? []), ...(g.output ?? []), ...(g.input ?? [])]) {
      if (vi !== keep && vi.name === from) vi.name = to;
    }
    for (const t of g.initializer ?? []) if (t.name === from) t.name = to;
    for (const node of g.node ?? []) {
      node.input = (node.input ?? []).map(swap);
      node.output = (node.output ?? []).map(swap);
      stack.push(...subgraphs(node));
    }
  }
}

/** The model's float32 tensors that a block list keeps float32, counted (for the UI's list). */
export function defaultBlockList(): { op: string; reason: string }[] {
  return Object.entries(DEFAULT_BLOCK).map(([op, reason]) => ({ op, reason }));
}
