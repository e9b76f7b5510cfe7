/**
 * A dynamic INT8 variant of a float32 model, made on the decoded protobuf (onnx-proto), no Python.
 *
 * The idea is the public one of ONNX Runtime's `quantize_dynamic` (written here from the ONNX
 * spec and its docs, not copied): the weights of MatMul, Gemm and Conv are quantized ahead of
 * time, the activations at run time. Each MatMul / Gemm whose weight (input B) is a constant
 * float32 2-D tensor becomes
 *
 *   DynamicQuantizeLinear(A) → A_q (uint8), A_scale, A_zp          (per tensor, at run time)
 *   MatMulInteger(A_q, W_q, A_zp, W_zp) → int32                     (W_q int8 [K, N], W_zp = 0)
 *   Cast(float) · (A_scale × W_scale[N]) [+ β·C for Gemm]           (back to float32)
 *
 * with the weight quantized per output channel (column n of W): symmetric, scale = max|W[:, n]| /
 * 127, zero point 0. Gemm's transB is undone by storing W transposed, transA by a Transpose of A,
 * alpha folds into the weight scales, and beta·C is added back in float32. When asked (`conv`;
 * {@link CONV_LEFT} says why not by default), a Conv with a constant float32 weight becomes
 * ConvInteger the same way (per-output-channel scales, one zero point 0, see emitConv), its bias
 * added back in float32. One DynamicQuantizeLinear serves every quantized op reading the same
 * activation (Q, K and V projections). Everything else stays float32 —
 * attention's activation × activation MatMuls, weights under `minElements` (too small to matter,
 * and per-channel scales would be most of their bytes) — and the graph's inputs and outputs keep
 * their types. The report says what was quantized and, per op, what was left and why.
 *
 * ONNX Runtime's CPU provider runs MatMulInteger, ConvInteger and DynamicQuantizeLinear (and
 * fuses the MatMul chain into its DynamicQuantizeMatMul kernel); other providers may not, and ORT
 * then places those nodes on the CPU — a precision trade measures what that costs.
 */
import { onnx } from 'onnx-proto';
import { AppError } from '../../shared/errors';
import { attr, attrInt, nameMinter, opKey, subgraphs } from './graph';
import { ELEM, elemTypes } from './elem-types';
import { toNumber, type IntLike } from './onnx-file';
import { defaultOpset } from './shapes';

/** Weights with fewer elements than this stay float32 by default. */
export const DEFAULT_MIN_ELEMENTS = 256;

/** Options of {@link quantizeDynamicInt8}. */
export interface Int8Options {
  /** Op keys to leave float32 (of those the quantizer handles: MatMul, Gemm, Conv). */
  block: readonly string[];
  /** Weights with fewer elements stay float32 ({@link DEFAULT_MIN_ELEMENTS} when absent). */
  minElements?: number;
  /** Quantize Conv too (ConvInteger); left float32 unless asked, see {@link CONV_LEFT}. */
  conv?: boolean;
}

/**
 * Why Conv stays float32 unless asked: dynamic quantization requantizes a Conv's activations —
 * large feature maps — on every run, and rescales its int32 output in float32 again, which
 * usually costs more than the int8 convolution saves. ONNX Runtime's quantization docs recommend
 * static quantization (calibrated QDQ) for CNNs for this reason; resnet-mini's int8 variant with
 * its Convs quantized ran 7× slower than float32 on this project's CPU (docs/ARCHITECTURE.md).
 */
export const CONV_LEFT =
  'dynamic quantization requantizes a Conv’s large activations on every run, which usually costs more than int8 saves (static quantization suits CNNs); quantize it with crucible convert --to int8 --conv';

/** What the quantization did. */
export interface Int8Report {
  /** Ops quantized (MatMul → MatMulInteger), by op. */
  quantized: { op: string; count: number }[];
  /** Ops of the kinds the quantizer knows left float32, by op and reason. */
  left: { op: string; count: number; reason: string }[];
  /** Weight tensors stored as int8 now, and their element count. */
  tensorsQuantized: number;
  valuesQuantized: number;
  /** DynamicQuantizeLinear nodes added (one per quantized activation). */
  activationsQuantized: number;
  /** Nodes added in all (quantize, MatMulInteger, Cast, Mul, Add, Transpose). */
  nodesAdded: number;
  /**
   * Per quantized weight: the op reading it, its [K, N] (Conv: values per output channel, output
   * channels) and the spread of its per-channel scales.
   */
  weights: {
    tensor: string;
    op: string;
    k: number;
    n: number;
    scaleMin: number;
    scaleMax: number;
  }[];
}

/** Ops whose weights this quantizer handles (Conv through ConvInteger). */
const QUANTIZABLE = new Set(['MatMul', 'Gemm', 'Conv']);

/** Why ops the quantizer does not handle stay float32 (listed when the model has them). */
const NOT_HANDLED: Readonly<Record<string, string>> = {
  ConvTranspose: 'ONNX has no integer ConvTranspose',
};

/** A constant a node may read as its weight: an initializer or a Constant node's tensor. */
interface Constant {
  tensor: onnx.ITensorProto;
  graph: onnx.IGraphProto;
  /** The Constant node that makes it, when it is not an initializer. */
  node: onnx.INodeProto | null;
}

/**
 * Quantizes a decoded float32 model's MatMul / Gemm weights to int8 in place (dynamic activation
 * quantization) and returns the report. External-data initializers must have been read in first.
 * UNSUPPORTED when the model imports an opset before 11 (DynamicQuantizeLinear's first) or
 * nothing in it could be quantized.
 */
export function quantizeDynamicInt8(model: onnx.IModelProto, options: Int8Options): Int8Report {
  const root = model.graph;
  if (!root) throw new AppError('MODEL_INVALID', 'the model has no graph');
  const opset = defaultOpset(model);
  if (opset < 11) {
    throw new AppError(
      'UNSUPPORTED',
      `the model imports ONNX opset ${opset}; a dynamic int8 variant needs DynamicQuantizeLinear, from opset 11 (upgrade the model's opset first)`,
    );
  }
  const minElements = options.minElements ?? DEFAULT_MIN_ELEMENTS;
  const block = new Set(options.block);
  const unique = nameMinter(model);
  const report: Int8Report = {
    quantized: [],
    left: [],
    tensorsQuantized: 0,
    valuesQuantized: 0,
    activationsQuantized: 0,
    nodesAdded: 0,
    weights: [],
  };
  const quantizedCounts = new Map<string, number>();
  const leftCounts = new Map<string, { op: string; count: number; reason: string }>();
  const leave = (op: string, reason: string) => {
    const k = `${op}\u0000${reason}`;
    const e = leftCounts.get(k) ?? { op, count: 0, reason };
    e.count++;
    leftCounts.set(k, e);
  };
  // Uses of every value across the model, to drop float weights nothing reads any more.
  const uses = countUses(model);
  const dropped: Constant[] = [];

  const stack: {
    graph: onnx.IGraphProto;
    outer: (n: string) => number;
    consts: Map<string, Constant>;
    fed: Set<string>;
  }[] = [{ graph: root, outer: () => 0, consts: new Map(), fed: new Set() }];
  while (stack.length > 0) {
    const {
      graph,
      outer,
      consts: outerConsts,
      fed: outerFed,
    } = stack.pop() as (typeof stack)[number];
    const types = elemTypes(graph, outer);
    const typeOf = (n: string) => types.get(n) ?? outer(n);
    // Constants visible here: the outer scope's, then this graph's (an inner name hides an outer).
    const consts = new Map(outerConsts);
    // Graph inputs (this graph's and the outer ones'): fed at run time, never constants.
    const fed = new Set([...outerFed, ...(graph.input ?? []).map((i) => i.name ?? '')]);
    for (const t of graph.initializer ?? []) {
      // An initializer that is also a graph input is only a default: it can be fed at run time.
      if (fed.has(t.name ?? '')) consts.delete(t.name ?? '');
      else consts.set(t.name ?? '', { tensor: t, graph, node: null });
    }
    for (const n of graph.node ?? []) {
      const value = opKey(n) === 'Constant' ? attr(n, 'value')?.t : undefined;
      if (value && n.output?.[0]) consts.set(n.output[0], { tensor: value, graph, node: n });
    }
    for (const i of graph.input ?? []) consts.delete(i.name ?? '');

    const activations = new Map<string, { q: string; scale: string; zp: string }>();
    // Quantized weights by source name and layout, shared by every op of this graph reading the
    // same one (a body keeps its own copy: tensors made here are not in scope elsewhere).
    const quantizedWeights = new Map<string, { q: string; zp: string; scale: string }>();
    const out: onnx.INodeProto[] = [];
    const add = (n: onnx.INodeProto) => {
      out.push(n);
      report.nodesAdded++;
    };
    const initializer = (t: onnx.ITensorProto) => {
      graph.initializer = [...(graph.initializer ?? []), t];
    };
    const emit: Emit = { add, initializer, unique, report };
    for (const node of graph.node ?? []) {
      const key = opKey(node);
      for (const g of subgraphs(node)) stack.push({ graph: g, outer: typeOf, consts, fed });
      if (!QUANTIZABLE.has(key)) {
        if (NOT_HANDLED[key]) leave(key, NOT_HANDLED[key]);
        out.push(node);
        continue;
      }
      if (key === 'Conv' && !options.conv) {
        leave(key, CONV_LEFT);
        out.push(node);
        continue;
      }
      const plan = planNode(node, key, consts, fed, typeOf, block, minElements);
      if (typeof plan === 'string') {
        leave(key, plan);
        out.push(node);
        continue;
      }
      const base = node.name || node.output?.[0] || key;
      // A, transposed first for Gemm's transA.
      let a = node.input?.[0] ?? '';
      if (plan.transA) {
        const t = unique(`${a}_transposed`);
        add({
          name: unique(`${base}_transpose_a`),
          opType: 'Transpose',
          domain: '',
          input: [a],
          output: [t],
          attribute: [{ name: 'perm', type: onnx.AttributeProto.AttributeType.INTS, ints: [1, 0] }],
        });
        a = t;
      }
      let aq = activations.get(a);
      if (!aq) {
        aq = {
          q: unique(`${a}_quantized`),
          scale: unique(`${a}_scale`),
          zp: unique(`${a}_zero_point`),
        };
        add({
          name: unique(`${a}_dynamic_quantize`),
          opType: 'DynamicQuantizeLinear',
          domain: '',
          input: [a],
          output: [aq.q, aq.scale, aq.zp],
        });
        activations.set(a, aq);
        report.activationsQuantized++;
      }
      const wName = node.input?.[1] ?? '';
      if (plan.conv) {
        emitConv(node, base, plan, plan.conv, aq, emit);
        quantizedCounts.set(key, (quantizedCounts.get(key) ?? 0) + 1);
        // The float weight and bias go when nothing else reads them.
        for (const name of [wName, plan.conv.bias ? (node.input?.[2] ?? '') : '']) {
          if (!name) continue;
          const left = (uses.get(name) ?? 1) - 1;
          uses.set(name, left);
          const c = consts.get(name);
          if (left === 0 && c) dropped.push(c);
        }
        continue;
      }
      const wKey = `${wName}\u0000${plan.transB ? 1 : 0}\u0000${plan.alpha}`;
      let w = quantizedWeights.get(wKey);
      if (!w) {
        const q = quantizeWeight(plan.values, plan.k, plan.n, plan.transB, plan.alpha);
        w = {
          q: unique(`${wName}_quantized`),
          zp: unique(`${wName}_zero_point`),
          scale: unique(`${wName}_scale`),
        };
        // New tensors go where the op is: an outer-scope weight's copy lives in this body.
        initializer({ name: w.q, dims: [plan.k, plan.n], dataType: ELEM.int8, rawData: q.q });
        initializer({
          name: w.zp,
          dims: [plan.n],
          dataType: ELEM.int8,
          rawData: new Uint8Array(plan.n),
        });
        initializer(floatTensor(w.scale, [plan.n], q.scale));
        quantizedWeights.set(wKey, w);
        report.tensorsQuantized++;
        report.valuesQuantized += plan.k * plan.n;
        let lo = Infinity;
        let hi = 0;
        for (const s of q.scale) {
          lo = Math.min(lo, s);
          hi = Math.max(hi, s);
        }
        report.weights.push({
          tensor: wName,
          op: key,
          k: plan.k,
          n: plan.n,
          scaleMin: lo,
          scaleMax: hi,
        });
      }
      const y = node.output?.[0] ?? '';
      const acc = unique(`${base}_int32`);
      add({
        name: unique(`${base}_matmul_integer`),
        opType: 'MatMulInteger',
        domain: '',
        input: [aq.q, w.q, aq.zp, w.zp],
        output: [acc],
      });
      // Gemm's β·C, made after the rescale as before (β = 1: C itself).
      const bias = plan.bias;
      const betaTimesC = (b: NonNullable<Plan['bias']>): string => {
        if (b.beta === 1) return b.name;
        const beta = unique(`${base}_beta`);
        initializer(floatTensor(beta, [], Float32Array.of(b.beta)));
        const c = unique(`${base}_beta_c`);
        add({
          name: unique(`${base}_beta_mul`),
          opType: 'Mul',
          domain: '',
          input: [b.name, beta],
          output: [c],
        });
        return c;
      };
      emitDequantize(base, acc, aq.scale, w.scale, y, emit, bias ? () => betaTimesC(bias) : null);
      quantizedCounts.set(key, (quantizedCounts.get(key) ?? 0) + 1);
      const uses1 = (uses.get(wName) ?? 1) - 1;
      uses.set(wName, uses1);
      if (uses1 === 0) {
        const c = consts.get(wName);
        if (c) dropped.push(c);
      }
    }
    graph.node = out;
  }
  // Float weights that only quantized ops read go: the variant keeps the int8 copy alone.
  for (const c of dropped) {
    if (c.node) c.graph.node = (c.graph.node ?? []).filter((n) => n !== c.node);
    else c.graph.initializer = (c.graph.initializer ?? []).filter((t) => t !== c.tensor);
  }
  if (quantizedCounts.size === 0) {
    const why = [...leftCounts.values()].map((l) => `${l.op} ×${l.count}: ${l.reason}`);
    throw new AppError(
      'UNSUPPORTED',
      `nothing in the model can be quantized to int8 (it needs MatMul or Gemm with a constant float32 2-D weight, or Conv with a constant float32 weight, of at least ${minElements} values)${why.length ? `: ${why.join('; ')}` : ''}`,
    );
  }
  report.quantized = [...quantizedCounts].map(([op, count]) => ({ op, count }));
  report.left = [...leftCounts.values()].sort((a, b) => b.count - a.count);
  return report;
}

interface Plan {
  values: Float32Array;
  /** W's logical shape [K, N] (after transB). */
  k: number;
  n: number;
  transA: boolean;
  transB: boolean;
  alpha: number;
  bias: { name: string; beta: number } | null;
  /** For Conv: the weight's dims [M, C/group, k…] and its bias values, if it has one. */
  conv: { dims: number[]; bias: Float32Array | null } | null;
}

/** How a MatMul / Gemm will be quantized, or why it stays float32. */
function planNode(
  node: onnx.INodeProto,
  key: string,
  consts: Map<string, Constant>,
  fed: Set<string>,
  typeOf: (n: string) => number,
  block: Set<string>,
  minElements: number,
): Plan | string {
  if (block.has(key)) return 'asked for (--block)';
  const [a = '', b = '', c = ''] = node.input ?? [];
  if (typeOf(a) !== ELEM.float) return 'its input A is not float32';
  const w = consts.get(b);
  const W = key === 'Conv' ? 'W' : 'B';
  if (!w && fed.has(b)) return `its weight ${W} is a graph input (fed at run time), not a constant`;
  if (!w && key === 'Conv') return 'its weight W is computed at run time, not a constant';
  if (!w) return 'its weight B is computed at run time (activation × activation), not a constant';
  if (w.tensor.dataType !== ELEM.float) return 'its weight is not float32';
  if (w.tensor.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL) {
    throw new AppError(
      'UNSUPPORTED',
      `tensor '${w.tensor.name ?? ''}' keeps its data in another file, which was not read in`,
    );
  }
  const dims = (w.tensor.dims ?? []).map((d) => toNumber(d as IntLike));
  if (key === 'Conv' && dims.length < 3) return `its weight is ${dims.length}-D`;
  if (key !== 'Conv' && dims.length !== 2)
    return `its weight is ${dims.length}-D; per-channel MatMulInteger needs 2-D`;
  const count = dims.reduce((x, y) => x * y, 1);
  if (count < minElements)
    return `its weight has fewer than ${minElements} values (too small to matter)`;
  const values = floatValues(w.tensor);
  if (values.length !== count) return 'its weight’s data does not match its shape';
  if (!values.every(Number.isFinite)) return 'its weight holds NaN or Inf';
  if (key === 'Conv') {
    // The bias is added back in float32 after the rescale; only a constant one is reshaped here.
    let bias: Float32Array | null = null;
    if (c !== '') {
      const bc = consts.get(c);
      if (!bc) return 'its bias is not a constant';
      if (bc.tensor.dataType !== ELEM.float) return 'its bias is not float32';
      bias = floatValues(bc.tensor);
      if (bias.length !== dims[0]) return 'its bias’s length is not its output channels';
    }
    const m = dims[0] as number;
    const conv = { dims, bias };
    return { values, k: count / m, n: m, transA: false, transB: false, alpha: 1, bias: null, conv };
  }
  if (key === 'MatMul') {
    return {
      values,
      k: dims[0] as number,
      n: dims[1] as number,
      transA: false,
      transB: false,
      alpha: 1,
      bias: null,
      conv: null,
    };
  }
  const transA = attrInt(node, 'transA', 0) !== 0;
  const transB = attrInt(node, 'transB', 0) !== 0;
  const alpha = attr(node, 'alpha')?.f ?? 1;
  const beta = attr(node, 'beta')?.f ?? 1;
  if (!Number.isFinite(alpha) || alpha === 0) return 'its alpha is 0 or not finite';
  if (c !== '' && typeOf(c) !== ELEM.float && !consts.has(c)) return 'its C is not float32';
  const [k, n] = transB
    ? [dims[1] as number, dims[0] as number]
    : [dims[0] as number, dims[1] as number];
  return {
    values,
    k,
    n,
    transA,
    transB,
    alpha,
    bias: c !== '' && beta !== 0 ? { name: c, beta } : null,
    conv: null,
  };
}

/** What emitting a quantized op needs of the graph being rewritten. */
interface Emit {
  add: (n: onnx.INodeProto) => void;
  initializer: (t: onnx.ITensorProto) => void;
  unique: (base: string) => string;
  report: Int8Report;
}

/**
 * Conv → ConvInteger(X_q, W_q, X_zp, 0) with Conv's own attributes, Cast, Mul by A_scale ×
 * W_scale[M, 1…], Add of the bias [M, 1…]. ONNX Runtime's CPU ConvInteger takes only a per-tensor
 * weight zero point (a 1-D one fails at run time: "Non per-tensor quantization is not supported
 * now"); symmetric weights have zero point 0 in every channel, so one scalar 0 serves while the
 * scales stay per output channel.
 */
function emitConv(
  node: onnx.INodeProto,
  base: string,
  plan: Plan,
  conv: NonNullable<Plan['conv']>,
  aq: { q: string; scale: string; zp: string },
  emit: Emit,
): void {
  const { add, initializer, unique, report } = emit;
  const wName = node.input?.[1] ?? '';
  const m = plan.n;
  // Channel m's values are contiguous ([M, C/group, k…]): the transB layout, written back as is.
  const { q, scale } = quantizeWeight(plan.values, plan.k, m, true, 1);
  const qm = new Int8Array(q.buffer);
  const stored = new Int8Array(plan.values.length);
  for (let ch = 0; ch < m; ch++) {
    for (let r = 0; r < plan.k; r++) stored[ch * plan.k + r] = qm[r * m + ch] as number;
  }
  const wq = unique(`${wName}_quantized`);
  const wzp = unique(`${wName}_zero_point`);
  const ws = unique(`${wName}_scale`);
  // Scales and bias broadcast over [N, M, d…]: shaped [M, 1, …].
  const perChannel = [m, ...conv.dims.slice(2).map(() => 1)];
  initializer({
    name: wq,
    dims: conv.dims,
    dataType: ELEM.int8,
    rawData: new Uint8Array(stored.buffer),
  });
  initializer({ name: wzp, dims: [], dataType: ELEM.int8, rawData: new Uint8Array(1) });
  initializer(floatTensor(ws, perChannel, scale));
  report.tensorsQuantized++;
  report.valuesQuantized += plan.values.length;
  report.weights.push({
    tensor: wName,
    op: 'Conv',
    k: plan.k,
    n: m,
    scaleMin: Math.min(...scale),
    scaleMax: Math.max(...scale),
  });
  const y = node.output?.[0] ?? '';
  const acc = unique(`${base}_int32`);
  add({
    name: unique(`${base}_conv_integer`),
    opType: 'ConvInteger',
    domain: '',
    input: [aq.q, wq, aq.zp, wzp],
    output: [acc],
    attribute: node.attribute ?? [],
  });
  const bias = conv.bias;
  emitDequantize(
    base,
    acc,
    aq.scale,
    ws,
    y,
    emit,
    bias
      ? () => {
          const b = unique(`${node.input?.[2] ?? base}_per_channel`);
          initializer(floatTensor(b, perChannel, bias));
          return b;
        }
      : null,
  );
}

/**
 * The float tail of an integer op (MatMulInteger, ConvInteger): its int32 accumulator `acc` Cast
 * to float, times A_scale × W_scale, into `y` — or, with a bias (its tensor named by `bias`, made
 * after the rescale), into an intermediate that the bias is added to.
 */
function emitDequantize(
  base: string,
  acc: string,
  activationScale: string,
  weightScale: string,
  y: string,
  { add, unique }: Emit,
  bias: (() => string) | null,
): void {
  const yf = unique(`${base}_float`);
  const scale = unique(`${base}_scale`);
  add({
    name: unique(`${base}_cast`),
    opType: 'Cast',
    domain: '',
    input: [acc],
    output: [yf],
    attribute: [{ name: 'to', type: onnx.AttributeProto.AttributeType.INT, i: ELEM.float }],
  });
  add({
    name: unique(`${base}_scales`),
    opType: 'Mul',
    domain: '',
    input: [activationScale, weightScale],
    output: [scale],
  });
  const scaled = bias ? unique(`${base}_scaled`) : y;
  add({
    name: unique(`${base}_rescale`),
    opType: 'Mul',
    domain: '',
    input: [yf, scale],
    output: [scaled],
  });
  if (bias) {
    add({
      name: unique(`${base}_bias`),
      opType: 'Add',
      domain: '',
      input: [scaled, bias()],
      output: [y],
    });
  }
}

/**
 * Per-column symmetric int8 of W ([K, N], or [N, K] stored when `transB`), written [K, N]:
 * scale[n] = alpha·max|W[:, n]| / 127 and q = round(W / (max|W[:, n]| / 127)), half to even,
 * in −127…127 (−128 never occurs, so the scale is the same on both sides).
 */
export function quantizeWeight(
  w: Float32Array,
  k: number,
  n: number,
  transB: boolean,
  alpha: number,
): { q: Uint8Array; scale: Float32Array } {
  const at = transB
    ? (r: number, col: number) => col * k + r
    : (r: number, col: number) => r * n + col;
  const q = new Int8Array(k * n);
  const scale = new Float32Array(n);
  for (let col = 0; col < n; col++) {
    let max = 0;
    for (let r = 0; r < k; r++) max = Math.max(max, Math.abs(w[at(r, col)] as number));
    // An all-zero column quantizes to zeros whatever the scale; 1 keeps the scale finite.
    const s = max > 0 ? max / 127 : 1;
    scale[col] = s * alpha;
    for (let r = 0; r < k; r++) {
      const v = Math.max(-127, Math.min(127, roundHalfEven((w[at(r, col)] as number) / s)));
      q[r * n + col] = v;
    }
  }
  return { q: new Uint8Array(q.buffer), scale };
}

function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

function floatValues(t: onnx.ITensorProto): Float32Array {
  if (t.rawData && t.rawData.byteLength > 0) {
    const raw = t.rawData;
    const out = new Float32Array(raw.byteLength / 4);
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
    return out;
  }
  return Float32Array.from(t.floatData ?? []);
}

function floatTensor(name: string, dims: number[], values: Float32Array): onnx.ITensorProto {
  const raw = new Uint8Array(values.length * 4);
  const view = new DataView(raw.buffer);
  values.forEach((v, i) => view.setFloat32(i * 4, v, true));
  return { name, dims, dataType: ELEM.float, rawData: raw };
}

/** How many node inputs and graph outputs read each value, over every graph of the model. */
function countUses(model: onnx.IModelProto): Map<string, number> {
  const uses = new Map<string, number>();
  const stack: onnx.IGraphProto[] = model.graph ? [model.graph] : [];
  while (stack.length > 0) {
    const g = stack.pop() as onnx.IGraphProto;
    for (const o of g.output ?? []) uses.set(o.name ?? '', (uses.get(o.name ?? '') ?? 0) + 1);
    for (const node of g.node ?? []) {
      for (const i of node.input ?? []) if (i) uses.set(i, (uses.get(i) ?? 0) + 1);
      stack.push(...subgraphs(node));
    }
  }
  return uses;
}
