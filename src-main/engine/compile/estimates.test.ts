import { describe, expect, it } from 'vitest';
import { estimateFrom, type EstimateRecord } from './estimates';

const r = (bytes: number, ms: number, o: Partial<EstimateRecord> = {}): EstimateRecord => ({
  provider: 'nv-tensorrt-rtx',
  gpu: 'GPU-1',
  bytes,
  ms,
  at: 1,
  ...o,
});
const job = { provider: 'nv-tensorrt-rtx' as const, gpu: 'GPU-1', bytes: 100e6 };

describe('compile estimates', () => {
  it('says nothing until a similar compile happened here', () => {
    expect(estimateFrom([], job)).toBeNull();
    expect(estimateFrom([r(1e6, 5000)], job)).toBeNull(); // 100x smaller: not similar
    expect(estimateFrom([r(100e6, 5000, { gpu: 'GPU-2' })], job)).toBeNull();
    expect(estimateFrom([r(100e6, 5000, { provider: 'cpu' })], job)).toBeNull();
  });

  it('takes the median of the three compiles closest in size', () => {
    const records = [r(90e6, 40_000), r(110e6, 60_000), r(120e6, 90_000), r(300e6, 500_000)];
    expect(estimateFrom(records, job)).toBe(60_000);
    expect(estimateFrom([r(90e6, 40_000), r(110e6, 60_000)], job)).toBe(50_000);
  });
});
