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

/** How long the idle baseline is read before the run (ms), at the monitor's 4 Hz: its window. */
export const IDLE_BASELINE_MS = 1000;
/**
 * The longest the baseline waits for the GPU's power to settle (ms). A GPU just out of another
 * benchmark draws far above its idle for seconds (an H100: 119–126 W "idle" right after a run,
 * 75 W settled), and a baseline read then leaves the run's own energy understated or nil. The
 * baseline is the last {@link IDLE_BASELINE_MS} window once two windows in a row agree within
 * {@link IDLE_SETTLED_W} or {@link IDLE_SETTLED_SHARE}; past this, the last window, said in notes.
 */
export const IDLE_SETTLE_MAX_MS = 8000;
/** Two baseline windows whose mean power differs by at most this many watts are settled... */
export const IDLE_SETTLED_W = 2;
/** ...or by at most this share of the earlier one. */
export const IDLE_SETTLED_SHARE = 0.03;

/**
 * Whether the readings so far have settled: the last two windows of `perWindow` power readings
 * agree; null while there are not two windows yet.
 */
export function idleSettled(watts: readonly number[], perWindow: number): boolean | null {
  if (watts.length < 2 * perWindow) return null;
  const avg = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const last = avg(watts.slice(-perWindow));
  const prev = avg(watts.slice(-2 * perWindow, -perWindow));
  return Math.abs(last - prev) <= Math.max(IDLE_SETTLED_W, IDLE_SETTLED_SHARE * prev);
}
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
  #idleNote: string | null = null;
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

  /**
   * Reads the idle baseline — at 4 Hz until the power has settled (two IDLE_BASELINE_MS windows
   * agree) or IDLE_SETTLE_MAX_MS passed; the last window is the baseline — and the reading before
   * the run.
   */
  async before(): Promise<void> {
    const first = await this.#read();
    if (!first) return;
    this.#before = first.gpu;
    const gpu = this.#gpu as WatchedGpu;
    const perWindow = Math.max(1, Math.round((IDLE_BASELINE_MS / 1000) * HZ));
    const seen: GpuInfo[] = [];
    const watts = () =>
      seen.map((g) => g.powerDrawW).filter((w): w is number => typeof w === 'number');
    const startedAt = Date.now();
    const settled = await new Promise<boolean | null>((resolve) => {
      let done = false;
      let stop: (() => void) | null = null;
      let timer: NodeJS.Timeout | null = null;
      const finish = (v: boolean | null) => {
        if (done) return;
        done = true;
        stop?.();
        if (timer) clearTimeout(timer);
        resolve(v);
      };
      stop = gpu.watch(HZ, (s) => {
        const g = s.gpus.find((x) => x.index === this.#index);
        if (!g) return;
        seen.push(g);
        const w = watts();
        // No power reading at all: one window is all there is to have.
        if (w.length === 0 && seen.length >= perWindow) return finish(null);
        if (idleSettled(w, perWindow)) finish(true);
      });
      if (done) stop();
      timer = setTimeout(() => finish(idleSettled(watts(), perWindow)), IDLE_SETTLE_MAX_MS);
      if (done) clearTimeout(timer);
    });
    this.#idle = seen.slice(-perWindow);
    if (this.#idle.length === 0) this.#idle.push(first.gpu);
    const w = watts();
    if (settled === false && w.length > 0) {
      this.#idleNote = `the GPU's power had not settled to idle after ${Math.round((Date.now() - startedAt) / 1000)} s (from ${(w[0] as number).toFixed(1)} to ${(w[w.length - 1] as number).toFixed(1)} W): the baseline is the last second, so the run's own energy may be understated`;
    }
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
    const notes: string[] = this.#idleNote ? [this.#idleNote] : [];
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
