import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GpuSnapshotSchema } from '../ipc/contract';
import type { GpuSnapshot } from '../ipc/contract';
import { clampHz, createGpuMonitor } from './monitor';
import { FIXTURE_DIR, compileFakeNvml, writeFakeNvidiaSmi } from './test-support';

const tmp = mkdtempSync(join(tmpdir(), 'crucible-monitor-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const fixture = join(FIXTURE_DIR, 'h200-query-gpu.csv');
const NO_NVML = join(tmp, 'no-such-libnvidia-ml.so.1');
const NO_SMI = join(tmp, 'no-such-nvidia-smi');

describe('no GPU on this machine', () => {
  it('reports source none with a reason naming both missing pieces', async () => {
    const monitor = createGpuMonitor({ nvmlPath: NO_NVML, nvidiaSmiPath: NO_SMI });
    const snap = GpuSnapshotSchema.parse(await monitor.snapshot());
    expect(snap.source).toBe('none');
    expect(snap.gpus).toEqual([]);
    expect(snap.reason).toMatch(/^No NVIDIA GPU found: /);
    expect(snap.reason).toMatch(/NVML library \(libnvidia-ml\.so\.1\) could not be loaded/);
    expect(snap.reason).toMatch(/nvidia-smi was not found \(looked for .*no-such-nvidia-smi\)/);
    monitor.close();
  });

  it('says "not on PATH" when it searched PATH for nvidia-smi', async () => {
    const monitor = createGpuMonitor({ nvmlPath: NO_NVML, env: { PATH: tmp } });
    const snap = await monitor.snapshot();
    expect(snap.reason).toBe(
      "No NVIDIA GPU found: the NVIDIA driver's NVML library (libnvidia-ml.so.1) could not be loaded; and nvidia-smi is not on PATH. Install or update the NVIDIA driver (nvidia.com/drivers).",
    );
    monitor.close();
  });

  it('explains when both sources are turned off', async () => {
    const monitor = createGpuMonitor({ nvmlPath: false, nvidiaSmiPath: false });
    expect((await monitor.snapshot()).reason).toMatch(/telemetry is turned off/);
    monitor.close();
  });

  it('still delivers the none state to watchers', async () => {
    const monitor = createGpuMonitor({ nvmlPath: NO_NVML, nvidiaSmiPath: NO_SMI });
    const snap = await new Promise<GpuSnapshot>((resolve) => {
      const stop = monitor.watch(4, (s) => {
        stop();
        resolve(s);
      });
    });
    expect(snap.source).toBe('none');
    monitor.close();
  });
});

// Skipped on Windows, and why: the stand-in nvidia-smi is a `#!/usr/bin/env node` script, and
// Windows' execFile runs only real executables (a .cmd would need a shell, which the monitor never
// starts). Where Windows looks for nvidia-smi is table-tested with nvidiaSmiCandidates('win32').
describe.skipIf(process.platform === 'win32')('nvidia-smi fallback', () => {
  it('finds nvidia-smi through CRUCIBLE_NVIDIA_SMI and reads the real capture', async () => {
    const exe = writeFakeNvidiaSmi(tmp, 'smi-env', { fixture, reject: ['cuda_version'] });
    const monitor = createGpuMonitor({
      env: { CRUCIBLE_NVIDIA_SMI: exe, CRUCIBLE_NVML_PATH: NO_NVML },
    });
    const snap = GpuSnapshotSchema.parse(await monitor.snapshot());
    expect(snap).toMatchObject({
      source: 'nvidia-smi',
      reason: null,
      driverVersion: '580.159.04',
      cudaDriverVersion: '13.0',
    });
    expect(snap.gpus.map((g) => [g.name, g.architecture, g.powerLimit.maxW])).toEqual([
      ['NVIDIA H200', 'Hopper', 700],
    ]);
    // The power limit in words reaches every consumer of the snapshot (the GPU area through the
    // contract): the H200 runs at its default, so there is nothing to restore.
    expect(snap.gpus[0]?.powerAdvice).toMatchObject({
      summary: expect.stringMatching(/^Limit 700 W = default/),
      restoreDefault: null,
    });
    monitor.close();
  });

  it('shares one reading between overlapping callers', async () => {
    const log = join(tmp, 'overlap.log');
    const exe = writeFakeNvidiaSmi(tmp, 'smi-overlap', { fixture, log });
    const monitor = createGpuMonitor({ nvmlPath: false, nvidiaSmiPath: exe });
    const [a, b] = await Promise.all([monitor.snapshot(), monitor.snapshot()]);
    expect(a).toBe(b);
    const queries = readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .filter((l) => l !== '[]');
    expect(queries).toHaveLength(1);
    monitor.close();
  });

  it('samples while watched and stops when the last listener leaves', async () => {
    const log = join(tmp, 'watch.log');
    const exe = writeFakeNvidiaSmi(tmp, 'smi-watch', { fixture, log });
    const monitor = createGpuMonitor({ nvmlPath: false, nvidiaSmiPath: exe });
    const calls = (): number => readFileSync(log, 'utf8').trim().split('\n').length;

    const seenA: GpuSnapshot[] = [];
    const seenB: GpuSnapshot[] = [];
    const stopB = monitor.watch(1, (s) => seenB.push(s));
    await new Promise<void>((resolve) => {
      const stopA = monitor.watch(4, (s) => {
        seenA.push(s);
        if (seenA.length === 3) {
          stopA();
          resolve();
        }
      });
    });
    stopB();
    expect(seenA.every((s) => s.source === 'nvidia-smi')).toBe(true);
    expect(seenB.length).toBeGreaterThanOrEqual(3);
    const after = calls();
    // Whatever was in flight has finished; nothing new starts once nobody watches.
    await new Promise((r) => setTimeout(r, 700));
    expect(calls()).toBeLessThanOrEqual(after + 1);
    const settled = calls();
    await new Promise((r) => setTimeout(r, 700));
    expect(calls()).toBe(settled);
    monitor.close();
  });

  it('turns a driver that reports no GPU into the none state', async () => {
    const empty = join(tmp, 'empty.csv');
    writeFileSync(empty, 'index, name\n');
    const exe = writeFakeNvidiaSmi(tmp, 'smi-empty', { fixture: empty });
    const monitor = createGpuMonitor({ nvmlPath: false, nvidiaSmiPath: exe });
    const snap = await monitor.snapshot();
    expect(snap.source).toBe('none');
    expect(snap.reason).toMatch(/installed but reports no GPU/);
    monitor.close();
  });
});

const fakeNvml = compileFakeNvml(tmp);

describe.skipIf(!fakeNvml)('NVML first', () => {
  it('uses NVML when it loads, without running nvidia-smi', async () => {
    const log = join(tmp, 'nvml-first.log');
    const exe = writeFakeNvidiaSmi(tmp, 'smi-unused', { fixture, log });
    const monitor = createGpuMonitor({ nvmlPath: fakeNvml!, nvidiaSmiPath: exe });
    const snap = GpuSnapshotSchema.parse(await monitor.snapshot());
    expect(snap.source).toBe('nvml');
    expect(snap.gpus.map((g) => g.name)).toEqual(['Fake GeForce RTX 4090', 'Fake Restricted GPU']);
    expect(() => readFileSync(log)).toThrow();
    monitor.close();
  });
});

describe('clampHz', () => {
  it.each([
    [0, 1],
    [2, 2],
    [4, 4],
    [60, 4],
    [Number.NaN, 1],
  ])('%s Hz → %s Hz', (hz, want) => expect(clampHz(hz)).toBe(want));
});
