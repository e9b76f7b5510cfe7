/**
 * Telemetry agreement: the GPU monitor's NVML snapshot against nvidia-smi's answer to the very
 * query Crucible's fallback source asks. Both read the same driver, so the static facts (name,
 * memory size, power limit, driver version) must be the same; a difference means one of the two
 * readers converts or indexes something wrongly.
 */
import type { GpuSnapshot } from '../../src-main/ipc/contract';
import type { NvidiaSmiReading } from '../../src-main/gpu/nvidia-smi';

/** One compared fact. */
export interface FieldAgreement {
  gpu: number;
  field: 'name' | 'memoryTotalMiB' | 'powerLimitW' | 'driverVersion';
  nvml: string | number | null;
  nvidiaSmi: string | number | null;
  agree: boolean;
  /** The allowed difference for numbers (units of the field), 0 for strings. */
  allowed: number;
}

/**
 * Allowed differences. Memory: NVML reports bytes, which Crucible rounds to MiB; nvidia-smi prints
 * MiB truncated, so they may differ by one. Power: NVML reports milliwatts, nvidia-smi prints watts
 * with two decimals.
 */
export const TELEMETRY_SLACK = { memoryTotalMiB: 1, powerLimitW: 0.01 } as const;

function numbersAgree(a: number | null, b: number | null, slack: number): boolean {
  return a !== null && b !== null && Math.abs(a - b) <= slack + 1e-9;
}

/**
 * Compares every GPU present in both readings (matched by index) and the driver version. A GPU
 * one side sees and the other does not is a disagreement of its name.
 */
export function compareTelemetry(nvml: GpuSnapshot, smi: NvidiaSmiReading): FieldAgreement[] {
  const rows: FieldAgreement[] = [];
  const indices = [
    ...new Set([...nvml.gpus.map((g) => g.index), ...smi.gpus.map((g) => g.index)]),
  ].sort((a, b) => a - b);
  for (const index of indices) {
    const a = nvml.gpus.find((g) => g.index === index) ?? null;
    const b = smi.gpus.find((g) => g.index === index) ?? null;
    const nameA = a?.name.trim() ?? null;
    const nameB = b?.name.trim() ?? null;
    rows.push({
      gpu: index,
      field: 'name',
      nvml: nameA,
      nvidiaSmi: nameB,
      agree: nameA !== null && nameA === nameB,
      allowed: 0,
    });
    if (!a || !b) continue;
    rows.push({
      gpu: index,
      field: 'memoryTotalMiB',
      nvml: a.memoryTotalMiB,
      nvidiaSmi: b.memoryTotalMiB,
      agree: numbersAgree(a.memoryTotalMiB, b.memoryTotalMiB, TELEMETRY_SLACK.memoryTotalMiB),
      allowed: TELEMETRY_SLACK.memoryTotalMiB,
    });
    rows.push({
      gpu: index,
      field: 'powerLimitW',
      nvml: a.powerLimit.currentW,
      nvidiaSmi: b.powerLimit.currentW,
      agree: numbersAgree(
        a.powerLimit.currentW,
        b.powerLimit.currentW,
        TELEMETRY_SLACK.powerLimitW,
      ),
      allowed: TELEMETRY_SLACK.powerLimitW,
    });
  }
  rows.push({
    gpu: -1,
    field: 'driverVersion',
    nvml: nvml.driverVersion,
    nvidiaSmi: smi.driverVersion,
    agree: nvml.driverVersion !== null && nvml.driverVersion === smi.driverVersion,
    allowed: 0,
  });
  return rows;
}

/** One line naming each disagreement, or how many facts agreed. */
export function describeAgreement(rows: readonly FieldAgreement[]): {
  ok: boolean;
  reason: string;
} {
  const bad = rows.filter((r) => !r.agree);
  if (bad.length === 0) {
    const gpus = new Set(rows.filter((r) => r.gpu >= 0).map((r) => r.gpu)).size;
    return {
      ok: true,
      reason: `${rows.length} facts agree across ${gpus} GPU(s): name, memory total, power limit, driver`,
    };
  }
  const what = bad
    .map(
      (r) =>
        `${r.gpu >= 0 ? `GPU ${r.gpu} ` : ''}${r.field}: NVML ${String(r.nvml)} vs nvidia-smi ${String(r.nvidiaSmi)}`,
    )
    .join('; ');
  return { ok: false, reason: what };
}
