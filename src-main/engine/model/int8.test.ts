/**
 * The dynamic int8 quantizer against what ONNX Runtime (onnxruntime-node, CPU) runs. Single ops
 * (the ONNX MatMul / Gemm node test cases, their B made a constant) must stay within the error
 * bound that int8 rounding allows, worked out per output value from the inputs ({@link bound});
 * the demo models must point the same way as float32 (cosine ≥ {@link MIN_COSINE}). Plus the
 * quantizer's own promises on hand-built models: IO stays float32, what was quantized and what
 * was left is reported, Constant-node and shared weights, weights also read elsewhere, If
 * bodies, and the clear errors.
 */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { onnx } from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import type { HostTensor } from '../tensor';
import { ELEM } from './elem-types';
import { opKey } from './graph';
import { inspectModel } from './inspect';
import { quantizeDynamicInt8, quantizeWeight } from './int8';
import { writeInt8Variant } from './int8-file';
import { decodeOnnxModel } from './onnx-file';
import { runOrt, tempModels, toOrt } from './ort-test-helpers';
import { synthesizeInputs } from './synth';
import { readTensorFile } from './tensor-files';
import { encodeModel, errorOf, node, tensorInfo, TESTDATA } from './test-helpers';

/**
 * What a whole model's int8 variant must keep: the lowest cosine similarity of an output with
 * float32's. Per-channel int8 weights round each weight by at most 1/254 of its column's largest,
 * per-tensor uint8 activations by 1/510 of their range; those errors are independent and mostly
 * cancel in a dot product of hundreds of terms, so outputs move by well under 1% of their norm
 * (cos ≥ 0.99995 measured on transformer-block). 0.999 — the precision trade's "acceptable" —
 * leaves a margin of twenty for models with wider activation ranges.
 */
const MIN_COSINE = 0.999;

const tmpModel = tempModels('crucible-int8');

function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += (a[i] as number) * (b[i] as number);
    na += (a[i] as number) ** 2;
    nb += (b[i] as number) ** 2;
  }
  return na === 0 && nb === 0 ? 1 : dot / Math.sqrt(na * nb);
}

/**
 * The largest error int8 rounding allows in Y[m, n] = alpha · Σ_k A[m, k] · W[k, n] (+ C):
 * Σ_k |A[m, k]|·s_w[n]/2 + |W[k, n]|·s_a + s_a·s_w[n]/2, times |alpha|, where s_a is
 * DynamicQuantizeLinear's scale ((max(0, max A) − min(0, min A)) / 255; a value may round a
 * whole step when the rounded zero point pushes it to the clip) and s_w[n] = max|W[:, n]| / 127;
 * plus 1e-5 of Σ|A·W| + |C| for float32 rounding. A is [M, K] as multiplied, W [K, N].
 */
function bound(
  a: Float32Array,
  w: Float32Array,
  m: number,
  k: number,
  n: number,
  alpha: number,
  c: (i: number, j: number) => number,
): Float32Array {
  let lo = 0;
  let hi = 0;
  for (const v of a) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  const sa = (hi - lo) / 255;
  const sw = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    for (let r = 0; r < k; r++) sw[j] = Math.max(sw[j] as number, Math.abs(w[r * n + j] as number));
    sw[j] = (sw[j] as number) / 127;
  }
  const out = new Float32Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let e = 0;
      let mag = 0;
      for (let r = 0; r < k; r++) {
        const av = Math.abs(a[i * k + r] as number);
        const wv = Math.abs(w[r * n + j] as number);
        e += (av * (sw[j] as number)) / 2 + wv * sa + (sa * (sw[j] as number)) / 2;
        mag += av * wv;
      }
      out[i * n + j] = Math.abs(alpha) * e + 1e-5 * (Math.abs(alpha) * mag + Math.abs(c(i, j)));
    }
  }
  return out;
}

const f32 = (t: HostTensor) => Float32Array.from(t.data as Float32Array);

/** [R, C] → [C, R]. */
function transpose(x: Float32Array, r: number, c: number): Float32Array {
  const out = new Float32Array(r * c);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[j * r + i] = x[i * c + j] as number;
  return out;
}

describe('int8 variants of the ONNX MatMul / Gemm node test cases stay within int8 rounding', () => {
  const NODE = `${TESTDATA}/node`;
  const cases = [
    'test_matmul_2d',
    'test_gemm_all_attributes',
    'test_gemm_alpha',
    'test_gemm_beta',
    'test_gemm_default_matrix_bias',
    'test_gemm_default_no_bias',
    'test_gemm_default_scalar_bias',
    'test_gemm_default_single_elem_vector_bias',
    'test_gemm_default_vector_bias',
    'test_gemm_default_zero_bias',
    'test_gemm_transposeA',
    'test_gemm_transposeB',
  ];
  it.skipIf(!existsSync(NODE)).each(cases.map((c) => [c]))('%s', async (c) => {
    // The case's B (input 1) becomes an initializer: a weight, as in a real model.
    const decoded = decodeOnnxModel(await readFile(`${NODE}/${c}/model.onnx`), c);
    const graph = decoded.graph as onnx.IGraphProto;
    const inputs = await Promise.all(
      (graph.input ?? []).map(async (_vi, i) => {
        const { tensor } = await readTensorFile(`${NODE}/${c}/test_data_set_0/input_${i}.pb`);
        return tensor;
      }),
    );
    const [aT, bT, cT] = inputs as [HostTensor, HostTensor, HostTensor | undefined];
    const source = await withConstantInput(decoded, bT, `${c}-const-b`);
    const dest = tmpModel(`${c}-int8`);
    const { report } = await writeInt8Variant(source, dest, { block: [], minElements: 1 }, 'id');
    const op = c.startsWith('test_gemm') ? 'Gemm' : 'MatMul';
    expect(report.quantized).toEqual([{ op, count: 1 }]);
    expect(report.left).toEqual([]);
    expect(report.tensorsQuantized).toBe(1);

    const feeds: Record<string, ort.Tensor> = {};
    (graph.input ?? []).forEach((vi) => {
      const i = vi.name === graph.input?.[0]?.name ? 0 : 2;
      feeds[vi.name ?? ''] = toOrt(inputs[i] as HostTensor);
    });
    const [want, got] = await Promise.all([runOrt(source, feeds), runOrt(dest, feeds)]);
    const out = graph.output?.[0]?.name ?? '';
    const y = want[out] as ort.Tensor;
    const yq = got[out] as ort.Tensor;
    expect(yq.type).toBe('float32');
    expect(yq.dims).toEqual(y.dims);

    const node0 = graph.node?.[0] as onnx.INodeProto;
    const at = (name: string) => node0.attribute?.find((x) => x.name === name);
    const transA = Number(at('transA')?.i ?? 0) !== 0;
    const transB = Number(at('transB')?.i ?? 0) !== 0;
    const alpha = at('alpha')?.f ?? 1;
    const beta = at('beta')?.f ?? 1;
    const [m, k] = transA ? [aT.dims[1], aT.dims[0]] : [aT.dims[0], aT.dims[1]];
    const n = transB ? (bT.dims[0] as number) : (bT.dims[1] as number);
    const a = transA ? transpose(f32(aT), k as number, m as number) : f32(aT);
    const w = transB ? transpose(f32(bT), n, k as number) : f32(bT);
    const cv = cT ? f32(cT) : new Float32Array(1);
    const cAt = (i: number, j: number) =>
      beta *
      (cv.length === 1
        ? (cv[0] as number)
        : (cv[(cT?.dims.length === 2 && cT.dims[0] !== 1 ? i * n : 0) + j] as number));
    const limit = bound(a, w, m as number, k as number, n, alpha, cAt);
    const yv = y.data as Float32Array;
    const qv = yq.data as Float32Array;
    const over: string[] = [];
    for (let i = 0; i < yv.length; i++) {
      const e = Math.abs((qv[i] as number) - (yv[i] as number));
      if (!(e <= (limit[i] as number))) over.push(`[${i}] error ${e} > ${limit[i]}`);
    }
    expect(over).toEqual([]);
  });

  it.skipIf(!existsSync(NODE))(
    'test_matmul_3d / 4d: a batched weight is left float32 and the model refused, saying why',
    async () => {
      for (const c of ['test_matmul_3d', 'test_matmul_4d']) {
        const decoded = decodeOnnxModel(await readFile(`${NODE}/${c}/model.onnx`), c);
        const graph = decoded.graph as onnx.IGraphProto;
        const { tensor } = await readTensorFile(`${NODE}/${c}/test_data_set_0/input_1.pb`);
        const bName = graph.input?.[1]?.name ?? '';
        graph.initializer = [
          {
            name: bName,
            dims: tensor.dims,
            dataType: ELEM.float,
            rawData: new Uint8Array(f32(tensor).buffer),
          },
        ];
        graph.input = (graph.input ?? []).filter((vi) => vi.name !== bName);
        const err = await errorOf(
          Promise.resolve().then(() => quantizeDynamicInt8(decoded, { block: [], minElements: 1 })),
        );
        expect(err.code).toBe('UNSUPPORTED');
        expect(err.message).toMatch(
          new RegExp(
            `MatMul ×1: its weight is ${tensor.dims.length}-D; per-channel MatMulInteger needs 2-D`,
          ),
        );
      }
    },
  );
});

/**
 * A node test case's model with its second graph input (the weight) made an initializer holding
 * `t`'s values — a constant weight, as exported models have — written to a temp file (its path).
 */
async function withConstantInput(
  decoded: onnx.IModelProto,
  t: HostTensor,
  name: string,
): Promise<string> {
  const graph = decoded.graph as onnx.IGraphProto;
  const weight = graph.input?.[1]?.name ?? '';
  graph.initializer = [
    { name: weight, dims: t.dims, dataType: ELEM.float, rawData: new Uint8Array(f32(t).buffer) },
  ];
  graph.input = (graph.input ?? []).filter((vi) => vi.name !== weight);
  const file = tmpModel(name);
  await writeFile(file, onnx.ModelProto.encode(decoded).finish());
  return file;
}

/** Runs one float Conv with `attrs` on x and w (graph inputs), for the Conv cases' bound. */
async function convRun(
  attrs: onnx.IAttributeProto[],
  x: ort.Tensor,
  w: ort.Tensor,
): Promise<Float32Array> {
  const bytes = encodeModel({
    name: 'conv',
    input: [tensorInfo('x', ELEM.float, [...x.dims]), tensorInfo('w', ELEM.float, [...w.dims])],
    output: [tensorInfo('y', ELEM.float, null)],
    node: [{ opType: 'Conv', input: ['x', 'w'], output: ['y'], attribute: attrs }],
  });
  return (await runOrt(bytes, { x, w })).y?.data as Float32Array;
}

describe('int8 variants of the ONNX Conv node test cases stay within int8 rounding', () => {
  const NODE = `${TESTDATA}/node`;
  const cases = [
    'test_basic_conv_with_padding',
    'test_basic_conv_without_padding',
    'test_conv_with_autopad_same',
    'test_conv_with_strides_and_asymmetric_padding',
    'test_conv_with_strides_no_padding',
    'test_conv_with_strides_padding',
  ];
  it.skipIf(!existsSync(NODE)).each(cases.map((c) => [c]))('%s', async (c) => {
    const decoded = decodeOnnxModel(await readFile(`${NODE}/${c}/model.onnx`), c);
    const graph = decoded.graph as onnx.IGraphProto;
    const xT = (await readTensorFile(`${NODE}/${c}/test_data_set_0/input_0.pb`)).tensor;
    const wT = (await readTensorFile(`${NODE}/${c}/test_data_set_0/input_1.pb`)).tensor;
    const source = await withConstantInput(decoded, wT, `${c}-const-w`);
    const dest = tmpModel(`${c}-int8`);
    const { report } = await writeInt8Variant(
      source,
      dest,
      { block: [], minElements: 1, conv: true },
      'id',
    );
    expect(report.quantized).toEqual([{ op: 'Conv', count: 1 }]);
    const feeds = { [graph.input?.[0]?.name ?? '']: toOrt(xT) };
    const [want, got] = await Promise.all([runOrt(source, feeds), runOrt(dest, feeds)]);
    const out = graph.output?.[0]?.name ?? '';
    const y = (want[out] as ort.Tensor).data as Float32Array;
    const yq = got[out] as ort.Tensor;
    expect(yq.type).toBe('float32');
    expect(yq.dims).toEqual((want[out] as ort.Tensor).dims);

    // bound()'s terms summed over each output's receptive field by Conv itself:
    // s_w/2·Σ|x| + s_a·Σ|w| + s_a·s_w/2·Σ1 (+ 1e-5·Σ|x·w|); padding is exact in both.
    const x = f32(xT);
    const w = f32(wT);
    const abs = (v: Float32Array) => v.map(Math.abs);
    const ones = (v: Float32Array) => v.map(() => 1);
    const t = (v: Float32Array, dims: readonly number[]) => new ort.Tensor('float32', v, dims);
    const attrs = graph.node?.[0]?.attribute ?? [];
    const [sx, sw, s1, sxw] = await Promise.all([
      convRun(attrs, t(abs(x), xT.dims), t(ones(w), wT.dims)),
      convRun(attrs, t(ones(x), xT.dims), t(abs(w), wT.dims)),
      convRun(attrs, t(ones(x), xT.dims), t(ones(w), wT.dims)),
      convRun(attrs, t(abs(x), xT.dims), t(abs(w), wT.dims)),
    ]);
    let lo = 0;
    let hi = 0;
    for (const v of x) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    const sa = (hi - lo) / 255;
    // These cases have one output channel: one weight scale.
    expect(wT.dims[0]).toBe(1);
    const swc = Math.max(...abs(w)) / 127;
    const over: string[] = [];
    for (let i = 0; i < y.length; i++) {
      const limit =
        ((sx[i] as number) * swc) / 2 +
        (sw[i] as number) * sa +
        ((s1[i] as number) * sa * swc) / 2 +
        1e-5 * (sxw[i] as number);
      const e = Math.abs(((yq.data as Float32Array)[i] as number) - (y[i] as number));
      if (!(e <= limit)) over.push(`[${i}] error ${e} > ${limit}`);
    }
    expect(over).toEqual([]);
  });
});

describe('int8 variants of the demo models point the way float32 does on CPU', () => {
  const models: [
    string,
    { conv: boolean },
    { quantized: Record<string, number>; left: Record<string, number>; refused?: string },
  ][] = [
    // Q, K, V, out, FFN up and down; the two attention products multiply activations.
    ['transformer-block.onnx', { conv: false }, { quantized: { MatMul: 6 }, left: { MatMul: 2 } }],
    // fc2's 32×4 weight is under 256 values.
    ['mlp-tiny.onnx', { conv: false }, { quantized: { Gemm: 1 }, left: { Gemm: 1 } }],
    // The classifier head (a transB Gemm); the ten Convs only when asked.
    ['resnet-mini.onnx', { conv: false }, { quantized: { Gemm: 1 }, left: { Conv: 10 } }],
    ['resnet-mini.onnx', { conv: true }, { quantized: { Conv: 10, Gemm: 1 }, left: {} }],
    // External data is read in (the variant is one file); fc's 16×10 weight is small.
    [
      'with-external-data/model.onnx',
      { conv: true },
      { quantized: { Conv: 2 }, left: { Gemm: 1 } },
    ],
    [
      'with-external-data/model.onnx',
      { conv: false },
      { quantized: {}, left: {}, refused: 'Conv ×2: dynamic quantization requantizes' },
    ],
    // Its one Conv is a 3×1×3×3 depthwise one: nothing big enough to quantize.
    [
      'upscale2x.onnx',
      { conv: true },
      { quantized: {}, left: {}, refused: 'Conv ×1: its weight has fewer than 256 values' },
    ],
  ];
  it.each(models)('%s, conv %o', async (m, options, expected) => {
    const source = path.resolve('models', m);
    const dest = tmpModel(path.basename(path.dirname(source)) + '-' + path.basename(m, '.onnx'));
    const orig = await inspectModel(source);
    const made = await writeInt8Variant(source, dest, { block: [], ...options }, 'id').catch(
      (e: Error) => e,
    );
    if (expected.refused) {
      expect((made as { code?: string }).code).toBe('UNSUPPORTED');
      expect((made as Error).message).toContain('nothing in the model can be quantized');
      expect((made as Error).message).toContain(expected.refused);
      return;
    }
    if (made instanceof Error) throw made;
    const { report } = made;
    const sum = (rows: { op: string; count: number }[]) => {
      const out: Record<string, number> = {};
      for (const r of rows) out[r.op] = (out[r.op] ?? 0) + r.count;
      return out;
    };
    expect(sum(report.quantized)).toEqual(expected.quantized);
    expect(sum(report.left)).toEqual(expected.left);

    const variant = await inspectModel(dest);
    // Inputs and outputs keep names, types and shapes.
    expect(variant.inputs).toEqual(orig.inputs);
    expect(variant.outputs).toEqual(orig.outputs);
    // The inspection sees int8 weights and MatMulInteger compute.
    const p = variant.precision;
    const int8 = p?.weights.find((w) => w.dtype === 'int8');
    // int8: the weights, plus zero points (one per column for MatMulInteger, one for ConvInteger).
    const zeroPoints = report.weights.reduce((s, w) => s + (w.op === 'Conv' ? 1 : w.n), 0);
    expect(int8?.count).toBe(report.valuesQuantized + zeroPoints);
    expect(p?.compute.find((c) => c.precision === 'int8 QOperator')?.nodes).toBe(
      Object.values(expected.quantized).reduce((a, b) => a + b, 0),
    );
    for (const [op, integerOp] of [
      ['MatMul', 'MatMulInteger'],
      ['Gemm', 'MatMulInteger'],
      ['Conv', 'ConvInteger'],
    ] as const) {
      if (!expected.quantized[op]) continue;
      expect(p?.ops.find((o) => o.op === integerOp)?.precision).toBe('int8 QOperator');
    }
    // The float weights that were quantized are gone; each weight added its float32 scales.
    const floats = (x: typeof p) => x?.weights.find((w) => w.dtype === 'float32')?.count ?? 0;
    expect(floats(p)).toBe(
      floats(orig.precision) - report.valuesQuantized + report.weights.reduce((s, w) => s + w.n, 0),
    );

    const dims = { sequence: 16, batch: 2 };
    const feeds = Object.fromEntries(
      Object.entries(synthesizeInputs(orig.inputs, { seed: 7, fill: 'random', dims })).map(
        ([k, v]) => [k, toOrt(v)],
      ),
    );
    const [want, got] = await Promise.all([runOrt(source, feeds), runOrt(dest, feeds)]);
    for (const o of orig.outputs) {
      const y = got[o.name] as ort.Tensor;
      expect(y.type).toBe('float32');
      expect(
        cosine((want[o.name] as ort.Tensor).data as Float32Array, y.data as Float32Array),
      ).toBeGreaterThanOrEqual(MIN_COSINE);
    }
  });
});

/** x [2, 16] → MatMul by a 16×32 weight (and whatever `extra` adds) → y. */
function weightModel(
  extra: {
    nodes?: onnx.INodeProto[];
    outputs?: onnx.IValueInfoProto[];
    constantNode?: boolean;
    weightIsInput?: boolean;
  } = {},
  opset = 13,
): onnx.IModelProto {
  const w = new Float32Array(16 * 32).map((_, i) => Math.sin(i * 0.37) * 0.5);
  const wTensor: onnx.ITensorProto = {
    name: 'w',
    dims: [16, 32],
    dataType: ELEM.float,
    rawData: new Uint8Array(w.buffer),
  };
  const nodes = [...(extra.constantNode ? [node('Constant', [], ['w'], { value: wTensor })] : [])];
  return decodeOnnxModel(
    encodeModel(
      {
        name: 'g',
        input: [
          tensorInfo('x', ELEM.float, [2, 16]),
          ...(extra.weightIsInput ? [tensorInfo('w', ELEM.float, [16, 32])] : []),
        ],
        output: [tensorInfo('y', ELEM.float, [2, 32]), ...(extra.outputs ?? [])],
        initializer: extra.constantNode ? [] : [wTensor],
        node: [...nodes, node('MatMul', ['x', 'w'], ['y']), ...(extra.nodes ?? [])],
      },
      opset,
    ),
    'weight-model',
  );
}

describe('quantizeDynamicInt8 on hand-built models', () => {
  it('rewrites MatMul into DynamicQuantizeLinear → MatMulInteger → Cast → Mul, IO float32', () => {
    const model = weightModel();
    const report = quantizeDynamicInt8(model, { block: [] });
    const g = model.graph as onnx.IGraphProto;
    expect(g.node?.map(opKey)).toEqual([
      'DynamicQuantizeLinear',
      'MatMulInteger',
      'Cast',
      'Mul',
      'Mul',
    ]);
    expect(g.node?.at(-1)?.output).toEqual(['y']);
    expect(g.input?.map((i) => i.type?.tensorType?.elemType)).toEqual([ELEM.float]);
    expect(g.output?.map((o) => o.type?.tensorType?.elemType)).toEqual([ELEM.float]);
    // The float weight is gone; int8 weight [16, 32], int8 zero points [32], float scales [32].
    expect(g.initializer?.map((t) => [t.dataType, t.dims?.map(Number)])).toEqual([
      [ELEM.int8, [16, 32]],
      [ELEM.int8, [32]],
      [ELEM.float, [32]],
    ]);
    expect(report).toMatchObject({
      quantized: [{ op: 'MatMul', count: 1 }],
      left: [],
      tensorsQuantized: 1,
      valuesQuantized: 512,
      activationsQuantized: 1,
      nodesAdded: 5,
    });
  });

  it('takes a Constant node’s weight and drops the Constant', () => {
    const model = weightModel({ constantNode: true });
    quantizeDynamicInt8(model, { block: [] });
    expect(model.graph?.node?.map(opKey)).not.toContain('Constant');
    expect(model.graph?.node?.map(opKey)).toContain('MatMulInteger');
  });

  it('quantizes a shared weight once, an activation once, and keeps a weight read elsewhere', () => {
    // x feeds two MatMuls by w (one quantize of x, one int8 w); w is also an output.
    const model = weightModel({
      nodes: [node('MatMul', ['x', 'w'], ['y2'])],
      outputs: [tensorInfo('y2', ELEM.float, [2, 32]), tensorInfo('w', ELEM.float, [16, 32])],
    });
    const report = quantizeDynamicInt8(model, { block: [] });
    expect(report.quantized).toEqual([{ op: 'MatMul', count: 2 }]);
    expect(report.activationsQuantized).toBe(1);
    expect(report.tensorsQuantized).toBe(1);
    expect(model.graph?.node?.filter((n) => opKey(n) === 'DynamicQuantizeLinear')).toHaveLength(1);
    // w is still a graph output: its float copy stays.
    expect(model.graph?.initializer?.some((t) => t.name === 'w' && t.dataType === ELEM.float)).toBe(
      true,
    );
  });

  it('leaves a weight that can be fed at run time, a blocked op, and a small weight, saying why', () => {
    const fed = errorOfSync(() =>
      quantizeDynamicInt8(weightModel({ weightIsInput: true }), { block: [] }),
    );
    expect(fed).toMatch(/MatMul ×1: its weight B is a graph input \(fed at run time\)/);
    const blocked = errorOfSync(() => quantizeDynamicInt8(weightModel(), { block: ['MatMul'] }));
    expect(blocked).toMatch(/MatMul ×1: asked for \(--block\)/);
    const small = errorOfSync(() =>
      quantizeDynamicInt8(weightModel(), { block: [], minElements: 513 }),
    );
    expect(small).toMatch(/MatMul ×1: its weight has fewer than 513 values/);
  });

  it('refuses opsets before 11 (no DynamicQuantizeLinear)', () => {
    expect(errorOfSync(() => quantizeDynamicInt8(weightModel({}, 10), { block: [] }))).toMatch(
      /opset 10.*DynamicQuantizeLinear, from opset 11/,
    );
  });

  it('quantizes inside an If body with an outer-scope weight, and the variant runs', async () => {
    const w = new Float32Array(16 * 32).map((_, i) => Math.cos(i * 0.11));
    const body = (name: string, out: string): onnx.IGraphProto => ({
      name,
      node: [node('MatMul', ['x', 'w'], [out])],
      output: [tensorInfo(out, ELEM.float, [2, 32])],
    });
    const bytes = encodeModel({
      name: 'g',
      input: [tensorInfo('x', ELEM.float, [2, 16]), tensorInfo('c', ELEM.bool, [])],
      output: [tensorInfo('y', ELEM.float, [2, 32])],
      initializer: [
        { name: 'w', dims: [16, 32], dataType: ELEM.float, rawData: new Uint8Array(w.buffer) },
      ],
      node: [
        node('If', ['c'], ['y'], {
          then_branch: body('then', 't'),
          else_branch: body('else', 'e'),
        }),
      ],
    });
    const model = decodeOnnxModel(bytes, 'if');
    const report = quantizeDynamicInt8(model, { block: [] });
    expect(report.quantized).toEqual([{ op: 'MatMul', count: 2 }]);
    // Each body holds its own int8 copy of w (tensors made in one body are not in scope in the
    // other); the outer float w goes, nothing else reads it.
    expect(model.graph?.initializer).toEqual([]);
    const source = tmpModel('if-source');
    const dest = tmpModel('if-int8');
    await writeFile(source, bytes);
    await writeFile(dest, onnx.ModelProto.encode(model).finish());
    const x = new Float32Array(32).map((_, i) => Math.sin(i));
    for (const c of [true, false]) {
      const feeds = {
        x: new ort.Tensor('float32', x, [2, 16]),
        c: new ort.Tensor('bool', [c], []),
      };
      const [want, got] = await Promise.all([runOrt(source, feeds), runOrt(dest, feeds)]);
      expect(
        cosine(
          (want.y as ort.Tensor).data as Float32Array,
          (got.y as ort.Tensor).data as Float32Array,
        ),
      ).toBeGreaterThan(MIN_COSINE);
    }
  });
});

describe('quantizeWeight', () => {
  it('is symmetric per column: the largest magnitude maps to ±127, zero to 0', () => {
    // W [2, 3] = [[1.5, -0.5, 0], [-2, 0.2, 0]]: columns' largest 2, 0.5, 0; 1.5·127/2 = 95.25,
    // 0.2·127/0.5 = 50.8.
    const w = Float32Array.of(1.5, -0.5, 0, -2, 0.2, 0);
    const { q, scale } = quantizeWeight(w, 2, 3, false, 1);
    expect([...new Int8Array(q.buffer)]).toEqual([95, -127, 0, -127, 51, 0]);
    expect([...scale]).toEqual([Math.fround(2 / 127), Math.fround(0.5 / 127), 1]);
    // transB: the same W stored [3, 2]; alpha scales the scales.
    const t = quantizeWeight(Float32Array.of(1.5, -2, -0.5, 0.2, 0, 0), 2, 3, true, 0.5);
    expect([...new Int8Array(t.q.buffer)]).toEqual([95, -127, 0, -127, 51, 0]);
    expect(t.scale[0]).toBeCloseTo(1 / 127, 9);
  });
});

function errorOfSync(f: () => unknown): string {
  try {
    f();
  } catch (err) {
    return `${(err as { code?: string }).code}: ${(err as Error).message}`;
  }
  return 'no error';
}
