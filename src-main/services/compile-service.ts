/**
 * The compile side composed: the compile queue (services/compile-queue.ts: jobs, progress,
 * cancel, status chips), the cache service (services/cache-service.ts: list/clear, cache:changed,
 * the deep check at start-up and before use) and the provider install
 * (services/provider-install.ts). The app (compose.ts) and the headless use-cases (headless.ts)
 * build it the same way; each part answers its own channels.
 */
import type { GpuSnapshot, Settings } from '../ipc/contract';
import type { CompatibilityFor } from '../engine/cache/cache';
import type { SpawnWorker } from '../engine/compile/runner';
import { CacheService, engineSettled, type CompiledSink } from './cache-service';
import { CompileQueue } from './compile-queue';
import type { Handlers } from './dispatch';
import type { EventBus } from './events';
import { ProviderInstall } from './provider-install';
import type { LibrarySource } from './services';

export type { CompiledArtifact } from '../engine/cache/view';
export type { CompiledSink } from './cache-service';

/** What the compile side needs. */
export interface CompileSideDeps {
  bus: EventBus;
  library: LibrarySource;
  engine: CompiledSink;
  gpu: { snapshot(): Promise<GpuSnapshot> };
  cacheDir: string;
  storesDir: string;
  /** Where archives are installed: <userData>/providers/trt-rtx. */
  trtRtxInstallDir: string;
  settings: { get(): Settings; set(patch: Partial<Settings>): Promise<Settings> };
  spawnWorker: SpawnWorker;
  /** ORT's GetModelCompatibilityForEpDevices through the engine host (see CacheService). */
  compatibility?: CompatibilityFor;
  env?: NodeJS.ProcessEnv;
  /** How often a running job's elapsed time is pushed (ms). */
  tickMs?: number;
  notice?: (message: string) => void;
}

/** The three parts, started and stopped together. */
export interface CompileSide {
  queue: CompileQueue;
  cache: CacheService;
  install: ProviderInstall;
  /**
   * Start-up: old temp folders swept and estimates loaded, then (once the engine says which ORT it
   * runs) every cache entry checked deeply and the valid ones handed to the engine service. A
   * short-lived process beside the app (the CLI) passes `{ sweep: false, deep: false }`: it leaves
   * the app's job folders alone and hashes only the entry it uses (before use, as always).
   */
  open(opts?: { sweep?: boolean; deep?: boolean }): Promise<void>;
  /** Stops the running job (its worker is killed, its output removed). */
  close(): Promise<void>;
  /** Every compile:*, cache:* and providers:install-trt-rtx channel. */
  handlers(): ReturnType<CompileQueue['handlers']> &
    ReturnType<CacheService['handlers']> &
    Pick<Handlers, 'providers:install-trt-rtx'>;
}

/** Builds the compile side over the given engine service, library and folders. */
export function composeCompile(deps: CompileSideDeps): CompileSide {
  const install = new ProviderInstall({
    trtRtxInstallDir: deps.trtRtxInstallDir,
    settings: deps.settings,
    spawnWorker: deps.spawnWorker,
    gpu: deps.gpu,
    env: deps.env,
  });
  const trtRtxLibrary = (): string | null => {
    try {
      return install.epLibrary('nv-tensorrt-rtx')?.path ?? null;
    } catch {
      return null; // not installed: no EP version in the key
    }
  };
  const cache = new CacheService({
    bus: deps.bus,
    library: deps.library,
    engine: deps.engine,
    gpu: deps.gpu,
    cacheDir: deps.cacheDir,
    trtRtxLibrary,
    compatibility: deps.compatibility,
    notice: deps.notice,
  });
  const queue = new CompileQueue({
    bus: deps.bus,
    library: deps.library,
    engine: deps.engine,
    cache,
    install,
    storesDir: deps.storesDir,
    settings: deps.settings,
    spawnWorker: deps.spawnWorker,
    tickMs: deps.tickMs,
  });
  return {
    queue,
    cache,
    install,
    async open(opts = {}) {
      await queue.open({ sweep: opts.sweep });
      await engineSettled(deps.engine);
      await cache.open(opts.deep ?? true);
    },
    close: () => queue.close(),
    handlers: () => ({ ...queue.handlers(), ...cache.handlers(), ...install.handlers() }),
  };
}
