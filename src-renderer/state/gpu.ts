/**
 * GPU telemetry: the latest snapshot and a short history per GPU (the last GPU_HISTORY readings)
 * for the live charts. Samples arrive from gpu:snapshot when the GPU area opens and then as
 * gpu:sample events while gpu:watch is on.
 */
import { create } from 'zustand';
import type { GpuInfo, GpuSnapshot } from '../../src-main/ipc/contract';
import type { AppErrorData } from '../../src-main/shared/errors';
import type { RendererApi } from '../api/types';

/** How many readings each chart keeps: at 2 Hz, the last half minute. */
export const GPU_HISTORY = 60;

/** Sampling rate asked of gpu:watch, in Hz. */
export const GPU_WATCH_HZ = 2;

/** One reading of one GPU, reduced to what the charts draw. */
export interface GpuSample {
  at: number;
  powerW: number | null;
  powerLimitW: number | null;
  utilPct: number | null;
  memUsedMiB: number | null;
  tempC: number | null;
  smMHz: number | null;
}

export interface GpuState {
  snapshot: GpuSnapshot | null;
  /** Readings by GPU key (uuid, or index when the GPU has none), oldest first. */
  history: Record<string, GpuSample[]>;
  watching: boolean;
  error: AppErrorData | null;
}

const initial: GpuState = { snapshot: null, history: {}, watching: false, error: null };

export const useGpuStore = create<GpuState>()(() => initial);

/** A stable key for a GPU across samples. */
export function gpuKey(gpu: GpuInfo): string {
  return gpu.uuid ?? `index-${gpu.index}`;
}

/** The chart values of one GPU reading. */
export function sampleFromInfo(gpu: GpuInfo, at: number): GpuSample {
  return {
    at,
    powerW: gpu.powerDrawW,
    powerLimitW: gpu.powerLimit.enforcedW ?? gpu.powerLimit.currentW,
    utilPct: gpu.utilizationGpuPct,
    memUsedMiB: gpu.memoryUsedMiB,
    tempC: gpu.temperatureC,
    smMHz: gpu.clocks.smMHz,
  };
}

/**
 * Appends a reading, keeping the last `capacity`. A reading not newer than the last one is dropped:
 * the snapshot taken when the area opens can race the first watch sample.
 */
export function appendSample(
  samples: readonly GpuSample[],
  sample: GpuSample,
  capacity = GPU_HISTORY,
): GpuSample[] {
  const last = samples[samples.length - 1];
  if (last !== undefined && sample.at <= last.at) return samples as GpuSample[];
  const next = [...samples, sample];
  return next.length > capacity ? next.slice(next.length - capacity) : next;
}

/** A gpu:snapshot answer or a gpu:sample event arrived. */
export function gpuSampleReceived(snapshot: GpuSnapshot): void {
  useGpuStore.setState((state) => {
    const history: Record<string, GpuSample[]> = {};
    for (const gpu of snapshot.gpus) {
      const key = gpuKey(gpu);
      history[key] = appendSample(
        state.history[key] ?? [],
        sampleFromInfo(gpu, snapshot.sampledAt),
      );
    }
    return { snapshot, history, error: null };
  });
}

/** gpu:snapshot or gpu:watch failed. */
export function gpuFailed(error: AppErrorData): void {
  useGpuStore.setState({ error });
}

/**
 * The GPU area opened: read once now and ask for live samples. Both requests go out at once, so a
 * close that follows quickly is always sent after this open's watch-on and wins.
 */
export async function gpuAreaOpened(api: RendererApi): Promise<void> {
  const [snapshot, watch] = await Promise.all([
    api.invoke('gpu:snapshot', {}),
    api.invoke('gpu:watch', { on: true, hz: GPU_WATCH_HZ }),
  ]);
  if (snapshot.ok) gpuSampleReceived(snapshot.value);
  else gpuFailed(snapshot.error);
  if (watch.ok) useGpuStore.setState({ watching: watch.value.on });
  else gpuFailed(watch.error);
}

/** The GPU area closed: stop sampling so the main side does not poll NVML for nobody. */
export async function gpuAreaClosed(api: RendererApi): Promise<void> {
  const watch = await api.invoke('gpu:watch', { on: false });
  if (watch.ok) useGpuStore.setState({ watching: watch.value.on });
  else gpuFailed(watch.error);
}

/** Back to the first state (tests). */
export function resetGpuStore(): void {
  useGpuStore.setState(initial, true);
}
