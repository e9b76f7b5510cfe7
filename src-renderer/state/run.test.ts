import { beforeEach, describe, expect, it } from 'vitest';
import type { RunResult } from '../../src-main/ipc/contract';
import type { Result } from '../../src-main/shared/result';
import { createFakeApi } from './fake-api';
import { modelEntry, provider } from './fixtures';
import {
  base64ToBytes,
  bestProvider,
  buildRunRequest,
  bytesToBase64,
  fedPictures,
  fitPicture,
  isImageModel,
  npyDownloads,
  pictureDropped,
  pictureUnreadable,
  resetRunStore,
  runDimChanged,
  runModelChosen,
  runOutputsSaveRequested,
  runPictureChosen,
  runPictureCleared,
  runPixelsChosen,
  runProviderChosen,
  runRequested,
  runnableModels,
  useRunStore,
} from './run';

beforeEach(resetRunStore);

const result: RunResult = {
  modelId: 'sha-mnist',
  provider: 'cpu',
  variant: 'original',
  entryId: null,
  sessionMs: 12,
  runMs: 0.4,
  outputs: [],
};

describe('provider and model choice', () => {
  it('prefers the fastest available provider', () => {
    expect(bestProvider([provider('cpu', true), provider('cuda', true)])).toBe('cuda');
    expect(bestProvider([provider('cpu', true), provider('cuda', false, 'No CUDA')])).toBe('cpu');
    expect(bestProvider([provider('cpu', false, 'broken')])).toBeNull();
  });

  it('offers only models that were read without error', () => {
    const bad = modelEntry({
      id: 'bad',
      inspection: null,
      error: { code: 'MODEL_INVALID', message: 'bad.onnx: not a model' },
    });
    expect(runnableModels([modelEntry(), bad]).map((m) => m.id)).toEqual(['sha-mnist']);
  });

  it("drops another model's result when the model changes, and keeps it for the same model", async () => {
    const api = createFakeApi();
    api.handle('run:execute', () => ({ ok: true, value: result }));
    runModelChosen(modelEntry());
    runProviderChosen('cpu');
    await runRequested(api);
    runModelChosen(modelEntry());
    expect(useRunStore.getState().result).toEqual(result);
    runModelChosen(modelEntry({ id: 'other' }));
    expect(useRunStore.getState()).toMatchObject({ status: 'idle', result: null, fed: [] });
  });

  it('gives each symbolic dim a field, empty until typed (the main side sizes it), keeping typed values', () => {
    runModelChosen(modelEntry());
    expect(useRunStore.getState().form.dims).toEqual({});
    runDimChanged('N', 8);
    runModelChosen(modelEntry({ id: 'other' }));
    expect(useRunStore.getState().form).toMatchObject({ modelId: 'other', dims: { N: 8 } });
  });
});

describe('buildRunRequest', () => {
  const form = {
    modelId: 'm',
    provider: 'cpu' as const,
    dims: { N: 2 },
    fill: 'zeros' as const,
    seed: 3,
  };

  it('builds the request from a complete form', () => {
    expect(buildRunRequest(form)).toEqual({
      request: { modelId: 'm', provider: 'cpu', dims: { N: 2 }, fill: 'zeros', seed: 3 },
    });
  });

  it('leaves an emptied dim field to the main side (from the inputs, else 1)', () => {
    expect(buildRunRequest({ ...form, dims: { N: Number.NaN, M: 4 } })).toEqual({
      request: { modelId: 'm', provider: 'cpu', dims: { M: 4 }, fill: 'zeros', seed: 3 },
    });
  });

  it('puts typed values and shapes into the input plan the CLI flags make', () => {
    expect(
      buildRunRequest({
        ...form,
        values: { sr: ' 8000 ', x: '1, 2,3 4', empty: '  ' },
        shapes: { state: '2x?x128', other: '' },
      }),
    ).toEqual({
      request: {
        modelId: 'm',
        provider: 'cpu',
        dims: { N: 2 },
        fill: 'zeros',
        seed: 3,
        inputs: {
          sources: {
            sr: { kind: 'values', values: ['8000'] },
            x: { kind: 'values', values: ['1', '2', '3', '4'] },
          },
          shapes: { state: [2, null, 128] },
          dims: { N: 2 },
          fill: 'zeros',
          seed: 3,
          testData: null,
        },
      },
    });
    expect(buildRunRequest({ ...form, shapes: { state: '2xax1' } })).toEqual({
      error: {
        code: 'BAD_REQUEST',
        message: 'The shape of "state" needs whole numbers (or ?) like 2x?x128.',
      },
    });
  });

  it.each([
    [{ modelId: null }, 'Choose a model to run.'],
    [{ provider: null }, 'Choose an execution provider.'],
    [{ dims: { N: 0 } }, 'Dimension "N" needs a whole number of at least 1.'],
    [{ seed: 1.5 }, 'The seed must be a whole number.'],
    [{ dims: { N: 2.5 } }, 'Dimension "N" needs a whole number of at least 1.'],
  ])('rejects %j', (change, message) => {
    expect(buildRunRequest({ ...form, ...change })).toEqual({
      error: { code: 'BAD_REQUEST', message },
    });
  });
});

describe('runRequested', () => {
  it('runs and keeps the result', async () => {
    const api = createFakeApi();
    api.handle('run:execute', () => ({ ok: true, value: result }));
    runModelChosen(modelEntry());
    runProviderChosen('cpu');
    const pending = runRequested(api);
    expect(useRunStore.getState().status).toBe('running');
    await pending;
    expect(useRunStore.getState()).toMatchObject({ status: 'done', result, error: null });
    expect(api.calls[0]?.input).toEqual({
      modelId: 'sha-mnist',
      provider: 'cpu',
      dims: {},
      fill: 'random',
      seed: 1,
    });
  });

  it('keeps the error from the main side', async () => {
    const api = createFakeApi();
    api.handle('run:execute', () => ({
      ok: false,
      error: { code: 'ORT_ERROR', message: 'Shape mismatch' },
    }));
    runModelChosen(modelEntry());
    runProviderChosen('cpu');
    await runRequested(api);
    expect(useRunStore.getState()).toMatchObject({ status: 'failed', result: null });
    expect(useRunStore.getState().error?.code).toBe('ORT_ERROR');
  });

  it('does not call the main side for an incomplete form', async () => {
    const api = createFakeApi();
    await runRequested(api);
    expect(api.calls).toHaveLength(0);
    expect(useRunStore.getState().error?.message).toBe('Choose a model to run.');
  });

  it('ignores an answer that arrives after a newer request', async () => {
    const api = createFakeApi();
    const answers: ((r: Result<RunResult>) => void)[] = [];
    api.handle('run:execute', () => new Promise((resolve) => answers.push(resolve)));
    runModelChosen(modelEntry());
    runProviderChosen('cpu');
    const first = runRequested(api);
    const second = runRequested(api);
    answers[1]?.({ ok: true, value: { ...result, runMs: 2 } });
    await second;
    answers[0]?.({ ok: true, value: { ...result, runMs: 1 } });
    await first;
    expect(useRunStore.getState().result?.runMs).toBe(2);
  });
});

describe('image runs', () => {
  const upscaler = modelEntry({
    id: 'up',
    name: 'upscale2x',
    inspection: {
      ...(modelEntry().inspection as NonNullable<ReturnType<typeof modelEntry>['inspection']>),
      inputs: [{ name: 'image', kind: 'tensor', dtype: 'float32', shape: [1, 3, 'h', 'w'] }],
      outputs: [{ name: 'up', kind: 'tensor', dtype: 'float32', shape: [1, 3, 'h2', 'w2'] }],
    },
  });
  const picture = {
    fileName: 'p.png',
    width: 2,
    height: 1,
    rgba: new Uint8ClampedArray([255, 0, 0, 255, 0, 0, 255, 255]),
    scaledFrom: null,
  };

  it('tells image models from others', () => {
    expect(isImageModel(upscaler)).toBe(true);
    expect(isImageModel(modelEntry())).toBe(false); // 1 channel, [N, 10] output
    expect(isImageModel(modelEntry({ inspection: null }))).toBe(false);
  });

  it('scales pictures down to fit, never up', () => {
    expect(fitPicture(640, 480)).toEqual({ width: 640, height: 480 });
    expect(fitPicture(4000, 3000)).toEqual({ width: 1024, height: 768 });
    expect(fitPicture(10, 5000, 100)).toEqual({ width: 1, height: 100 });
  });

  it('round-trips bytes through base64, also past the chunk size', () => {
    const bytes = new Uint8ClampedArray(100_003).map((_, i) => (i * 31) % 256);
    expect(Array.from(base64ToBytes(bytesToBase64(bytes)))).toEqual(Array.from(bytes));
  });

  it('sends the picture to run:image and keeps both pictures', async () => {
    const api = createFakeApi();
    api.handle('run:image', (input) => ({
      ok: true,
      value: {
        image: { width: 4, height: 2, rgbaBase64: bytesToBase64(new Uint8Array(32).fill(7)) },
        runMs: 3.5,
        provider: input.provider === 'auto' ? 'cpu' : input.provider,
        variant: 'compiled',
        entryId: 'cpu/none/none/1.30.0/sha/opts',
      },
    }));
    runModelChosen(upscaler);
    runProviderChosen('cpu');
    await pictureDropped(api, picture);
    expect(api.calls[0]).toEqual({
      channel: 'run:image',
      input: {
        modelId: 'up',
        provider: 'cpu',
        image: { width: 2, height: 1, rgbaBase64: bytesToBase64(picture.rgba) },
      },
    });
    const image = useRunStore.getState().image;
    expect(image.status).toBe('done');
    expect(image.source).toBe(picture);
    expect(image.result).toMatchObject({ width: 4, height: 2, runMs: 3.5, provider: 'cpu' });
    expect(Array.from(image.result?.rgba ?? [])).toEqual(new Array(32).fill(7));
    // Another model clears the pictures.
    runModelChosen(modelEntry());
    expect(useRunStore.getState().image).toMatchObject({ status: 'idle', source: null });
  });

  it("keeps the main side's error, and says when a picture cannot be read", async () => {
    const api = createFakeApi();
    api.handle('run:image', () => ({
      ok: false,
      error: { code: 'INPUT_INVALID', message: 'mnist-8 is not an image model' },
    }));
    runModelChosen(upscaler);
    runProviderChosen('cpu');
    await pictureDropped(api, picture);
    expect(useRunStore.getState().image).toMatchObject({
      status: 'failed',
      result: null,
      error: { code: 'INPUT_INVALID', message: 'mnist-8 is not an image model' },
    });
    pictureUnreadable('notes.txt', 'The source image cannot be decoded.');
    expect(useRunStore.getState().image.error?.message).toBe(
      'notes.txt is not a picture this page can read (The source image cannot be decoded.)',
    );
  });

  it('drops an answer for an older picture', async () => {
    const api = createFakeApi();
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    let n = 0;
    api.handle('run:image', async () => {
      n += 1;
      if (n === 1) await gate;
      return {
        ok: true,
        value: {
          image: { width: 1, height: 1, rgbaBase64: 'AAAA' },
          runMs: n,
          provider: 'cpu',
          variant: 'original',
          entryId: null,
        },
      };
    });
    runModelChosen(upscaler);
    runProviderChosen('cpu');
    const first = pictureDropped(api, picture);
    await pictureDropped(api, { ...picture, fileName: 'second.png' });
    release();
    await first;
    expect(useRunStore.getState().image.source?.fileName).toBe('second.png');
    expect(useRunStore.getState().image.result?.runMs).toBe(2);
  });
});

describe('Save outputs (.npy)', () => {
  const npy = new Uint8Array([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, 0xff, 0x80]);
  const b64 = btoa(String.fromCharCode(...npy));

  it('names one file per output after the model and the output, bytes as sent', () => {
    const files = npyDownloads('model.onnx', [
      { name: 'logits:0', npyBase64: b64 },
      { name: 'out/probs', npyBase64: b64 },
      { name: '..', npyBase64: '' },
    ]);
    expect(files.map((f) => f.fileName)).toEqual([
      'model-logits_0.npy',
      'model-out_probs.npy',
      'model-_.npy',
    ]);
    expect([...(files[0]?.bytes ?? [])]).toEqual([...npy]);
    expect(files[2]?.bytes.byteLength).toBe(0);
  });

  it("asks for the result's model's outputs; a refusal is kept beside the result", async () => {
    const api = createFakeApi();
    api.handle('run:execute', () => ({ ok: true, value: result }));
    runModelChosen(modelEntry());
    runProviderChosen('cpu');
    await runRequested(api);
    api.handle('run:outputs', () => ({
      ok: true,
      value: [{ name: 'Plus214_Output_0', dtype: 'float32', shape: [1, 10], npyBase64: b64 }],
    }));
    const files = await runOutputsSaveRequested(api, 'mnist.onnx');
    expect(api.calls.at(-1)).toMatchObject({
      channel: 'run:outputs',
      input: { modelId: 'sha-mnist' },
    });
    expect(files.map((f) => f.fileName)).toEqual(['mnist-Plus214_Output_0.npy']);

    api.handle('run:outputs', () => ({
      ok: false,
      error: { code: 'NOT_FOUND', message: 'run the model again to save its outputs' },
    }));
    expect(await runOutputsSaveRequested(api, 'mnist.onnx')).toEqual([]);
    expect(useRunStore.getState()).toMatchObject({
      status: 'done',
      result,
      saveError: { code: 'NOT_FOUND' },
    });
    // A new run clears it.
    await runRequested(api);
    expect(useRunStore.getState().saveError).toBeNull();
  });
});

describe('a picture for an input (any model)', () => {
  const segmenter = modelEntry({
    id: 'seg',
    name: 'seg',
    inspection: {
      ...(modelEntry().inspection as NonNullable<ReturnType<typeof modelEntry>['inspection']>),
      inputs: [{ name: 'x', kind: 'tensor', dtype: 'float32', shape: [1, 3, 'height', 'width'] }],
      outputs: [
        { name: 'classes', kind: 'tensor', dtype: 'float32', shape: [1, 2, 'height', 'width'] },
      ],
      dynamicDims: ['height', 'width'],
      labels: { from: 'labels.txt beside the model', names: ['sky', 'fox'] },
      pictureScaling: {
        scaling: 'imagenet',
        from: "the model's metadata_props 'image_mean'/'image_std'",
      },
    },
  });
  // 2×1: a blue pixel, a red pixel.
  const picture = {
    fileName: 'two.png',
    width: 2,
    height: 1,
    rgba: new Uint8ClampedArray([0, 0, 255, 255, 255, 0, 0, 255]),
    scaledFrom: null,
  };

  it("goes in the plan with the model's default scaling; its named sides take the picture's size", () => {
    runModelChosen(segmenter);
    runProviderChosen('cpu');
    runPictureChosen(segmenter, 'x', picture);
    const { form } = useRunStore.getState();
    expect(form.dims).toEqual({ height: 1, width: 2 });
    expect(form.pictures?.x).toMatchObject({ pixels: 'imagenet', pixelsFrom: /image_mean/ });
    const built = buildRunRequest(form);
    expect(built).toMatchObject({
      request: {
        inputs: {
          sources: {
            x: {
              kind: 'picture',
              fileName: 'two.png',
              width: 2,
              height: 1,
              rgbaBase64: bytesToBase64(picture.rgba),
              pixels: 'imagenet',
            },
          },
        },
      },
    });
    // The user's choice stays for the next picture; No picture takes it away.
    runPixelsChosen('x', 'byte');
    runPictureChosen(segmenter, 'x', { ...picture, fileName: 'again.png' });
    expect(useRunStore.getState().form.pictures?.x).toMatchObject({
      pixels: 'byte',
      pixelsFrom: null,
    });
    runPictureCleared('x');
    expect(buildRunRequest(useRunStore.getState().form)).not.toHaveProperty('request.inputs');
  });

  it('keeps the picture as the model got it with the result, and draws mask outputs over it', async () => {
    const api = createFakeApi();
    const seg: RunResult = {
      ...result,
      modelId: 'seg',
      outputs: [
        {
          name: 'classes',
          dtype: 'float32',
          shape: [1, 2, 1, 2],
          stats: null,
          first: [],
          topk: null,
        },
      ],
    };
    api.handle('run:execute', () => ({ ok: true, value: seg }));
    // Class 0 (sky) wins on the first pixel, class 1 (fox) on the second.
    const npy = npyFile(Float32Array.from([0.9, 0.2, 0.1, 0.8]));
    api.handle('run:outputs', () => ({
      ok: true,
      value: [{ name: 'classes', dtype: 'float32', shape: [1, 2, 1, 2], npyBase64: npy }],
    }));
    runModelChosen(segmenter);
    runProviderChosen('cpu');
    runPictureChosen(segmenter, 'x', picture);
    runDimChanged('width', 4); // the picture goes in resized to 4×1
    await runRequested(api, segmenter);
    const state = useRunStore.getState();
    expect(state.fed).toHaveLength(1);
    expect(state.fed[0]).toMatchObject({
      input: 'x',
      chosen: { width: 2, height: 1 },
      picture: { width: 4, height: 1 },
    });
    // Mask at 4×1 does not match [1, 2, 1, 2]: nothing drawn, nothing asked.
    expect(state.overlays.status).toBe('idle');
    expect(api.calls.map((c) => c.channel)).toEqual(['run:execute']);

    runDimChanged('width', 2);
    await runRequested(api, segmenter);
    const drawn = useRunStore.getState().overlays;
    expect(drawn.status).toBe('done');
    expect(drawn.items[0]?.classes.map((c) => [c.label, c.share])).toEqual([
      ['sky', 0.5],
      ['fox', 0.5],
    ]);
  });
});

/** A .npy v1 file of float32 values, base64. */
function npyFile(data: Float32Array): string {
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${data.length},), }`;
  header += ' '.repeat(63 - ((10 + header.length) % 64)) + '\n';
  const bytes = new Uint8Array(10 + header.length + data.byteLength);
  bytes.set([0x93, 78, 85, 77, 80, 89, 1, 0]);
  new DataView(bytes.buffer).setUint16(8, header.length, true);
  bytes.set(
    [...header].map((c) => c.charCodeAt(0)),
    10,
  );
  bytes.set(new Uint8Array(data.buffer), 10 + header.length);
  return bytesToBase64(bytes);
}

describe('fedPictures', () => {
  it("a picture side whose dim field was emptied is fed at the picture's own size, as the main side feeds it", () => {
    const model = modelEntry({
      id: 'pix',
      inspection: {
        ...modelEntry().inspection!,
        inputs: [
          { name: 'image', kind: 'tensor', dtype: 'float32', shape: [1, 3, 'height', 'width'] },
        ],
        dynamicDims: ['height', 'width'],
      },
    } as Partial<ReturnType<typeof modelEntry>>);
    const picture = {
      fileName: 'p.png',
      width: 4,
      height: 2,
      rgba: new Uint8ClampedArray(4 * 2 * 4),
      scaledFrom: null,
    };
    runModelChosen(model);
    runPictureChosen(model, 'image', picture);
    expect(useRunStore.getState().form.dims).toEqual({ height: 2, width: 4 });
    runDimChanged('height', Number.NaN);
    const fed = fedPictures(useRunStore.getState().form, model);
    expect(fed.map((f) => [f.picture.width, f.picture.height])).toEqual([[4, 2]]);
    runDimChanged('width', 8);
    expect(
      fedPictures(useRunStore.getState().form, model).map((f) => [
        f.picture.width,
        f.picture.height,
      ]),
    ).toEqual([[8, 2]]);
  });
});
