import { describe, expect, it } from 'vitest';
import { benchResult } from '../../state/fixtures';
import { latencyHistogram, modeComparison, p50History, providerComparison } from './bench-charts';

const lat = (p50: number) => ({ min: p50, mean: p50, p50, p90: p50, p99: p50, max: p50, std: 0 });

describe('latency histogram', () => {
  it('cuts equal-width bins from min to the 99th percentile, the last one closed', () => {
    const bins = latencyHistogram([1, 2, 3, 4, 5], 4);
    // p99 of five samples is the fourth: 5 is beyond it.
    expect(bins.map((b) => b.count)).toEqual([1, 1, 1, 1, 1]);
    expect(bins[0]).toMatchObject({ from: 1, to: 1.75 });
    expect(bins[3]).toMatchObject({ to: 4 });
    expect(bins[4]).toEqual({ from: 4, to: 5, count: 1, overflow: true });
  });

  it('puts the slowest 1% in an overflow bin up to the maximum', () => {
    const samples = [...Array.from({ length: 199 }, (_, i) => 1 + (i % 10) / 10), 50, 90];
    const bins = latencyHistogram(samples, 5);
    expect(bins).toHaveLength(6);
    expect(bins.at(-1)).toMatchObject({ to: 90, overflow: true });
    expect(bins.reduce((n, b) => n + b.count, 0)).toBe(201);
    expect(bins.at(-1)?.count).toBe(2);
  });

  it('has one bin for equal samples and none without samples', () => {
    expect(latencyHistogram([2, 2, 2])).toEqual([{ from: 2, to: 2, count: 3 }]);
    expect(latencyHistogram([])).toEqual([]);
  });
});

describe('comparisons', () => {
  const results = [
    benchResult({ id: 'a', provider: 'webgpu', mode: 'plain', latencyMs: lat(1), at: 5 }),
    benchResult({ id: 'b', provider: 'cpu', mode: 'plain', latencyMs: lat(4), at: 4 }),
    benchResult({ id: 'c', provider: 'cpu', mode: 'plain', latencyMs: lat(6), at: 3 }),
    benchResult({ id: 'd', provider: 'cpu', mode: 'iobinding', latencyMs: lat(3), at: 2 }),
    benchResult({
      id: 'e',
      provider: 'cpu',
      mode: 'graph',
      status: 'unsupported',
      latencyMs: null,
    }),
    benchResult({ id: 'f', modelId: 'other', provider: 'cuda', mode: 'plain', at: 1 }),
  ];

  it('keeps the newest ok result per provider for one model and mode', () => {
    expect(providerComparison(results, 'sha-mnist', 'plain').map((r) => r.id)).toEqual(['a', 'b']);
  });

  it('keeps the newest ok result per mode, leaving out unsupported modes', () => {
    expect(modeComparison(results, 'sha-mnist', 'cpu').map((r) => r.id)).toEqual(['b', 'd']);
  });

  it('lists one configuration p50s oldest first', () => {
    expect(p50History(results, { modelId: 'sha-mnist', provider: 'cpu', mode: 'plain' })).toEqual([
      6, 4,
    ]);
  });
});
