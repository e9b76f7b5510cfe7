/**
 * The composition root shared by the Electron shell and the browser-mode host: data folders, the
 * supervised engine host, the model library, the GPU monitor, and the services over them.
 */
import type { AppInfo } from '../ipc/contract';
import path from 'node:path';
import { appFiles } from '../app-files/app-files';
import { nodeWorkerSpawner, type SpawnWorker } from '../engine/compile/runner';
import { EngineClient, type SpawnHost } from '../engine/host/engine-client';
import { createGpuMonitor } from '../gpu/monitor';
import { resolveDataPaths, type DataPaths } from '../store/paths';
import { startAutoCompile } from './auto-compile';
import { BenchService } from './bench-service';
import { composeCompile, type CompileSide } from './compile-service';
import { applyEngineEnv } from './engine-env';
import { EngineService } from './engine-service';
import { EventBus } from './events';
import { ImageRunService } from './image-run';
import { ModelLibrary } from './model-library';
import { NoticeBoard } from './notices';
import { PrecisionService } from './precision-service';
import { withProviderGpus } from './provider-gpus';
import { SessionOwner } from './sessions';
import { SettingsService } from './settings-service';
import { createServices, type Services } from './services';

export interface ComposeOptions {
  mode: AppInfo['mode'];
  version: string;
  /** User-data root; default: CRUCIBLE_DATA_DIR or the OS's (same as Electron's userData). */
  dataRoot?: string;
  /** Folder of the built-in demo models (models/ in the repo, resources/models when packaged). */
  builtInModelsDir: string | null;
  spawnEngine: SpawnHost;
  /** Starts a compile worker; default: app-files' compile worker script as a Node child. */
  spawnCompileWorker?: SpawnWorker;
  /**
   * Where notices are logged (library rebuilt, engine failed to start); default console.warn.
   * They also reach the windows as app:notices / app:notice (services/notices.ts).
   */
  notice?: (message: string) => void;
}

export interface Composed {
  services: Services;
  bus: EventBus;
  engine: EngineClient;
  library: ModelLibrary;
  paths: DataPaths;
  settings: SettingsService;
  close(): void;
}

/** Builds and starts everything the main side runs. */
export async function composeMain(opts: ComposeOptions): Promise<Composed> {
  const paths = resolveDataPaths(opts.dataRoot);
  const bus = new EventBus();
  const notices = new NoticeBoard(bus, opts.notice);
  const notice = (m: string): void => void notices.add(m, 'warning');
  const settings = new SettingsService(paths.stores);
  const settingsNotice = await settings.open();
  if (settingsNotice) notice(settingsNotice);
  // The engine processes read some settings from their environment (services/engine-env.ts).
  applyEngineEnv(settings.get());
  const engine = new EngineClient(opts.spawnEngine);
  // The first start is awaited by the first request; a failure is visible in engine:status.
  engine.start().catch((err: Error) => notice(`The engine could not start: ${err.message}`));
  settings.onChange((s) => {
    // A provider library registers, telemetry is set and GPU devices are listed when the engine
    // host starts: a change starts a new one (the owner forgets the old host's sessions).
    const restart = applyEngineEnv(s);
    if (restart === null) return;
    engine
      .restart(restart)
      .catch((err: Error) => notice(`The engine could not restart: ${err.message}`));
  });
  const library = new ModelLibrary({
    dir: paths.library,
    builtInDir: opts.builtInModelsDir,
    inspect: (p) => engine.request('model.inspect', { path: p }, { timeoutMs: 60_000 }),
    checkExternalData: (p) =>
      engine.request('model.check-external', { path: p }, { timeoutMs: 60_000 }),
    notice,
  });
  await library.open();
  // One GPU monitor: the GPU area's live samples and benchmark power sampling share it.
  const gpu = createGpuMonitor();
  // The one owner of ORT sessions: runs, image runs, benchmarks and the switch-over ask it.
  // Entries are deep-checked right before a session opens from one (the compile service, below).
  let compileRef: CompileSide | null = null;
  const owner = new SessionOwner(engine, {
    verify: (a) => compileRef?.cache.verifyEntry(a.entryId) ?? Promise.resolve(true),
  });
  const bench = new BenchService({
    storesDir: paths.stores,
    engine,
    gpu,
    library,
    owner,
    bus,
  });
  const benchNotice = await bench.open();
  if (benchNotice) notice(benchNotice);

  const engineService = new EngineService(engine, owner, library);
  engineService.onSwitch((s) => bus.emit('run:switched', s));
  const compile = composeCompile({
    bus,
    library,
    engine: engineService,
    gpu,
    cacheDir: paths.cache,
    storesDir: paths.stores,
    trtRtxInstallDir: path.join(paths.root, 'providers', 'trt-rtx'),
    settings,
    // Stale or corrupt cache entries are rebuilt on demand: worth knowing, nothing lost.
    notice: (m) => void notices.add(m, 'info'),
    compatibility: (entry) => engine.request('cache.compatibility', entry),
    spawnWorker: opts.spawnCompileWorker ?? nodeWorkerSpawner(appFiles().compileWorkerScript),
  });
  compileRef = compile;
  // Checking the cache waits for the engine (ORT's version is part of every key): in the background.
  compile
    .open()
    .catch((err: Error) => notice(`The compile cache could not be read: ${err.message}`));
  // Models the user adds compile in the background for the best provider here (Settings can
  // turn it off); built-ins and the saved library are there already and are left alone.
  const stopAutoCompile = startAutoCompile({
    library,
    settings,
    engine: engineService,
    compile: compile.queue,
    notice,
  });

  const services = createServices({
    info: {
      name: 'Crucible',
      version: opts.version,
      mode: opts.mode,
      platform: process.platform,
      arch: process.arch,
      userDataDir: paths.root,
      cacheDir: paths.cache,
    },
    bus,
    gpu,
    // engine:status / engine:changed name the GPU each provider's device is (provider-gpus.ts).
    engine: withProviderGpus(engineService, gpu),
    library,
    domains: {
      ...notices.handlers(),
      ...settings.handlers(),
      ...new ImageRunService(engine, library, owner).handlers(),
      ...bench.handlers(),
      ...compile.handlers(),
      ...new PrecisionService({
        library,
        engine,
        owner,
        bench: (request) => bench.run(request),
        bus,
      }).handlers(),
    },
  });
  return {
    services,
    bus,
    engine,
    library,
    paths,
    settings,
    close() {
      stopAutoCompile();
      services.close();
      void compile.close();
      engine.close();
    },
  };
}
