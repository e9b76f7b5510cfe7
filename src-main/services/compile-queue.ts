/**
 * The compile queue behind compile:list / enqueue / cancel / status: jobs run one at a time (a GPU
 * builds one engine at a time well), each in its own worker process; the queue keeps their state,
 * streams it as compile:progress, seals finished output into the cache (services/cache-service.ts),
 * learns estimates, and keeps the per model × provider status chips.
 */
import { randomBytes } from 'node:crypto';
import type {
  CompileJob,
  CompileOptions,
  ModelEntry,
  ModelProviderStatus,
  ProviderId,
  Settings,
} from '../ipc/contract';
import { optionsHash, requireMachineFacts } from '../engine/cache/key';
import { sealCompile } from '../engine/compile/entry';
import { EstimateStore } from '../engine/compile/estimates';
import type { CompileSpec } from '../engine/compile/protocol';
import { runCompileWorker, type SpawnWorker } from '../engine/compile/runner';
import { buildProviderOptions } from '../engine/providers/options';
import { requireAvailableProvider } from '../ipc/providers';
import { AppError, toErrorData } from '../shared/errors';
import { engineSettled, type CacheService, type CompiledSink } from './cache-service';
import type { Handlers } from './dispatch';
import type { EventBus } from './events';
import { checkInputs, runDims } from './inputs-check';
import { requireModel } from './model-library';
import type { ProviderInstall } from './provider-install';
import type { LibrarySource } from './services';

/** What the compile queue needs. */
export interface CompileQueueDeps {
  bus: EventBus;
  library: Pick<LibrarySource, 'get' | 'list'>;
  engine: Pick<CompiledSink, 'status' | 'onChange'>;
  cache: CacheService;
  /** Where the TensorRT-RTX plugin a worker registers is found. */
  install: Pick<ProviderInstall, 'epLibrary'>;
  storesDir: string;
  settings: { get(): Settings };
  spawnWorker: SpawnWorker;
  /** How often a running job's elapsed time is pushed (ms). */
  tickMs?: number;
}

interface JobRecord {
  job: CompileJob;
  modelName: string;
  options: CompileOptions;
  /** What the warm-up run feeds; by dtype and name when absent. */
  inputs: CompileSpec['inputs'];
  optionsHash: string;
  abort: AbortController;
  /** Settles when the job has finished, failed or been cancelled, its temp folder gone. */
  settled: Promise<void>;
  settle: () => void;
}

/** The compile jobs, their workers and the status chips. */
export class CompileQueue {
  private readonly estimates: EstimateStore;
  private readonly jobs: JobRecord[] = [];
  private running: JobRecord | null = null;
  private closed = false;
  private pumping: Promise<void> = Promise.resolve();
  /** Jobs wait for start-up's sweep of old temp folders, so it never removes theirs. */
  private readonly swept: Promise<void>;
  private markSwept = () => {};

  constructor(private readonly deps: CompileQueueDeps) {
    this.estimates = new EstimateStore(deps.storesDir);
    this.swept = new Promise((resolve) => (this.markSwept = resolve));
    // A cache check or clear can turn a chip to ready, stale or not compiled.
    deps.cache.onChange(() => this.emitStatuses());
  }

  /**
   * Start-up: removes temp folders a crash left (unless `sweep` is false: a CLI process beside a
   * running app must not remove the app's job folders) and loads the learned estimates.
   */
  async open(opts: { sweep?: boolean } = {}): Promise<void> {
    try {
      if (opts.sweep ?? true) await this.deps.cache.store.sweep();
      await this.estimates.open();
    } finally {
      this.markSwept();
    }
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

  /** Every job, newest first. */
  list(): CompileJob[] {
    return [...this.jobs].reverse().map((r) => r.job);
  }

  /**
   * Queues a compile; an identical job already waiting or running is returned instead. `inputs`:
   * what the warm-up run feeds (a control input picks its branch), as a run with the same plan.
   */
  async enqueue(
    modelId: string,
    provider: ProviderId,
    options: CompileOptions,
    inputs?: CompileSpec['inputs'],
  ): Promise<CompileJob> {
    if (this.closed) throw new AppError('UNSUPPORTED', 'the compile queue is shutting down');
    const model = this.model(modelId);
    requireAvailableProvider(this.deps.engine.status().providers, provider);
    // Built now so a bad choice (a range that misses its size) fails at once, not in the worker.
    buildProviderOptions(provider, options, model.inspection?.inputs ?? []);
    // A plan's files are read now too: a missing or wrong file is named at once, and the job
    // records what its warm-up run is fed.
    // (A model the CLI compiles by path may not be inspected: its inputs are resolved in the worker.)
    const fed =
      inputs && model.inspection ? await checkInputs(model, inputs, options.dims) : undefined;
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
        modelName: model.name,
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
        ...(fed ? { inputs: fed } : {}),
      },
      modelName: model.name,
      options,
      inputs,
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

  /** Per model and provider: not compiled, queued, compiling, ready, stale, failed. */
  statuses(): ModelProviderStatus[] {
    const providers = new Set<ProviderId>(
      this.deps.engine
        .status()
        .providers.filter((p) => p.available)
        .map((p) => p.id),
    );
    for (const r of this.jobs) providers.add(r.job.provider);
    for (const e of this.deps.cache.checked()) if (e.meta) providers.add(e.meta.key.provider);
    const out: ModelProviderStatus[] = [];
    for (const m of this.deps.library.list()) {
      for (const provider of providers) out.push(this.statusOf(m.id, provider));
    }
    return out;
  }

  /** The channels this service answers. */
  handlers(): Pick<
    Handlers,
    'compile:list' | 'compile:enqueue' | 'compile:cancel' | 'compile:status'
  > {
    return {
      'compile:list': async () => this.list(),
      'compile:enqueue': async (i) => {
        // The app's compiles are for the dims its runs use: those the request leaves open (and
        // gives no range) sized as a run sizes them — from the inputs, else 1 (runDims).
        const model = this.model(i.modelId);
        const sized = await runDims(model, i.inputs, i.options.dims);
        const dims = Object.fromEntries(
          Object.entries(sized).filter(
            ([d]) => i.options.dims[d] !== undefined || i.options.dimRanges[d] === undefined,
          ),
        );
        return this.enqueue(
          i.modelId,
          i.provider,
          { ...i.options, dims },
          i.inputs ? { ...i.inputs, dims: { ...i.inputs.dims, ...dims } } : undefined,
        );
      },
      'compile:cancel': async (i) => ({ cancelled: await this.cancel(i.jobId) }),
      'compile:status': async () => this.statuses(),
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

  private async runJob(r: JobRecord): Promise<void> {
    const job = r.job;
    const cache = this.deps.cache;
    let tmp: string | null = null;
    let timer: NodeJS.Timeout | null = null;
    try {
      await this.swept;
      // A compile queued in the first second must not fail because the engine host is still
      // starting (its hello carries the ORT version and the providers the cache key needs).
      await engineSettled(this.deps.engine);
      const model = this.model(job.modelId);
      const facts = requireMachineFacts((await cache.machine())(job.provider));
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
      tmp = await cache.store.createTemp(job.id);
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
        epLibrary: this.deps.install.epLibrary(job.provider),
        ...(r.inputs ? { inputs: r.inputs } : {}),
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
      const entry = await sealCompile(cache.store, spec, result, facts, {
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
      await cache.sealed(entry);
      this.finish(r, 'done', null);
    } catch (err) {
      const data = toErrorData(err);
      if (data.code === 'CANCELLED') this.finish(r, 'cancelled', null);
      else this.finish(r, 'failed', data);
    } finally {
      if (timer) clearInterval(timer);
      if (tmp) await cache.store.removeTemp(tmp);
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

  private statusOf(modelId: string, provider: ProviderId): ModelProviderStatus {
    const base = { modelId, provider };
    const jobs = this.jobs.filter((r) => r.job.modelId === modelId && r.job.provider === provider);
    if (jobs.some((r) => r.job.state === 'running')) {
      return { ...base, state: 'compiling', reason: null };
    }
    if (jobs.some((r) => r.job.state === 'queued'))
      return { ...base, state: 'queued', reason: null };
    const entries = this.deps.cache
      .checked()
      .filter((e) => e.meta?.key.modelSha256 === modelId && e.meta.key.provider === provider);
    if (entries.some((e) => e.state === 'valid')) return { ...base, state: 'ready', reason: null };
    const last = jobs.at(-1);
    if (last?.job.state === 'failed') {
      return { ...base, state: 'failed', reason: last.job.error?.message ?? 'the compile failed' };
    }
    const stale = entries.find((e) => e.state !== 'valid');
    if (stale) return { ...base, state: 'stale', reason: stale.reason };
    return { ...base, state: 'not-compiled', reason: null };
  }

  private emitJob(r: JobRecord): void {
    this.deps.bus.emit('compile:progress', { ...r.job });
  }

  private emitStatuses(): void {
    this.deps.bus.emit('compile:status-changed', this.statuses());
  }
}
