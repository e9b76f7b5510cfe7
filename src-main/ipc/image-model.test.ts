import { describe, expect, it } from 'vitest';
import type { ValueInfo } from './contract';
import { pictureFeedSize, resizeRgba } from './image-model';

const input = (shape: ValueInfo['shape']): ValueInfo => ({
  name: 'x',
  kind: 'tensor',
  dtype: 'float32',
  shape,
});
const picture = { width: 64, height: 48 };

describe('pictureFeedSize', () => {
  const cases: [string, Parameters<typeof pictureFeedSize>, { width: number; height: number }][] = [
    [
      'fixed sides win',
      [input([1, 3, 8, 8]), picture, { h: 5 }, [1, 3, 2, 2]],
      { width: 8, height: 8 },
    ],
    ['named sides, nothing given: the picture', [input([1, 3, 'h', 'w']), picture], picture],
    [
      'named sides from dims',
      [input([1, 3, 'h', 'w']), picture, { h: 32, w: 40 }],
      { width: 40, height: 32 },
    ],
    [
      'a typed shape before dims',
      [input(['N', 3, 'h', 'w']), picture, { h: 32, w: 40 }, [null, null, 16, null]],
      { width: 40, height: 16 },
    ],
    ['unnamed sides: the picture', [input([1, 3, null, null]), picture, { h: 1 }], picture],
  ];
  it.each(cases)('%s', (_name, args, want) => expect(pictureFeedSize(...args)).toEqual(want));
});

describe('resizeRgba', () => {
  it('keeps a picture of the same size, and averages 2×2 blocks when halving', () => {
    const rgba = Uint8Array.from({ length: 16 }, (_, i) => i * 10);
    expect([...resizeRgba({ width: 2, height: 2, rgba }, 2, 2)]).toEqual([...rgba]);
    // Halving lands each output pixel centre between the four input centres.
    const half = resizeRgba({ width: 2, height: 2, rgba }, 1, 1);
    expect([...half]).toEqual(
      [0, 1, 2, 3].map((c) =>
        Math.round((rgba[c]! + rgba[4 + c]! + rgba[8 + c]! + rgba[12 + c]!) / 4),
      ),
    );
  });
});
