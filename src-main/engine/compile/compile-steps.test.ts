// The compile steps against the real ORT library, in this process (the worker runs the same code).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sha256File } from '../cache/hash';
import { initOrt } from '../ort';
import { failure } from '../ort/test-models';
import { attachFor } from '../providers/attach';
import { sessionOptionsFor } from '../session/open-session';
import { compileEpContextModel, hashModelInputs, runCompileSteps } from './compile-steps';

// Warning level: verbose logging around synchronous releases can deadlock (compile-steps.ts).
const env = initOrt({ logLevel: 'warning' });

const models = path.resolve(__dirname, '../../../models');
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'crucible-steps-'));

describe('compile steps', () => {
  it('the EP-context compile (ERROR_IF_NO_NODES_COMPILED) fails on a provider that compiles nothing', async () => {
    const model = path.join(models, 'mlp-tiny.onnx');
    const out = path.join(tmp(), 'model_ctx.onnx');
    const err = await failure(
      compileEpContextModel({
        sessionOptions: sessionOptionsFor({ modelPath: model, provider: 'cpu', dims: {} }),
        modelPath: model,
        outputPath: out,
      }),
    );
    expect(err.code).toBe('ORT_ERROR');
    expect(err.detail).toBe('ORT_FAIL');
    expect(err.message).toContain(`compiling ${model} to ${out}`);
    expect(fs.existsSync(out)).toBe(false);
  });

  it('TensorRT-RTX without its plugin registered says which GPU it needs', () => {
    expect(() => attachFor('nv-tensorrt-rtx', null)).toThrow(
      expect.objectContaining({
        code: 'PROVIDER_UNAVAILABLE',
        // The one TensorRT-RTX verdict's wording (gpu/arch.ts trtRtxNeeds, engine/providers/
        // catalog.ts): the compute capabilities NVIDIA's support matrix lists and the driver, not
        // 'Ampere or newer' (an A100, compute capability 8.0, is Ampere and not served).
        message: expect.stringMatching(
          /compute capability 8\.6, 8\.9 or 12\.x \(RTX 30 series or newer\) and driver 555\.85 or newer/,
        ),
      }),
    );
  });

  it('hashes the model and its external data, and refuses a model that changed', async () => {
    const model = path.join(models, 'with-external-data', 'model.onnx');
    const files = await hashModelInputs(model, await sha256File(model));
    expect(files.map((f) => f.name)).toEqual(['model.onnx', 'weights.bin']);
    const err = await failure(hashModelInputs(model, '0'.repeat(64)));
    expect(err.code).toBe('MODEL_INVALID');
    expect(err.message).toMatch(/changed since it was added/);
  });

  it('on CPU writes an optimised model, times cold and warm sessions, counts its nodes', async () => {
    const model = path.join(models, 'resnet-mini.onnx');
    const outDir = tmp();
    const phases: string[] = [];
    const result = await runCompileSteps({
      modelPath: model,
      modelSha256: await sha256File(model),
      provider: 'cpu',
      options: { dims: {}, dimRanges: {}, cudaGraph: false },
      providerOptions: {},
      outDir,
      epName: null,
      epVersion: null,
      ortVersion: env.version,
      phase: (p) => phases.push(p),
      verbose: () => undefined,
      logEvents: () => [],
    });
    expect(phases).toEqual(['hashing', 'loading', 'partitioning', 'warmup']);
    expect(fs.readdirSync(outDir)).toEqual(['model.optimized.onnx']);
    expect(result).toMatchObject({
      artifact: 'model.optimized.onnx',
      kind: 'optimized',
      graphOptimizationLevel: 'disabled',
      nodes: { provider: expect.any(Number), cpu: 0 },
      timings: { coldSessionMs: expect.any(Number), warmSessionMs: expect.any(Number) },
    });
    expect(result.nodes?.provider).toBeGreaterThan(0);
  });
});
