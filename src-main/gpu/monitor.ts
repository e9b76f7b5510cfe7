/**
 * The GPU monitor the services, CLI and benchmarks use: one snapshot on demand, or live samples
 * at 1–4 Hz while at least one listener watches. Sources in order: NVML, then nvidia-smi, then the
 * 'none' state with a reason a user can act on. Sampling stops when the last listener leaves.
 */
import type { GpuSnapshot } from '../ipc/contract';
import { AppError } from '../shared/errors';
import { NvidiaSmiNotFound, NvidiaSmiSource } from './nvidia-smi';
import { openNvml } from './nvml';
import type { NvmlSource } from './nvml';
import { withPowerAdvice } from './power';

/** Options, mostly for tests and for users with unusual installs. */
export interface GpuMonitorOptions {
  /** NVML library path, or false to skip NVML. Default: CRUCIBLE_NVML_PATH, then the driver's places. */
  nvmlPath?: string | false;
  /** nvidia-smi path, or false to skip it. Default: CRUCIBLE_NVIDIA_SMI, then PATH (and on Windows the driver's places). */
  nvidiaSmiPath?: string | false;
  /** Environment to read CRUCIBLE_* from; process.env by default. */
  env?: NodeJS.ProcessEnv;
  /** Per nvidia-smi call (default 5000 ms). */
  nvidiaSmiTimeoutMs?: number;
  /** How long a 'none' verdict stands before the sources are probed again (default 10 s). */
  reprobeMs?: number;
}

/** A live view of the machine's NVIDIA GPUs. */
export interface GpuMonitor {
  /** One reading now. Never rejects for a missing GPU or driver: that is source 'none'. */
  snapshot(): Promise<GpuSnapshot>;
  /** Samples at `hz` (clamped to 1–4) until the returned function is called. */
  watch(hz: number, listener: (s: GpuSnapshot) => void): () => void;
  /** Stops sampling and releases NVML. */
  close(): void;
}

type Active =
  | { kind: 'nvml'; source: NvmlSource }
  | { kind: 'nvidia-smi'; source: NvidiaSmiSource }
  | { kind: 'none'; reason: string; at: number };

/** Clamps a requested sampling rate to what the monitor offers (1–4 Hz). */
export function clampHz(hz: number): number {
  if (!Number.isFinite(hz)) return 1;
  return Math.min(4, Math.max(1, hz));
}

function phrase(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  const trimmed = text.replace(/\.\s*$/, '');
  // Lower-case a leading word ("The NVIDIA driver's …") but not an acronym ("NVML could not …").
  return /^[A-Z][a-z]/.test(trimmed) ? trimmed.charAt(0).toLowerCase() + trimmed.slice(1) : trimmed;
}

/** Creates a monitor. Nothing is loaded or run until the first snapshot or watch. */
export function createGpuMonitor(opts: GpuMonitorOptions = {}): GpuMonitor {
  const env = opts.env ?? process.env;
  const reprobeMs = opts.reprobeMs ?? 10_000;
  let active: Active | null = null;
  let inflight: Promise<GpuSnapshot> | null = null;
  let closed = false;
  const listeners = new Map<(s: GpuSnapshot) => void, number>();
  let loopRunning = false;
  let timer: NodeJS.Timeout | null = null;

  function none(reason: string, driverVersion: string | null = null): GpuSnapshot {
    return {
      source: 'none',
      reason,
      driverVersion,
      cudaDriverVersion: null,
      gpus: [],
      sampledAt: Date.now(),
    };
  }

  // Tries each source in order; returns the first that works and, when the probe itself produced
  // a reading (nvidia-smi), that reading so it is not run twice.
  async function probe(): Promise<{ active: Active; first: GpuSnapshot | null }> {
    const why: string[] = [];
    if (opts.nvmlPath !== false) {
      try {
        const source = await openNvml({
          ...(opts.nvmlPath ? { libraryPath: opts.nvmlPath } : {}),
          env,
        });
        return { active: { kind: 'nvml', source }, first: null };
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        why.push(phrase(err));
      }
    }
    if (opts.nvidiaSmiPath !== false) {
      const source = new NvidiaSmiSource({
        ...(opts.nvidiaSmiPath ? { executable: opts.nvidiaSmiPath } : {}),
        env,
        ...(opts.nvidiaSmiTimeoutMs ? { timeoutMs: opts.nvidiaSmiTimeoutMs } : {}),
      });
      try {
        const reading = await source.sample();
        const first: GpuSnapshot = {
          source: 'nvidia-smi',
          reason: null,
          ...reading,
          sampledAt: Date.now(),
        };
        return { active: { kind: 'nvidia-smi', source }, first };
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        const explicit = opts.nvidiaSmiPath || env.CRUCIBLE_NVIDIA_SMI;
        why.push(
          err instanceof NvidiaSmiNotFound && !explicit ? 'nvidia-smi is not on PATH' : phrase(err),
        );
      }
    }
    const reason =
      why.length === 0
        ? 'No NVIDIA GPU found: GPU telemetry is turned off (no NVML library and no nvidia-smi configured).'
        : `No NVIDIA GPU found: ${why.join('; and ')}. Install or update the NVIDIA driver (nvidia.com/drivers).`;
    return { active: { kind: 'none', reason, at: Date.now() }, first: null };
  }

  function release(): void {
    if (active?.kind === 'nvml') active.source.close();
    active = null;
  }

  async function read(): Promise<GpuSnapshot> {
    for (let attempt = 0; attempt < 2; attempt++) {
      if (active?.kind === 'none' && Date.now() - active.at >= reprobeMs) active = null;
      let first: GpuSnapshot | null = null;
      if (active === null) {
        const probed = await probe();
        if (closed) {
          if (probed.active.kind === 'nvml') probed.active.source.close();
          throw new Error('GPU monitor closed while probing');
        }
        active = probed.active;
        first = probed.first;
      }
      const current: Active = active;
      if (current.kind === 'none') return none(current.reason);
      try {
        const snap: GpuSnapshot =
          first ??
          ({
            source: current.kind,
            reason: null,
            ...(await current.source.sample()),
            sampledAt: Date.now(),
          } satisfies GpuSnapshot);
        if (snap.gpus.length === 0) {
          return none(
            `No NVIDIA GPU found: the NVIDIA driver${snap.driverVersion ? ` ${snap.driverVersion}` : ''} is installed but reports no GPU (${current.kind}).`,
            snap.driverVersion,
          );
        }
        return snap;
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        // The source worked before and fails now (driver reloaded, GPU lost): start over once.
        release();
        if (attempt === 1) return none(`GPU telemetry stopped: ${phrase(err)}.`);
      }
    }
    throw new Error('unreachable');
  }

  function snapshot(): Promise<GpuSnapshot> {
    if (closed) return Promise.reject(new Error('GPU monitor used after close()'));
    // Overlapping callers (UI, watch loop, CLI) share one reading instead of queueing several.
    // Every GPU leaves with its power limit in words (gpu/power.ts), for the GPU area and the CLI.
    inflight ??= read()
      .then(withPowerAdvice)
      .finally(() => {
        inflight = null;
      });
    return inflight;
  }

  function currentHz(): number {
    let hz = 1;
    for (const h of listeners.values()) hz = Math.max(hz, h);
    return hz;
  }

  async function tick(): Promise<void> {
    timer = null;
    const started = Date.now();
    let snap: GpuSnapshot | null = null;
    try {
      snap = await snapshot();
    } catch (err) {
      if (!closed) console.error('[gpu] sampling failed:', err);
    }
    if (snap) {
      for (const listener of [...listeners.keys()]) {
        try {
          listener(snap);
        } catch (err) {
          console.error('[gpu] a sample listener threw:', err);
        }
      }
    }
    if (closed || listeners.size === 0) {
      loopRunning = false;
      return;
    }
    const period = 1000 / currentHz();
    timer = setTimeout(() => void tick(), Math.max(0, period - (Date.now() - started)));
  }

  function watch(hz: number, listener: (s: GpuSnapshot) => void): () => void {
    if (closed) throw new Error('GPU monitor used after close()');
    listeners.set(listener, clampHz(hz));
    if (!loopRunning) {
      loopRunning = true;
      timer = setTimeout(() => void tick(), 0);
    }
    return () => {
      listeners.delete(listener);
      if (listeners.size === 0 && timer) {
        clearTimeout(timer);
        timer = null;
        loopRunning = false;
      }
    };
  }

  function close(): void {
    if (closed) return;
    closed = true;
    listeners.clear();
    if (timer) clearTimeout(timer);
    timer = null;
    loopRunning = false;
    // An in-flight NVML reading finishes on koffi's threads before shutdown would matter; wait
    // for it so nvmlShutdown never races a query.
    const pending = inflight;
    if (pending) void pending.catch(() => undefined).finally(release);
    else release();
  }

  return { snapshot, watch, close };
}
