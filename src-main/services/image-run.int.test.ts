// run:image against the real engine host process (dist/engine/engine-host.js, built by the test
// setup) on the built-in upscale model, checked against onnxruntime-node's own JS API.
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelEntry } from '../ipc/contract';
import { EngineClient, nodeChildSpawner } from '../engine/host/engine-client';
import { inspectModel } from '../engine/model/inspect';
import { AppError } from '../shared/errors';
import { ImageRunService, nchwToRgba, rgbaToNchw } from './image-run';
import { SessionOwner } from './sessions';

const root = path.resolve(__dirname, '..', '..');
let engine: EngineClient;
let service: ImageRunService;
const models = new Map<string, ModelEntry>();

async function register(file: string): Promise<ModelEntry> {
  const p = path.join(root, 'models', file);
  const e: ModelEntry = {
    id: file,
    name: path.basename(file, '.onnx'),
    path: p,
    builtIn: true,
    addedAt: 0,
    inspection: await inspectModel(p),
    error: null,
  };
  models.set(e.id, e);
  return e;
}

/** A w×h gradient with a bright square, as RGBA. */
function picture(w: number, h: number): Uint8Array {
  const rgba = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 4;
      const inSquare = x > w / 4 && x < w / 2 && y > h / 4 && y < h / 2;
      rgba[i] = Math.round((255 * x) / (w - 1));
      rgba[i + 1] = Math.round((255 * y) / (h - 1));
      rgba[i + 2] = inSquare ? 255 : 40;
      rgba[i + 3] = 255;
    }
  }
  return rgba;
}

beforeAll(async () => {
  engine = new EngineClient(nodeChildSpawner(path.join(root, 'dist', 'engine', 'engine-host.js')));
  await engine.start();
  service = new ImageRunService(engine, { get: (id) => models.get(id) }, new SessionOwner(engine));
  await Promise.all(['upscale2x.onnx', 'mlp-tiny.onnx', 'resnet-mini.onnx'].map(register));
});
afterAll(() => engine.close());

describe('run:image through the engine host', () => {
  it('upscales a picture 2x on the CPU, equal to onnxruntime-node on the same tensor', async () => {
    const [w, h] = [37, 23];
    const rgba = picture(w, h);
    const out = await service.run({
      modelId: 'upscale2x.onnx',
      provider: 'cpu',
      image: { width: w, height: h, rgbaBase64: Buffer.from(rgba).toString('base64') },
    });
    expect([out.image.width, out.image.height, out.provider]).toEqual([2 * w, 2 * h, 'cpu']);
    expect(out.runMs).toBeGreaterThan(0);

    const session = await ort.InferenceSession.create(path.join(root, 'models', 'upscale2x.onnx'));
    const input = rgbaToNchw(rgba, w, h);
    const ref = await session.run({
      image: new ort.Tensor('float32', input.data as Float32Array, input.dims),
    });
    await session.release();
    const expected = nchwToRgba(
      {
        dtype: 'float32',
        dims: [...(ref.upscaled?.dims ?? [])],
        data: ref.upscaled?.data as Float32Array,
      },
      'upscaled',
    );
    expect(Buffer.from(out.image.rgbaBase64, 'base64').equals(Buffer.from(expected.rgba))).toBe(
      true,
    );

    // A second size reuses the same session (no free-dimension overrides).
    const before = (await engine.request('session.list', {})).sessionIds.length;
    const small = await service.run({
      modelId: 'upscale2x.onnx',
      provider: 'cpu',
      image: { width: 4, height: 3, rgbaBase64: Buffer.from(picture(4, 3)).toString('base64') },
    });
    expect([small.image.width, small.image.height]).toEqual([8, 6]);
    expect((await engine.request('session.list', {})).sessionIds.length).toBe(before);
  });

  it.each([
    ['mlp-tiny.onnx', /mlp-tiny is not an image model: its input x is float32 \[1, 16\]/],
    ['resnet-mini.onnx', /resnet-mini takes pictures of 224×224 pixels; this one is 4×3/],
    ['nothing.onnx', /no model with id nothing\.onnx/],
  ])('refuses %s with a clear error, making no session', async (id, text) => {
    const before = (await engine.request('session.list', {})).sessionIds;
    const err = await service
      .run({
        modelId: id,
        provider: 'cpu',
        image: { width: 4, height: 3, rgbaBase64: Buffer.from(picture(4, 3)).toString('base64') },
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).message).toMatch(text);
    expect((await engine.request('session.list', {})).sessionIds).toEqual(before);
  });
});
