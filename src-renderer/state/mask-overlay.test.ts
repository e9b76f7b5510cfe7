import { describe, expect, it } from 'vitest';
import {
  classColour,
  drawMaskOverlay,
  heatColour,
  maskKind,
  npyValues,
  OVERLAY_ALPHA,
} from './mask-overlay';

const size = { width: 4, height: 2 };

describe('maskKind', () => {
  const cases: [string, Parameters<typeof maskKind>, ReturnType<typeof maskKind>][] = [
    [
      'class scores [1, 5, H, W]',
      ['float32', [1, 5, 2, 4], size, null],
      { kind: 'classes', channels: 5 },
    ],
    ['two classes', ['float32', [1, 2, 2, 4], size, null], { kind: 'classes', channels: 2 }],
    ['one channel: heat', ['float32', [1, 1, 2, 4], size, null], { kind: 'heat' }],
    ['[1, H, W] float: heat', ['float32', [1, 2, 4], size, null], { kind: 'heat' }],
    ['[1, H, W] int64: indices', ['int64', [1, 2, 4], size, 21], { kind: 'indices' }],
    ['[1, 1, H, W] uint8: indices', ['uint8', [1, 1, 2, 4], size, null], { kind: 'indices' }],
    ['three channels are a picture', ['float32', [1, 3, 2, 4], size, null], null],
    [
      'three channels with 3 labels are classes',
      ['float32', [1, 3, 2, 4], size, 3],
      { kind: 'classes', channels: 3 },
    ],
    [
      'four channels with 3 labels (background)',
      ['float32', [1, 4, 2, 4], size, 3],
      { kind: 'classes', channels: 4 },
    ],
    ['another size (an upscaler)', ['float32', [1, 1, 4, 8], size, null], null],
    ['a batch of 2', ['float32', [2, 5, 2, 4], size, null], null],
    ['scores [1, 10]', ['float32', [1, 10], size, 10], null],
    ['int64 with channels', ['int64', [1, 5, 2, 4], size, null], null],
    ['strings', ['string', [1, 2, 4], size, null], null],
  ];
  it.each(cases)('%s', (_name, args, want) => expect(maskKind(...args)).toEqual(want));
});

/** A .npy v1 file of `data` (little-endian) with descr `descr`. */
function npy(descr: string, shape: number[], data: ArrayBufferView): Uint8Array {
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(', ')},), }`;
  header += ' '.repeat(63 - ((10 + header.length) % 64)) + '\n';
  const out = new Uint8Array(10 + header.length + data.byteLength);
  out.set([0x93, ...'NUMPY'.split('').map((c) => c.charCodeAt(0)), 1, 0]);
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(
    header.split('').map((c) => c.charCodeAt(0)),
    10,
  );
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), 10 + header.length);
  return out;
}

describe('npyValues', () => {
  it('reads float32, int64 and float16 bodies after the header', () => {
    expect([...npyValues(npy('<f4', [3], Float32Array.from([0.5, -2, 7])), 'float32')]).toEqual([
      0.5, -2, 7,
    ]);
    expect([...npyValues(npy('<i8', [3], BigInt64Array.from([0n, 4n, 20n])), 'int64')]).toEqual([
      0, 4, 20,
    ]);
    // 0x3c00 = 1, 0xc000 = -2, 0x3800 = 0.5
    expect([
      ...npyValues(npy('<f2', [3], Uint16Array.from([0x3c00, 0xc000, 0x3800])), 'float16'),
    ]).toEqual([1, -2, 0.5]);
  });
  it('refuses what is not .npy and dtypes masks do not come in', () => {
    expect(() => npyValues(Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), 'float32')).toThrow(
      'not a .npy file',
    );
    expect(() => npyValues(npy('|b1', [1], Uint8Array.from([1])), 'bool')).toThrow(
      'masks of bool are not drawn',
    );
  });
});

describe('drawMaskOverlay', () => {
  const grey = { width: 2, height: 1, rgba: [100, 100, 100, 255, 100, 100, 100, 255] };

  it('class scores: the argmax per pixel in its class colour, classes by share with their labels', () => {
    // Two pixels, three classes: pixel 0 is class 2, pixel 1 class 1.
    const scores = [0, 0.1, /* class 1 */ 0.2, 0.9, /* class 2 */ 0.7, 0.3];
    const o = drawMaskOverlay('seg', { kind: 'classes', channels: 3 }, scores, grey, [
      'bg',
      'cat',
      'dog',
    ]);
    const [r2, g2, b2] = classColour(2);
    const mix = (base: number, c: number) =>
      Math.round(base * (1 - OVERLAY_ALPHA) + c * OVERLAY_ALPHA);
    expect([...o.rgba.subarray(0, 4)]).toEqual([mix(100, r2), mix(100, g2), mix(100, b2), 255]);
    expect(o.classes.map((c) => [c.index, c.label, c.share])).toEqual([
      [1, 'cat', 0.5],
      [2, 'dog', 0.5],
    ]);
  });

  it('class indices take the label at their index; one past the labels has none', () => {
    const o = drawMaskOverlay('ids', { kind: 'indices' }, [1, 5], grey, ['cat', 'dog']);
    expect(o.classes.map((c) => [c.index, c.label])).toEqual([
      [1, 'dog'],
      [5, null],
    ]);
  });

  it('heat: [0, 1] as it is, the value sets how much colour covers the pixel; other ranges stretched', () => {
    const o = drawMaskOverlay('sal', { kind: 'heat' }, [0, 1], grey, null);
    expect(o.range).toEqual({ min: 0, max: 1 });
    expect([...o.rgba.subarray(0, 4)]).toEqual([100, 100, 100, 255]);
    const hot = heatColour(1);
    expect(o.rgba[4]).toBe(
      Math.round(100 * (1 - OVERLAY_ALPHA) + (hot[0] as number) * OVERLAY_ALPHA),
    );
    const logits = drawMaskOverlay('logit', { kind: 'heat' }, [-4, 6], grey, null);
    expect(logits.range).toEqual({ min: -4, max: 6 });
    expect([...logits.rgba.subarray(4, 8)]).toEqual([...o.rgba.subarray(4, 8)]);
  });

  it('heat colours run from dark red to pale yellow', () => {
    expect(heatColour(0)).toEqual([89, 0, 0]);
    expect(heatColour(1)).toEqual([255, 255, 204]);
  });
});
