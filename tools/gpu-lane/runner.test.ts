// The lane's command line: the no-GPU skip, and one whole lane run here (no GPU) with stand-ins
// for the GPU side (NVML snapshot and nvidia-smi replaying the recorded H200) and the real engine
// host, with CPU standing in for the provider under test.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GpuSnapshot } from '../../src-main/ipc/contract';
import type { GpuMonitor } from '../../src-main/gpu/monitor';
import { parseNvidiaSmiCsv } from '../../src-main/gpu/nvidia-smi';
import type { LaneReport } from './checks';
import type { LaneCommand } from './commands';
import { SYSTEM_CONFORMANCE_ROOT } from './conformance-subset';
import { appRoot, findCommit, main, realDeps } from './runner';

const root = path.resolve(__dirname, '..', '..');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'crucible-lane-'));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

const csv = fs.readFileSync(path.join(root, 'src-main/gpu/fixtures/h200-query-gpu.csv'), 'utf8');
const h200 = parseNvidiaSmiCsv(csv);

function monitorOf(snap: GpuSnapshot): GpuMonitor & { closed: boolean } {
  const m = {
    closed: false,
    snapshot: () => Promise.resolve(snap),
    watch: () => () => undefined,
    close: () => {
      m.closed = true;
    },
  };
  return m;
}

const noGpu: GpuSnapshot = {
  source: 'none',
  reason: 'No NVIDIA GPU found: nvidia-smi is not on PATH.',
  driverVersion: null,
  cudaDriverVersion: null,
  gpus: [],
  sampledAt: 0,
};

describe('test-gpu without a GPU', () => {
  it('prints one skip line with the monitor reason, writes nothing and exits 0', async () => {
    const lines: string[] = [];
    const out = path.join(work, 'skipped');
    const probe = monitorOf(noGpu);
    const code = await main(
      ['--out', out],
      (l) => lines.push(l),
      () => {
        throw new Error('the lane must not start without a GPU');
      },
      () => probe,
      root,
    );
    expect(code).toBe(0);
    expect(lines).toEqual([
      'test:gpu: skipped — no NVIDIA GPU here (No NVIDIA GPU found: nvidia-smi is not on PATH.)',
    ]);
    expect(fs.existsSync(out)).toBe(false);
    expect(probe.closed).toBe(true);
  });

  it('skips with the real GPU monitor on this machine', async () => {
    const lines: string[] = [];
    const code = await main(
      ['--out', path.join(work, 'real')],
      (l) => lines.push(l),
      undefined,
      undefined,
      root,
    );
    expect(code).toBe(0);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^test:gpu: skipped — no NVIDIA GPU here \(No NVIDIA GPU found: .+\)$/,
    );
  });

  it('rejects a bad option value', async () => {
    await expect(
      main(
        ['--runs', '0'],
        () => undefined,
        undefined,
        () => monitorOf(noGpu),
        root,
      ),
    ).rejects.toThrow(/--runs expects/);
  });
});

describe('findCommit and appRoot', () => {
  it('prefers BUNDLE.json, else reads the checkout', () => {
    const b = path.join(work, 'bundle-root');
    fs.mkdirSync(b, { recursive: true });
    fs.writeFileSync(path.join(b, 'BUNDLE.json'), JSON.stringify({ commit: 'feedbeef' }));
    expect(findCommit(b)).toBe('feedbeef');
    expect(findCommit(root)).toBe(
      execFileSync('git', ['rev-parse', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim(),
    );
    expect(findCommit(path.join(work, 'nowhere'))).toBeNull();
    expect(appRoot(path.join(root, 'dist', 'gpu-lane'))).toBe(root);
  });
});

describe('a whole lane run (CPU standing in for the GPU provider)', () => {
  let report: LaneReport;
  const out = path.join(work, 'lane');
  const lines: string[] = [];
  const ran: LaneCommand[] = [];

  beforeAll(async () => {
    if (!fs.existsSync(path.join(root, 'dist/engine/engine-host.js'))) {
      execFileSync(process.execPath, [path.join(root, 'scripts/build.mjs'), '--quiet'], {
        cwd: root,
      });
    }
    // Two small demo models, two conformance cases: enough to walk every kind of check.
    const models = path.join(work, 'models');
    fs.mkdirSync(models, { recursive: true });
    const corpus = JSON.parse(fs.readFileSync(path.join(root, 'models/corpus.json'), 'utf8')) as {
      models: { id: string; file: string; cases: unknown[] }[];
    };
    corpus.models = corpus.models.filter((m) => m.id === 'mlp-tiny' || m.id === 'upscale2x');
    for (const m of corpus.models)
      fs.copyFileSync(path.join(root, 'models', m.file), path.join(models, m.file));
    fs.writeFileSync(path.join(models, 'corpus.json'), JSON.stringify(corpus));
    const conformance = path.join(work, 'conformance');
    for (const c of ['test_relu', 'test_matmul_2d']) {
      fs.cpSync(path.join(SYSTEM_CONFORMANCE_ROOT, c), path.join(conformance, c), {
        recursive: true,
      });
    }

    const snap: GpuSnapshot = {
      source: 'nvml',
      reason: null,
      ...structuredClone(h200),
      sampledAt: 0,
    };
    const real = realDeps(root, (l) => lines.push(l));
    const code = await main(
      [
        '--out',
        out,
        '--runs',
        '3',
        '--warmup',
        '1',
        '--models',
        models,
        '--conformance',
        conformance,
        '--provider',
        'cpu',
      ],
      (l) => lines.push(l),
      () => ({
        ...real,
        monitor: () => monitorOf(snap),
        measureSampleCost: () =>
          Promise.resolve({
            medianMs: 0.2,
            p90Ms: 0.3,
            firstMs: 12,
            source: 'nvml',
            samples: 1000,
          }),
        exec: (cmd) => {
          ran.push(cmd);
          return Promise.resolve({
            code: 0,
            stdout: cmd.id === 'nvidia-smi-query' ? csv : `${cmd.id} output\n`,
            stderr: '',
          });
        },
      }),
      () => monitorOf(snap),
      root,
    );
    expect(code).toBe(0);
    report = JSON.parse(fs.readFileSync(path.join(out, 'report.json'), 'utf8')) as LaneReport;
  }, 120_000);

  it('passes every check and says so', () => {
    const notPassed = report.checks
      .filter((c) => c.status !== 'pass')
      .map((c) => `${c.name}: ${c.reason}`);
    expect(notPassed).toEqual([]);
    expect(report.totals).toMatchObject({ fail: 0, skip: 0, ok: true });
    expect(lines.at(-1)).toMatch(/^test:gpu: \d+ passed, 0 failed, 0 skipped — /);
  });

  it('runs each check group', () => {
    const names = report.checks.map((c) => c.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'NVML snapshot',
        'NVML agrees with nvidia-smi',
        'NVML sample cost (median of 1000)',
        'conformance subset on cpu',
        'mlp-tiny: cpu matches cpu',
        'upscale2x (height=64, width=96): cpu matches cpu',
        'upscale2x (height=33, width=47): latency on cpu',
        'environment recorded',
      ]),
    );
    expect(report.checks.find((c) => c.name === 'conformance subset on cpu')?.reason).toBe(
      '2 passed, 0 failed, 0 skipped of 2',
    );
  });

  it('runs only the listed nvidia-smi commands and keeps their raw output', () => {
    expect(ran.map((c) => c.id)).toEqual(['nvidia-smi-query', 'nvidia-smi-q', 'nvidia-smi-banner']);
    for (const f of [
      'nvml.json',
      'nvidia-smi-query.csv',
      'nvidia-smi-q.txt',
      'nvidia-smi.txt',
      'conformance-cpu.json',
      'summary.md',
    ]) {
      expect(fs.existsSync(path.join(out, f)), f).toBe(true);
    }
    expect(fs.readFileSync(path.join(out, 'nvidia-smi-query.csv'), 'utf8')).toBe(csv);
  });

  it('records the environment and the timing figures', () => {
    expect(report.environment).toMatchObject({
      gpu: 'NVIDIA H200',
      driverVersion: '580.159.04',
      ortVersion: '1.30.0',
      commit: findCommit(root),
    });
    expect(report.environment.providers.find((p) => p.id === 'cpu')?.available).toBe(true);
    expect(report.timings.map((t) => `${t.model}/${t.provider}`)).toContain('mlp-tiny/cpu');
    for (const t of report.timings) {
      expect(t.runs).toBe(3);
      expect(t.medianMs).toBeGreaterThan(0);
      expect(t.p90Ms).toBeGreaterThanOrEqual(t.medianMs);
    }
    const summary = fs.readFileSync(path.join(out, 'summary.md'), 'utf8');
    expect(summary).toMatch(/^## \d{4}-\d\d-\d\d — NVIDIA H200 — passed\n/);
  });
});
