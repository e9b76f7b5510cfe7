import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ValueInfo } from '../../ipc/contract';
import { initOrt } from '../ort/env';
import { loopFeeds, runLoop } from './loop';

initOrt({ logLevel: 'error' });

const MODELS = path.join(__dirname, '..', '..', '..', 'models');
const t = (name: string, shape: (number | string)[], dtype = 'float32'): ValueInfo =>
  ({ name, kind: 'tensor', dtype, shape }) as ValueInfo;

describe('loopFeeds', () => {
  it('pairs by name (next/out affixes, present ↔ past) with equal dtype and shape', () => {
    expect(
      loopFeeds(
        [t('latent', [1, 4, 8, 8]), t('sigma', [1]), t('past.0.key', [1, 2, 3])],
        [t('present.0.key', [1, 2, 3]), t('latent_next', [1, 4, 8, 8])],
      ),
    ).toEqual([
      { output: 'present.0.key', input: 'past.0.key' },
      { output: 'latent_next', input: 'latent' },
    ]);
  });

  it('falls back to the one input of the same dtype and shape, never a shape that differs', () => {
    expect(loopFeeds([t('x', [1, 8]), t('mask', [1, 8], 'int64')], [t('y', [1, 8])])).toEqual([
      { output: 'y', input: 'x' },
    ]);
    expect(() => loopFeeds([t('x', [1, 8])], [t('y', [1, 4])])).toThrow(
      /no output of this model can feed an input .* --feed OUTPUT=INPUT/,
    );
  });

  it("checks the user's mapping", () => {
    expect(loopFeeds([t('a', [2])], [t('b', [2])], { b: 'a' })).toEqual([
      { output: 'b', input: 'a' },
    ]);
    expect(() => loopFeeds([t('a', [2])], [t('b', [3])], { b: 'a' })).toThrow(
      /cannot feed input 'a'/,
    );
    expect(() => loopFeeds([t('a', [2])], [t('b', [2])], { c: 'a' })).toThrow(/no output 'c'/);
  });
});

describe('runLoop on the CPU (denoise-step, whose output feeds its input)', () => {
  it('host round-trips copy each step; device-resident steps copy nothing; graph is unsupported', async () => {
    const r = await runLoop({
      modelPath: path.join(MODELS, 'loop', 'denoise-step.onnx'),
      provider: 'cpu',
      dims: {},
      steps: 20,
      warmup: 3,
      modes: ['host', 'device', 'graph'],
    });
    expect(r.feeds).toEqual([{ output: 'latent_next', input: 'latent' }]);
    expect(r.constantInputs).toEqual(['sigma']);
    const [host, device, graph] = r.modes;
    expect(host).toMatchObject({
      mode: 'host',
      status: 'ok',
      steps: 20,
      bytesPerStep: 2 * 4 * 4 * 64 * 64,
    });
    expect(host?.d2hMsPerStep).toBeGreaterThan(0);
    expect(host?.h2dMsPerStep).toBeGreaterThan(0);
    expect(host?.copyMsPerStep).toBeCloseTo(
      (host?.d2hMsPerStep ?? 0) + (host?.h2dMsPerStep ?? 0),
      9,
    );
    expect(device).toMatchObject({ mode: 'device', status: 'ok', steps: 20, bytesPerStep: 0 });
    expect(device?.stepMs).toBeGreaterThan(0);
    expect(graph).toMatchObject({ mode: 'graph', status: 'unsupported' });
    expect(r.copyRatio).toBeGreaterThan(0);
    expect(r.stepRatioHostVsDevice).toBeGreaterThan(0);
    expect(r.hostOverheadMsPerStep).toBeCloseTo((host?.stepMs ?? 0) - (device?.stepMs ?? 0), 9);
  }, 120_000);
});

describe('measureSplit', () => {
  it('has nothing to split on the CPU provider (no device memory)', async () => {
    const { measureSplit, splitProblem } = await import('./split');
    const { openSession } = await import('../session/open-session');
    const opened = await openSession({
      modelPath: path.join(MODELS, 'mlp-tiny.onnx'),
      provider: 'cpu',
    });
    try {
      expect(await measureSplit(opened.session, 'cpu', {}, 3)).toBeNull();
      expect(splitProblem('cpu')).toMatch(/no device memory/);
      expect(splitProblem('webgpu')).toBeNull();
    } finally {
      opened.session.release();
    }
  });
});
