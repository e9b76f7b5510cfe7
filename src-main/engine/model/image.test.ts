import { describe, expect, it } from 'vitest';
import type { ModelInspection, ValueInfo } from '../../ipc/contract';
import { isImageModel } from '../../ipc/image-model';
import { imagePortsOf } from './image';

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
