// The run-path policy: which models get a single-threaded session and synchronous runs.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ModelInspection } from '../../ipc/contract';
import {
  chooseRunPath,
  runPathFor,
  runPathNote,
  SYNC_RUN_MAX_FLOPS,
  SYNC_RUN_MAX_MS,
  SyncRunGuard,
} from './run-path';

const root = path.resolve(__dirname, '..', '..', '..');
const model = (name: string) => path.join(root, 'models', name);

type Facts = Pick<ModelInspection, 'flops' | 'ops' | 'externalData'>;
const facts = (over: Partial<Facts> & { total?: number | null; note?: string } = {}): Facts => ({
  flops: {
    total: over.total === undefined ? 1280 : over.total,
    byOp: {},
    note: over.note ?? 'Shapes propagated from the inputs.',
  },
  ops: over.ops ?? { Gemm: 2, Relu: 1 },
  externalData: over.externalData ?? [],
});

describe('chooseRunPath on the demo models', () => {
  it('picks the synchronous path for mlp-tiny on the CPU provider', async () => {
    const p = await chooseRunPath(model('mlp-tiny.onnx'), 'cpu');
    expect(p.sync).toBe(true);
    expect(runPathNote(p)).toMatch(/^single-threaded, synchronous run: estimated 1,280 FLOPs/);
  });

  it('keeps the asynchronous path for resnet-mini', async () => {
    const p = await chooseRunPath(model('resnet-mini.onnx'), 'cpu');
    expect(p.sync).toBe(false);
    expect(runPathNote(p)).toMatch(
      /^ORT's default threads, asynchronous run: estimated 1,982,981,120/,
    );
  });

  it('keeps the asynchronous path for mlp-tiny on another provider', async () => {
    expect((await chooseRunPath(model('mlp-tiny.onnx'), 'webgpu')).sync).toBe(false);
  });
});

describe('runPathFor', () => {
  it.each<[string, Facts | null, boolean, RegExp]>([
    ['a tiny MLP', facts(), true, /1,280 FLOPs/],
    ['exactly the limit', facts({ total: SYNC_RUN_MAX_FLOPS }), true, /262,144/],
    ['one FLOP over', facts({ total: SYNC_RUN_MAX_FLOPS + 1 }), false, /threads pay off/],
    ['no estimate', facts({ total: null }), false, /incomplete/],
    [
      'ops left out',
      facts({ note: 'Counted 1. 2 left out (shape unknown).' }),
      false,
      /incomplete/,
    ],
    ['a Loop', facts({ ops: { Loop: 1, Add: 1 } }), false, /control flow \(Loop\)/],
    // An If's larger branch is in the estimate: a small If model qualifies like any other.
    ['a small If model', facts({ ops: { If: 1, Gemm: 2 } }), true, /1,280 FLOPs/],
    [
      'external data',
      facts({ externalData: [{ location: 'w.bin', bytes: 10, exists: true }] }),
      false,
      /external data/,
    ],
    ['a file too large to inspect', null, false, /too large/],
  ])('%s', (_, f, sync, reason) => {
    const p = runPathFor('cpu', f);
    expect(p.sync).toBe(sync);
    expect(p.reason).toMatch(reason);
  });

  it('never picks it for a non-CPU provider', () => {
    expect(runPathFor('cuda', facts()).sync).toBe(false);
  });
});

describe('SyncRunGuard', () => {
  const feed = (times: number[]) => {
    const g = new SyncRunGuard();
    return times.map((t) => g.record(t));
  };
  it('ignores the first run (ORT plans and allocates then)', () => {
    expect(feed([50, 0.01, 0.01, 0.01, 0.01, 0.01]).every(Boolean)).toBe(true);
  });
  it('ignores a few preempted runs', () => {
    expect(feed([1, 0.01, 5, 0.01, 0.01, 5, 0.01, 0.01, 0.01]).every(Boolean)).toBe(true);
  });
  it('sends runs back to async once the median is over the bound', () => {
    const slow = SYNC_RUN_MAX_MS * 3;
    const verdicts = feed([slow, slow, slow, slow, slow]);
    expect(verdicts.slice(0, 4)).toEqual([true, true, true, true]);
    expect(verdicts[4]).toBe(false);
  });
});
