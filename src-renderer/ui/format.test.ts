import { describe, expect, it } from 'vitest';
import {
  formatAgo,
  formatBytes,
  formatCount,
  formatFlops,
  formatMiB,
  formatMs,
  formatPct,
  formatShape,
  formatValue,
  groupThousands,
} from './format';

describe('formatBytes', () => {
  it.each([
    [0, '0 B'],
    [1023, '1023 B'],
    [1024, '1.00 KiB'],
    [1536, '1.50 KiB'],
    [10 * 1024 * 1024, '10.0 MiB'],
    [102.4 * 1024 * 1024 * 1024, '102 GiB'],
  ])('%d bytes → %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });

  it('shows a dash for unknown sizes', () => {
    expect(formatBytes(null)).toBe('—');
    expect(formatBytes(Number.NaN)).toBe('—');
  });

  it('reads VRAM in MiB', () => {
    expect(formatMiB(8192)).toBe('8.00 GiB');
    expect(formatMiB(null)).toBe('—');
  });
});

describe('formatMs', () => {
  it.each([
    [0.0421, '42.1 µs'],
    [1, '1.00 ms'],
    [12.345, '12.3 ms'],
    [999, '999 ms'],
    [2400, '2.40 s'],
    [125_000, '2m 05s'],
    [3_725_000, '1h 02m 05s'],
  ])('%d ms → %s', (ms, text) => {
    expect(formatMs(ms)).toBe(text);
  });

  it('shows a dash when there is no figure', () => {
    expect(formatMs(null)).toBe('—');
  });
});

describe('formatFlops and formatCount', () => {
  it('uses SI prefixes for FLOPs', () => {
    expect(formatFlops(4.1e9)).toBe('4.10 GFLOP');
    expect(formatFlops(1.2e12)).toBe('1.20 TFLOP');
    expect(formatFlops(512)).toBe('512 FLOP');
    expect(formatFlops(null)).toBe('—');
  });

  it('keeps small counts exact and shortens large ones', () => {
    expect(formatCount(9999)).toBe('9\u2009999');
    expect(formatCount(25_557_032)).toBe('25.6 M');
    expect(groupThousands(-1234567)).toBe('-1\u2009234\u2009567');
  });
});

describe('formatValue', () => {
  it('keeps integers, rounds others to four significant digits without trailing zeros', () => {
    expect(formatValue(3)).toBe('3');
    expect(formatValue(0.123456)).toBe('0.1235');
    expect(formatValue(-12.3456)).toBe('-12.35');
    expect(formatValue(0.52)).toBe('0.52');
    expect(formatValue(0.0012)).toBe('0.0012');
  });

  it('uses exponent form for tiny and huge magnitudes', () => {
    expect(formatValue(1.5e-7)).toBe('1.500e-7');
    expect(formatValue(2.5e7 + 0.5)).toBe('2.500e+7');
  });

  it('names special values', () => {
    expect(formatValue(Number.NaN)).toBe('NaN');
    expect(formatValue(-Infinity)).toBe('-∞');
    expect(formatValue(true)).toBe('true');
    expect(formatValue('cat')).toBe('cat');
  });
});

describe('formatShape, formatPct, formatAgo', () => {
  it('writes symbolic and unknown dims', () => {
    expect(formatShape(['batch', 3, 224, null])).toBe('[batch, 3, 224, ?]');
    expect(formatShape([])).toBe('[]');
    expect(formatShape(null)).toBe('unknown shape');
  });

  it('rounds percentages', () => {
    expect(formatPct(42.6)).toBe('43%');
    expect(formatPct(null)).toBe('—');
  });

  it('says how long ago', () => {
    const now = 1_000_000_000;
    expect(formatAgo(now - 10_000, now)).toBe('just now');
    expect(formatAgo(now - 5 * 60_000, now)).toBe('5 min ago');
    expect(formatAgo(now - 3 * 3_600_000, now)).toBe('3 h ago');
    expect(formatAgo(now - 2 * 86_400_000, now)).toBe('2 d ago');
    expect(formatAgo(Date.UTC(2024, 0, 15), Date.UTC(2024, 5, 1))).toBe('2024-01-15');
  });
});
