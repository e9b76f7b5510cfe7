/**
 * A small forward shape propagation, enough to estimate FLOPs: from concrete input shapes through
 * the common ops, folding the small integer constants that feed shape arguments (the
 * Shape → Gather → Unsqueeze → Concat → Reshape chains exporters write). Where a rule is missing or
 * an input is unknown, the model's own value_info / output shapes are used when it carries them;
 * otherwise the value stays unknown. Nothing here allocates from a dim: shapes are plain numbers.
 */
import type { onnx } from 'onnx-proto';
import { f16ToNumber } from './float-bits';
import { attr, attrFloats, attrInt, attrInts, attrString, valueInfo } from './graph';
import { toNumber, type IntLike } from './onnx-file';
import { resolveDim } from './synth';

/** A value's concrete shape, and its contents when it is a small known constant. */
export interface Value {
  shape: number[];
  data?: number[];
}

/** Largest constant whose contents are kept for folding. */
const MAX_CONST = 1024;

/** Inputs of a node's shape rule: each input's Value (undefined when unknown or absent). */
type Rule = (
  node: onnx.INodeProto,
  ins: (Value | undefined)[],
  opset: number,
) => (Value | undefined)[];

const prod = (a: readonly number[]) => a.reduce((x, y) => x * y, 1);
const normAxis = (axis: number, rank: number) => (axis < 0 ? axis + rank : axis);

/** NumPy-style broadcast of shapes, or undefined when they do not broadcast. */
export function broadcast(shapes: number[][]): number[] | undefined {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out = new Array<number>(rank).fill(1);
  for (const s of shapes) {
    for (let i = 0; i < s.length; i++) {
      const o = rank - s.length + i;
      const d = s[i] as number;
      const cur = out[o] as number;
      if (d === cur || d === 1) continue;
      if (cur === 1) out[o] = d;
      else return undefined;
    }
  }
  return out;
}

/** The small constant values a TensorProto carries, or undefined (external, large, odd type). */
export function constantValues(t: onnx.ITensorProto): number[] | undefined {
  if (t.dataLocation === 1) return undefined;
  const dims = (t.dims ?? []).map((d) => toNumber(d as IntLike));
  const count = prod(dims);
  if (!(count <= MAX_CONST)) return undefined;
  const raw = t.rawData;
  const type = t.dataType ?? 0;
  if (raw && raw.byteLength > 0) {
    const v = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    const size = { 1: 4, 2: 1, 3: 1, 4: 2, 5: 2, 6: 4, 7: 8, 9: 1, 10: 2, 11: 8, 12: 4, 13: 8 }[
      type
    ];
    if (size === undefined || raw.byteLength !== count * size) return undefined;
    const out: number[] = [];
    for (let i = 0; i < count; i++) {
      const o = i * size;
      switch (type) {
        case 1:
          out.push(v.getFloat32(o, true));
          break;
        case 2:
        case 9:
          out.push(v.getUint8(o));
          break;
        case 3:
          out.push(v.getInt8(o));
          break;
        case 4:
          out.push(v.getUint16(o, true));
          break;
        case 5:
          out.push(v.getInt16(o, true));
          break;
        case 6:
          out.push(v.getInt32(o, true));
          break;
        case 7:
          out.push(Number(v.getBigInt64(o, true)));
          break;
        case 10:
          out.push(f16ToNumber(v.getUint16(o, true)));
          break;
        case 11:
          out.push(v.getFloat64(o, true));
          break;
        case 12:
          out.push(v.getUint32(o, true));
          break;
        case 13:
          out.push(Number(v.getBigUint64(o, true)));
          break;
      }
    }
    return out;
  }
  const typed: (number | IntLike)[] =
    type === 1
      ? (t.floatData ?? [])
      : type === 7
        ? ((t.int64Data ?? []) as IntLike[])
        : type === 11
          ? (t.doubleData ?? [])
          : type === 12 || type === 13
            ? ((t.uint64Data ?? []) as IntLike[])
            : type === 10
              ? (t.int32Data ?? []).map(f16ToNumber)
              : [2, 3, 4, 5, 6, 9].includes(type)
                ? (t.int32Data ?? [])
                : [];
  if (typed.length !== count) return undefined;
  return typed.map((x) => toNumber(x as IntLike));
}

function tensorValue(t: onnx.ITensorProto): Value {
  const shape = (t.dims ?? []).map((d) => toNumber(d as IntLike));
  const data = constantValues(t);
  return data === undefined ? { shape } : { shape, data };
}

const same: Rule = (_n, ins) => [ins[0] ? { shape: ins[0].shape } : undefined];

const elementwise: Rule = (node, ins) => {
  if (ins.length === 0 || ins.some((v) => v === undefined)) return [undefined];
  const shape = broadcast(ins.map((v) => (v as Value).shape));
  if (!shape) return [undefined];
  const out: Value = { shape };
  // Fold small integer arithmetic on known constants (shape computations).
  const datas = ins.map((v) => v?.data);
  if (datas.every((d) => d !== undefined) && prod(shape) <= MAX_CONST && ins.length === 2) {
    const [a, b] = datas as [number[], number[]];
    const at = (d: number[], i: number) => (d.length === 1 ? (d[0] as number) : (d[i] as number));
    const f = FOLD[node.opType ?? ''];
    if (f && (a.length === b.length || a.length === 1 || b.length === 1)) {
      out.data = Array.from({ length: prod(shape) }, (_, i) => f(at(a, i), at(b, i)));
    }
  }
  return [out];
};

const FOLD: Record<string, (a: number, b: number) => number> = {
  Add: (a, b) => a + b,
  Sub: (a, b) => a - b,
  Mul: (a, b) => a * b,
  Div: (a, b) => Math.trunc(a / b),
};

function spatialOut(
  node: onnx.INodeProto,
  inSpatial: number[],
  kernel: number[],
  ceilMode: boolean,
): number[] | undefined {
  const n = inSpatial.length;
  const strides = attrInts(node, 'strides') ?? new Array<number>(n).fill(1);
  const dil = attrInts(node, 'dilations') ?? new Array<number>(n).fill(1);
  const pads = attrInts(node, 'pads') ?? new Array<number>(2 * n).fill(0);
  const autoPad = attrString(node, 'auto_pad', 'NOTSET');
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = inSpatial[i] as number;
    const s = strides[i] ?? 1;
    const k = ((kernel[i] as number) - 1) * (dil[i] ?? 1) + 1;
    if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') out.push(Math.ceil(x / s));
    else if (autoPad === 'VALID') out.push(Math.floor((x - k) / s) + 1);
    else {
      const span = x + (pads[i] ?? 0) + (pads[i + n] ?? 0) - k;
      out.push((ceilMode ? Math.ceil(span / s) : Math.floor(span / s)) + 1);
    }
  }
  return out.every((d) => Number.isFinite(d) && d > 0) ? out : undefined;
}

const conv: Rule = (node, ins) => {
  const [x, w] = [ins[0], ins[1]];
  if (!x || !w || x.shape.length < 3) return [undefined];
  const kernel = attrInts(node, 'kernel_shape') ?? w.shape.slice(2);
  const sp = spatialOut(node, x.shape.slice(2), kernel, false);
  return [sp ? { shape: [x.shape[0] as number, w.shape[0] as number, ...sp] } : undefined];
};

/** Conv with the weight at another input (QLinearConv: x 0, w 3). */
const convAt =
  (wi: number): Rule =>
  (node, ins, opset) =>
    conv(node, [ins[0], ins[wi]], opset);

const convTranspose: Rule = (node, ins) => {
  const [x, w] = [ins[0], ins[1]];
  if (!x || !w || x.shape.length < 3) return [undefined];
  const n = x.shape.length - 2;
  const group = attrInt(node, 'group', 1);
  const channels = (w.shape[1] as number) * group;
  const explicit = attrInts(node, 'output_shape');
  if (explicit && explicit.length >= n) {
    return [{ shape: [x.shape[0] as number, channels, ...explicit.slice(-n)] }];
  }
  const kernel = attrInts(node, 'kernel_shape') ?? w.shape.slice(2);
  const strides = attrInts(node, 'strides') ?? new Array<number>(n).fill(1);
  const dil = attrInts(node, 'dilations') ?? new Array<number>(n).fill(1);
  const pads = attrInts(node, 'pads') ?? new Array<number>(2 * n).fill(0);
  const outPad = attrInts(node, 'output_padding') ?? new Array<number>(n).fill(0);
  const autoPad = attrString(node, 'auto_pad', 'NOTSET');
  const sp: number[] = [];
  for (let i = 0; i < n; i++) {
    const xi = x.shape[i + 2] as number;
    const s = strides[i] ?? 1;
    if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') sp.push(xi * s);
    else {
      const k = ((kernel[i] as number) - 1) * (dil[i] ?? 1) + 1;
      sp.push(s * (xi - 1) + (outPad[i] ?? 0) + k - (pads[i] ?? 0) - (pads[i + n] ?? 0));
    }
  }
  return [{ shape: [x.shape[0] as number, channels, ...sp] }];
};

const pool: Rule = (node, ins) => {
  const x = ins[0];
  const kernel = attrInts(node, 'kernel_shape');
  if (!x || !kernel || x.shape.length < 3) return [undefined];
  const sp = spatialOut(node, x.shape.slice(2), kernel, attrInt(node, 'ceil_mode', 0) === 1);
  const out = sp ? { shape: [...x.shape.slice(0, 2), ...sp] } : undefined;
  return [out, out]; // MaxPool's optional Indices has the same shape
};

const globalPool: Rule = (_n, ins) => {
  const x = ins[0];
  return [x ? { shape: [...x.shape.slice(0, 2), ...x.shape.slice(2).map(() => 1)] } : undefined];
};

/** MatMul's output shape (NumPy matmul semantics, 1-D operands promoted then dropped). */
export function matmulShape(a: number[], b: number[]): number[] | undefined {
  if (a.length === 0 || b.length === 0) return undefined;
  const a2 = a.length === 1 ? [1, a[0] as number] : a;
  const b2 = b.length === 1 ? [b[0] as number, 1] : b;
  if (a2[a2.length - 1] !== b2[b2.length - 2]) return undefined;
  const batch = broadcast([a2.slice(0, -2), b2.slice(0, -2)]);
  if (!batch) return undefined;
  const out = [...batch];
  if (a.length > 1) out.push(a2[a2.length - 2] as number);
  if (b.length > 1) out.push(b2[b2.length - 1] as number);
  return out;
}

const matmul: Rule = (_n, ins) => {
  const [a, b] = ins;
  const s = a && b ? matmulShape(a.shape, b.shape) : undefined;
  return [s ? { shape: s } : undefined];
};

const matmulAt =
  (bi: number): Rule =>
  (node, ins, opset) =>
    matmul(node, [ins[0], ins[bi]], opset);

const gemm: Rule = (node, ins) => {
  const [a, b] = ins;
  if (!a || !b || a.shape.length !== 2 || b.shape.length !== 2) return [undefined];
  const m = attrInt(node, 'transA', 0) ? a.shape[1] : a.shape[0];
  const n = attrInt(node, 'transB', 0) ? b.shape[0] : b.shape[1];
  return [{ shape: [m as number, n as number] }];
};

const flatten: Rule = (node, ins) => {
  const x = ins[0];
  if (!x) return [undefined];
  const axis = normAxis(attrInt(node, 'axis', 1), x.shape.length);
  return [{ shape: [prod(x.shape.slice(0, axis)), prod(x.shape.slice(axis))] }];
};

const reshape: Rule = (node, ins, opset) => {
  const x = ins[0];
  const target = opset >= 5 ? ins[1]?.data : (attrInts(node, 'shape') ?? undefined);
  if (!x || !target) return [undefined];
  const allowZero = attrInt(node, 'allowzero', 0) === 1;
  const out = target.map((d, i) => (d === 0 && !allowZero ? (x.shape[i] as number) : d));
  const known = prod(out.filter((d) => d !== -1));
  const minus = out.indexOf(-1);
  if (minus >= 0) out[minus] = known === 0 ? 0 : prod(x.shape) / known;
  if (out.some((d) => !Number.isInteger(d) || d < 0) || prod(out) !== prod(x.shape))
    return [undefined];
  return [x.data ? { shape: out, data: x.data } : { shape: out }];
};

const transpose: Rule = (node, ins) => {
  const x = ins[0];
  if (!x) return [undefined];
  const perm = attrInts(node, 'perm') ?? x.shape.map((_, i) => x.shape.length - 1 - i);
  return [{ shape: perm.map((p) => x.shape[p] as number) }];
};

const concat: Rule = (node, ins) => {
  if (ins.length === 0 || ins.some((v) => !v)) return [undefined];
  const vals = ins as Value[];
  const first = vals[0] as Value;
  const axis = normAxis(attrInt(node, 'axis', 0), first.shape.length);
  const shape = [...first.shape];
  shape[axis] = vals.reduce((s, v) => s + (v.shape[axis] ?? 0), 0);
  const out: Value = { shape };
  if (first.shape.length === 1 && vals.every((v) => v.data))
    out.data = vals.flatMap((v) => v.data as number[]);
  return [out];
};

/** Axes from an attribute (older opsets) or a constant input (newer ones). */
function axesOf(
  node: onnx.INodeProto,
  ins: (Value | undefined)[],
  inputIndex: number,
): number[] | null | undefined {
  const fromAttr = attrInts(node, 'axes');
  if (fromAttr) return fromAttr;
  if ((node.input ?? [])[inputIndex]) return ins[inputIndex]?.data; // undefined: given but unknown
  return null; // not given
}

const unsqueeze: Rule = (node, ins) => {
  const x = ins[0];
  const axes = axesOf(node, ins, 1);
  if (!x || !axes) return [undefined];
  const rank = x.shape.length + axes.length;
  const norm = new Set(axes.map((a) => normAxis(a, rank)));
  const shape: number[] = [];
  let j = 0;
  for (let i = 0; i < rank; i++) shape.push(norm.has(i) ? 1 : (x.shape[j++] as number));
  return [x.data ? { shape, data: x.data } : { shape }];
};

const squeeze: Rule = (node, ins) => {
  const x = ins[0];
  const axes = axesOf(node, ins, 1);
  if (!x || axes === undefined) return [undefined];
  const norm = axes ? new Set(axes.map((a) => normAxis(a, x.shape.length))) : null;
  const shape = x.shape.filter((d, i) => (norm ? !norm.has(i) : d !== 1));
  return [x.data ? { shape, data: x.data } : { shape }];
};

const shapeOp: Rule = (node, ins) => {
  const x = ins[0];
  if (!x) return [undefined];
  const r = x.shape.length;
  const clamp = (v: number) => Math.min(r, Math.max(0, normAxis(v, r)));
  const data = x.shape.slice(clamp(attrInt(node, 'start', 0)), clamp(attrInt(node, 'end', r)));
  return [{ shape: [data.length], data }];
};

const constant: Rule = (node) => {
  const t = attr(node, 'value')?.t;
  if (t) return [tensorValue(t)];
  const vi = attr(node, 'value_int');
  if (vi) return [{ shape: [], data: [toNumber(vi.i as IntLike)] }];
  const vis = attrInts(node, 'value_ints');
  if (vis) return [{ shape: [vis.length], data: vis }];
  const vf = attr(node, 'value_float');
  if (vf) return [{ shape: [], data: [vf.f ?? 0] }];
  const vfs = attrFloats(node, 'value_floats');
  if (vfs) return [{ shape: [vfs.length], data: vfs }];
  return [undefined];
};

const gather: Rule = (node, ins) => {
  const [x, idx] = ins;
  if (!x || !idx) return [undefined];
  const axis = normAxis(attrInt(node, 'axis', 0), x.shape.length);
  const shape = [...x.shape.slice(0, axis), ...idx.shape, ...x.shape.slice(axis + 1)];
  const out: Value = { shape };
  if (x.data && idx.data && x.shape.length === 1) {
    const n = x.shape[0] as number;
    out.data = idx.data.map((i) => x.data?.[i < 0 ? i + n : i] as number);
  }
  return [out];
};

const cast: Rule = (_n, ins) => [ins[0] ? { ...ins[0] } : undefined];

const slice: Rule = (node, ins, opset) => {
  const x = ins[0];
  if (!x) return [undefined];
  const r = x.shape.length;
  let starts: number[] | undefined;
  let ends: number[] | undefined;
  let axes: number[] | undefined;
  let steps: number[] | undefined;
  if (opset < 10) {
    starts = attrInts(node, 'starts') ?? undefined;
    ends = attrInts(node, 'ends') ?? undefined;
    axes = attrInts(node, 'axes') ?? undefined;
  } else {
    const given = node.input ?? [];
    starts = ins[1]?.data;
    ends = ins[2]?.data;
    if (given[3]) axes = ins[3]?.data ?? [NaN];
    if (given[4]) steps = ins[4]?.data ?? [NaN];
  }
  if (!starts || !ends) return [undefined];
  axes ??= starts.map((_, i) => i);
  steps ??= starts.map(() => 1);
  if (axes.some(Number.isNaN) || steps.some(Number.isNaN)) return [undefined];
  const shape = [...x.shape];
  const ranges = x.shape.map((d) => [0, d, 1] as [number, number, number]);
  for (let i = 0; i < axes.length; i++) {
    const a = normAxis(axes[i] as number, r);
    const d = x.shape[a] as number;
    const step = steps[i] as number;
    if (step === 0) return [undefined];
    const clampIdx = (v: number, lo: number, hi: number) =>
      Math.min(hi, Math.max(lo, v < 0 ? v + d : v));
    const s =
      step > 0 ? clampIdx(starts[i] as number, 0, d) : clampIdx(starts[i] as number, -1, d - 1);
    const e = step > 0 ? clampIdx(ends[i] as number, 0, d) : clampIdx(ends[i] as number, -1, d - 1);
    shape[a] = Math.max(0, Math.ceil((e - s) / step));
    ranges[a] = [s, e, step];
  }
  const out: Value = { shape };
  if (x.data && r === 1) {
    const [s, , step] = ranges[0] as [number, number, number];
    out.data = Array.from(
      { length: shape[0] as number },
      (_, i) => x.data?.[s + i * step] as number,
    );
  }
  return [out];
};

const resize: Rule = (node, ins, opset) => {
  const x = ins[0];
  if (!x) return [undefined];
  const given = node.input ?? [];
  let scales: number[] | undefined;
  let sizes: number[] | undefined;
  if (node.opType === 'Upsample' && opset < 9) scales = attrFloats(node, 'scales') ?? undefined;
  else if (opset < 11) scales = ins[1]?.data;
  else {
    if (given[3]) sizes = ins[3]?.data;
    if (!sizes && given[2]) scales = ins[2]?.data;
  }
  const axes = attrInts(node, 'axes');
  const rank = x.shape.length;
  const pick = (vals: number[], fill: (i: number) => number): number[] => {
    if (!axes) return vals;
    const full = x.shape.map((_, i) => fill(i));
    axes.forEach((a, i) => (full[normAxis(a, rank)] = vals[i] as number));
    return full;
  };
  if (sizes && sizes.length > 0) {
    const s = pick(sizes, (i) => x.shape[i] as number);
    return [s.length === rank ? { shape: s } : undefined];
  }
  if (scales && scales.length > 0) {
    const s = pick(scales, () => 1);
    if (s.length !== rank) return [undefined];
    return [{ shape: x.shape.map((d, i) => Math.floor(d * (s[i] as number))) }];
  }
  return [undefined];
};

const depthToSpace: Rule = (node, ins) => {
  const x = ins[0];
  const b = attrInt(node, 'blocksize', 0);
  if (!x || x.shape.length !== 4 || b <= 0) return [undefined];
  const [n, c, h, w] = x.shape as [number, number, number, number];
  return node.opType === 'DepthToSpace'
    ? [{ shape: [n, c / (b * b), h * b, w * b] }]
    : [{ shape: [n, c * b * b, h / b, w / b] }];
};

const reduce: Rule = (node, ins) => {
  const x = ins[0];
  if (!x) return [undefined];
  const keep = attrInt(node, 'keepdims', 1) === 1;
  let axes = axesOf(node, ins, 1);
  if (node.opType === 'ArgMax' || node.opType === 'ArgMin') axes = [attrInt(node, 'axis', 0)];
  if (axes === undefined) return [undefined];
  const all = axes === null || axes.length === 0;
  if (all && attrInt(node, 'noop_with_empty_axes', 0) === 1) return [{ shape: x.shape }];
  const set = new Set((axes ?? []).map((a) => normAxis(a, x.shape.length)));
  const shape: number[] = [];
  x.shape.forEach((d, i) => {
    const reduced = all || set.has(i);
    if (!reduced) shape.push(d);
    else if (keep) shape.push(1);
  });
  return [{ shape }];
};

const pad: Rule = (node, ins, opset) => {
  const x = ins[0];
  const pads = opset < 11 ? (attrInts(node, 'pads') ?? undefined) : ins[1]?.data;
  if (!x || !pads) return [undefined];
  const r = x.shape.length;
  const axes = opset >= 18 && (node.input ?? [])[3] ? ins[3]?.data : x.shape.map((_, i) => i);
  if (!axes) return [undefined];
  const shape = [...x.shape];
  axes.forEach((a, i) => {
    const ax = normAxis(a, r);
    shape[ax] = (shape[ax] as number) + (pads[i] as number) + (pads[i + axes.length] as number);
  });
  return [{ shape }];
};

const expand: Rule = (_n, ins) => {
  const [x, s] = ins;
  const shape = x && s?.data ? broadcast([x.shape, s.data]) : undefined;
  return [shape ? { shape } : undefined];
};

const tile: Rule = (_n, ins) => {
  const [x, r] = ins;
  if (!x || !r?.data || r.data.length !== x.shape.length) return [undefined];
  return [{ shape: x.shape.map((d, i) => d * (r.data?.[i] as number)) }];
};

const constantOfShape: Rule = (_n, ins) => {
  const s = ins[0]?.data;
  return [s ? { shape: s } : undefined];
};

const split: Rule = (node, ins, opset) => {
  const x = ins[0];
  const outs = (node.output ?? []).length;
  if (!x || outs === 0) return [];
  const axis = normAxis(attrInt(node, 'axis', 0), x.shape.length);
  const d = x.shape[axis] as number;
  let parts = opset < 13 ? (attrInts(node, 'split') ?? undefined) : ins[1]?.data;
  if (opset >= 13 && (node.input ?? [])[1] && !parts)
    return new Array<undefined>(outs).fill(undefined);
  parts ??= Array.from({ length: outs }, (_, i) =>
    Math.min(Math.ceil(d / outs), d - i * Math.ceil(d / outs)),
  );
  return parts.map((p) => {
    const shape = [...x.shape];
    shape[axis] = p;
    return { shape };
  });
};

const UNARY = [
  'Relu',
  'Sigmoid',
  'Tanh',
  'Exp',
  'Log',
  'Abs',
  'Neg',
  'Sqrt',
  'Reciprocal',
  'Erf',
  'LeakyRelu',
  'Elu',
  'Selu',
  'Celu',
  'HardSigmoid',
  'HardSwish',
  'Softplus',
  'Softsign',
  'Gelu',
  'Clip',
  'Identity',
  'Dropout',
  'Floor',
  'Ceil',
  'Round',
  'Not',
  'Sign',
  'Sin',
  'Cos',
  'Softmax',
  'LogSoftmax',
  'Hardmax',
  'LRN',
  'BatchNormalization',
  'InstanceNormalization',
  'LayerNormalization',
  'Mish',
  'IsNaN',
  'IsInf',
  'CastLike',
  'QuantizeLinear',
  'DequantizeLinear',
  'ThresholdedRelu',
  'Shrink',
  'MeanVarianceNormalization',
  'GroupNormalization',
  'CumSum',
  'Tan',
  'Asin',
  'Acos',
  'Atan',
  'Sinh',
  'Cosh',
  'Asinh',
  'Acosh',
  'Atanh',
  'Trilu',
];
const BINARY = [
  'Add',
  'Sub',
  'Mul',
  'Div',
  'Pow',
  'Max',
  'Min',
  'Sum',
  'Mean',
  'Equal',
  'Less',
  'Greater',
  'LessOrEqual',
  'GreaterOrEqual',
  'And',
  'Or',
  'Xor',
  'Where',
  'PRelu',
  'BitShift',
  'Mod',
  'BitwiseAnd',
  'BitwiseOr',
  'BitwiseXor',
];

/**
 * LSTM / GRU / RNN: Y [seq, directions, batch, hidden], Y_h (and LSTM's Y_c) [directions, batch,
 * hidden]; layout 1 puts the batch first. Sizes come from X and the recurrence weight R.
 */
const recurrent: Rule = (node, ins) => {
  const [x, , r] = ins;
  if (!x || !r || x.shape.length !== 3 || r.shape.length !== 3) return [undefined];
  const batchFirst = attrInt(node, 'layout', 0) === 1;
  const [seq, batch] = batchFirst ? [x.shape[1], x.shape[0]] : [x.shape[0], x.shape[1]];
  const dirs = r.shape[0] as number;
  const hidden = r.shape[2] as number;
  const y = batchFirst ? [batch, seq, dirs, hidden] : [seq, dirs, batch, hidden];
  const h = batchFirst ? [batch, dirs, hidden] : [dirs, batch, hidden];
  return [{ shape: y as number[] }, { shape: h as number[] }, { shape: h as number[] }];
};

/** DynamicQuantizeLinear: y like x, then a scalar scale and zero point. */
const dynamicQuantize: Rule = (_n, ins) => [
  ins[0] ? { shape: ins[0].shape } : undefined,
  { shape: [] },
  { shape: [] },
];

/** com.microsoft QLinear binary ops: A at 0, B at 3 (each followed by its scale and zero point). */
const qlinearBinary: Rule = (node, ins, opset) => elementwise(node, [ins[0], ins[3]], opset);

/** com.microsoft QLinearConcat: Y's scale and zero point, then (X, scale, zero point) triples. */
const qlinearConcat: Rule = (node, ins, opset) =>
  concat(
    node,
    ins.filter((_, i) => i >= 2 && (i - 2) % 3 === 0),
    opset,
  );

/** com.microsoft Attention: [batch, seq, hidden] in, [batch, seq, hidden of V] out. */
const msAttention: Rule = (node, ins) => {
  const [x, w] = ins;
  if (!x || !w || x.shape.length !== 3 || w.shape.length !== 2) return [undefined];
  const sizes = attrInts(node, 'qkv_hidden_sizes');
  const v = sizes && sizes.length === 3 ? (sizes[2] as number) : (w.shape[1] as number) / 3;
  return [{ shape: [x.shape[0] as number, x.shape[1] as number, v] }];
};

/** com.microsoft MultiHeadAttention: the query's [batch, seq] with V's hidden size. */
const msMultiHead: Rule = (_n, ins) => {
  const [q, , v] = ins;
  if (!q || q.shape.length !== 3) return [undefined];
  const hv = v && v.shape.length === 3 ? (v.shape[2] as number) : (q.shape[2] as number);
  return [{ shape: [q.shape[0] as number, q.shape[1] as number, hv] }];
};

/** Shape rules by op (default domain; com.microsoft look-alikes reuse them). */
export const RULES: Record<string, Rule> = {
  ...Object.fromEntries(UNARY.map((op) => [op, same])),
  ...Object.fromEntries(BINARY.map((op) => [op, elementwise])),
  Cast: cast,
  Conv: conv,
  ConvInteger: conv,
  QLinearConv: convAt(3),
  'com.microsoft:FusedConv': conv,
  ConvTranspose: convTranspose,
  MaxPool: pool,
  AveragePool: pool,
  LpPool: pool,
  GlobalAveragePool: globalPool,
  GlobalMaxPool: globalPool,
  GlobalLpPool: globalPool,
  MatMul: matmul,
  MatMulInteger: matmul,
  QLinearMatMul: matmulAt(3),
  Gemm: gemm,
  Flatten: flatten,
  Reshape: reshape,
  Transpose: transpose,
  Concat: concat,
  Unsqueeze: unsqueeze,
  Squeeze: squeeze,
  Shape: shapeOp,
  Size: (_n, ins) => [ins[0] ? { shape: [], data: [prod(ins[0].shape)] } : undefined],
  Constant: constant,
  Gather: gather,
  Slice: slice,
  Resize: resize,
  Upsample: resize,
  DepthToSpace: depthToSpace,
  SpaceToDepth: depthToSpace,
  ReduceMean: reduce,
  ReduceSum: reduce,
  ReduceMax: reduce,
  ReduceMin: reduce,
  ReduceProd: reduce,
  ReduceL2: reduce,
  ReduceL1: reduce,
  ReduceSumSquare: reduce,
  ReduceLogSumExp: reduce,
  ArgMax: reduce,
  ArgMin: reduce,
  Pad: pad,
  Expand: expand,
  Tile: tile,
  ConstantOfShape: constantOfShape,
  Split: split,
  LSTM: recurrent,
  GRU: recurrent,
  RNN: recurrent,
  DynamicQuantizeLinear: dynamicQuantize,
  'com.microsoft:QLinearAdd': qlinearBinary,
  'com.microsoft:QLinearMul': qlinearBinary,
  'com.microsoft:QLinearSigmoid': same,
  'com.microsoft:QLinearLeakyRelu': same,
  'com.microsoft:QLinearSoftmax': same,
  'com.microsoft:QLinearGlobalAveragePool': globalPool,
  'com.microsoft:QLinearAveragePool': pool,
  'com.microsoft:QLinearConcat': qlinearConcat,
  'com.microsoft:QLinearConv': convAt(3),
  'com.microsoft:MatMulIntegerToFloat': matmul,
  'com.microsoft:DynamicQuantizeMatMul': matmul,
  'com.microsoft:QGemm': (node, ins, opset) => gemm(node, [ins[0], ins[3]], opset),
  'com.microsoft:Attention': msAttention,
  'com.microsoft:MultiHeadAttention': msMultiHead,
  'com.microsoft:Gelu': same,
  'com.microsoft:FastGelu': same,
  'com.microsoft:BiasGelu': same,
  'com.microsoft:SkipLayerNormalization': same,
  'com.microsoft:QuickGelu': same,
};

/** Which opset of the default domain a model imports (for ops whose inputs moved over time). */
export function defaultOpset(model: onnx.IModelProto): number {
  const imp = (model.opsetImport ?? []).find((o) => !o.domain || o.domain === 'ai.onnx');
  return imp ? toNumber(imp.version as IntLike) : 1;
}

/**
 * Propagates concrete shapes through a graph. `inputShapes` gives each real input's shape;
 * `userDims` resolves symbolic dims in the model's own value_info. `useDeclared: false` ignores the
 * shapes the model declares (tests use it to check the rules alone). `outer` holds the values of
 * the enclosing graph, which a subgraph (an If branch, a Loop body) may read. If nodes take their
 * outputs from their branches (propagated here, with this graph's values as their outer scope).
 * Returns every value whose shape became known, by name (outer ones included).
 */
export function propagateShapes(
  graph: onnx.IGraphProto,
  inputShapes: Record<string, number[]>,
  opset: number,
  userDims: Record<string, number> = {},
  useDeclared = true,
  outer?: ReadonlyMap<string, Value>,
): Map<string, Value> {
  const values = new Map<string, Value>(outer ?? []);
  for (const t of graph.initializer ?? []) values.set(t.name ?? '', tensorValue(t));
  for (const [name, shape] of Object.entries(inputShapes)) values.set(name, { shape });

  // Shapes the model itself declares, used where no rule gives one.
  const declared = new Map<string, number[]>();
  for (const vi of useDeclared ? [...(graph.valueInfo ?? []), ...(graph.output ?? [])] : []) {
    const info = valueInfo(vi);
    if (info.shape && info.kind === 'tensor') {
      declared.set(
        info.name,
        info.shape.map((d, i) => resolveDim(d, i, userDims)),
      );
    }
  }

  for (const node of graph.node ?? []) {
    const key =
      node.domain && node.domain !== 'ai.onnx'
        ? `${node.domain}:${node.opType}`
        : (node.opType ?? '');
    const rule = RULES[key];
    const ins = (node.input ?? []).map((n) => (n ? values.get(n) : undefined));
    let outs: (Value | undefined)[] = [];
    if (key === 'If') {
      outs = ifOutputs(node, values, opset, userDims, useDeclared);
    } else if (rule) {
      try {
        outs = rule(node, ins, opset);
      } catch {
        outs = []; // a malformed node (odd attributes): its outputs stay unknown
      }
    }
    (node.output ?? []).forEach((name, i) => {
      if (!name) return;
      const v = outs[i];
      if (v && v.shape.every((d) => Number.isFinite(d) && d >= 0)) values.set(name, v);
      else {
        const d = declared.get(name);
        if (d) values.set(name, { shape: d });
      }
    });
  }
  return values;
}

/** An If node's branches, by attribute name. */
export function ifBranches(node: onnx.INodeProto): {
  then: onnx.IGraphProto | undefined;
  else: onnx.IGraphProto | undefined;
} {
  return {
    then: attr(node, 'then_branch')?.g ?? undefined,
    else: attr(node, 'else_branch')?.g ?? undefined,
  };
}

/** An If's outputs: each branch's, where the branches agree (or only one is known). */
function ifOutputs(
  node: onnx.INodeProto,
  values: ReadonlyMap<string, Value>,
  opset: number,
  userDims: Record<string, number>,
  useDeclared: boolean,
): (Value | undefined)[] {
  const { then, else: otherwise } = ifBranches(node);
  const outsOf = (g: onnx.IGraphProto | undefined) => {
    if (!g) return [];
    const m = propagateShapes(g, {}, opset, userDims, useDeclared, values);
    return (g.output ?? []).map((o) => m.get(o.name ?? ''));
  };
  const a = outsOf(then);
  const b = outsOf(otherwise);
  return (node.output ?? []).map((_, i) => {
    const x = a[i];
    const y = b[i];
    if (x && y) return x.shape.join() === y.shape.join() ? { shape: x.shape } : undefined;
    return x ?? y;
  });
}
