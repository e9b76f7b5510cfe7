import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { GpuSnapshot } from '../../src-main/ipc/contract';
import { parseNvidiaSmiCsv } from '../../src-main/gpu/nvidia-smi';
import { compareTelemetry, describeAgreement } from './telemetry';

// Real output, recorded on an H200 (see src-main/gpu/fixtures/README.md).
const csv = fs.readFileSync(
  path.join(__dirname, '..', '..', 'src-main', 'gpu', 'fixtures', 'h200-query-gpu.csv'),
  'utf8',
);
const smi = parseNvidiaSmiCsv(csv);

/** An NVML snapshot of the same GPU, as the monitor would give it; `patch` changes the GPU. */
function nvmlSnapshot(
  patch: (g: GpuSnapshot['gpus'][number]) => void = () => undefined,
): GpuSnapshot {
  const gpus = structuredClone(smi.gpus);
  for (const g of gpus) patch(g);
  return {
    source: 'nvml',
    reason: null,
    driverVersion: smi.driverVersion,
    cudaDriverVersion: '13.0',
    gpus,
    sampledAt: 0,
  };
}

describe('compareTelemetry', () => {
  it('agrees on the recorded H200 when NVML read the same facts', () => {
    const rows = compareTelemetry(nvmlSnapshot(), smi);
    expect(rows.map((r) => r.field)).toEqual([
      'name',
      'memoryTotalMiB',
      'powerLimitW',
      'driverVersion',
    ]);
    expect(rows.every((r) => r.agree)).toBe(true);
    expect(describeAgreement(rows)).toEqual({
      ok: true,
      reason: '4 facts agree across 1 GPU(s): name, memory total, power limit, driver',
    });
  });

  it('allows the rounding each side does, and nothing more', () => {
    // NVML bytes rounded to MiB vs nvidia-smi's truncated MiB; milliwatts vs watts with 2 decimals.
    expect(
      compareTelemetry(
        nvmlSnapshot((g) => ((g.memoryTotalMiB = 143772), (g.powerLimit.currentW = 700.004))),
        smi,
      ).every((r) => r.agree),
    ).toBe(true);
    const rows = compareTelemetry(
      nvmlSnapshot((g) => ((g.memoryTotalMiB = 143773), (g.powerLimit.currentW = 600))),
      smi,
    );
    const d = describeAgreement(rows);
    expect(d.ok).toBe(false);
    expect(d.reason).toBe(
      'GPU 0 memoryTotalMiB: NVML 143773 vs nvidia-smi 143771; GPU 0 powerLimitW: NVML 600 vs nvidia-smi 700',
    );
  });

  it('flags a GPU only one side sees, a missing value and another driver', () => {
    const snap = nvmlSnapshot((g) => (g.powerLimit.currentW = null));
    snap.driverVersion = '580.0';
    snap.gpus.push({ ...structuredClone(smi.gpus[0]!), index: 1 });
    const bad = compareTelemetry(snap, smi).filter((r) => !r.agree);
    expect(bad.map((r) => `${r.gpu}:${r.field}`)).toEqual([
      '0:powerLimitW',
      '1:name',
      '-1:driverVersion',
    ]);
  });
});
