/**
 * Energy per inference, done right: only GPU-provider runs are credited with the GPU's energy
 * (a CPU-provider run says "GPU energy not attributed"), the GPU's idle power measured just before
 * the run is subtracted, and the energy comes from NVML's total-energy counter (millijoules since
 * the driver loaded, Volta and newer) where the GPU has one — 4 Hz power samples averaged
 * otherwise, and the result says which. Pure, so the arithmetic is tested on recorded readings.
 */
import type { BenchEnergy, GpuInfo, ProviderId } from '../../ipc/contract';

/** One reading of the GPU the run used, with when it was taken (epoch ms). */
export interface TimedGpu {
  at: number;
  gpu: GpuInfo;
}

/** What the energy figure is made from. */
export interface EnergyInput {
  provider: ProviderId;
  /** The GPU the provider ran on; null when no NVIDIA GPU was read. */
  gpuIndex: number | null;
  /** Readings just before the run (the idle baseline). */
  idle: readonly GpuInfo[];
  /** Readings as the measure phase started and ended (for the energy counter). */
  start: TimedGpu | null;
  end: TimedGpu | null;
  /** Readings taken while measuring (the fallback's power samples). */
  during: readonly GpuInfo[];
  /** Inferences per second over the measure phase. */
  throughput: number | null;
}

const watts = (gs: readonly GpuInfo[]) =>
  gs.flatMap((g) =>
    typeof g.powerDrawW === 'number' && Number.isFinite(g.powerDrawW) ? [g.powerDrawW] : [],
  );
const mean = (xs: readonly number[]) =>
  xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length;

function none(input: EnergyInput, note: string, idleW: number | null = null): BenchEnergy {
  return {
    attributed: false,
    method: null,
    gpuIndex: input.gpuIndex,
    idleW,
    activeW: null,
    netW: null,
    joulesPerInference: null,
    note,
  };
}

/** The energy figure of one run. */
export function energyFigures(input: EnergyInput): BenchEnergy {
  if (input.provider === 'cpu') {
    return none(
      { ...input, gpuIndex: null },
      'GPU energy not attributed: the run used the CPU provider',
    );
  }
  if (input.gpuIndex === null) return none(input, 'no NVIDIA GPU reading: energy unknown');
  const idleW = mean(watts(input.idle));
  let activeW: number | null = null;
  let method: BenchEnergy['method'] = null;
  const e0 = input.start?.gpu.totalEnergyMJ;
  const e1 = input.end?.gpu.totalEnergyMJ;
  const dt = input.start && input.end ? (input.end.at - input.start.at) / 1000 : 0;
  if (typeof e0 === 'number' && typeof e1 === 'number' && e1 >= e0 && dt > 0) {
    activeW = (e1 - e0) / 1000 / dt;
    method = 'nvml-energy-counter';
  } else {
    activeW = mean(watts(input.during));
    if (activeW !== null) method = 'power-samples';
  }
  if (activeW === null) return none(input, 'the GPU reported no power or energy', idleW);
  if (idleW === null) {
    return {
      ...none(input, 'no idle power reading before the run: energy not attributed', null),
      activeW,
      method,
    };
  }
  const how =
    method === 'nvml-energy-counter'
      ? "NVML's total-energy counter over the measure phase"
      : 'fallback: 4 Hz power samples averaged (this GPU or source has no energy counter)';
  // A run that drew no more than the baseline has no energy of its own to tell: the GPU was still
  // settling from earlier work when the baseline was read (seen on an H100: 125.8 W "idle" just
  // after another benchmark, 118.6 W during a light run). Zero joules would be a false figure.
  if (activeW <= idleW) {
    return {
      ...none(
        input,
        `no energy attributed: the GPU drew ${activeW.toFixed(1)} W during the run, no more than the ${idleW.toFixed(1)} W baseline read just before it (the GPU was still settling from earlier work, or this run's share is below what the reading can tell)`,
        idleW,
      ),
      activeW,
      method,
    };
  }
  const netW = activeW - idleW;
  return {
    attributed: true,
    method,
    gpuIndex: input.gpuIndex,
    idleW,
    activeW,
    netW,
    joulesPerInference:
      input.throughput !== null && input.throughput > 0 ? netW / input.throughput : null,
    note: `${how}, minus the idle baseline (${idleW.toFixed(1)} W) measured just before the run`,
  };
}
