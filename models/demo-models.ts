/**
 * The built-in demo models (and the loop benchmark's denoise-step), each built node by node with weights from a seeded stream (see
 * prng.ts). Each builder returns the files to write and the model's corpus entry; FLOPs are
 * counted here from the layer shapes (2 per multiply-add of Conv, Gemm and MatMul).
 */
import type { CorpusModel } from './corpus';
import { GraphBuilder, type ExternalSink } from './onnx-builder';
import { Prng, uniformArray } from './prng';

/** One generated model: its files (relative '/'-separated path → bytes) and its corpus entry. */
export interface BuiltModel {
  files: { path: string; bytes: Uint8Array }[];
  corpus: CorpusModel;
}

const OPSET = 17;

/**
 * upscale2x: bilinear 2x Resize, then an unsharp-mask 3x3 depthwise Conv (edge-padded so borders
 * are not darkened), then Clip to [0, 1]. The kernel is (1 + a)·identity − a·blur with a = 1 and a
 * binomial blur; it sums to exactly 1, so flat areas pass through unchanged and edges get crisper.
 */
export function buildUpscale2x(): BuiltModel {
  const g = new GraphBuilder();
  const image = g.input('image', 'float32', [1, 3, 'height', 'width']);
  const scales = g.constant('scales', [4], [1, 1, 2, 2]);
  const up = g.node('Resize', [image, '', scales], {
    mode: 'linear',
    coordinate_transformation_mode: 'half_pixel',
  });
  const pads = g.int64('pads', [0, 0, 1, 1, 0, 0, 1, 1]);
  const padded = g.node('Pad', [up, pads], { mode: 'edge' });

  const amount = 1;
  const blur = [1, 2, 1, 2, 4, 2, 1, 2, 1].map((v) => v / 16);
  const kernel = blur.map((b, i) => (i === 4 ? 1 + amount : 0) - amount * b);
  const sharpen = g.weight(
    'sharpen_weight',
    [3, 1, 3, 3],
    Float32Array.from([...kernel, ...kernel, ...kernel]),
  );
  const sharp = g.node('Conv', [padded, sharpen], { group: 3, kernel_shape: [3, 3] });
  const lo = g.constant('clip_min', [], [0]);
  const hi = g.constant('clip_max', [], [1]);
  g.node('Clip', [sharp, lo, hi], {}, 'upscaled');
  g.output('upscaled', 'float32', [1, 3, 'upscaled_height', 'upscaled_width']);

  const bytes = g.encode(
    'upscale2x',
    'Crucible demo: 2x bilinear upscale + unsharp mask, image in [0,1], NCHW.',
    OPSET,
  );
  const flops = (h: number, w: number) => 2 * 3 * 9 * (2 * h) * (2 * w);
  return {
    files: [{ path: 'upscale2x.onnx', bytes }],
    corpus: {
      id: 'upscale2x',
      file: 'upscale2x.onnx',
      companions: [],
      purpose:
        'Image model with a visible effect: 2x upscale then sharpen; any height and width. ' +
        'Shows dynamic spatial dims and an output you can look at.',
      opset: OPSET,
      parameters: g.parameterCount,
      inputs: [
        { name: 'image', dtype: 'float32', shape: [1, 3, 'height', 'width'], range: [0, 1] },
      ],
      outputs: [
        { name: 'upscaled', dtype: 'float32', shape: [1, 3, 'upscaled_height', 'upscaled_width'] },
      ],
      cases: [
        {
          dims: { height: 64, width: 96 },
          inputs: { image: [1, 3, 64, 96] },
          outputs: { upscaled: [1, 3, 128, 192] },
          flops: flops(64, 96),
        },
        {
          dims: { height: 33, width: 47 },
          inputs: { image: [1, 3, 33, 47] },
          outputs: { upscaled: [1, 3, 66, 94] },
          flops: flops(33, 47),
        },
      ],
      expect: 'ok',
    },
  };
}

/**
 * A Conv whose BatchNorm has been folded in, as exporters do for inference: BN parameters are drawn
 * from the stream, then w' = w·γ/√(σ²+ε) and b' = β − μ·γ/√(σ²+ε). `gamma` sets the scale range;
 * the last conv of a residual branch gets a small one so the skip path dominates, as in ResNets
 * trained with zero-initialised final BN.
 */
function foldedConv(
  g: GraphBuilder,
  prefix: string,
  x: string,
  io: { inC: number; outC: number; k: number; stride: number },
  gamma: [number, number],
): string {
  const { inC, outC, k, stride } = io;
  const fanIn = inC * k * k;
  const w = uniformArray(`resnet-mini/${prefix}.weight`, outC * fanIn, Math.sqrt(6 / fanIn));
  const bias = new Float32Array(outC);
  const bn = new Prng(`resnet-mini/${prefix}.bn`);
  for (let o = 0; o < outC; o++) {
    const scale = bn.uniform(gamma[0], gamma[1]) / Math.sqrt(bn.uniform(0.5, 1.5) + 1e-5);
    const beta = bn.uniform(-0.1, 0.1);
    const mean = bn.uniform(-0.1, 0.1);
    for (let i = o * fanIn; i < (o + 1) * fanIn; i++) w[i] = (w[i] ?? 0) * scale;
    bias[o] = beta - mean * scale;
  }
  const wName = g.weight(`${prefix}.weight`, [outC, inC, k, k], w);
  const bName = g.weight(`${prefix}.bias`, [outC], bias);
  const p = (k - 1) / 2;
  return g.node('Conv', [x, wName, bName], {
    kernel_shape: [k, k],
    strides: [stride, stride],
    pads: [p, p, p, p],
  });
}

/**
 * resnet-mini: a ResNet-18-like net cut to two stages so the file stays small while the work stays
 * large (about 2 GFLOPs per 224x224 image): 7x7/2 stem, 3x3/2 max pool, two basic blocks at 64
 * channels (56x56), two at 128 (28x28, the first strided with a 1x1 projection), global average
 * pool, Gemm to 100 classes, Softmax.
 */
export function buildResnetMini(): BuiltModel {
  const g = new GraphBuilder();
  let macs = 0;
  const conv = (
    prefix: string,
    x: string,
    inC: number,
    outC: number,
    k: number,
    stride: number,
    outHW: number,
    gamma: [number, number],
  ) => {
    macs += outHW * outHW * outC * inC * k * k;
    return foldedConv(g, prefix, x, { inC, outC, k, stride }, gamma);
  };
  const block = (
    prefix: string,
    x: string,
    inC: number,
    outC: number,
    stride: number,
    outHW: number,
  ) => {
    const a = g.node('Relu', [conv(`${prefix}.conv1`, x, inC, outC, 3, stride, outHW, [0.8, 1.2])]);
    const b = conv(`${prefix}.conv2`, a, outC, outC, 3, 1, outHW, [0.2, 0.4]);
    const skip =
      stride === 1 && inC === outC
        ? x
        : conv(`${prefix}.downsample`, x, inC, outC, 1, stride, outHW, [0.8, 1.2]);
    return g.node('Relu', [g.node('Add', [b, skip])]);
  };

  const input = g.input('input', 'float32', ['batch', 3, 224, 224]);
  let x = g.node('Relu', [conv('stem', input, 3, 64, 7, 2, 112, [0.8, 1.2])]);
  x = g.node('MaxPool', [x], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] });
  x = block('layer1.0', x, 64, 64, 1, 56);
  x = block('layer1.1', x, 64, 64, 1, 56);
  x = block('layer2.0', x, 64, 128, 2, 28);
  x = block('layer2.1', x, 128, 128, 1, 28);
  x = g.node('Flatten', [g.node('GlobalAveragePool', [x])], { axis: 1 });
  const classes = 100;
  // A narrower bound than Kaiming keeps the logits moderate, so the softmax is not one-hot.
  const fcW = g.weight(
    'fc.weight',
    [classes, 128],
    uniformArray('resnet-mini/fc.weight', classes * 128, 0.05),
  );
  const fcB = g.weight('fc.bias', [classes], uniformArray('resnet-mini/fc.bias', classes, 0.05));
  macs += 128 * classes;
  const logits = g.node('Gemm', [x, fcW, fcB], { transB: 1 });
  g.node('Softmax', [logits], { axis: -1 }, 'probabilities');
  g.output('probabilities', 'float32', ['batch', classes]);

  const bytes = g.encode(
    'resnet_mini',
    'Crucible demo: ResNet-style classifier (BN folded), 224x224 RGB in, 100-class softmax out.',
    OPSET,
  );
  const perImage = 2 * macs;
  return {
    files: [{ path: 'resnet-mini.onnx', bytes }],
    corpus: {
      id: 'resnet-mini',
      file: 'resnet-mini.onnx',
      companions: [],
      purpose:
        'Compute-bound conv net for benchmarks (about 2 GFLOPs per image, dynamic batch): ' +
        'latency, throughput and achieved TFLOP/s.',
      opset: OPSET,
      parameters: g.parameterCount,
      inputs: [{ name: 'input', dtype: 'float32', shape: ['batch', 3, 224, 224], range: [0, 1] }],
      outputs: [{ name: 'probabilities', dtype: 'float32', shape: ['batch', classes] }],
      cases: [1, 4].map((batch) => ({
        dims: { batch },
        inputs: { input: [batch, 3, 224, 224] },
        outputs: { probabilities: [batch, classes] },
        flops: batch * perImage,
      })),
      expect: 'ok',
    },
  };
}

/**
 * transformer-block: one pre-norm encoder block, d_model 256, 4 heads of 64, FFN 1024.
 * Attention is spelled out in plain ops (MatMul/Add/Reshape/Transpose/Div/Softmax) and GELU in its
 * exact Erf form, the patterns ORT and TensorRT fuse, so the block shows what fusion buys.
 */
export function buildTransformerBlock(): BuiltModel {
  const d = 256;
  const heads = 4;
  const headDim = d / heads;
  const ffn = 1024;
  const g = new GraphBuilder();
  const linear = (prefix: string, x: string, inF: number, outF: number) => {
    const w = g.weight(
      `${prefix}.weight`,
      [inF, outF],
      uniformArray(`transformer-block/${prefix}.weight`, inF * outF, Math.sqrt(6 / (inF + outF))),
    );
    const b = g.weight(
      `${prefix}.bias`,
      [outF],
      uniformArray(`transformer-block/${prefix}.bias`, outF, 0.02),
    );
    return g.node('Add', [g.node('MatMul', [x, w]), b]);
  };
  const layerNorm = (prefix: string, x: string) => {
    const scale = uniformArray(`transformer-block/${prefix}.weight`, d, 0.1).map((v) => 1 + v);
    const s = g.weight(`${prefix}.weight`, [d], scale);
    const b = g.weight(
      `${prefix}.bias`,
      [d],
      uniformArray(`transformer-block/${prefix}.bias`, d, 0.05),
    );
    return g.node('LayerNormalization', [x, s, b], { axis: -1, epsilon: { float: 1e-5 } });
  };

  const tokens = g.input('tokens', 'float32', [1, 'sequence', d]);
  const splitHeads = g.int64('split_heads_shape', [0, -1, heads, headDim]);
  const mergeHeads = g.int64('merge_heads_shape', [0, -1, d]);

  const h = layerNorm('ln1', tokens);
  const toHeads = (x: string, perm: number[]) =>
    g.node('Transpose', [g.node('Reshape', [x, splitHeads])], { perm });
  const q = toHeads(linear('attn.q', h, d, d), [0, 2, 1, 3]);
  const kT = toHeads(linear('attn.k', h, d, d), [0, 2, 3, 1]);
  const v = toHeads(linear('attn.v', h, d, d), [0, 2, 1, 3]);
  const scores = g.node('Div', [
    g.node('MatMul', [q, kT]),
    g.constant('attn.scale', [], [Math.sqrt(headDim)]),
  ]);
  const probs = g.node('Softmax', [scores], { axis: -1 });
  const context = g.node('MatMul', [probs, v]);
  const merged = g.node('Reshape', [
    g.node('Transpose', [context], { perm: [0, 2, 1, 3] }),
    mergeHeads,
  ]);
  const attnOut = linear('attn.out', merged, d, d);
  const x1 = g.node('Add', [tokens, attnOut]);

  const h2 = layerNorm('ln2', x1);
  const up = linear('ffn.up', h2, d, ffn);
  const erf = g.node('Erf', [g.node('Div', [up, g.constant('gelu.sqrt2', [], [Math.SQRT2])])]);
  const gelu = g.node('Mul', [
    g.node('Mul', [up, g.node('Add', [erf, g.constant('gelu.one', [], [1])])]),
    g.constant('gelu.half', [], [0.5]),
  ]);
  const down = linear('ffn.down', gelu, ffn, d);
  g.node('Add', [x1, down], {}, 'hidden');
  g.output('hidden', 'float32', [1, 'sequence', d]);

  const bytes = g.encode(
    'transformer_block',
    'Crucible demo: pre-norm transformer encoder block, d_model 256, 4 heads, FFN 1024 (GELU).',
    OPSET,
  );
  const flops = (s: number) => 2 * (4 * s * d * d + 2 * s * d * ffn + 2 * heads * s * s * headDim);
  return {
    files: [{ path: 'transformer-block.onnx', bytes }],
    corpus: {
      id: 'transformer-block',
      file: 'transformer-block.onnx',
      companions: [],
      purpose:
        'Transformer encoder block with a dynamic sequence length: attention, LayerNormalization ' +
        'and GELU patterns that execution providers fuse.',
      opset: OPSET,
      parameters: g.parameterCount,
      inputs: [{ name: 'tokens', dtype: 'float32', shape: [1, 'sequence', d] }],
      outputs: [{ name: 'hidden', dtype: 'float32', shape: [1, 'sequence', d] }],
      cases: [128, 7].map((sequence) => ({
        dims: { sequence },
        inputs: { tokens: [1, sequence, d] },
        outputs: { hidden: [1, sequence, d] },
        flops: flops(sequence),
      })),
      expect: 'ok',
    },
  };
}

/** mlp-tiny: 16 → Gemm 32 → Relu → Gemm 4. So small that each call's overhead is the cost. */
export function buildMlpTiny(): BuiltModel {
  const g = new GraphBuilder();
  const gemm = (prefix: string, x: string, inF: number, outF: number) => {
    const w = g.weight(
      `${prefix}.weight`,
      [inF, outF],
      uniformArray(`mlp-tiny/${prefix}.weight`, inF * outF, Math.sqrt(6 / inF)),
    );
    const b = g.weight(
      `${prefix}.bias`,
      [outF],
      uniformArray(`mlp-tiny/${prefix}.bias`, outF, 0.1),
    );
    return g.node('Gemm', [x, w, b], {}, prefix === 'fc2' ? 'y' : undefined);
  };
  const x = g.input('x', 'float32', [1, 16]);
  gemm('fc2', g.node('Relu', [gemm('fc1', x, 16, 32)]), 32, 4);
  g.output('y', 'float32', [1, 4]);
  const bytes = g.encode('mlp_tiny', 'Crucible demo: tiny MLP 16-32-4, overhead-bound.', OPSET);
  return {
    files: [{ path: 'mlp-tiny.onnx', bytes }],
    corpus: {
      id: 'mlp-tiny',
      file: 'mlp-tiny.onnx',
      companions: [],
      purpose:
        'Overhead-bound MLP (a few hundred parameters): per-call cost of the runtime, ' +
        'IO binding and CUDA graphs.',
      opset: OPSET,
      parameters: g.parameterCount,
      inputs: [{ name: 'x', dtype: 'float32', shape: [1, 16] }],
      outputs: [{ name: 'y', dtype: 'float32', shape: [1, 4] }],
      cases: [
        { dims: {}, inputs: { x: [1, 16] }, outputs: { y: [1, 4] }, flops: 2 * (16 * 32 + 32 * 4) },
      ],
      expect: 'ok',
    },
  };
}

/**
 * denoise-step: one step of a diffusion-style sampler, whose output feeds its input: a small conv
 * net predicts the noise of `latent` (Conv 4→32, Relu, Conv 32→32, Relu, Conv 32→4, all 3x3 with
 * padding), and `latent_next = latent − sigma · noise`. `sigma` stays the same between steps. The
 * loop benchmark (`crucible bench --loop`) runs it N times, feeding `latent_next` back as `latent`.
 * Lives in `loop/`, so the app does not list it among the built-in models.
 */
export function buildDenoiseStep(): BuiltModel {
  const g = new GraphBuilder();
  const size = 64;
  const conv = (name: string, x: string, cin: number, cout: number, out?: string) => {
    const w = g.weight(
      `${name}.weight`,
      [cout, cin, 3, 3],
      uniformArray(`denoise-step/${name}.weight`, cout * cin * 9, Math.sqrt(6 / (cin * 9))),
    );
    const b = g.weight(
      `${name}.bias`,
      [cout],
      uniformArray(`denoise-step/${name}.bias`, cout, 0.05),
    );
    return g.node('Conv', [x, w, b], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] }, out);
  };
  const latent = g.input('latent', 'float32', [1, 4, size, size]);
  const sigma = g.input('sigma', 'float32', [1]);
  const h1 = g.node('Relu', [conv('conv1', latent, 4, 32)]);
  const h2 = g.node('Relu', [conv('conv2', h1, 32, 32)]);
  const noise = conv('conv3', h2, 32, 4);
  const scaled = g.node('Mul', [noise, sigma]);
  g.node('Sub', [latent, scaled], {}, 'latent_next');
  g.output('latent_next', 'float32', [1, 4, size, size]);
  const bytes = g.encode(
    'denoise_step',
    'Crucible demo: one diffusion-style denoising step; latent_next feeds latent.',
    OPSET,
  );
  const flops = 2 * 9 * (4 * 32 + 32 * 32 + 32 * 4) * size * size;
  return {
    files: [{ path: 'loop/denoise-step.onnx', bytes }],
    corpus: {
      id: 'denoise-step',
      file: 'loop/denoise-step.onnx',
      companions: [],
      purpose:
        'Loop benchmark: one step of a diffusion-style sampler whose output (latent_next) is ' +
        "the next step's input (latent); host round-trips vs device-resident vs graph replay.",
      opset: OPSET,
      parameters: g.parameterCount,
      inputs: [
        { name: 'latent', dtype: 'float32', shape: [1, 4, size, size] },
        { name: 'sigma', dtype: 'float32', shape: [1], range: [0, 0.1] },
      ],
      outputs: [{ name: 'latent_next', dtype: 'float32', shape: [1, 4, size, size] }],
      cases: [
        {
          dims: {},
          inputs: { latent: [1, 4, size, size], sigma: [1] },
          outputs: { latent_next: [1, 4, size, size] },
          flops,
        },
      ],
      expect: 'ok',
    },
  };
}

/** Collects external tensor bytes; each tensor starts on a 64-byte boundary. */
class ExternalFile implements ExternalSink {
  private readonly chunks: Uint8Array[] = [];
  private size = 0;
  constructor(readonly location: string) {}

  append(bytes: Uint8Array): number {
    const pad = (64 - (this.size % 64)) % 64;
    if (pad > 0) this.chunks.push(new Uint8Array(pad));
    const offset = this.size + pad;
    this.chunks.push(bytes);
    this.size = offset + bytes.length;
    return offset;
  }

  bytes(): Uint8Array {
    const out = new Uint8Array(this.size);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}

/**
 * with-external-data: a small conv classifier (32x32 RGB → 10 logits) whose weights live in
 * weights.bin beside the model (TensorProto data_location EXTERNAL with location/offset/length),
 * the layout big exported models use; it tests that the app finds, loads and copies such files.
 */
export function buildWithExternalData(): BuiltModel {
  const sink = new ExternalFile('weights.bin');
  const g = new GraphBuilder(sink);
  const conv = (prefix: string, x: string, inC: number, outC: number, stride: number) => {
    const fanIn = inC * 9;
    const w = g.weight(
      `${prefix}.weight`,
      [outC, inC, 3, 3],
      uniformArray(`with-external-data/${prefix}.weight`, outC * fanIn, Math.sqrt(6 / fanIn)),
    );
    const b = g.weight(
      `${prefix}.bias`,
      [outC],
      uniformArray(`with-external-data/${prefix}.bias`, outC, 0.05),
    );
    return g.node('Relu', [
      g.node('Conv', [x, w, b], {
        kernel_shape: [3, 3],
        strides: [stride, stride],
        pads: [1, 1, 1, 1],
      }),
    ]);
  };
  const input = g.input('input', 'float32', [1, 3, 32, 32]);
  const features = conv('conv2', conv('conv1', input, 3, 16, 1), 16, 16, 2);
  const pooled = g.node('Flatten', [g.node('GlobalAveragePool', [features])], { axis: 1 });
  const fcW = g.weight(
    'fc.weight',
    [10, 16],
    uniformArray('with-external-data/fc.weight', 160, Math.sqrt(6 / 16)),
  );
  const fcB = g.weight('fc.bias', [10], uniformArray('with-external-data/fc.bias', 10, 0.05));
  g.node('Gemm', [pooled, fcW, fcB], { transB: 1 }, 'logits');
  g.output('logits', 'float32', [1, 10]);
  const model = g.encode(
    'with_external_data',
    'Crucible demo: small conv net whose weights are external data in weights.bin.',
    OPSET,
  );
  const flops = 2 * (32 * 32 * 16 * 27 + 16 * 16 * 16 * 144 + 16 * 10);
  return {
    files: [
      { path: 'with-external-data/model.onnx', bytes: model },
      { path: 'with-external-data/weights.bin', bytes: sink.bytes() },
    ],
    corpus: {
      id: 'with-external-data',
      file: 'with-external-data/model.onnx',
      companions: ['with-external-data/weights.bin'],
      purpose:
        'Model with its weights in an external data file (weights.bin, location/offset/length ' +
        'entries): loading, inspecting and compiling models that are more than one file.',
      opset: OPSET,
      parameters: g.parameterCount,
      inputs: [{ name: 'input', dtype: 'float32', shape: [1, 3, 32, 32], range: [0, 1] }],
      outputs: [{ name: 'logits', dtype: 'float32', shape: [1, 10] }],
      cases: [{ dims: {}, inputs: { input: [1, 3, 32, 32] }, outputs: { logits: [1, 10] }, flops }],
      expect: 'ok',
    },
  };
}
