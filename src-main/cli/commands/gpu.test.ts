import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GpuSnapshotSchema } from '../../ipc/contract';
import type { GpuSnapshot } from '../../ipc/contract';
import { AppError } from '../../shared/errors';
import { runGpuCli } from './gpu';
import { createGpuMonitor } from '../../gpu/monitor';
import type { GpuMonitor } from '../../gpu/monitor';
import { parseNvidiaSmiCsv } from '../../gpu/nvidia-smi';
import { measureSampleCost } from '../../gpu/sample-cost';
import { FIXTURE_DIR, writeFakeNvidiaSmi } from '../../gpu/test-support';

const tmp = mkdtempSync(join(tmpdir(), 'crucible-gpu-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const fixture = join(FIXTURE_DIR, 'h200-query-gpu.csv');

const reading = parseNvidiaSmiCsv(readFileSync(fixture, 'utf8'));
const H200: GpuSnapshot = {
  source: 'nvidia-smi',
  reason: null,
  driverVersion: reading.driverVersion,
  cudaDriverVersion: '13.0',
  gpus: reading.gpus,
  sampledAt: Date.UTC(2026, 10, 23, 12, 0, 0),
};
const NONE: GpuSnapshot = {
  source: 'none',
  reason: 'No NVIDIA GPU found: nvidia-smi is not on PATH.',
  driverVersion: null,
  cudaDriverVersion: null,
  gpus: [],
  sampledAt: 0,
};

/** A monitor that hands out fixed snapshots; watch() delivers them on timers like the real one. */
function fixedMonitor(snap: GpuSnapshot): GpuMonitor & { closed: boolean; watching: number } {
  const m = {
    closed: false,
    watching: 0,
    snapshot: async () => snap,
    watch(_hz: number, listener: (s: GpuSnapshot) => void) {
      m.watching++;
      const t = setInterval(() => listener(snap), 5);
      return () => {
        m.watching--;
        clearInterval(t);
      };
    },
    close() {
      m.closed = true;
    },
  };
  return m;
}

function capture(): {
  out: string[];
  err: string[];
  io: { out: (s: string) => void; err: (s: string) => void };
} {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (s) => out.push(s), err: (s) => err.push(s) } };
}

describe('crucible gpu', () => {
  it('prints a readable table of the real H200 reading', async () => {
    const c = capture();
    const m = fixedMonitor(H200);
    expect(await runGpuCli([], c.io, m)).toBe(0);
    const text = c.out.join('\n');
    expect(text).toMatch(/^GPU 0 {2}NVIDIA H200 {2}Hopper \(compute 9\.0\) {2}00000000:00:06\.0/);
    expect(text).toContain('memory       0 / 143771 MiB used');
    expect(text).toContain('power        Limit 700 W = default; range 200–700 W');
    expect(text).toContain('temperature  38 °C');
    expect(text).toContain('SM 345 / 1980 MHz');
    expect(text).toContain('precisions   FP16 BF16 TF32 INT8 FP8');
    // A data-center Hopper part: TensorRT for RTX serves RTX GPUs only (gpu/arch.ts trtRtxSupport).
    expect(text).toContain(
      'TensorRT RTX not supported: TensorRT for RTX does not support this GPU (Hopper, compute capability 9.0)',
    );
    expect(text).toContain('driver 580.159.04, CUDA 13.0 (read through nvidia-smi)');
    expect(m.closed).toBe(false);
  });

  it('prints the no-GPU reason and exits 0', async () => {
    const c = capture();
    expect(await runGpuCli([], c.io, fixedMonitor(NONE))).toBe(0);
    expect(c.out).toEqual(['No NVIDIA GPU found: nvidia-smi is not on PATH.']);
  });

  it('prints the snapshot as JSON', async () => {
    const c = capture();
    await runGpuCli(['--json'], c.io, fixedMonitor(H200));
    expect(GpuSnapshotSchema.parse(JSON.parse(c.out.join('\n')))).toEqual(H200);
  });

  it('prints one line per sample and stops after --count', async () => {
    const c = capture();
    const m = fixedMonitor(H200);
    expect(await runGpuCli(['--watch', '--hz', '4', '--count', '3'], c.io, m)).toBe(0);
    expect(c.out).toHaveLength(3);
    expect(c.out[0]).toMatch(
      /^\d\d:\d\d:\d\d {2}GPU0 95\/700 W 38°C SM 345 MHz util 0% mem 0\/143771 MiB$/,
    );
    expect(m.watching).toBe(0);
  });

  it('prints JSON lines when watching with --json', async () => {
    const c = capture();
    await runGpuCli(['--json', '--count', '2'], c.io, fixedMonitor(NONE));
    expect(c.out.map((l) => GpuSnapshotSchema.parse(JSON.parse(l)).source)).toEqual([
      'none',
      'none',
    ]);
  });

  it.each([
    [['--hz', '10'], /--hz must be between 1 and 4/],
    [['--count', '0'], /--count expects a positive whole number/],
    [['--bogus'], /gpu: Unknown option '--bogus'/],
  ])('refuses %j with a clear error', async (args, message) => {
    const run = runGpuCli(args, capture().io, fixedMonitor(H200));
    await expect(run).rejects.toBeInstanceOf(AppError);
    await expect(runGpuCli(args, capture().io, fixedMonitor(H200))).rejects.toThrow(message);
  });

  it('prints usage for --help', async () => {
    const c = capture();
    expect(await runGpuCli(['--help'], c.io, fixedMonitor(H200))).toBe(0);
    expect(c.out[0]).toMatch(/^usage: crucible gpu/);
  });
});

// Skipped on Windows, and why: the stand-in nvidia-smi is a `#!/usr/bin/env node` script, and
// Windows' execFile runs only real executables (a .cmd would need a shell, which the monitor never
// starts). Where Windows looks for nvidia-smi is table-tested with nvidiaSmiCandidates('win32').
describe.skipIf(process.platform === 'win32')('crucible gpu end to end', () => {
  it('reads through a stand-in nvidia-smi when no monitor is given', async () => {
    const exe = writeFakeNvidiaSmi(tmp, 'smi-cli', { fixture });
    const before = process.env.CRUCIBLE_NVIDIA_SMI;
    const beforeNvml = process.env.CRUCIBLE_NVML_PATH;
    process.env.CRUCIBLE_NVIDIA_SMI = exe;
    process.env.CRUCIBLE_NVML_PATH = join(tmp, 'no-libnvidia-ml.so.1');
    try {
      const c = capture();
      expect(await runGpuCli(['--count', '2', '--hz', '4'], c.io)).toBe(0);
      expect(c.out).toHaveLength(2);
      expect(c.out.every((l) => l.includes('GPU0 95/700 W'))).toBe(true);
    } finally {
      if (before === undefined) delete process.env.CRUCIBLE_NVIDIA_SMI;
      else process.env.CRUCIBLE_NVIDIA_SMI = before;
      if (beforeNvml === undefined) delete process.env.CRUCIBLE_NVML_PATH;
      else process.env.CRUCIBLE_NVML_PATH = beforeNvml;
    }
  });
});

describe('measureSampleCost', () => {
  it('reports median, p90 and the source over n warm samples', async () => {
    let calls = 0;
    const cost = await measureSampleCost(
      {
        snapshot: async () => {
          calls++;
          return H200;
        },
      },
      50,
    );
    expect(calls).toBe(51);
    expect(cost.source).toBe('nvidia-smi');
    expect(cost.samples).toBe(50);
    expect(cost.p90Ms).toBeGreaterThanOrEqual(cost.medianMs);
  });

  it('measures the none state of this machine', async () => {
    const monitor = createGpuMonitor({
      nvmlPath: join(tmp, 'x.so'),
      nvidiaSmiPath: join(tmp, 'x'),
    });
    const cost = await measureSampleCost(monitor, 20);
    expect(cost.source).toBe('none');
    monitor.close();
  });
});
