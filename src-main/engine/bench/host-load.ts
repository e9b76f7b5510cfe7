/**
 * Other load on the machine while a benchmark measures: how many cores other processes kept busy,
 * from the system's CPU times (os.cpus(), every platform) minus this process's own CPU time
 * (process.cpuUsage(), all its threads — ORT's pool included), over the measure phase's wall
 * time; plus the 1-minute load average at start and end where the platform has one (not Windows).
 */
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import type { BenchConditions } from '../../ipc/contract';

/** A point to measure from. */
export interface HostLoadMark {
  busyMs: number;
  ownMs: number;
  at: number;
  loadAvg: number | null;
  cores: number;
}

/** Below this wall time the CPU tick counters (10 ms granularity) cannot say much: null. */
export const MIN_HOST_WINDOW_MS = 250;

/** The system's busy CPU time (all cores) in ms. */
function busyMs(): number {
  let busy = 0;
  for (const c of os.cpus()) busy += c.times.user + c.times.nice + c.times.sys + c.times.irq;
  return busy;
}

function loadAvg(): number | null {
  // Windows answers [0, 0, 0]: not a load average.
  return process.platform === 'win32' ? null : (os.loadavg()[0] ?? null);
}

/** Marks the start of the window. */
export function markHostLoad(): HostLoadMark {
  const u = process.cpuUsage();
  return {
    busyMs: busyMs(),
    ownMs: (u.user + u.system) / 1000,
    at: performance.now(),
    loadAvg: loadAvg(),
    cores: os.cpus().length,
  };
}

/** The host conditions between `start` and `end` (pure). */
export function hostLoadBetween(
  start: HostLoadMark,
  end: HostLoadMark,
): NonNullable<BenchConditions['host']> {
  const wall = end.at - start.at;
  const own = Math.max(0, end.ownMs - start.ownMs);
  const busy = Math.max(0, end.busyMs - start.busyMs);
  const known = wall >= MIN_HOST_WINDOW_MS;
  return {
    cores: start.cores,
    loadAvgStart: start.loadAvg,
    loadAvgEnd: end.loadAvg,
    otherCores: known ? Math.max(0, busy - own) / wall : null,
    ownCores: known ? own / wall : null,
  };
}
