/**
 * The use-cases without a window, composed once (`composeHeadless()`): the CLI's `run` and `bench`
 * use exactly these, over the same pieces the app uses — an engine host, the session owner
 * (services/sessions.ts), the compile cache and the benchmark history in the app's data folder —
 * so a `crucible bench` lands in the history the app's Benchmarks area shows.
 *
 * - `findCompiled`: the valid compile-cache entry for a model file, provider and dims (checked by
 *   hashes against this machine), handed to the session owner so runs and benches use it.
 * - `runOnce`: one inference on the session the owner gives (compiled when an entry fits).
 * - `bench`: a benchmark through the app's BenchService (original or compiled), recorded.
 * - `compileOnce`: a compile through the app's compile queue (its worker, its cache, its seal);
 *   the finished entry goes to the owner, and a model running on that provider and dims switches
 *   over on its next run (`runSynth` goes through the app's EngineService, switch-over included).
 */
import path from 'node:path';
import {
  CompileOptionsSchema,
  type BenchRequest,
  type BenchResult,
  type CompileJob,
  type CompileOptions,
  type ModelEntry,
  type RunRequest,
  type RunResult,
  type SwitchOver,
  type EngineStatus,
  type GpuSnapshot,
  type ModelInspection,
  type ProviderId,
  type SessionVariant,
  type TradeTable,
} from '../ipc/contract';
import { appFiles } from '../app-files/app-files';
import { CompileCache, type CheckedEntry, type CompatibilityFor } from '../engine/cache/cache';
import type { CompileSpec } from '../engine/compile/protocol';
import { libraryVersion, sha256File } from '../engine/cache/hash';
import { machineFactsFor, optionsHash, type CacheKey } from '../engine/cache/key';
import { EngineClient, nodeChildSpawner, type SpawnHost } from '../engine/host/engine-client';
import type { OpResults } from '../engine/host/protocol';
import { findTrtRtxLibrary } from '../engine/providers/trt-rtx';
import type { HostTensor } from '../engine/tensor';
import { createGpuMonitor } from '../gpu/monitor';
import { resolveDataPaths, type DataPaths } from '../store/paths';
import { nodeWorkerSpawner } from '../engine/compile/runner';
import { BenchService } from './bench-service';
import { artifactOf, type CompiledArtifact } from '../engine/cache/view';
import { composeCompile, type CompileSide } from './compile-service';
import { EngineService } from './engine-service';
import { EventBus } from './events';
import { benchFigures, benchViaOwner, providerProblem, runForTensors } from './precision-service';
import { measureTrade, type TradeModel, type TradeOptions } from './precision-trade';
import { SettingsService } from './settings-service';
import { SessionOwner, type OwnedSession } from './sessions';

/** A model file as the headless use-cases know it (its id is its sha256, as in the library). */
export interface HeadlessModel {
  id: string;
  name: string;
  path: string;
  inspection: ModelInspection | null;
}

export interface HeadlessOptions {
  /** The app's data folder (default: CRUCIBLE_DATA_DIR or the OS's, as the app uses). */
  dataRoot?: string;
  /** Starts the engine host (default: the app's engine host script as a Node child). */
  spawnEngine?: SpawnHost;
  /**
   * Asks a compiled entry's provider whether it fits this machine (default: the engine host's
   * `cache.compatibility`, ORT's GetModelCompatibilityForEpDevices); a provider's "unsupported"
   * makes the entry stale, so it is not used.
   */
  compatibility?: CompatibilityFor;
}

/** The composed use-cases. */
export interface Headless {
  engine: EngineClient;
  owner: SessionOwner;
  paths: DataPaths;
  /** A model file by path: its sha256 (the library's id), name and the given inspection. */
  model(modelPath: string, inspection: ModelInspection | null): Promise<HeadlessModel>;
  /** The valid cache entry for a model, provider and dims, registered with the owner; or null. */
  findCompiled(
    model: HeadlessModel,
    provider: ProviderId,
    dims: Record<string, number>,
  ): Promise<CompiledArtifact | null>;
  /** The dims of every valid cache entry of a model on a provider (for a refusal's hint). */
  compiledDims(model: HeadlessModel, provider: ProviderId): Promise<Record<string, number>[]>;
  /** One inference with the given inputs on the owner's session. */
  runOnce(
    model: HeadlessModel,
    want: {
      provider: ProviderId;
      dims: Record<string, number>;
      variant?: SessionVariant | 'best';
      inputs: Record<string, HostTensor>;
    },
  ): Promise<{ session: OwnedSession; sessionMs: number; run: OpResults['session.run'] }>;
  /** A benchmark through the app's BenchService, recorded in the app's history. */
  bench(model: HeadlessModel, req: BenchRequest): Promise<BenchResult & { notes: string[] }>;
  /**
   * A compile through the app's compile queue into the app's cache; the finished job (done,
   * failed or cancelled). `inputs` feed the warm-up run; `onProgress` gets every state the job
   * passes through; `signal` cancels it (its worker killed, nothing cached).
   */
  compileOnce(
    model: HeadlessModel,
    provider: ProviderId,
    options: CompileOptions,
    opts?: {
      inputs?: CompileSpec['inputs'];
      onProgress?: (job: CompileJob) => void;
      signal?: AbortSignal;
    },
  ): Promise<CompileJob>;
  /** A compile-cache entry with its passport, as checked now (sizes; null when it is gone). */
  entry(entryId: string): Promise<CheckedEntry | null>;
  /** One run with synthesized inputs through the app's EngineService (switch-over included). */
  runSynth(model: HeadlessModel, req: Omit<RunRequest, 'modelId'>): Promise<RunResult>;
  /**
   * A precision trade (services/precision-trade.ts): the same seeded inputs through the original
   * and its variant on each provider, and a benchmark of each, over this composition's engine host,
   * session owner and GPU monitor (as the app's PrecisionService does).
   */
  trade(
    original: TradeModel,
    variant: TradeModel,
    kind: string,
    opts: TradeOptions,
  ): Promise<TradeTable>;
  /** Switch-overs the EngineService reported, oldest first. */
  switches(): SwitchOver[];
  /** Stops a running compile (its worker killed), releases the sessions, stops the engine host. */
  close(): void;
}

async function gpuSnapshot(provider: ProviderId): Promise<GpuSnapshot | null> {
  if (provider === 'cpu') return null;
  const monitor = createGpuMonitor();
  try {
    return await monitor.snapshot();
  } finally {
    monitor.close();
  }
}

async function epVersionHere(provider: ProviderId): Promise<string | null> {
  if (provider !== 'nv-tensorrt-rtx') return null;
  const lib = findTrtRtxLibrary();
  return lib ? libraryVersion(lib) : null;
}

/**
 * The valid cache entry for this model, provider and dims (CompileOptions with only these dims, as
 * `crucible compile --dim` writes them), checked by hashes against this machine and then put to
 * its provider (`compatibility`: ORT's GetModelCompatibilityForEpDevices through the engine host,
 * as the app's cache service asks it); else null.
 */
async function findCompiledEntry(opts: {
  modelPath: string;
  modelSha256?: string;
  provider: ProviderId;
  dims: Record<string, number>;
  engine: EngineStatus;
  cacheDir?: string;
  compatibility?: CompatibilityFor;
}): Promise<CompiledArtifact | null> {
  const options = CompileOptionsSchema.parse({ dims: opts.dims });
  const now = await machineNow(opts.provider, opts.engine);
  const facts = machineFactsFor(opts.provider, now);
  if ('unavailable' in facts) return null;
  const sha = opts.modelSha256 ?? (await sha256File(opts.modelPath));
  const key: CacheKey = {
    provider: opts.provider,
    ...facts,
    modelSha256: sha,
    optionsHash: optionsHash(opts.provider, options),
  };
  const cache = new CompileCache(opts.cacheDir ?? resolveDataPaths().cache);
  const found = await cache.findValid(key, (p) => machineFactsFor(p, now), opts.compatibility);
  return found ? artifactOf(found) : null;
}

/** What this machine is, for a provider's cache keys. */
async function machineNow(provider: ProviderId, engine: EngineStatus) {
  return {
    ortVersion: engine.ortVersion,
    providers: engine.providers,
    snapshot: await gpuSnapshot(provider),
    epVersion: await epVersionHere(provider),
  };
}

/** The dims of the valid entries of a model (by sha256) on a provider; shallow-checked. */
async function compiledDimsIn(
  cacheDir: string,
  modelSha256: string,
  provider: ProviderId,
  engine: EngineStatus,
): Promise<Record<string, number>[]> {
  const now = await machineNow(provider, engine);
  const entries = await new CompileCache(cacheDir).list((p) => machineFactsFor(p, now), false);
  return entries.flatMap((e) =>
    e.state === 'valid' &&
    e.meta?.key.modelSha256 === modelSha256 &&
    e.meta.key.provider === provider
      ? [e.meta.options.dims]
      : [],
  );
}

/** Composes the headless use-cases and starts the engine host. */
export async function composeHeadless(opts: HeadlessOptions = {}): Promise<Headless> {
  const paths = resolveDataPaths(opts.dataRoot);
  const engine = new EngineClient(
    opts.spawnEngine ?? nodeChildSpawner(appFiles().engineHostScript),
    { maxCrashesPerMinute: 1_000 },
  );
  await engine.start();
  const owner = new SessionOwner(engine);
  // The provider's own word on a compiled model (the same check the app's cache service makes).
  const compatibility: CompatibilityFor =
    opts.compatibility ?? ((entry) => engine.request('cache.compatibility', entry));
  const gpu = createGpuMonitor();
  const bench = new BenchService({
    storesDir: paths.stores,
    engine,
    gpu,
    library: { get: () => undefined },
    owner,
    bus: new EventBus(),
  });
  // Loaded first, so recording a result keeps the app's history.
  await bench.open();
  // The models this composition was given, as the app's library entries would be.
  const models = new Map<string, ModelEntry>();
  const entryOf = (m: HeadlessModel): ModelEntry => {
    const e: ModelEntry = {
      id: m.id,
      name: m.name,
      path: m.path,
      builtIn: false,
      addedAt: Date.now(),
      inspection: m.inspection,
      error: null,
    };
    models.set(m.id, e);
    return e;
  };
  const library = {
    list: () => [...models.values()],
    get: (id: string) => models.get(id),
    add: () => Promise.reject(new Error('the headless library takes models by path')),
    remove: async () => false,
    onChange: () => () => undefined,
  };
  const runs = new EngineService(engine, owner, library);
  const switches: SwitchOver[] = [];
  runs.onSwitch((s) => switches.push(s));
  let compile: CompileSide | null = null;
  // The compile side's events: a compile's progress reaches compileOnce's caller.
  const compileBus = new EventBus();
  const compiler = async (): Promise<CompileSide> => {
    if (compile) return compile;
    const settings = new SettingsService(paths.stores);
    await settings.open();
    compile = composeCompile({
      bus: compileBus,
      library,
      engine: runs,
      gpu,
      cacheDir: paths.cache,
      storesDir: paths.stores,
      trtRtxInstallDir: path.join(paths.root, 'providers', 'trt-rtx'),
      settings,
      spawnWorker: nodeWorkerSpawner(appFiles().compileWorkerScript),
      compatibility,
    });
    // The app may be running on the same data folder: its job folders stay, and the whole cache
    // is not hashed for one compile (entries are deep-checked before use).
    await compile.open({ sweep: false, deep: false });
    return compile;
  };

  return {
    engine,
    owner,
    paths,
    async model(modelPath, inspection) {
      const file = path.resolve(modelPath);
      return { id: await sha256File(file), name: path.basename(file), path: file, inspection };
    },
    async findCompiled(model, provider, dims) {
      const found = await findCompiledEntry({
        modelPath: model.path,
        modelSha256: model.id,
        provider,
        dims,
        engine: engine.status(),
        cacheDir: paths.cache,
        compatibility,
      });
      if (found) owner.addCompiled(found);
      return found;
    },
    compiledDims: (model, provider) =>
      compiledDimsIn(paths.cache, model.id, provider, engine.status()),
    async runOnce(model, want) {
      const got = await owner.acquire(model, {
        provider: want.provider,
        dims: want.dims,
        variant: want.variant,
      });
      try {
        const run = await engine.request('session.run', {
          sessionId: got.session.id,
          inputs: want.inputs,
          want: 'tensors',
        });
        return { session: got.session, sessionMs: got.created ? got.session.createMs : 0, run };
      } finally {
        got.done();
      }
    },
    bench: (model, req) => bench.runAndRecord(model, req),
    async compileOnce(model, provider, options, opts = {}) {
      entryOf(model);
      const c = await compiler();
      let id: string | null = null;
      const off = compileBus.on('compile:progress', (j) => {
        if (j.id === id) opts.onProgress?.(j);
      });
      const cancel = () => {
        if (id) void c.queue.cancel(id).catch(() => undefined);
      };
      opts.signal?.addEventListener('abort', cancel);
      try {
        const job = await c.queue.enqueue(model.id, provider, options, opts.inputs);
        id = job.id;
        if (opts.signal?.aborted) cancel();
        await c.queue.idle();
        return c.queue.list().find((j) => j.id === job.id) ?? job;
      } finally {
        off();
        opts.signal?.removeEventListener('abort', cancel);
      }
    },
    async entry(entryId) {
      const c = await compiler();
      const checked = await c.cache.store.check(entryId, await c.cache.machine(), false);
      return checked.meta ? checked : null;
    },
    runSynth(model, req) {
      return runs.run(
        {
          modelId: model.id,
          provider: req.provider,
          dims: req.dims ?? {},
          fill: req.fill ?? 'random',
          seed: req.seed ?? 1,
        },
        entryOf(model),
      );
    },
    trade: (original, variant, kind, opts) =>
      measureTrade(
        original,
        variant,
        kind,
        {
          unavailable: (p) => providerProblem(engine.status(), p),
          outputs: (m, p, d, inputs) => runForTensors(engine, owner, m, p, d, inputs),
          bench: async (m, p, d, n) =>
            benchFigures(await benchViaOwner(engine, owner, gpu, m, p, d, n)),
        },
        opts,
      ),
    switches: () => [...switches],
    close() {
      void compile?.close();
      owner.releaseAll();
      gpu.close();
      engine.close();
    },
  };
}
