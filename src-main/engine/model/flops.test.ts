import { existsSync, readdirSync, readFileSync } from 'node:fs';
import type { onnx } from 'onnx-proto';
import { describe, expect, it } from 'vitest';
import { estimateFlops } from './flops';
import { realInputs, valueInfo } from './graph';
import { decodeOnnxModel } from './onnx-file';
import { broadcast, defaultOpset, matmulShape, propagateShapes } from './shapes';
import { TESTDATA, encodeModel, int64Init, node, tensorInfo } from './test-helpers';

const load = (c: string) => decodeOnnxModel(readFileSync(`${TESTDATA}/${c}/model.onnx`), c);

describe('estimateFlops on libonnx models, checked by hand', () => {
  it.each([
    // out 1x1x4x3 = 12 values, each 1 channel x 3x3 = 9 MACs
    ['node/test_conv_with_strides_padding', { Conv: 2 * 12 * 9 }],
    // out 2x4x5x4 = 160 values, each 3 channels x 3x2 kernel
    ['pytorch-converted/test_Conv2d', { Conv: 2 * 160 * 18 }],
    // group 2: out 2x6x4x4 = 192 values, each 4/2 channels x 3x2
    ['pytorch-converted/test_Conv2d_groups', { Conv: 2 * 192 * 12 }],
    // depthwise stride 2: out 2x4x2x2 = 32 values, each 1 channel x 3x3
    ['pytorch-converted/test_Conv2d_depthwise_strided', { Conv: 2 * 32 * 9 }],
    // 3-D dilated strided: out 2x4x2x2x2 = 64 values, each 3 x 2x2x2
    ['pytorch-converted/test_Conv3d_dilated_strided', { Conv: 2 * 64 * 24 }],
    // every one of 1x1x3x3 inputs scatters into 2 x 3x3 outputs
    ['node/test_convtranspose', { ConvTranspose: 2 * 9 * 18 }],
    ['node/test_convtranspose_pads', { ConvTranspose: 2 * 9 * 18 }],
    ['node/test_matmul_2d', { MatMul: 2 * 3 * 4 * 3 }],
    ['node/test_matmul_4d', { MatMul: 2 * 2 * 3 * 4 * 3 }],
    ['node/test_gemm_default_no_bias', { Gemm: 2 * 2 * 10 * 3 }],
    ['node/test_gemm_transposeA', { Gemm: 2 * 3 * 6 * 4 }],
    ['pytorch-converted/test_Linear', { Gemm: 2 * 4 * 10 * 8 }],
  ])('%s', (c, byOp) => {
    const f = estimateFlops(load(c));
    expect(f.byOp).toEqual(byOp);
    expect(f.total).toBe(Object.values(byOp).reduce((a, b) => a + b, 0));
    expect(f.note).toContain('2 FLOPs per multiply-add');
  });

  it('gives 0 for a model without compute ops', () => {
    const f = estimateFlops(load('node/test_relu'));
    expect(f).toMatchObject({ total: 0, byOp: {} });
    expect(f.note).toContain('No Conv');
  });
});

describe('shape propagation agrees with the shapes libonnx models declare', () => {
  // For every model with concrete inputs: each output our rules work out (without looking at the
  // declared shapes) must equal the declared one. This checks the rules across ~1000 graphs.
  const cases = ['node', 'pytorch-converted', 'pytorch-operator', 'simple']
    .flatMap((g) => readdirSync(`${TESTDATA}/${g}`).map((c) => `${g}/${c}`))
    .filter((c) => existsSync(`${TESTDATA}/${c}/model.onnx`));

  it('matches on every output it infers', () => {
    let inferred = 0;
    const mismatches: string[] = [];
    for (const c of cases) {
      const m = load(c);
      const graph = m.graph as onnx.IGraphProto;
      const inputs = realInputs(graph).map(valueInfo);
      if (
        inputs.some(
          (i) => i.kind !== 'tensor' || !i.shape || i.shape.some((d) => typeof d !== 'number'),
        )
      )
        continue;
      const shapes = Object.fromEntries(inputs.map((i) => [i.name, i.shape as number[]]));
      const values = propagateShapes(graph, shapes, defaultOpset(m), {}, false);
      for (const out of (graph.output ?? []).map(valueInfo)) {
        const got = values.get(out.name);
        if (!got || !out.shape || out.shape.some((d) => typeof d !== 'number')) continue;
        inferred++;
        if (JSON.stringify(got.shape) !== JSON.stringify(out.shape)) {
          mismatches.push(`${c}: ${out.name} got [${got.shape}] want [${out.shape}]`);
        }
      }
    }
    expect(mismatches).toEqual([]);
    expect(inferred).toBeGreaterThan(600);
  });
});

describe('shape helpers', () => {
  it.each([
    [
      [[2, 3], [3]],
      [2, 3],
    ],
    [
      [
        [4, 1, 5],
        [3, 1],
      ],
      [4, 3, 5],
    ],
    [[[], [2]], [2]],
    [[[2], [3]], undefined],
  ])('broadcast %j', (shapes, want) => {
    expect(broadcast(shapes as number[][])).toEqual(want);
  });
  it.each([
    [
      [3, 4],
      [4, 5],
      [3, 5],
    ],
    [[4], [4, 5], [5]],
    [[3, 4], [4], [3]],
    [
      [2, 1, 3, 4],
      [5, 4, 6],
      [2, 5, 3, 6],
    ],
    [[3, 4], [5, 6], undefined],
  ])('matmul %j x %j', (a, b, want) => {
    expect(matmulShape(a, b)).toEqual(want);
  });
});

describe('hand-built graphs', () => {
  it('folds the Shape → Gather → Unsqueeze → Concat → Reshape chain exporters write', () => {
    const m = decodeOnnxModel(
      encodeModel({
        name: 'g',
        node: [
          node('Conv', ['x', 'w'], ['c'], { pads: [1, 1, 1, 1] }),
          node('Shape', ['c'], ['s']),
          node('Gather', ['s', 'zero'], ['n'], { axis: 0 }),
          node('Unsqueeze', ['n', 'axes0'], ['n1']),
          node('Concat', ['n1', 'minus1'], ['target'], { axis: 0 }),
          node('Reshape', ['c', 'target'], ['flat']),
          node('Gemm', ['flat', 'fc'], ['y'], { transB: 1 }),
        ],
        input: [tensorInfo('x', 1, ['N', 3, 'H', 'W'])],
        output: [tensorInfo('y', 1, ['N', 10])],
        initializer: [
          { name: 'w', dataType: 1, dims: [8, 3, 3, 3], rawData: new Uint8Array(8 * 27 * 4) },
          { ...int64Init('zero', [0], []) },
          int64Init('axes0', [0]),
          int64Init('minus1', [-1]),
          {
            name: 'fc',
            dataType: 1,
            dims: [10, 8 * 32 * 32],
            dataLocation: 1,
            externalData: [{ key: 'location', value: 'fc.bin' }],
          },
        ],
      }),
      'chain.onnx',
    );
    const f = estimateFlops(m, { H: 32, W: 32, N: 2 });
    expect(f.byOp).toEqual({ Conv: 2 * (2 * 8 * 32 * 32) * 27, Gemm: 2 * 2 * 8192 * 10 });
    expect(f.note).not.toContain('left out');
    const d = estimateFlops(m);
    // defaults: N is batch-like (1), H and W take 128
    expect(d.byOp.Conv).toBe(2 * (8 * 128 * 128) * 27);
    expect(d.note).toContain('N=1, H=128, W=128');
  });

  it('leaves out ops whose shapes are unknown and says how many', () => {
    const m = decodeOnnxModel(
      encodeModel({
        name: 'g',
        node: [
          node('MatMul', ['x', 'w'], ['y']),
          node('NonZero', ['y'], ['nz']),
          node('MatMul', ['nz', 'w2'], ['z']),
        ],
        input: [
          tensorInfo('x', 1, [2, 4]),
          tensorInfo('w', 1, [4, 4]),
          tensorInfo('w2', 7, [4, 4]),
        ],
        output: [tensorInfo('z', 7, null)],
      }),
      'u.onnx',
    );
    const f = estimateFlops(m);
    expect(f.total).toBe(2 * 2 * 4 * 4);
    expect(f.note).toContain('1 left out');
  });

  it('counts the larger If branch, says which, and reads outer-scope shapes inside it', () => {
    // then: Conv 8 output channels; else: Conv 2 output channels, both 3x3 over x [1, 4, 8, 8].
    const branch = (w: string): onnx.IGraphProto => ({
      name: w,
      node: [node('Conv', ['x', w], [`y_${w}`], { pads: [1, 1, 1, 1] })],
      output: [tensorInfo(`y_${w}`, 1, null)],
    });
    const m = decodeOnnxModel(
      encodeModel({
        name: 'g',
        node: [node('If', ['c'], ['y'], { then_branch: branch('w8'), else_branch: branch('w2') })],
        input: [tensorInfo('c', 9, []), tensorInfo('x', 1, ['N', 4, 8, 8])],
        initializer: [
          { name: 'w8', dataType: 1, dims: [8, 4, 3, 3], floatData: new Array(288).fill(0) },
          { name: 'w2', dataType: 1, dims: [2, 4, 3, 3], floatData: new Array(72).fill(0) },
        ],
        output: [tensorInfo('y', 1, null)],
      }),
      'if.onnx',
    );
    const f = estimateFlops(m);
    expect(f.byOp).toEqual({ Conv: 2 * (8 * 8 * 8) * 36 });
    expect(f.note).toMatch(
      /If 'y': the then branch counted \(36864 FLOPs; the else branch has 9216 FLOPs\)/,
    );
  });

  it('counts LSTM and GRU from X, W and R, batch planned with the state input', () => {
    // X [seq 5, batch ?, input 3]; W [1, 4*6, 3]; R [1, 4*6, 6]; the state [1, ?, 6] shares the batch.
    const m = decodeOnnxModel(
      encodeModel({
        name: 'g',
        node: [node('LSTM', ['x', 'w', 'r', '', '', 'h0'], ['y', 'yh'], { hidden_size: 6 })],
        input: [tensorInfo('x', 1, [5, null, 3]), tensorInfo('h0', 1, [1, null, 6])],
        initializer: [
          { name: 'w', dataType: 1, dims: [1, 24, 3], floatData: new Array(72).fill(0) },
          { name: 'r', dataType: 1, dims: [1, 24, 6], floatData: new Array(144).fill(0) },
        ],
        output: [tensorInfo('y', 1, null)],
      }),
      'lstm.onnx',
    );
    const f = estimateFlops(m, {});
    // 5 steps x batch 1 x 2 x (72 + 144)
    expect(f.byOp).toEqual({ LSTM: 5 * 1 * 2 * (72 + 144) });
    expect(estimateFlops(m, { batch: 4 }).total).toBe(4 * 5 * 2 * (72 + 144));
    const prop = propagateShapes(m.graph as onnx.IGraphProto, { x: [5, 2, 3] }, 13);
    expect(prop.get('y')?.shape).toEqual([5, 1, 2, 6]);
    expect(prop.get('yh')?.shape).toEqual([1, 2, 6]);
  });

  it('counts a dynamically quantized ConvInteger (DynamicQuantizeLinear in front)', () => {
    const m = decodeOnnxModel(
      encodeModel({
        name: 'g',
        node: [
          node('DynamicQuantizeLinear', ['x'], ['xq', 'xs', 'xz']),
          node('ConvInteger', ['xq', 'wq', 'xz'], ['yi']),
          node('Cast', ['yi'], ['yf'], { to: 1 }),
          node('Mul', ['yf', 'xs'], ['y']),
        ],
        input: [tensorInfo('x', 1, ['batch', 3, 16, 16])],
        initializer: [
          { name: 'wq', dataType: 2, dims: [4, 3, 3, 3], rawData: new Uint8Array(108) },
        ],
        output: [tensorInfo('y', 1, null)],
      }),
      'qconv.onnx',
    );
    // out [1, 4, 14, 14], each 3 x 3 x 3 MACs
    expect(estimateFlops(m).byOp).toEqual({ ConvInteger: 2 * 4 * 14 * 14 * 27 });
  });

  it('counts an attention MatMul chain over a dynamic sequence, and a Loop with a known trip count', () => {
    const m = decodeOnnxModel(
      encodeModel({
        name: 'g',
        node: [
          node('MatMul', ['x', 'wq'], ['q']),
          node('MatMul', ['x', 'wk'], ['k']),
          node('Transpose', ['k'], ['kt'], { perm: [0, 2, 1] }),
          node('MatMul', ['q', 'kt'], ['s']),
          node('Softmax', ['s'], ['p'], { axis: -1 }),
          node('MatMul', ['p', 'x'], ['y']),
          node('Loop', ['trip', ''], ['z'], {
            body: {
              name: 'body',
              node: [
                node('MatMul', ['y', 'wq'], ['zz']),
                node('Identity', ['cond_in'], ['cond_out']),
              ],
              input: [tensorInfo('i', 7, []), tensorInfo('cond_in', 9, [])],
              output: [tensorInfo('cond_out', 9, []), tensorInfo('zz', 1, null)],
            },
          }),
        ],
        input: [tensorInfo('x', 1, ['batch', 'sequence', 8])],
        initializer: [
          { name: 'wq', dataType: 1, dims: [8, 8], floatData: new Array(64).fill(0) },
          { name: 'wk', dataType: 1, dims: [8, 8], floatData: new Array(64).fill(0) },
          int64Init('trip', [3], []),
        ],
        output: [tensorInfo('y', 1, null)],
      }),
      'attn.onnx',
    );
    const f = estimateFlops(m, { sequence: 10 });
    const proj = 2 * 10 * 8 * 8;
    const scores = 2 * 10 * 10 * 8;
    expect(f.byOp.MatMul).toBe(2 * proj + 2 * scores + 3 * proj);
    expect(f.note).toMatch(/Loop 'z': body counted 3 times/);
  });

  it('uses value_info when no rule applies', () => {
    const m = decodeOnnxModel(
      encodeModel({
        name: 'g',
        node: [node('Custom', ['x'], ['h'], {}, 'my.domain'), node('MatMul', ['h', 'w'], ['y'])],
        input: [tensorInfo('x', 1, ['batch', 4]), tensorInfo('w', 1, [6, 5])],
        output: [tensorInfo('y', 1, ['batch', 5])],
        valueInfo: [tensorInfo('h', 1, ['batch', 6])],
      }),
      'vi.onnx',
    );
    expect(estimateFlops(m, { batch: 3 }).total).toBe(2 * 3 * 6 * 5);
  });

  it.each([
    [
      'MaxPool ceil_mode',
      node('MaxPool', ['x'], ['y'], { kernel_shape: [3, 3], strides: [2, 2], ceil_mode: 1 }),
      [[1, 2, 8, 8]],
      [1, 2, 4, 4],
      13,
    ],
    [
      'AveragePool SAME_UPPER',
      node('AveragePool', ['x'], ['y'], {
        kernel_shape: [3, 3],
        strides: [2, 2],
        auto_pad: 'SAME_UPPER',
      }),
      [[1, 2, 7, 7]],
      [1, 2, 4, 4],
      13,
    ],
    [
      'GlobalAveragePool',
      node('GlobalAveragePool', ['x'], ['y']),
      [[2, 5, 7, 7]],
      [2, 5, 1, 1],
      13,
    ],
    ['Flatten axis 2', node('Flatten', ['x'], ['y'], { axis: 2 }), [[2, 3, 4, 5]], [6, 20], 13],
    ['Transpose default', node('Transpose', ['x'], ['y']), [[2, 3, 4]], [4, 3, 2], 13],
    ['Softmax', node('Softmax', ['x'], ['y']), [[2, 3]], [2, 3], 13],
    [
      'DepthToSpace',
      node('DepthToSpace', ['x'], ['y'], { blocksize: 2 }),
      [[1, 8, 3, 3]],
      [1, 2, 6, 6],
      13,
    ],
    [
      'Unsqueeze attr (opset 11)',
      node('Unsqueeze', ['x'], ['y'], { axes: [0, 3] }),
      [[2, 3]],
      [1, 2, 3, 1],
      11,
    ],
    ['Squeeze all ones', node('Squeeze', ['x'], ['y']), [[1, 3, 1, 2]], [3, 2], 13],
    [
      'Add broadcast',
      node('Add', ['x', 'x2'], ['y']),
      [
        [4, 1, 5],
        [3, 1],
      ],
      [4, 3, 5],
      13,
    ],
    [
      'ConvTranspose output_shape',
      node('ConvTranspose', ['x', 'x2'], ['y'], { strides: [2, 2], output_shape: [10, 10] }),
      [
        [1, 3, 4, 4],
        [3, 6, 3, 3],
      ],
      [1, 6, 10, 10],
      13,
    ],
  ])('%s', (_label, n, inShapes, want, opset) => {
    const graph: onnx.IGraphProto = { node: [n] };
    const names = ['x', 'x2'];
    const shapes = Object.fromEntries(inShapes.map((s, i) => [names[i] as string, s]));
    expect(propagateShapes(graph, shapes, opset).get('y')?.shape).toEqual(want);
  });

  it('Resize with constant scales and sizes', () => {
    const scales = { name: 'scales', dataType: 1, dims: [4], floatData: [1, 1, 2, 2.5] };
    const sizes = int64Init('sizes', [1, 3, 5, 6]);
    const g: onnx.IGraphProto = {
      node: [
        node('Resize', ['x', '', 'scales'], ['y']),
        node('Resize', ['x', '', '', 'sizes'], ['z']),
      ],
      initializer: [scales, sizes],
    };
    const v = propagateShapes(g, { x: [1, 3, 4, 4] }, 13);
    expect(v.get('y')?.shape).toEqual([1, 3, 8, 10]);
    expect(v.get('z')?.shape).toEqual([1, 3, 5, 6]);
  });
});
