/**
 * Estimated FLOPs of one inference: 2 per multiply-add of the ops that dominate compute (Conv,
 * ConvTranspose, MatMul, Gemm and their quantized / fused forms). Bias adds, activations,
 * normalization and data movement are not counted. Shapes come from shapes.ts.
 */
import type { onnx } from 'onnx-proto';
import { attrInt, opKey, realInputs, subgraphs, valueInfo } from './graph';
import { defaultOpset, ifBranches, propagateShapes, type Value } from './shapes';
import { planShapes } from './input-sources';
import { DEFAULT_DIM } from './synth';

/** The estimate, in the contract's ModelInspection.flops shape. */
export interface FlopsEstimate {
  total: number | null;
  byOp: Record<string, number>;
  note: string;
}

type FlopRule = (
  node: onnx.INodeProto,
  v: (name: string | undefined) => Value | undefined,
) => number | undefined;

const prod = (a: readonly number[]) => a.reduce((x, y) => x * y, 1);

/** Conv: every output value is a dot product over (C / group) × kernel inputs. */
const convAt =
  (wi: number): FlopRule =>
  (node, v) => {
    const w = v(node.input?.[wi]);
    const y = v(node.output?.[0]);
    if (!w || !y || w.shape.length < 3) return undefined;
    return 2 * prod(y.shape) * prod(w.shape.slice(1));
  };

/** ConvTranspose: every input value is scattered into (M / group) × kernel outputs. */
const convTranspose: FlopRule = (node, v) => {
  const x = v(node.input?.[0]);
  const w = v(node.input?.[1]);
  if (!x || !w || w.shape.length < 3) return undefined;
  return 2 * prod(x.shape) * prod(w.shape.slice(1));
};

const matmulAt =
  (bi: number): FlopRule =>
  (node, v) => {
    const a = v(node.input?.[0]);
    const b = v(node.input?.[bi]);
    const y = v(node.output?.[0]);
    if (!a || !b || !y || a.shape.length === 0) return undefined;
    return 2 * prod(y.shape) * (a.shape[a.shape.length - 1] as number);
  };

const gemm: FlopRule = (node, v) => {
  const a = v(node.input?.[0]);
  const y = v(node.output?.[0]);
  if (!a || !y || a.shape.length !== 2) return undefined;
  const k = attrInt(node, 'transA', 0) ? a.shape[0] : a.shape[1];
  return 2 * prod(y.shape) * (k as number);
};

/**
 * LSTM / GRU / RNN: per step, per direction, every gate multiplies the input by W and the state by
 * R — 2 × (W + R values) per batch item and step.
 */
const recurrent: FlopRule = (node, v) => {
  const x = v(node.input?.[0]);
  const w = v(node.input?.[1]);
  const r = v(node.input?.[2]);
  if (!x || !w || !r || x.shape.length !== 3) return undefined;
  const seqAndBatch = (x.shape[0] as number) * (x.shape[1] as number);
  return 2 * seqAndBatch * (prod(w.shape) + prod(r.shape));
};

/** com.microsoft Attention: the QKV projection, then Q·Kᵀ and weights·V. */
const msAttention: FlopRule = (node, v) => {
  const x = v(node.input?.[0]);
  const w = v(node.input?.[1]);
  if (!x || !w || x.shape.length !== 3 || w.shape.length !== 2) return undefined;
  const [b, s, h] = x.shape as [number, number, number];
  const qkv = w.shape[1] as number;
  return 2 * b * s * h * qkv + 2 * 2 * b * s * s * (qkv / 3);
};

/** com.microsoft MultiHeadAttention (projected Q, K, V in): Q·Kᵀ and weights·V. */
const msMultiHead: FlopRule = (node, v) => {
  const q = v(node.input?.[0]);
  const k = v(node.input?.[1]);
  if (!q || !k || q.shape.length !== 3 || k.shape.length !== 3) return undefined;
  const [b, s, d] = q.shape as [number, number, number];
  return 2 * 2 * b * s * (k.shape[1] as number) * d;
};

/** FLOP rules by op key (see graph.ts opKey). */
export const FLOP_RULES: Record<string, FlopRule> = {
  Conv: convAt(1),
  ConvInteger: convAt(1),
  QLinearConv: convAt(3),
  'com.microsoft:FusedConv': convAt(1),
  ConvTranspose: convTranspose,
  MatMul: matmulAt(1),
  MatMulInteger: matmulAt(1),
  QLinearMatMul: matmulAt(3),
  Gemm: gemm,
  'com.microsoft:QGemm': gemm,
  'com.microsoft:MatMulIntegerToFloat': matmulAt(1),
  'com.microsoft:DynamicQuantizeMatMul': matmulAt(1),
  'com.microsoft:Attention': msAttention,
  'com.microsoft:MultiHeadAttention': msMultiHead,
  LSTM: recurrent,
  GRU: recurrent,
  RNN: recurrent,
};

/**
 * Estimates FLOPs for one inference. `dims` gives values for symbolic dims by name; the others
 * take the defaults of synth.ts (1 for batch-like and unnamed leading dims, 128 otherwise).
 * `total` is null when the model has such ops but none of their shapes could be worked out.
 */
export function estimateFlops(
  model: onnx.IModelProto,
  dims: Record<string, number> = {},
): FlopsEstimate {
  const graph = model.graph ?? {};
  // Input shapes planned together (input-sources.ts): batch-like dims agree across inputs.
  const infos = realInputs(graph)
    .map(valueInfo)
    .filter((vi) => vi.kind === 'tensor' && vi.shape !== null);
  const { shapes: inputShapes, choices } = planShapes(infos, { shapes: {}, dims });
  const defaulted = new Map<string, number>();
  for (const c of choices) {
    if (typeof c.dim === 'string' && dims[c.dim] !== undefined) continue;
    defaulted.set(typeof c.dim === 'string' ? c.dim : `${c.input}[${c.index}]`, c.value);
  }
  const opset = defaultOpset(model);
  const values = propagateShapes(graph, inputShapes, opset, dims);
  const branchNotes: string[] = [];
  const c = countGraph(graph, values, opset, dims, branchNotes);
  const { byOp, total, counted, leftOut } = c;

  const parts: string[] = [];
  const assumed = [...defaulted].map(([n, v]) => `${n}=${v}`);
  parts.push(
    assumed.length > 0
      ? `Shapes propagated from the inputs with ${assumed.join(', ')} (defaults: 1 for batch-like and unnamed leading dims, ${DEFAULT_DIM} for other symbolic dims).`
      : 'Shapes propagated from the inputs.',
  );
  if (counted + leftOut === 0)
    parts.push('No Conv, ConvTranspose, MatMul, Gemm, LSTM/GRU/RNN or attention ops.');
  else {
    parts.push(
      `Counted ${counted} Conv/ConvTranspose/MatMul/Gemm/recurrent/attention ops (quantized forms included) at 2 FLOPs per multiply-add.`,
    );
    if (leftOut > 0) parts.push(`${leftOut} left out (shape unknown).`);
  }
  parts.push(...branchNotes);
  parts.push('Bias adds, activations and other ops are not counted.');
  return {
    total: counted === 0 && leftOut > 0 ? null : total,
    byOp,
    note: parts.join(' '),
  };
}

interface Count {
  total: number;
  byOp: Record<string, number>;
  counted: number;
  leftOut: number;
}

const fmt = (n: number) => (n >= 1e6 ? `${(n / 1e6).toPrecision(3)} MFLOPs` : `${n} FLOPs`);

/**
 * FLOPs of one graph whose values are known (`values`). If nodes count their larger branch (the
 * note says which, and what the other costs); Loop bodies count once per iteration when the trip
 * count is a known constant, else once (the note says so); Scan bodies are left out.
 */
function countGraph(
  g: onnx.IGraphProto,
  values: ReadonlyMap<string, Value>,
  opset: number,
  dims: Record<string, number>,
  notes: string[],
): Count {
  const out: Count = { total: 0, byOp: {}, counted: 0, leftOut: 0 };
  const add = (c: Count, times = 1) => {
    out.total += c.total * times;
    out.counted += c.counted;
    out.leftOut += c.leftOut;
    for (const [k, f] of Object.entries(c.byOp)) out.byOp[k] = (out.byOp[k] ?? 0) + f * times;
  };
  const lookup = (name: string | undefined) => (name ? values.get(name) : undefined);
  for (const node of g.node ?? []) {
    const key = opKey(node);
    const label = `${key} '${node.name || node.output?.[0] || '?'}'`;
    if (key === 'If') {
      const { then, else: otherwise } = ifBranches(node);
      const branch = (b: onnx.IGraphProto | undefined) =>
        b
          ? countGraph(b, propagateShapes(b, {}, opset, dims, true, values), opset, dims, notes)
          : { total: 0, byOp: {}, counted: 0, leftOut: 0 };
      const a = branch(then);
      const b = branch(otherwise);
      const thenWins = a.total >= b.total;
      add(thenWins ? a : b);
      if (a.total + b.total > 0) {
        notes.push(
          `${label}: the ${thenWins ? 'then' : 'else'} branch counted (${fmt(thenWins ? a.total : b.total)}; the ${thenWins ? 'else' : 'then'} branch has ${fmt(thenWins ? b.total : a.total)}).`,
        );
      }
      continue;
    }
    if (key === 'Loop' || key === 'Scan') {
      const body = subgraphs(node)[0];
      if (!body) continue;
      if (key === 'Scan') {
        const inner = countGraph(body, new Map(), opset, dims, []);
        out.leftOut += inner.counted + inner.leftOut;
        continue;
      }
      // Body inputs: iteration number, condition, then the loop-carried values.
      const seeded: Record<string, number[]> = {};
      (body.input ?? []).forEach((vi, i) => {
        const src = i >= 2 ? lookup(node.input?.[i]) : { shape: [] };
        if (src && vi.name) seeded[vi.name] = src.shape;
      });
      const inner = countGraph(
        body,
        propagateShapes(body, seeded, opset, dims, true, values),
        opset,
        dims,
        notes,
      );
      const trip = lookup(node.input?.[0])?.data?.[0];
      const known = trip !== undefined && Number.isFinite(trip) && trip >= 0;
      add(inner, known ? trip : 1);
      if (inner.total > 0) {
        notes.push(
          known
            ? `${label}: body counted ${trip} times (${fmt(inner.total)} each).`
            : `${label}: body counted once (${fmt(inner.total)}); its trip count is not known before running.`,
        );
      }
      continue;
    }
    const rule = FLOP_RULES[key];
    if (!rule) continue;
    const f = rule(node, lookup);
    if (f === undefined || !Number.isFinite(f)) {
      out.leftOut++;
      continue;
    }
    out.byOp[key] = (out.byOp[key] ?? 0) + f;
    out.total += f;
    out.counted++;
  }
  return out;
}
