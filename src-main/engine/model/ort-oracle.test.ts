/**
 * onnxruntime-node as an oracle: libonnx inputs decoded by readTensorFile, run through ORT's own JS
 * API, must give the outputs that readTensorFile decodes from the case's expected .pb files (same
 * dtype, same shape, same values within float tolerance).
 */
import { readdirSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { numericValues } from './float-bits';
import { inspectModel } from './inspect';
import { readTensorFile } from './tensor-files';
import { TESTDATA } from './test-helpers';

const CASES = [
  'node/test_conv_with_strides_padding',
  'node/test_matmul_2d',
  'node/test_gemm_default_matrix_bias',
  'node/test_cast_FLOAT_to_FLOAT16',
  'node/test_cast_FLOAT16_to_FLOAT',
  'node/test_cast_FLOAT_to_DOUBLE',
  'node/test_and_bcast3v1d',
  'node/test_bitshift_right_uint64',
  'node/test_cast_STRING_to_FLOAT',
  'node/test_cast_FLOAT_to_STRING',
  'pytorch-converted/test_Conv2d',
  'pytorch-converted/test_ConvTranspose2d',
];

describe('decoded .pb tensors agree with onnxruntime-node', () => {
  it.each(CASES.map((c) => [c]))('%s', async (c) => {
    const model = `${TESTDATA}/${c}/model.onnx`;
    const dir = `${TESTDATA}/${c}/test_data_set_0`;
    const info = await inspectModel(model);
    const files = readdirSync(dir).sort();
    const feeds: Record<string, ort.Tensor> = {};
    for (const [i, vi] of info.inputs.entries()) {
      const { tensor } = await readTensorFile(`${dir}/input_${i}.pb`);
      expect(tensor.dtype).toBe(vi.dtype);
      feeds[vi.name] = new ort.Tensor(
        tensor.dtype as ort.Tensor.Type,
        tensor.data as ort.Tensor.DataType,
        tensor.dims,
      );
    }
    const session = await ort.InferenceSession.create(model);
    try {
      const results = await session.run(feeds);
      const outs = files.filter((f) => f.startsWith('output_'));
      expect(outs.length).toBe(info.outputs.length);
      for (const [i, vi] of info.outputs.entries()) {
        const { tensor: want } = await readTensorFile(`${dir}/output_${i}.pb`);
        const got = results[vi.name] as ort.Tensor;
        expect(got.type).toBe(want.dtype);
        expect([...got.dims]).toEqual(want.dims);
        if (want.dtype === 'string') {
          // Float → string formatting differs between numpy and ORT ('0.6048455' vs '0.60484552'):
          // compare numerically where both parse.
          const gs = got.data as string[];
          (want.data as string[]).forEach((ws, k) => {
            const [a, b] = [Number(gs[k]), Number(ws)];
            if (Number.isNaN(a) || Number.isNaN(b)) expect(gs[k]).toBe(ws);
            else expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(b)));
          });
          continue;
        }
        const g = numericValues({
          dtype: want.dtype,
          dims: want.dims,
          data: got.data as Float32Array,
        }) as Float64Array;
        const w = numericValues(want) as Float64Array;
        expect(g.length).toBe(w.length);
        for (let k = 0; k < w.length; k++) {
          if (Number.isNaN(w[k])) {
            expect(Number.isNaN(g[k]), `${c} output ${i}[${k}]`).toBe(true);
            continue;
          }
          if (!Number.isFinite(w[k])) {
            expect(g[k]).toBe(w[k]);
            continue;
          }
          expect(
            Math.abs((g[k] as number) - (w[k] as number)),
            `${c} output ${i}[${k}]`,
          ).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(w[k] as number)));
        }
      }
    } finally {
      await session.release();
    }
  });
});
