/**
 * Estimated FLOPs of one inference: 2 per multiply-add of the ops that dominate compute (Conv,
 * ConvTranspose, MatMul, Gemm and their quantized / fused forms). Bias adds, activations,
 * normalization and data movement are not counted. Shapes come from shapes.ts.
 */
import type { onnx } from 'onnx-proto';
import { attrInt, opKey, realInputs, valueInfo, walkGraphs } from './graph';
import { defaultOpset, propagateShapes, type Value } from './shapes';
import { DEFAULT_DIM, resolveDim } from './synth';

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
  const inputShapes: Record<string, number[]> = {};
  const defaulted = new Map<string, number>();
  for (const vi of realInputs(graph).map(valueInfo)) {
    if (vi.kind !== 'tensor' || vi.shape === null) continue;
    inputShapes[vi.name] = vi.shape.map((d, i) => {
      const r = resolveDim(d, i, dims);
      if (typeof d !== 'number' || d < 0) {
        if (typeof d !== 'string' || dims[d] === undefined)
          defaulted.set(typeof d === 'string' ? d : '(unnamed)', r);
      }
      return r;
    });
  }
  const values = propagateShapes(graph, inputShapes, defaultOpset(model), dims);
  const lookup = (name: string | undefined) => (name ? values.get(name) : undefined);

  const byOp: Record<string, number> = {};
  let total = 0;
  let counted = 0;
  let leftOut = 0;
  walkGraphs(graph, (g, depth) => {
    for (const node of g.node ?? []) {
      const key = opKey(node);
      const rule = FLOP_RULES[key];
      if (!rule) continue;
      // Subgraph bodies run a data-dependent number of times (If, Loop): never counted.
      const f = depth === 0 ? rule(node, lookup) : undefined;
      if (f === undefined || !Number.isFinite(f)) {
        leftOut++;
        continue;
      }
      byOp[key] = (byOp[key] ?? 0) + f;
      total += f;
      counted++;
    }
  });

  const parts: string[] = [];
  const assumed = [...defaulted].map(([n, v]) => `${n}=${v}`);
  parts.push(
    assumed.length > 0
      ? `Shapes propagated from the inputs with ${assumed.join(', ')} (defaults: 1 for batch-like and unnamed leading dims, ${DEFAULT_DIM} for other symbolic dims).`
      : 'Shapes propagated from the inputs.',
  );
  if (counted + leftOut === 0) parts.push('No Conv, ConvTranspose, MatMul or Gemm ops.');
  else {
    parts.push(
      `Counted ${counted} Conv/ConvTranspose/MatMul/Gemm ops at 2 FLOPs per multiply-add.`,
    );
    if (leftOut > 0) parts.push(`${leftOut} left out (shape unknown, or inside a subgraph).`);
  }
  parts.push('Bias adds, activations and other ops are not counted.');
  return {
    total: counted === 0 && leftOut > 0 ? null : total,
    byOp,
    note: parts.join(' '),
  };
}
