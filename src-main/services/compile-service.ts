/**
 * The compile queue and the compile cache behind the contract (compile:*, cache:*,
 * providers:install-trt-rtx). Jobs run one at a time (a GPU builds one engine at a time well),
 * each in its own worker process; the service keeps their state, streams it as compile:progress,
 * seals finished output into the cache, learns estimates, keeps the status chips, and tells the
 * engine service about compiled models so the next run switches over.
 */
import { randomBytes } from 'node:crypto';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type {
  CacheEntry,
  CompileJob,
  CompileOptions,
  EngineStatus,
  GpuSnapshot,
  ModelEntry,
  ModelProviderStatus,
  ProviderId,
  Settings,
} from '../ipc/contract';
import {
  CompileCache,
  type CompatibilityFor,
  type CheckedEntry,
  type MachineFor,
} from '../engine/cache/cache';
import { libraryVersion } from '../engine/cache/hash';
import { machineFactsFor, optionsHash, requireMachineFacts } from '../engine/cache/key';
import { sealCompile } from '../engine/compile/entry';
import { EstimateStore } from '../engine/compile/estimates';
import type { CompileSpec } from '../engine/compile/protocol';
import { probeEpLibrary, runCompileWorker, type SpawnWorker } from '../engine/compile/runner';
import { PROVIDERS } from '../engine/providers/catalog';
import { installTrtRtxFromArchive } from '../engine/providers/install';
import { requireAvailableProvider } from '../ipc/providers';
import { buildProviderOptions, resolveEntryPaths } from '../engine/providers/options';
import { findTrtRtxLibrary } from '../engine/providers/trt-rtx';
import { AppError, toErrorData } from '../shared/errors';
import { requireModel } from './model-library';
import type { Handlers } from './dispatch';
import type { EventBus } from './events';
import type { LibrarySource } from './services';

/** A compiled model the engine service can load instead of the original. */
export interface CompiledArtifact {
  entryId: string;
  modelId: string;
  provider: ProviderId;
  /** The file a session loads (absolute). */
  modelPath: string;
  /** Provider options with entry paths made absolute. */
  providerOptions: Record<string, string>;
  graphOptimizationLevel: 'disabled' | 'basic' | 'extended' | 'all';
  /** The dims it was compiled for; runs with other dims use the original model. */
  dims: Record<string, number>;
  createdAt: number;
}

/** What the compile service needs from the engine service. */
export interface CompiledSink {
  status(): EngineStatus;
  onChange(listener: (s: EngineStatus) => void): () => void;
  /** A compiled model is ready; `announce` = a job just made it (switch over on the next run). */
  useCompiled(artifact: CompiledArtifact, announce: boolean): void;
  /** These entries are gone (cleared, found stale): stop using them. */
  forgetCompiled(entryIds: readonly string[]): void;
}

export interface CompileServiceDeps {
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
  /**
   * Asks an entry's provider whether its compiled model fits this machine (ORT's
   * GetModelCompatibilityForEpDevices in the engine host); an "unsupported" answer makes it stale.
   */
  compatibility?: CompatibilityFor;
  env?: NodeJS.ProcessEnv;
  /** How often a running job's elapsed time is pushed (ms). */
  tickMs?: number;
  notice?: (message: string) => void;
}

interface JobRecord {
  job: CompileJob;
  modelName: string;
  options: CompileOptions;
  optionsHash: string;
  abort: AbortController;
  /** Settles when the job has finished, failed or been cancelled, its temp folder gone. */
  settled: Promise<void>;
  settle: () => void;
}

/** The compile queue, the cache and their channels. */
export class CompileService {
  readonly cache: CompileCache;
  private readonly estimates: EstimateStore;
  private readonly jobs: JobRecord[] = [];
  private running: JobRecord | null = null;
  private entries: CheckedEntry[] = [];
  private readonly epVersions = new Map<string, string>();
  private closed = false;
  private pumping: Promise<void> = Promise.resolve();
  /** Jobs wait for start-up's sweep of old temp folders, so it never removes theirs. */
  private readonly swept: Promise<void>;
  private markSwept = () => {};

  constructor(private readonly deps: CompileServiceDeps) {
    this.cache = new CompileCache(deps.cacheDir);
    this.estimates = new EstimateStore(deps.storesDir);
    this.swept = new Promise((resolve) => (this.markSwept = resolve));
  }

  /**
   * Start-up: removes temp folders a crash left, loads estimates, checks every cache entry against
   * this machine (hashes, no session) and hands the valid ones to the engine service.
   */
  async open(): Promise<void> {
    try {
      await this.cache.sweep();
      await this.estimates.open();
    } finally {
      this.markSwept();
    }
    await this.engineSettled();
    await this.refreshEntries(true);
    for (const e of this.entries) {
      if (e.state !== 'valid') {
        this.deps.notice?.(`Compile cache entry ${e.id} is ${e.state}: ${e.reason ?? ''}`);
      }
    }
    this.emitStatuses();
  }

  /** Stops the running job (its worker is killed, its output removed). */
  async close(): Promise<void> {
    this.closed = true;
    for (const r of this.jobs) if (r.job.state === 'queued') this.finish(r, 'cancelled', null);
    if (this.running) {
      this.running.abort.abort();
      await this.running.settled;
    }
  }

  /** Resolves when no job is queued or running (tests, the CLI). */
  async idle(): Promise<void> {
    while (this.running || this.jobs.some((r) => r.job.state === 'queued')) await this.pumping;
  }

  list(): CompileJob[] {
    return [...this.jobs].reverse().map((r) => r.job);
  }

  /** Queues a compile; an identical job already waiting or running is returned instead. */
  async enqueue(
    modelId: string,
    provider: ProviderId,
    options: CompileOptions,
  ): Promise<CompileJob> {
    if (this.closed) throw new AppError('UNSUPPORTED', 'the compile queue is shutting down');
    const model = this.model(modelId);
    requireAvailableProvider(this.deps.engine.status().providers, provider);
    // Built now so a bad choice (a range that misses its size) fails at once, not in the worker.
    buildProviderOptions(provider, options, model.inspection?.inputs ?? []);
    const hash = optionsHash(provider, options);
    const same = this.jobs.find(
      (r) =>
        (r.job.state === 'queued' || r.job.state === 'running') &&
        r.job.modelId === modelId &&
        r.job.provider === provider &&
        r.optionsHash === hash,
    );
    if (same) return same.job;
    let settle = () => {};
    const settled = new Promise<void>((resolve) => (settle = resolve));
    const record: JobRecord = {
      job: {
        id: `c${Date.now().toString(36)}${randomBytes(3).toString('hex')}`,
        modelId,
        provider,
        state: 'queued',
        phase: 'queued',
        subgraph: null,
        percent: null,
        startedAt: null,
        elapsedMs: 0,
        estimateMs: null,
        cacheEntryId: null,
        error: null,
      },
      modelName: model.name,
      options,
      optionsHash: hash,
      abort: new AbortController(),
      settled,
      settle,
    };
    this.jobs.push(record);
    this.emitJob(record);
    this.emitStatuses();
    this.pump();
    return record.job;
  }

  /** Cancels a queued or running job; resolves once its worker is gone and its output removed. */
  async cancel(jobId: string): Promise<boolean> {
    const r = this.jobs.find((x) => x.job.id === jobId);
    if (!r) throw new AppError('NOT_FOUND', `no compile job ${jobId}`);
    if (r.job.state === 'queued') {
      this.finish(r, 'cancelled', null);
      return true;
    }
    if (r.job.state !== 'running') return false;
    r.abort.abort();
    await r.settled;
    return true;
  }

  /**
   * Every cache entry, checked against this machine now by sizes and passports (cheap: the deep
   * hash check of every file runs at start-up and before an entry is used, see verifyEntry).
   */
  async cacheList(): Promise<CacheEntry[]> {
    await this.refreshEntries(false);
    this.emitStatuses();
    return this.entries.map((e) => this.toCacheEntry(e));
  }

  /**
   * The deep check (every file hashed) of one entry right before a session is opened from it:
   * false (and the entry no longer used, the change pushed as cache:changed) when it is not valid.
   */
  async verifyEntry(entryId: string): Promise<boolean> {
    const machine = await this.machine();
    const checked = await this.cache.check(entryId, machine, true, this.deps.compatibility);
    const i = this.entries.findIndex((e) => e.id === entryId);
    const was = i >= 0 ? this.entries[i]?.state : undefined;
    if (i >= 0) this.entries[i] = checked;
    if (checked.state !== 'valid') {
      this.deps.engine.forgetCompiled([entryId]);
      this.deps.notice?.(
        `Compile cache entry ${entryId} is ${checked.state}: ${checked.reason ?? ''}`,
      );
    }
    if (was !== checked.state) {
      this.emitCache();
      this.emitStatuses();
    }
    return checked.state === 'valid';
  }

  /** Removes one entry or all; the engine stops using them. */
  async cacheClear(entryId?: string): Promise<{ removed: number; freedBytes: number }> {
    const ids = entryId === undefined ? await this.cache.ids() : [entryId];
    if (entryId !== undefined) this.cache.dirOf(entryId);
    const out = await this.cache.clear(entryId);
    this.deps.engine.forgetCompiled(ids);
    await this.refreshEntries(false);
    this.emitStatuses();
    return out;
  }

  /** Per model and provider: not compiled, queued, compiling, ready, stale, failed. */
  statuses(): ModelProviderStatus[] {
    const providers = new Set<ProviderId>(
      this.deps.engine
        .status()
        .providers.filter((p) => p.available)
        .map((p) => p.id),
    );
    for (const r of this.jobs) providers.add(r.job.provider);
    for (const e of this.entries) if (e.meta) providers.add(e.meta.key.provider);
    const out: ModelProviderStatus[] = [];
    for (const m of this.deps.library.list()) {
      for (const provider of providers) out.push(this.statusOf(m.id, provider));
    }
    return out;
  }

  /** Installs TensorRT-RTX from a local archive, checks ORT takes it, and remembers the folder. */
  async installTrtRtx(
    archivePath: string,
  ): Promise<{ dir: string; registered: boolean; reason: string | null }> {
    const inst = await installTrtRtxFromArchive(archivePath, this.deps.trtRtxInstallDir);
    const probe = await probeEpLibrary(
      this.deps.spawnWorker,
      inst.library,
      PROVIDERS['nv-tensorrt-rtx'].ortName,
    );
    if (!probe.registered) return { dir: inst.dir, registered: false, reason: probe.reason };
    await this.deps.settings.set({ trtRtxDir: inst.dir });
    return {
      dir: inst.dir,
      registered: true,
      reason:
        probe.devices === 0
          ? 'installed and accepted by ONNX Runtime, but it found no supported GPU here (it needs an Ampere or newer NVIDIA RTX GPU and driver 555.85+)'
          : null,
    };
  }

  /** The channels this service answers. */
  handlers(): Pick<
    Handlers,
    | 'compile:list'
    | 'compile:enqueue'
    | 'compile:cancel'
    | 'compile:status'
    | 'cache:list'
    | 'cache:clear'
    | 'providers:install-trt-rtx'
  > {
    return {
      'compile:list': async () => this.list(),
      'compile:enqueue': async (i) => this.enqueue(i.modelId, i.provider, i.options),
      'compile:cancel': async (i) => ({ cancelled: await this.cancel(i.jobId) }),
      'compile:status': async () => this.statuses(),
      'cache:list': async () => this.cacheList(),
      'cache:clear': async (i) => this.cacheClear(i.entryId),
      'providers:install-trt-rtx': async (i) => this.installTrtRtx(i.archivePath),
    };
  }

  // -------------------------------------------------------------------------------------------

  private model(modelId: string): ModelEntry {
    const model = requireModel(this.deps.library.get(modelId), modelId);
    if (model.error) {
      throw new AppError(
        'MODEL_INVALID',
        `${model.path} cannot be compiled: ${model.error.message}`,
      );
    }
    return model;
  }

  private pump(): void {
    if (this.running || this.closed) return;
    const next = this.jobs.find((r) => r.job.state === 'queued');
    if (!next) return;
    this.running = next;
    this.pumping = this.runJob(next).finally(() => {
      this.running = null;
      this.pump();
    });
  }

  /** The plugin library the compile worker should register for a provider, if any. */
  private epLibrary(provider: ProviderId): { name: string; path: string } | null {
    if (provider !== 'nv-tensorrt-rtx') return null;
    const setting = this.deps.settings.get().trtRtxDir;
    const file = findTrtRtxLibrary({
      ...(this.deps.env ?? process.env),
      ...(setting ? { CRUCIBLE_TRT_RTX_SETTING: setting } : {}),
    });
    if (file) return { name: PROVIDERS[provider].ortName, path: file };
    throw new AppError(
      'PROVIDER_UNAVAILABLE',
      'the TensorRT-RTX provider library is not installed (install it in Settings, or set CRUCIBLE_TRT_RTX_DIR)',
    );
  }

  /** What this machine is now, per provider (see CompileCache.check). */
  private async machine(): Promise<MachineFor> {
    const status = this.deps.engine.status();
    const snapshot = await this.deps.gpu.snapshot().catch(() => null);
    let epVersion: string | null = null;
    try {
      const lib = this.epLibrary('nv-tensorrt-rtx');
      if (lib) {
        const st = await stat(lib.path);
        const memo = `${lib.path}|${st.size}|${st.mtimeMs}`;
        epVersion = this.epVersions.get(memo) ?? (await libraryVersion(lib.path));
        this.epVersions.set(memo, epVersion);
      }
    } catch {
      epVersion = null;
    }
    return (provider) =>
      machineFactsFor(provider, {
        ortVersion: status.ortVersion,
        providers: status.providers,
        snapshot,
        epVersion,
      });
  }

  private async runJob(r: JobRecord): Promise<void> {
    const job = r.job;
    let tmp: string | null = null;
    let timer: NodeJS.Timeout | null = null;
    try {
      await this.swept;
      // A compile queued in the first second must not fail because the engine host is still
      // starting (its hello carries the ORT version and the providers the cache key needs).
      await this.engineSettled();
      const model = this.model(job.modelId);
      const facts = requireMachineFacts((await this.machine())(job.provider));
      const bytes = model.inspection?.sizeBytes ?? 0;
      job.estimateMs = this.estimates.estimate({ provider: job.provider, gpu: facts.gpu, bytes });
      job.state = 'running';
      job.startedAt = Date.now();
      this.emitJob(r);
      this.emitStatuses();
      timer = setInterval(() => {
        job.elapsedMs = Date.now() - (job.startedAt ?? Date.now());
        this.emitJob(r);
      }, this.deps.tickMs ?? 1000);
      timer.unref();
      tmp = await this.cache.createTemp(job.id);
      const providerOptions = buildProviderOptions(
        job.provider,
        r.options,
        model.inspection?.inputs ?? [],
      );
      const spec: CompileSpec = {
        jobId: job.id,
        modelPath: model.path,
        modelSha256: model.id,
        provider: job.provider,
        options: r.options,
        providerOptions,
        outDir: tmp,
        epLibrary: this.epLibrary(job.provider),
      };
      let built = 0;
      const result = await runCompileWorker(
        this.deps.spawnWorker,
        spec,
        {
          onPhase: (phase) => {
            job.phase = phase;
            this.emitJob(r);
          },
          onSubgraphs: (count) => {
            job.subgraph = { index: built, count };
            job.percent = count > 0 ? (100 * built) / count : null;
            this.emitJob(r);
          },
          onSubgraphBuilt: (index) => {
            built = index;
            const count = job.subgraph?.count ?? 0;
            job.subgraph = { index, count };
            // A percentage only from a known count of subgraphs: the one real measure of progress.
            job.percent = count > 0 ? Math.min(100, (100 * index) / count) : null;
            this.emitJob(r);
          },
        },
        r.abort.signal,
        // The overall deadline (Settings): past it the worker is killed and the job reported.
        this.deps.settings.get().compileDeadlineMinutes * 60_000,
      );
      job.phase = 'serializing';
      this.emitJob(r);
      const entry = await sealCompile(this.cache, spec, result, facts, {
        name: model.name,
        optionsHash: r.optionsHash,
        options: r.options,
      });
      tmp = null;
      await this.estimates.record({
        provider: job.provider,
        gpu: facts.gpu,
        bytes,
        ms: result.timings.totalMs,
        at: Date.now(),
      });
      job.cacheEntryId = entry.id;
      job.subgraph = job.subgraph ? { ...job.subgraph, index: job.subgraph.count } : null;
      await this.refreshEntries(false);
      const artifact = this.artifactOf(entry);
      if (artifact) this.deps.engine.useCompiled(artifact, true);
      this.finish(r, 'done', null);
    } catch (err) {
      const data = toErrorData(err);
      if (data.code === 'CANCELLED') this.finish(r, 'cancelled', null);
      else this.finish(r, 'failed', data);
    } finally {
      if (timer) clearInterval(timer);
      if (tmp) await this.cache.removeTemp(tmp);
      r.settle();
    }
  }

  private finish(
    r: JobRecord,
    state: 'done' | 'failed' | 'cancelled',
    error: CompileJob['error'],
  ): void {
    r.job.state = state;
    if (state === 'done') r.job.phase = 'done';
    if (state === 'done' && r.job.subgraph?.count) r.job.percent = 100;
    if (state !== 'done') r.job.percent = null;
    r.job.error = error;
    if (r.job.startedAt !== null) r.job.elapsedMs = Date.now() - r.job.startedAt;
    // A job that never started has no worker to wait for.
    if (r.job.startedAt === null) r.settle();
    this.emitJob(r);
    this.emitStatuses();
  }

  private async refreshEntries(deep: boolean): Promise<void> {
    const machine = await this.machine();
    const before = new Map(this.entries.map((e) => [e.id, e.state]));
    this.entries = await this.cache.list(machine, deep, this.deps.compatibility);
    const gone = [...before.keys()].filter(
      (id) => !this.entries.some((e) => e.id === id && e.state === 'valid'),
    );
    if (gone.length > 0) this.deps.engine.forgetCompiled(gone);
    for (const e of this.entries) {
      if (e.state !== 'valid' || before.get(e.id) === 'valid') continue;
      const artifact = this.artifactOf(e);
      if (artifact) this.deps.engine.useCompiled(artifact, false);
    }
    const changed =
      before.size !== this.entries.length || this.entries.some((e) => before.get(e.id) !== e.state);
    if (changed) this.emitCache();
  }

  /** Pushes the cache list (cache:changed) so the Compile area follows without asking. */
  private emitCache(): void {
    this.deps.bus.emit(
      'cache:changed',
      this.entries.map((e) => this.toCacheEntry(e)),
    );
  }

  private artifactOf(e: CheckedEntry): CompiledArtifact | null {
    if (!e.meta) return null;
    return {
      entryId: e.id,
      modelId: e.meta.key.modelSha256,
      provider: e.meta.key.provider,
      modelPath: path.join(e.dir, ...e.meta.artifact.split('/')),
      providerOptions: resolveEntryPaths(e.meta.providerOptions, e.dir),
      graphOptimizationLevel: e.meta.graphOptimizationLevel,
      dims: e.meta.options.dims,
      createdAt: e.meta.createdAt,
    };
  }

  private statusOf(modelId: string, provider: ProviderId): ModelProviderStatus {
    const base = { modelId, provider };
    const jobs = this.jobs.filter((r) => r.job.modelId === modelId && r.job.provider === provider);
    if (jobs.some((r) => r.job.state === 'running')) {
      return { ...base, state: 'compiling', reason: null };
    }
    if (jobs.some((r) => r.job.state === 'queued'))
      return { ...base, state: 'queued', reason: null };
    const entries = this.entries.filter(
      (e) => e.meta?.key.modelSha256 === modelId && e.meta.key.provider === provider,
    );
    if (entries.some((e) => e.state === 'valid')) return { ...base, state: 'ready', reason: null };
    const last = jobs.at(-1);
    if (last?.job.state === 'failed') {
      return { ...base, state: 'failed', reason: last.job.error?.message ?? 'the compile failed' };
    }
    const stale = entries.find((e) => e.state !== 'valid');
    if (stale) return { ...base, state: 'stale', reason: stale.reason };
    return { ...base, state: 'not-compiled', reason: null };
  }

  private toCacheEntry(e: CheckedEntry): CacheEntry {
    const parts = e.id.split('/');
    const modelId = e.meta?.key.modelSha256 ?? parts[4] ?? '';
    return {
      id: e.id,
      provider: e.meta?.key.provider ?? ((parts[0] ?? 'cpu') as ProviderId),
      modelId,
      modelName: e.meta?.model.name ?? this.deps.library.get(modelId)?.name ?? modelId.slice(0, 12),
      gpu: e.meta?.key.gpu ?? parts[1] ?? '',
      driver: e.meta?.key.driver ?? parts[2] ?? '',
      ortVersion: e.meta?.key.ortVersion ?? parts[3] ?? '',
      epVersion: e.meta?.key.epVersion ?? null,
      optionsHash: e.meta?.key.optionsHash ?? parts[5] ?? '',
      sizeBytes: e.sizeBytes,
      createdAt: e.meta?.createdAt ?? 0,
      compileMs: e.meta?.timings.totalMs ?? null,
      state: e.state,
      reason: e.reason,
      nodes: e.meta?.nodes ?? null,
    };
  }

  private emitJob(r: JobRecord): void {
    this.deps.bus.emit('compile:progress', { ...r.job });
  }

  private emitStatuses(): void {
    this.deps.bus.emit('compile:status-changed', this.statuses());
  }

  /** Waits (bounded) for the engine's first start so ORT's version is known. */
  private engineSettled(): Promise<void> {
    const settling = (state: string) => state === 'starting' || state === 'restarting';
    if (!settling(this.deps.engine.status().state)) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, 30_000);
      const off = this.deps.engine.onChange((s) => {
        if (!settling(s.state)) done();
      });
      function done() {
        clearTimeout(timer);
        off();
        resolve();
      }
    });
  }
}
