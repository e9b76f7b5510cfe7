import { describe, expect, it } from 'vitest';
import type { ModelInspection, ValueInfo } from '../../ipc/contract';
import type { onnx } from 'onnx-proto';
import { isImageModel, type PixelScaling } from '../../ipc/image-model';
import { imagePortsOf, pictureScalingOf, rgbaToNchw } from './image';

const t = (name: string, dtype: ValueInfo['dtype'], shape: ValueInfo['shape']): ValueInfo => ({
  name,
  kind: 'tensor',
  dtype,
  shape,
});

/** Only the fields picture detection reads matter; the rest are filler. */
function insp(inputs: ValueInfo[], outputs: ValueInfo[]): ModelInspection {
  return { inputs, outputs } as unknown as ModelInspection;
}

const cases: [string, ModelInspection, boolean][] = [
  [
    'NCHW float32 in and out',
    insp([t('x', 'float32', [1, 3, 'h', 'w'])], [t('y', 'float32', [1, 3, 'H', 'W'])]),
    true,
  ],
  [
    'symbolic batch, grey output',
    insp([t('x', 'float32', ['N', 3, 224, 224])], [t('y', 'float32', [1, 1, 224, 224])]),
    true,
  ],
  [
    'output of unknown shape',
    insp([t('x', 'float32', [1, 3, 8, 8])], [t('y', 'float32', null)]),
    true,
  ],
  ['batch of 2', insp([t('x', 'float32', [2, 3, 8, 8])], [t('y', 'float32', [2, 3, 8, 8])]), false],
  ['uint8 input', insp([t('x', 'uint8', [1, 3, 8, 8])], [t('y', 'float32', [1, 3, 8, 8])]), false],
  [
    'two inputs',
    insp(
      [t('x', 'float32', [1, 3, 8, 8]), t('s', 'float32', [1])],
      [t('y', 'float32', [1, 3, 8, 8])],
    ),
    false,
  ],
  [
    'classifier output',
    insp([t('x', 'float32', [1, 3, 224, 224])], [t('logits', 'float32', [1, 1000])]),
    false,
  ],
  [
    'sequence input',
    insp([{ name: 'x', kind: 'sequence', dtype: null, shape: null }], [t('y', 'float32', null)]),
    false,
  ],
];

describe('image-model detection', () => {
  it.each(cases)('%s: the renderer and the main side decide the same', (_name, model, image) => {
    expect(isImageModel(model)).toBe(image);
    if (image) expect(() => imagePortsOf('m', model)).not.toThrow();
    else expect(() => imagePortsOf('m', model)).toThrow(/^m is not an image model: /);
  });
});

describe('a picture that does not fit', () => {
  const classifier = insp([t('x', 'float32', [1, 3, 224, 224])], [t('logits', 'float32', [1, 10])]);

  it('a classifier says which pictures it takes, and that none comes back', () => {
    expect(() => imagePortsOf('m', classifier, 4, 3)).toThrow(
      /^m takes pictures of 224×224 pixels; this one is 4×3; besides, it is not an image model: no output is a float32 picture/,
    );
  });

  it('a classifier given the right size is refused as no image model', () => {
    expect(() => imagePortsOf('m', classifier, 224, 224)).toThrow(/^m is not an image model: /);
  });

  it('an image model says the size alone', () => {
    const fixed = insp([t('x', 'float32', [1, 3, 8, 8])], [t('y', 'float32', [1, 3, 8, 8])]);
    expect(() => imagePortsOf('m', fixed, 4, 3)).toThrow(
      /^m takes pictures of 8×8 pixels; this one is 4×3$/,
    );
  });

  it('a model whose input is no picture is refused as such, whatever the size', () => {
    const tokens = insp([t('ids', 'int64', [1, 16])], [t('y', 'float32', [1, 3, 8, 8])]);
    expect(() => imagePortsOf('m', tokens, 4, 3)).toThrow(
      /^m is not an image model: its input ids/,
    );
  });
});

describe('pixel scaling', () => {
  const red = Uint8Array.from([255, 0, 128, 255]);
  const cases: [PixelScaling, number[]][] = [
    ['unit', [1, 0, 128 / 255]],
    ['byte', [255, 0, 128]],
    ['signed', [1, -1, (2 * 128) / 255 - 1]],
    // torchvision: Normalize(mean, std) after ToTensor.
    ['imagenet', [(1 - 0.485) / 0.229, (0 - 0.456) / 0.224, (128 / 255 - 0.406) / 0.225]],
  ];
  it.each(cases)('%s', (scaling, want) => {
    const t = rgbaToNchw(red, 1, 1, scaling);
    expect(t.dims).toEqual([1, 3, 1, 1]);
    [...(t.data as Float32Array)].forEach((v, i) => expect(v).toBeCloseTo(want[i] as number, 5));
  });

  it('[0, 1] keeps the bits of v / 255 (the CLI default before scalings existed)', () => {
    const bytes = Uint8Array.from({ length: 256 * 4 }, (_, i) => i >> 2);
    const t = rgbaToNchw(bytes, 256, 1);
    expect([...(t.data as Float32Array).subarray(0, 256)]).toEqual([
      ...Float32Array.from({ length: 256 }, (_, i) => i / 255),
    ]);
  });
});

describe('pictureScalingOf (metadata_props)', () => {
  const meta = (props: Record<string, string>): onnx.IModelProto => ({
    metadataProps: Object.entries(props).map(([key, value]) => ({ key, value })),
  });
  const cases: [string, Record<string, string>, PixelScaling | null][] = [
    ['ONNX NominalRange_0_255', { 'Image.NominalPixelRange': 'NominalRange_0_255' }, 'byte'],
    ['keys and values case-insensitive', { 'image.nominalpixelrange': 'normalized_1_1' }, 'signed'],
    ['Normalized_0_1', { 'Image.NominalPixelRange': 'Normalized_0_1' }, 'unit'],
    ['16–235 has no preset', { 'Image.NominalPixelRange': 'NominalRange_16_235' }, null],
    [
      'Hugging Face image_mean/image_std',
      { image_mean: '[0.485, 0.456, 0.406]', image_std: '[0.229, 0.224, 0.225]' },
      'imagenet',
    ],
    [
      'mmlab mean/std on 0–255',
      { mean: '123.675,116.28,103.53', std: '58.395 57.12 57.375' },
      'imagenet',
    ],
    ['0.5/0.5', { norm_mean: '0.5,0.5,0.5', norm_std: '0.5,0.5,0.5' }, 'signed'],
    ['0/1 cannot tell [0, 1] from [0, 255]', { mean: '0,0,0', std: '1,1,1' }, null],
    ['another mean', { mean: '0.4,0.4,0.4', std: '0.2,0.2,0.2' }, null],
    ['nothing', {}, null],
  ];
  it.each(cases)('%s', (_name, props, want) => {
    const got = pictureScalingOf(meta(props));
    expect(got?.scaling ?? null).toBe(want);
    if (got) expect(got.from).toMatch(/^the model's metadata_props '/);
  });
});
