import { describe, expect, it } from 'vitest';
import { AppError } from '../../src-main/shared/errors';
import {
  fail,
  pass,
  renderSummary,
  runCheck,
  skip,
  timingComparison,
  totals,
  type CheckResult,
  type LaneReport,
  type TimingRow,
} from './checks';

const check = (name: string, status: CheckResult['status'], reason = 'why'): CheckResult => ({
  name,
  group: 'telemetry',
  status,
  reason,
  ms: 1,
});

const row = (
  model: string,
  provider: string,
  medianMs: number,
  dims: Record<string, number> = {},
): TimingRow => ({
  model,
  dims,
  provider,
  warmup: 5,
  runs: 50,
  medianMs,
  p90Ms: medianMs * 1.5,
  minMs: medianMs / 2,
  createMs: 10,
});

describe('runCheck', () => {
  it('keeps the verdict and times the body', async () => {
    let t = 100;
    const r = await runCheck(
      'a',
      'models',
      () => pass('fine', { x: 1 }),
      () => (t += 2.5),
    );
    expect(r).toEqual({
      name: 'a',
      group: 'models',
      status: 'pass',
      reason: 'fine',
      ms: 2.5,
      data: { x: 1 },
    });
  });

  it('turns an AppError into a failure with its code and message', async () => {
    const r = await runCheck('b', 'models', () => {
      throw new AppError('PROVIDER_UNAVAILABLE', 'WebGPU found no adapter');
    });
    expect(r.status).toBe('fail');
    expect(r.reason).toBe('PROVIDER_UNAVAILABLE: WebGPU found no adapter');
  });

  it('names the type of an unexpected error so a bug is not read as a GPU problem', async () => {
    const r = await runCheck('c', 'models', async () => {
      await Promise.resolve();
      throw new TypeError('x is undefined');
    });
    expect(r).toMatchObject({ status: 'fail', reason: 'TypeError: x is undefined' });
    expect(r).not.toHaveProperty('data');
  });

  it('passes skips through', async () => {
    expect((await runCheck('d', 'timing', () => skip('no session'))).status).toBe('skip');
  });
});

describe('totals', () => {
  it('is ok only with no failure and at least one pass', () => {
    expect(totals([check('a', 'pass'), check('b', 'skip')])).toEqual({
      pass: 1,
      fail: 0,
      skip: 1,
      ok: true,
    });
    expect(totals([check('a', 'pass'), check('b', 'fail')]).ok).toBe(false);
    expect(totals([check('a', 'skip')]).ok).toBe(false);
    expect(totals([]).ok).toBe(false);
  });
});

describe('timingComparison', () => {
  it('pairs CPU with the provider under test per model and dims', () => {
    const pairs = timingComparison([
      row('resnet-mini', 'cpu', 40, { batch: 1 }),
      row('resnet-mini', 'webgpu', 4, { batch: 1 }),
      row('resnet-mini', 'cpu', 150, { batch: 4 }),
      row('mlp-tiny', 'webgpu', 0.5),
    ]);
    expect(pairs).toHaveLength(3);
    expect(pairs[0]).toMatchObject({ model: 'resnet-mini', dims: { batch: 1 }, speedup: 10 });
    expect(pairs[1]).toMatchObject({ dims: { batch: 4 }, gpu: null, speedup: null });
    expect(pairs[2]).toMatchObject({ model: 'mlp-tiny', cpu: null, speedup: null });
  });
});

describe('renderSummary', () => {
  const report: LaneReport = {
    version: 1,
    startedAt: '2026-11-23T10:00:00.000Z',
    finishedAt: '2026-11-23T10:05:00.000Z',
    environment: {
      date: '2026-11-23T10:00:00.000Z',
      commit: 'abc123',
      hostname: 'gpu-host',
      platform: 'linux-x64 6.8.0',
      nodeVersion: 'v20.20.2',
      gpu: 'NVIDIA H200',
      driverVersion: '580.159.04',
      cudaDriverVersion: '13.0',
      ortVersion: '1.30.0',
      ortLibraryPath: '/tmp/x/libonnxruntime.so.1',
      providers: [
        { id: 'cpu', available: true, reason: null, device: null },
        { id: 'webgpu', available: true, reason: null, device: 'NVIDIA H200' },
        { id: 'cuda', available: false, reason: 'no CUDA provider library', device: null },
      ],
    },
    totals: { pass: 2, fail: 1, skip: 0, ok: false },
    checks: [
      { ...check('NVML snapshot', 'pass', '1 GPU(s)'), group: 'telemetry' },
      {
        ...check('conformance subset on webgpu', 'fail', 'failed: test_a | test_b'),
        group: 'conformance',
      },
      { ...check('mlp-tiny: webgpu matches cpu', 'pass', 'within\nrtol'), group: 'models' },
    ],
    timings: [row('mlp-tiny', 'cpu', 0.02), row('mlp-tiny', 'webgpu', 0.5)],
  };
  const md = renderSummary(report);

  it('opens with the section header docs/gpu-results.md uses', () => {
    expect(md.split('\n')[0]).toBe('## 2026-11-23 — NVIDIA H200 — FAILED');
    expect(md).toContain('- Driver: 580.159.04 (CUDA 13.0)');
    expect(md).toContain('- Commit: abc123');
    expect(md).toContain('- Checks: 2 passed, 1 failed, 0 skipped');
    expect(md).toContain('cuda unavailable (no CUDA provider library)');
    expect(md).toContain('webgpu available on NVIDIA H200');
  });

  it('lists each check under its group, with table cells escaped', () => {
    expect(md).toContain('### ONNX conformance subset');
    expect(md).toContain('| conformance subset on webgpu | FAIL | failed: test_a \\| test_b |');
    expect(md).toContain('| mlp-tiny: webgpu matches cpu | PASS | within rtol |');
    expect(md).not.toContain('### Timing');
  });

  it('tabulates the latency pairs with the speed-up', () => {
    expect(md).toContain('### webgpu vs CPU latency');
    expect(md).toContain('| mlp-tiny | static | 0.020 | 0.030 | 0.500 | 0.750 | 0.04x |');
  });
});

describe('verdict shorthands', () => {
  it('builds verdicts', () => {
    expect(fail('no', 1)).toEqual({ status: 'fail', reason: 'no', data: 1 });
  });
});
