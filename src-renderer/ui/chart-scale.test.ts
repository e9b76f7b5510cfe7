import { describe, expect, it } from 'vitest';
import { fraction, linePath, linearScale, niceCeil, yDomain } from './chart-scale';

describe('linearScale', () => {
  it('maps the domain onto the range, including inverted pixel ranges', () => {
    const y = linearScale([0, 100], [80, 0]);
    expect(y(0)).toBe(80);
    expect(y(100)).toBe(0);
    expect(y(25)).toBe(60);
  });

  it('maps a flat domain to the middle of the range', () => {
    const x = linearScale([5, 5], [0, 10]);
    expect(x(5)).toBe(5);
  });
});

describe('niceCeil', () => {
  it.each([
    [0, 1],
    [-3, 1],
    [0.3, 0.5],
    [1, 1],
    [1.1, 2],
    [2.2, 2.5],
    [3, 5],
    [7, 10],
    [450, 500],
    [251, 500],
    [16376, 20000],
  ])('%d → %d', (value, nice) => {
    expect(niceCeil(value)).toBeCloseTo(nice, 10);
  });
});

describe('yDomain', () => {
  it('starts at zero and ends on a nice value above data and reference lines', () => {
    expect(yDomain([120, 180, null])).toEqual([0, 200]);
    expect(yDomain([120, 180], { include: [285] })).toEqual([0, 500]);
  });

  it('uses a fixed maximum when given', () => {
    expect(yDomain([120], { fixedMax: 100 })).toEqual([0, 100]);
  });

  it('gives [0, 1] for no data', () => {
    expect(yDomain([])).toEqual([0, 1]);
    expect(yDomain([null, null])).toEqual([0, 1]);
  });
});

describe('linePath', () => {
  const x = (i: number) => i * 10;
  const y = (v: number) => 100 - v;

  it('draws one segment through consecutive points', () => {
    expect(linePath([0, 50, 100], x, y)).toBe('M0,100 L10,50 L20,0');
  });

  it('lifts the pen over missing readings', () => {
    expect(linePath([10, null, 30, 40], x, y)).toBe('M0,90 M20,70 L30,60');
  });

  it('is empty without points', () => {
    expect(linePath([null], x, y)).toBe('');
  });
});

describe('fraction', () => {
  it('clamps to [0, 1] and treats unknowns as 0', () => {
    expect(fraction(50, 200)).toBe(0.25);
    expect(fraction(300, 200)).toBe(1);
    expect(fraction(null, 200)).toBe(0);
    expect(fraction(10, 0)).toBe(0);
  });
});
