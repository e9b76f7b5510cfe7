import { describe, expect, it } from 'vitest';
import type { ModelEntry, ModelInspection, ValueInfo } from '../ipc/contract';
import { AppError } from '../shared/errors';
import { imagePorts, nchwToRgba, rgbaToNchw } from './image-run';

const t = (name: string, shape: ValueInfo['shape'], dtype: ValueInfo['dtype'] = 'float32') =>
  ({ name, kind: 'tensor', dtype, shape }) as ValueInfo;

/** A library entry with just the inputs and outputs that matter here. */
function entry(inputs: ValueInfo[], outputs: ValueInfo[]): ModelEntry {
  return {
    id: 'x',
    name: 'm',
    path: '/m.onnx',
    builtIn: false,
    addedAt: 0,
    error: null,
    inspection: { inputs, outputs } as unknown as ModelInspection,
  };
}

function message(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    return `${(err as AppError).code}: ${(err as AppError).message}`;
  }
  throw new Error('expected a throw');
}

describe('imagePorts', () => {
  it('accepts NCHW float inputs with 3 channels and picture-shaped outputs', () => {
    const up = entry([t('image', [1, 3, 'height', 'width'])], [t('up', [1, 3, 'h2', 'w2'])]);
    expect(imagePorts(up, 640, 480)).toEqual({ input: 'image', output: 'up' });
    const fixed = entry([t('in', ['batch', 3, 32, 48])], [t('scores', [1, 10]), t('mask', null)]);
    expect(imagePorts(fixed, 48, 32)).toEqual({ input: 'in', output: 'mask' });
    const grey = entry([t('in', [1, 3, 8, 8])], [t('g', [1, 1, 8, 8])]);
    expect(imagePorts(grey).output).toBe('g');
  });

  it.each([
    [
      entry([t('x', [1, 16])], [t('y', [1, 4])]),
      'INPUT_INVALID: m is not an image model: its input x is float32 [1, 16]; a picture needs one float32 input [1, 3, height, width]',
    ],
    [entry([t('x', [1, 4, 8, 8])], [t('y', [1, 3, 8, 8])]), 'its input x is float32 [1, 4, 8, 8]'],
    [entry([t('x', [2, 3, 8, 8])], [t('y', [1, 3, 8, 8])]), 'its input x is float32 [2, 3, 8, 8]'],
    [entry([t('x', [1, 3, 8, 8], 'uint8')], [t('y', [1, 3, 8, 8])]), 'uint8 [1, 3, 8, 8]'],
    [entry([t('a', [1, 3, 8, 8]), t('b', [1])], []), 'it has 2 inputs (a, b)'],
    [
      entry([t('x', [1, 3, 8, 8])], [t('logits', [1, 10])]),
      'no output is a float32 picture [1, 1|3|4, height, width] (float32 [1, 10])',
    ],
  ])('refuses a model that is not image-like (%#)', (model, text) => {
    expect(message(() => imagePorts(model, 8, 8))).toContain(text);
  });

  it('refuses a picture whose size differs from fixed input dims', () => {
    const fixed = entry([t('x', [1, 3, 224, 224])], [t('y', [1, 3, 224, 224])]);
    expect(message(() => imagePorts(fixed, 300, 200))).toBe(
      'INPUT_INVALID: m takes pictures of 224×224 pixels; this one is 300×200',
    );
  });
});

describe('RGBA ↔ NCHW', () => {
  it('splits RGBA into three [0, 1] planes and drops alpha', () => {
    // 2×1 picture: red-ish, then blue-ish.
    const rgba = new Uint8Array([255, 0, 51, 7, 0, 102, 255, 9]);
    const nchw = rgbaToNchw(rgba, 2, 1);
    expect(nchw.dims).toEqual([1, 3, 1, 2]);
    expect(Array.from(nchw.data as Float32Array)).toEqual([1, 0, 0, 0.4, 0.2, 1].map(Math.fround));
  });

  it('refuses bytes that do not match the size', () => {
    expect(message(() => rgbaToNchw(new Uint8Array(7), 2, 1))).toBe(
      'INPUT_INVALID: a 2×1 picture needs 8 RGBA bytes, got 7',
    );
  });

  it('round-trips a picture through 3 channels, alpha becoming opaque', () => {
    const rgba = new Uint8Array(4 * 6).map((_, i) => (i * 37) % 256);
    const back = nchwToRgba(rgbaToNchw(rgba, 3, 2), 'y');
    expect([back.width, back.height]).toEqual([3, 2]);
    const expected = rgba.map((v, i) => (i % 4 === 3 ? 255 : v));
    expect(Array.from(back.rgba)).toEqual(Array.from(expected));
  });

  it('clamps out-of-range values, shows NaN as 0, and spreads a grey channel', () => {
    const grey = nchwToRgba(
      { dtype: 'float32', dims: [1, 1, 1, 4], data: new Float32Array([-1, 0.5, 2, NaN]) },
      'g',
    );
    expect(Array.from(grey.rgba)).toEqual([
      0, 0, 0, 255, 128, 128, 128, 255, 255, 255, 255, 255, 0, 0, 0, 255,
    ]);
    const four = nchwToRgba(
      { dtype: 'float32', dims: [1, 4, 1, 1], data: new Float32Array([1, 0, 0, 0.2]) },
      'a',
    );
    expect(Array.from(four.rgba)).toEqual([255, 0, 0, 51]);
  });

  it('refuses outputs that are not pictures or are too large to show', () => {
    expect(
      message(() =>
        nchwToRgba({ dtype: 'float32', dims: [1, 10], data: new Float32Array(10) }, 'logits'),
      ),
    ).toBe(
      'INPUT_INVALID: output logits is float32 [1, 10], not a picture [1, 1|3|4, height, width]',
    );
    expect(
      message(() =>
        nchwToRgba({ dtype: 'float32', dims: [1, 3, 1, 9000], data: new Float32Array(27000) }, 'y'),
      ),
    ).toMatch(/9000×1 pixels; the most Crucible shows is 8192/);
  });
});
