/**
 * What the main side watches around one benchmark, and what it makes of it: the GPU's idle power
 * just before the run (the energy baseline), a reading as the measure phase starts and one as it
 * ends (temperature, power, SM clock, throttle reasons, NVML's energy counter), 4 Hz readings in
 * between; then the result's power, energy, conditions and validity verdict.
 *
 * Only GPU-provider runs watch the GPU: a CPU-provider run is never credited with the GPU board's
 * watts (its power is null and its energy says "GPU energy not attributed"). The GPU watched is
 * the provider's device 0 as NVML numbers it; with several GPUs a note says which one was read.
 */
import type {
  BenchConditions,
  BenchEnergy,
  BenchResult,
  BenchVerdict,
  GpuInfo,
  GpuSnapshot,
  ProviderId,
} from '../../ipc/contract';
import { energyFigures, type TimedGpu } from './energy';
import type { LatencyStats } from './stats';
import { benchVerdict, gpuConditions, type PERCENTILES } from './verdict';

/** The GPU monitor as the watch uses it (services' GpuSource, gpu/monitor's GpuMonitor). */
export interface WatchedGpu {
  snapshot(): Promise<GpuSnapshot>;
  watch(hz: number, listener: (s: GpuSnapshot) => void): () => void;
}

/** How long the idle baseline is read before the run (ms), at the monitor's 4 Hz. */
export const IDLE_BASELINE_MS = 1000;
/** The monitor's highest rate. */
const HZ = 4;

/** The figures the watch adds to a result. */
export interface WatchFigures {
  power: BenchResult['power'];
  energy: BenchEnergy;
  conditions: BenchConditions;
  verdict: BenchVerdict;
  notes: string[];
}

/** The part of the engine's figures the watch needs. */
export interface WatchedRun {
  iterations: number;
  latencyMs: LatencyStats | null;
  throughput: number | null;
  /** The engine host's load over the measure phase (engine/bench/host-load.ts). */
  host?: BenchConditions['host'];
}

/** One benchmark's watch: before() → progress(phase) while it runs → finish(figures). */
export class BenchWatch {
  readonly #gpu: WatchedGpu | null;
  readonly #provider: ProviderId;
  readonly #index: number;
  #idle: GpuInfo[] = [];
  #before: GpuInfo | null = null;
  #start: TimedGpu | null = null;
  #end: Promise<TimedGpu | null> | null = null;
  #startRead: Promise<void> | null = null;
  readonly #during: GpuInfo[] = [];
  #stop: (() => void) | null = null;
  #gpuCount = 0;

  /** `gpu` null (or a CPU-provider run): nothing is read from the GPU. */
  constructor(gpu: WatchedGpu | null, provider: ProviderId, index = 0) {
    this.#gpu = provider === 'cpu' ? null : gpu;
    this.#provider = provider;
    this.#index = index;
  }

  async #read(): Promise<TimedGpu | null> {
    if (!this.#gpu) return null;
    const s = await this.#gpu.snapshot().catch(() => null);
    this.#gpuCount = s?.gpus.length ?? this.#gpuCount;
    const g = s?.gpus.find((x) => x.index === this.#index);
    return g && s ? { at: s.sampledAt, gpu: g } : null;
  }

  /** Reads the idle baseline (IDLE_BASELINE_MS at 4 Hz) and the reading before the run. */
  async before(): Promise<void> {
    const first = await this.#read();
    if (!first) return;
    this.#before = first.gpu;
    const gpu = this.#gpu as WatchedGpu;
    await new Promise<void>((resolve) => {
      const stop = gpu.watch(HZ, (s) => {
        const g = s.gpus.find((x) => x.index === this.#index);
        if (g) this.#idle.push(g);
      });
      setTimeout(() => {
        stop();
        resolve();
      }, IDLE_BASELINE_MS);
    });
    if (this.#idle.length === 0) this.#idle.push(first.gpu);
  }

  /** Follows the benchmark's phases: readings while measuring, one at each end. */
  progress(phase: string): void {
    if (!this.#gpu) return;
    if (phase === 'measure' && !this.#stop && !this.#end) {
      this.#startRead = this.#read().then((r) => {
        this.#start = r;
      });
      this.#stop = this.#gpu.watch(HZ, (s) => {
        const g = s.gpus.find((x) => x.index === this.#index);
        if (g) this.#during.push(g);
      });
    }
    if (phase === 'done') this.stop();
  }

  /** Stops the readings (the run ended or failed); the last reading is taken now. */
  stop(): void {
    this.#stop?.();
    this.#stop = null;
    if (this.#gpu && this.#startRead && !this.#end) this.#end = this.#read();
  }

  /** The result's power, energy, conditions and verdict. */
  async finish(run: WatchedRun, percentile: keyof typeof PERCENTILES): Promise<WatchFigures> {
    this.stop();
    await this.#startRead;
    const end = (await this.#end) ?? null;
    const notes: string[] = [];
    let gpu: BenchConditions['gpu'] = null;
    if (this.#gpu && (this.#before || end)) {
      gpu = gpuConditions(this.#index, this.#before, this.#during, end?.gpu ?? null);
      if (this.#gpuCount > 1) {
        notes.push(
          `GPU ${this.#index} (${gpu.name}) was read for power and clocks: the provider's device 0; ${this.#gpuCount} GPUs here`,
        );
      }
    }
    const conditions: BenchConditions = { gpu, host: run.host ?? null };
    const energy = energyFigures({
      provider: this.#provider,
      gpuIndex: gpu ? this.#index : null,
      idle: this.#idle,
      start: this.#start,
      end,
      during: this.#during,
      throughput: run.throughput,
    });
    return {
      power: this.#gpu ? powerOf(this.#during, run.throughput) : null,
      energy,
      conditions,
      verdict: benchVerdict({
        provider: this.#provider,
        iterations: run.iterations,
        latencyMs: run.latencyMs,
        percentile,
        conditions,
      }),
      notes,
    };
  }
}

/** Average and peak board power while measuring; inferences per joule of the whole board. */
function powerOf(during: readonly GpuInfo[], throughput: number | null): BenchResult['power'] {
  const watts = during.flatMap((g) =>
    typeof g.powerDrawW === 'number' && Number.isFinite(g.powerDrawW) ? [g.powerDrawW] : [],
  );
  if (watts.length === 0 || throughput === null) return null;
  const avgW = watts.reduce((a, b) => a + b, 0) / watts.length;
  return {
    avgW,
    peakW: Math.max(...watts),
    inferencesPerJoule: avgW > 0 ? throughput / avgW : 0,
  };
}
