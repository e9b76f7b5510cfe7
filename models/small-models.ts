/**
 * Small models shaped like real ones, for `npm run bench`'s per-call overhead rows and the engine's
 * synchronous-run tests (engine/ort/sync-run.int.test.ts, engine/host/engine-host.int.test.ts):
 * - a wake-word / voice-activity head: an If on an int64 sample-rate input picks one of two small
 *   Gemm → Relu → Gemm branches (control flow, an int64 control input);
 * - an MLP a few times larger than mlp-tiny's: x [1, 512] → MatMul 512×512 → Relu → MatMul 512×256
 *   (~0.79 MFLOPs), where ORT's thread pool does work (it used to be over the FLOP threshold
 *   of the old single-threaded synchronous path).
 * Weights come from a fixed integer sequence, so every run builds the same bytes.
 */
import { onnx } from 'onnx-proto';

const FLOAT = 1;
const INT64 = 7;

function weights(name: string, dims: number[], salt: number): onnx.ITensorProto {
  const n = dims.reduce((a, b) => a * b, 1);
  const floatData = Array.from(
    { length: n },
    (_, i) => (((i * 7919 + salt * 104729) % 2001) - 1000) / 20000,
  );
  return { name, dataType: FLOAT, dims, floatData };
}

function info(name: string, elemType: number, dims: (number | null)[]): onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType,
        shape: { dim: dims.map((d) => (d === null ? {} : { dimValue: d })) },
      },
    },
  };
}

function graphAttr(name: string, g: onnx.IGraphProto): onnx.IAttributeProto {
  return { name, type: onnx.AttributeProto.AttributeType.GRAPH, g };
}

function encode(graph: onnx.IGraphProto): Uint8Array {
  return onnx.ModelProto.encode({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    producerName: 'crucible-bench',
    graph,
  }).finish();
}

/** The If-node head: x float32 [1, 64], sr int64 scalar → y float32 [1, 2]. */
export function ifHeadModel(): Uint8Array {
  const branch = (tag: string): onnx.IGraphProto => ({
    name: `head_${tag}`,
    node: [
      { opType: 'Gemm', input: ['x', `w1_${tag}`, `b1_${tag}`], output: [`h_${tag}`] },
      { opType: 'Relu', input: [`h_${tag}`], output: [`r_${tag}`] },
      { opType: 'Gemm', input: [`r_${tag}`, `w2_${tag}`], output: [`y_${tag}`] },
    ],
    initializer: [
      weights(`w1_${tag}`, [64, 64], tag === 'a' ? 1 : 2),
      weights(`b1_${tag}`, [64], tag === 'a' ? 3 : 4),
      weights(`w2_${tag}`, [64, 2], tag === 'a' ? 5 : 6),
    ],
    output: [info(`y_${tag}`, FLOAT, [1, 2])],
  });
  return encode({
    name: 'wake_word_head',
    node: [
      { opType: 'Equal', input: ['sr', 'r16k'], output: ['is16k'] },
      {
        opType: 'If',
        input: ['is16k'],
        output: ['y'],
        attribute: [graphAttr('then_branch', branch('a')), graphAttr('else_branch', branch('b'))],
      },
    ],
    initializer: [{ name: 'r16k', dataType: INT64, dims: [], int64Data: [16000] }],
    input: [info('x', FLOAT, [1, 64]), info('sr', INT64, [])],
    output: [info('y', FLOAT, [1, 2])],
  });
}

/** The 512-wide MLP: x float32 [1, 512] → y float32 [1, 256]. */
export function mlp512Model(): Uint8Array {
  return encode({
    name: 'mlp_512',
    node: [
      { opType: 'MatMul', input: ['x', 'w1'], output: ['h'] },
      { opType: 'Relu', input: ['h'], output: ['r'] },
      { opType: 'MatMul', input: ['r', 'w2'], output: ['y'] },
    ],
    initializer: [weights('w1', [512, 512], 7), weights('w2', [512, 256], 8)],
    input: [info('x', FLOAT, [1, 512])],
    output: [info('y', FLOAT, [1, 256])],
  });
}
