import { describe, expect, it } from 'vitest';
import type { ModelInspection, ProviderId } from '../ipc/contract';
import type { HostTensor } from '../engine/tensor';
import { measureTrade, tradeVerdict, type TradeBench, type TradeModel } from './precision-trade';

const bench = (p50Ms: number | null): TradeBench => ({
  p50Ms,
  p90Ms: p50Ms,
  joulesPerInference: null,
  problem: null,
});
const err = (cosine: number, topk: { rows: number; top1: number; top5: number } | null = null) => ({
  sets: 4,
  maxAbs: 0.01,
  maxRel: 0.01,
  cosine,
  topk,
});

describe('tradeVerdict', () => {
  it.each([
    [bench(10), bench(5), err(0.99999), /^use fp16: 2\.00× faster/],
    [bench(10), bench(20), err(0.99999), /^keep the original: fp16 is 2\.00× slower/],
    [bench(10), bench(9.5), err(0.99999), /^no real speed difference/],
    [bench(10), bench(5), err(0.99), /^keep the original: fp16 error too large/],
    [
      bench(10),
      bench(5),
      err(0.99999, { rows: 4, top1: 3, top5: 4 }),
      /error too large.*top-1 3\/4/,
    ],
    [bench(10), bench(null), err(0.99999), /no latency/],
    [
      { ...bench(10), untrusted: 'noisy' },
      { ...bench(5), p90Ms: 12 },
      err(0.99999),
      /latency not conclusive here: noisy/,
    ],
    // Noisy, but the gap is wider than both runs' spread: the direction is clear (the H100
    // run's INT8 transformer-block: p50 23.25 / p90 31.51 ms against 4.71 / 6.06 ms).
    [
      { ...bench(4.71), p90Ms: 6.06, untrusted: 'the benchmark was noisy (spread)' },
      { ...bench(23.25), p90Ms: 31.51 },
      err(0.99995),
      /^keep the original: fp16 is 4\.94× slower on this provider — the benchmark was noisy \(spread\), but the gap \(18\.54 ms\) is wider than both runs' p50–p90 spread$/,
    ],
    [
      { ...bench(10), p90Ms: 14, untrusted: 'the benchmark was noisy' },
      { ...bench(4), p90Ms: 6 },
      err(0.99999),
      /^use fp16: 2\.50× faster, error acceptable .* — the benchmark was noisy, but the gap/,
    ],
    // Noisy and the variant's own spread is wider than the gap: no call.
    [
      { ...bench(10), p90Ms: 11, untrusted: 'the benchmark was noisy' },
      { ...bench(12), p90Ms: 40 },
      err(0.99999),
      /latency not conclusive here: the benchmark was noisy/,
    ],
    // Throttled: no call, however wide the gap.
    [
      {
        ...bench(4.71),
        p90Ms: 6.06,
        untrusted: 'the benchmark was throttled (power cap)',
        throttled: true,
      },
      { ...bench(23.25), p90Ms: 31.51 },
      err(0.99995),
      /latency not conclusive here: the benchmark was throttled/,
    ],
  ])('%#', (a, b, e, want) => {
    expect(tradeVerdict('fp16', a, b, e)).toMatch(want);
  });
});

const info = (dtype: 'float32' | 'float16'): ModelInspection =>
  ({
    inputs: [{ name: 'x', kind: 'tensor', dtype, shape: [1, 3] }],
    outputs: [{ name: 'y', kind: 'tensor', dtype: 'float32', shape: [1, 3] }],
  }) as unknown as ModelInspection;

describe('measureTrade', () => {
  it('feeds both the same values (as float16 bits for a float16 input) and compares', async () => {
    const original: TradeModel = { id: 'a', path: 'a', name: 'a', inspection: info('float32') };
    const variant: TradeModel = { id: 'b', path: 'b', name: 'b', inspection: info('float16') };
    const seen: Record<string, HostTensor[]> = { a: [], b: [] };
    const table = await measureTrade(
      original,
      variant,
      'fp16',
      {
        unavailable: (p: ProviderId) => (p === 'cpu' ? null : 'not here'),
        outputs: async (m, _p, _d, inputs) => {
          const x = inputs.x as HostTensor;
          seen[m.id]?.push(x);
          // The "model" is the identity on float32 values.
          const values =
            x.dtype === 'float16'
              ? Float32Array.from(x.data as Uint16Array, (h) => (h === 0 ? 0 : h / 0x4000))
              : (x.data as Float32Array);
          return { y: { dtype: 'float32', dims: [1, 3], data: Float32Array.from(values) } };
        },
        bench: async (m) => bench(m.id === 'a' ? 4 : 2),
      },
      { providers: ['cpu', 'webgpu'], sets: 2, iterations: 5, dims: {} },
    );
    expect(seen.a).toHaveLength(2);
    expect(seen.b?.[0]?.dtype).toBe('float16');
    expect(table.rows.map((r) => [r.provider, r.precision, r.problem])).toEqual([
      ['cpu', 'original', null],
      ['cpu', 'fp16', null],
      ['webgpu', 'original', 'not here'],
      ['webgpu', 'fp16', 'not here'],
    ]);
    expect(table.rows[1]?.error?.sets).toBe(2);
    expect(table.rows[1]?.error?.topk).toEqual({ rows: 2, top1: expect.any(Number), top5: 2 });
  });

  it('keeps the table whole when a run fails: the problem is on the row', async () => {
    const m: TradeModel = { id: 'a', path: 'a', name: 'a', inspection: info('float32') };
    const table = await measureTrade(
      m,
      { ...m, id: 'b' },
      'fp16',
      {
        unavailable: () => null,
        outputs: async () => {
          throw new Error('the variant does not load');
        },
        bench: async () => bench(1),
      },
      { providers: ['cpu'], sets: 1, iterations: 5, dims: {} },
    );
    expect(table.rows[1]?.problem).toBe('the variant does not load');
    expect(table.rows[1]?.verdict).toBe('error not measured');
  });
});
