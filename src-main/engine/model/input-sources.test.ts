import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ValueInfo } from '../../ipc/contract';
import {
  batchReason,
  emptyPlan,
  fillRuleFor,
  parseInputFlags,
  planShapes,
  resolveInputs,
  vocabSizes,
  withModelPixels,
} from './input-sources';
import type { PixelScaling } from '../../ipc/image-model';
import { readOnnxFile } from './onnx-file';
import { errorOf, TESTDATA } from './test-helpers';
import { encodeWav16 } from './wav';
import { writeTensorFile } from './tensor-files';
import type { onnx } from 'onnx-proto';

const t = (name: string, dtype: ValueInfo['dtype'], shape: ValueInfo['shape']): ValueInfo => ({
  name,
  kind: 'tensor',
  dtype,
  shape,
});

// A voice-activity detector's inputs as silero-vad writes them: nothing named.
const VAD = [
  t('input', 'float32', [null, null]),
  t('state', 'float32', [2, null, 128]),
  t('sr', 'int64', []),
];

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'crucible-inputs-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('parseInputFlags', () => {
  it('reads files, values, shapes with open dims, dims, fill and seed', () => {
    const plan = parseInputFlags({
      input: ['x=a.npy'],
      value: ['sr=16000', 'input_ids=101, 2023,102'],
      shape: ['state=2x?x128'],
      dim: ['batch=2'],
      fill: 'zeros',
      seed: '7',
    });
    expect(plan.sources.x).toEqual({ kind: 'file', path: path.resolve('a.npy') });
    expect(plan.sources.sr).toEqual({ kind: 'values', values: ['16000'] });
    expect(plan.sources.input_ids).toEqual({ kind: 'values', values: ['101', '2023', '102'] });
    expect(plan.shapes.state).toEqual([2, null, 128]);
    expect(plan.dims).toEqual({ batch: 2 });
    expect([plan.fill, plan.seed]).toEqual(['zeros', 7]);
  });

  it('refuses malformed flags with the flag named', async () => {
    expect((await errorOf(() => parseInputFlags({ shape: ['x=2xax3'] }))).message).toMatch(
      /--shape x=2xax3/,
    );
    expect((await errorOf(() => parseInputFlags({ value: ['sr'] }))).message).toMatch(
      /--value expects NAME=VALUE/,
    );
    expect(
      (await errorOf(() => parseInputFlags({ input: ['a=1.npy'], value: ['a=1'] }))).message,
    ).toMatch(/already has a source/);
    expect((await errorOf(() => parseInputFlags({ dim: ['n=0'] }))).code).toBe('BAD_REQUEST');
  });
});

describe('planShapes', () => {
  it('gives two inputs sharing an unnamed batch dim the same batch, and says why', () => {
    const { shapes, choices } = planShapes(VAD, { shapes: {}, dims: {} });
    expect(shapes).toEqual({ input: [1, 128], state: [2, 1, 128], sr: [] });
    const why = choices.find((c) => c.input === 'state' && c.index === 1)?.why;
    expect(why).toMatch(
      /\[directions, batch, hidden\] state, read as the batch; batch 1 by default/,
    );
    expect(choices.find((c) => c.input === 'input' && c.index === 1)?.why).toMatch(/unnamed; 128/);
  });

  it('--dim batch=N sets every batch-like dim, named or not', () => {
    const { shapes } = planShapes(VAD, { shapes: {}, dims: { batch: 3 } });
    expect(shapes.input).toEqual([3, 128]);
    expect(shapes.state).toEqual([2, 3, 128]);
  });

  it('a given tensor binds the batch and named dims of the others', () => {
    const { shapes, choices } = planShapes(
      VAD,
      { shapes: {}, dims: {} },
      {
        input: { shape: [4, 512], from: 'chunk.npy' },
      },
    );
    expect(shapes.state).toEqual([2, 4, 128]);
    expect(choices.find((c) => c.input === 'state')?.why).toMatch(/batch from chunk\.npy/);
    const bert = [
      t('input_ids', 'int64', ['batch', 'sequence']),
      t('attention_mask', 'int64', ['batch', 'sequence']),
    ];
    expect(
      planShapes(bert, { shapes: {}, dims: {} }, { input_ids: { shape: [1, 7], from: 'ids.txt' } })
        .shapes.attention_mask,
    ).toEqual([1, 7]);
  });

  it('--shape sets unnamed dims by position; ? leaves one to the plan', () => {
    const { shapes } = planShapes(VAD, {
      shapes: { input: [null, 512], state: [2, null, 128] },
      dims: {},
    });
    expect(shapes).toMatchObject({ input: [1, 512], state: [2, 1, 128] });
  });

  it('reads exporter placeholders as unnamed: p2o.DynamicDimension.0 in front is the batch', () => {
    const paddle = [
      t('x', 'float32', [
        'p2o.DynamicDimension.0',
        3,
        'p2o.DynamicDimension.1',
        'p2o.DynamicDimension.2',
      ]),
    ];
    expect(planShapes(paddle, { shapes: {}, dims: {} }).shapes.x).toEqual([1, 3, 128, 128]);
    expect(batchReason(['unk__12', 'unk__13'], 0)).toMatch(/placeholder name.*leading/);
    expect(batchReason(['unk__12', 'unk__13'], 1)).toBeNull();
    expect(batchReason(['N', 3], 0)).toMatch(/'N' names a batch/);
  });

  it('refuses a given tensor that contradicts the model, naming the file', async () => {
    const err = await errorOf(() =>
      planShapes(
        VAD,
        { shapes: {}, dims: {} },
        { state: { shape: [3, 1, 128], from: 'state.npy' } },
      ),
    );
    expect(err.message).toMatch(/state\.npy: input 'state' has 2 at dim 0/);
  });
});

describe('fills by name', () => {
  it('rates, masks, token types, positions, ids and plain integers', () => {
    expect(fillRuleFor(t('sr', 'int64', []), 'random')).toMatchObject({
      kind: 'constant',
      value: 16000,
    });
    expect(fillRuleFor(t('attention_mask', 'int64', [1, 8]), 'random')).toMatchObject({
      kind: 'constant',
      value: 1,
    });
    expect(fillRuleFor(t('token_type_ids', 'int64', [1, 8]), 'random')).toMatchObject({
      kind: 'constant',
      value: 0,
    });
    expect(fillRuleFor(t('position_ids', 'int64', [1, 8]), 'random')).toMatchObject({
      kind: 'arange',
    });
    expect(fillRuleFor(t('input_ids', 'int64', [1, 8]), 'random', 30522)).toMatchObject({
      kind: 'range',
      hi: 30522,
    });
    expect(fillRuleFor(t('k', 'int32', [4]), 'random')).toMatchObject({
      kind: 'range',
      lo: 0,
      hi: 10,
    });
    expect(fillRuleFor(t('x', 'float32', [4]), 'zeros')).toMatchObject({
      kind: 'fill',
      fill: 'zeros',
    });
  });

  it('finds the vocabulary from the embedding table an input indexes', () => {
    const model: onnx.IModelProto = {
      graph: {
        input: [{ name: 'input_ids' }],
        initializer: [{ name: 'emb', dims: [50, 4], dataType: 1 }],
        node: [{ opType: 'Gather', input: ['emb', 'input_ids'], output: ['e'] }],
      },
    };
    expect(vocabSizes(model)).toEqual({ input_ids: 50 });
  });
});

describe('resolveInputs', () => {
  const model = (inputs: ValueInfo[]) => ({ path: '/m/model.onnx', inputs });

  it('feeds a control value, a list of ids shaping the mask, and records a replay that feeds the same bytes', async () => {
    const inputs = [
      t('input_ids', 'int64', ['batch', 'sequence']),
      t('attention_mask', 'int64', ['batch', 'sequence']),
      t('x', 'float32', ['batch', 4]),
      t('sr', 'int64', []),
    ];
    const plan = parseInputFlags({ value: ['input_ids=101,2023,102', 'sr=8000'], seed: '5' });
    const r = await resolveInputs(model(inputs), plan);
    expect(r.tensors.input_ids).toEqual({
      dtype: 'int64',
      dims: [1, 3],
      data: BigInt64Array.from([101n, 2023n, 102n]),
    });
    expect(r.tensors.attention_mask?.dims).toEqual([1, 3]);
    expect([...(r.tensors.attention_mask?.data as BigInt64Array)]).toEqual([1n, 1n, 1n]);
    expect(r.tensors.sr?.data).toEqual(BigInt64Array.from([8000n]));
    expect(r.fed.find((f) => f.name === 'x')?.source).toMatch(/random in \[0, 1\), seed 5/);
    const again = await resolveInputs(model(inputs), parseInputFlags(argsToFlags(r.replay)));
    expect(again.tensors).toEqual(r.tensors);
  });

  it('the default for a rate input is 16000, not a random small integer', async () => {
    const r = await resolveInputs(model(VAD), emptyPlan());
    expect(r.tensors.sr?.data).toEqual(BigInt64Array.from([16000n]));
    expect(r.tensors.state?.dims).toEqual([2, 1, 128]);
  });

  it('reads a WAV at the model rate (resampled), a .txt of ids and a .npy of another dtype', async () => {
    const wav = path.join(dir, 'tone.wav');
    await writeFile(
      wav,
      encodeWav16(
        Float32Array.from({ length: 800 }, (_, i) => Math.sin(i / 10) / 2),
        8000,
      ),
    );
    const ids = path.join(dir, 'ids.txt');
    await writeFile(ids, '101 2023\n102\n');
    const npy = path.join(dir, 'x64.npy');
    await writeTensorFile(
      npy,
      { dtype: 'float64', dims: [1, 4], data: Float64Array.from([1, 2, 3, 4]) },
      { overwrite: true },
    );
    const inputs = [...VAD, t('input_ids', 'int64', [1, 'seq']), t('x', 'float32', [1, 4])];
    const r = await resolveInputs(
      model(inputs),
      parseInputFlags({ input: [`input=${wav}`, `input_ids=${ids}`, `x=${npy}`] }),
    );
    expect(r.tensors.input?.dims).toEqual([1, 1600]);
    expect(r.fed[0]?.notes.join(' ')).toMatch(/resampled from 8000 Hz to the model's 16000 Hz/);
    expect(r.tensors.state?.dims).toEqual([2, 1, 128]);
    expect(r.tensors.input_ids?.data).toEqual(BigInt64Array.from([101n, 2023n, 102n]));
    expect(r.tensors.x).toEqual({
      dtype: 'float32',
      dims: [1, 4],
      data: Float32Array.from([1, 2, 3, 4]),
    });
  });

  it('refuses unknown inputs, wrong files and lists that cannot fit, naming them', async () => {
    expect(
      (await errorOf(resolveInputs(model(VAD), parseInputFlags({ value: ['rate=1'] })))).message,
    ).toMatch(/model\.onnx has no input 'rate' \(inputs: input, state, sr\)/);
    const txt = path.join(dir, 'notes.csv');
    await writeFile(txt, '1,2');
    expect(
      (await errorOf(resolveInputs(model(VAD), parseInputFlags({ input: [`input=${txt}`] }))))
        .message,
    ).toMatch(/notes\.csv: Crucible reads inputs from/);
    expect(
      (
        await errorOf(
          resolveInputs(
            model([t('x', 'float32', [2, 4])]),
            parseInputFlags({ value: ['x=1,2,3'] }),
          ),
        )
      ).message,
    ).toMatch(/3 values do not fit input 'x' \[2, 4\]/);
  });

  it.skipIf(!existsSync(`${TESTDATA}/node/test_add`))(
    'takes every input from an ONNX test-data folder',
    async () => {
      const file = await readOnnxFile(`${TESTDATA}/node/test_add/model.onnx`);
      const inputs = (file.model.graph?.input ?? []).map((vi) => vi.name ?? '');
      const { valueInfo } = await import('./graph');
      const r = await resolveInputs(
        {
          path: file.path,
          inputs: (file.model.graph?.input ?? []).map(valueInfo),
          proto: file.model,
        },
        parseInputFlags({ inputsFrom: `${TESTDATA}/node/test_add` }),
      );
      expect(Object.keys(r.tensors)).toEqual(inputs);
      expect(r.fed.every((f) => f.source.includes('test_data_set_0/input_'))).toBe(true);
    },
  );
});

/** The replay's CLI arguments as InputFlags. */
function argsToFlags(args: string[]): Parameters<typeof parseInputFlags>[0] {
  const flags: Record<string, string[] | string> = {};
  for (let i = 0; i < args.length; i += 2) {
    const key = (args[i] as string).slice(2);
    const v = args[i + 1] as string;
    if (key === 'seed' || key === 'fill') flags[key] = v;
    else flags[key] = [...((flags[key] as string[] | undefined) ?? []), v];
  }
  return flags;
}

describe('pictures in a plan', () => {
  const rgba = (w: number, h: number, px: [number, number, number]) =>
    Buffer.from(
      Uint8Array.from({ length: w * h * 4 }, (_, i) => (i % 4 === 3 ? 255 : (px[i % 4] as number))),
    );
  const picture = (w: number, h: number, px: [number, number, number], pixels?: PixelScaling) => ({
    kind: 'picture' as const,
    fileName: 'red.png',
    width: w,
    height: h,
    rgbaBase64: rgba(w, h, px).toString('base64'),
    ...(pixels ? { pixels } : {}),
  });

  it('a decoded picture is resized to the fixed sides and scaled as asked; the notes say both', async () => {
    const m = { path: '/m/model.onnx', inputs: [t('x', 'float32', [1, 3, 8, 8])] };
    const plan = { ...emptyPlan(), sources: { x: picture(16, 12, [255, 0, 0], 'imagenet') } };
    const r = await resolveInputs(m, plan);
    const x = r.tensors.x as { dims: number[]; data: Float32Array };
    expect(x.dims).toEqual([1, 3, 8, 8]);
    expect(x.data[0]).toBeCloseTo((1 - 0.485) / 0.229, 5);
    expect(x.data[64]).toBeCloseTo(-0.456 / 0.224, 5);
    expect(r.fed[0]?.source).toBe('picture red.png');
    expect(r.fed[0]?.notes).toEqual([
      'picture resized from 16×12 to 8×8',
      'pixels ImageNet mean/std (as asked)',
    ]);
    expect(r.replay).toEqual(
      expect.arrayContaining(['--input', 'x=red.png', '--pixels', 'x=imagenet']),
    );
  });

  it("without a scaling, the model's metadata default, else [0, 1], each said in the notes", async () => {
    const inputs = [t('x', 'float32', [1, 3, 'height', 'width'])];
    const plan = { ...emptyPlan(), sources: { x: picture(4, 2, [255, 255, 255]) } };
    const plain = await resolveInputs({ path: '/m/m.onnx', inputs }, plan);
    expect(plain.tensors.x?.dims).toEqual([1, 3, 2, 4]);
    expect((plain.tensors.x?.data as Float32Array)[0]).toBe(1);
    expect(plain.fed[0]?.notes).toEqual(['pixels [0, 1] (the default; the model does not say)']);
    const from = "the model's metadata_props 'Image.NominalPixelRange' (NominalRange_0_255)";
    const byte = await resolveInputs(
      { path: '/m/m.onnx', inputs, pixels: { scaling: 'byte', from } },
      plan,
    );
    expect((byte.tensors.x?.data as Float32Array)[0]).toBe(255);
    expect(byte.fed[0]?.notes).toEqual([`pixels [0, 255] (from ${from})`]);
  });

  it('named picture sides take --dim values (the picture is resized to them) and bind other inputs', async () => {
    const inputs = [t('x', 'float32', [1, 3, 'height', 'width']), t('m', 'float32', [1, 'height'])];
    const plan = {
      ...emptyPlan(),
      dims: { height: 3, width: 5 },
      sources: { x: picture(10, 6, [0, 0, 255]) },
    };
    const r = await resolveInputs({ path: '/m/m.onnx', inputs }, plan);
    expect(r.tensors.x?.dims).toEqual([1, 3, 3, 5]);
    expect(r.tensors.m?.dims).toEqual([1, 3]);
  });

  it('refuses a picture for an input that cannot take one, and bytes that do not fit the size', async () => {
    const plan = { ...emptyPlan(), sources: { x: picture(2, 2, [0, 0, 0]) } };
    const grey = { path: '/m/grey.onnx', inputs: [t('x', 'float32', [1, 1, 8, 8])] };
    expect((await errorOf(resolveInputs(grey, plan))).message).toMatch(
      /red\.png: grey\.onnx cannot take a picture as 'x'/,
    );
    const short = { ...plan, sources: { x: { ...picture(2, 2, [0, 0, 0]), width: 3 } } };
    const m = { path: '/m/m.onnx', inputs: [t('x', 'float32', [1, 3, 2, 2])] };
    expect((await errorOf(resolveInputs(m, short))).message).toMatch(
      /red\.png: a 3×2 picture needs 24 RGBA bytes, got 16/,
    );
  });

  it('--pixels sets the scaling of a picture given by --input, and nothing else', () => {
    const plan = parseInputFlags({ input: ['x=a.png'], pixels: ['x=imagenet'] });
    expect(plan.sources.x).toEqual({
      kind: 'file',
      path: path.resolve('a.png'),
      pixels: 'imagenet',
    });
    expect(() => parseInputFlags({ pixels: ['x=byte'] })).toThrow(
      /--pixels x: give its picture with --input x=FILE/,
    );
    expect(() => parseInputFlags({ input: ['x=a.png'], pixels: ['x=bgr'] })).toThrow(
      /--pixels x=bgr: choose unit, imagenet, byte, signed/,
    );
  });

  it("withModelPixels writes the model's default onto pictures that do not say theirs", () => {
    const plan = parseInputFlags({ input: ['x=a.png', 'y=b.npy', 'z=c.png'], pixels: ['z=unit'] });
    const got = withModelPixels(plan, { scaling: 'imagenet' });
    expect(got.sources.x).toMatchObject({ pixels: 'imagenet' });
    expect(got.sources.y).not.toHaveProperty('pixels');
    expect(got.sources.z).toMatchObject({ pixels: 'unit' });
    expect(withModelPixels(plan, null)).toBe(plan);
  });
});
