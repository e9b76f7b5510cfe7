/**
 * The composition root shared by the Electron shell and the browser-mode host: data folders, the
 * supervised engine host, the model library, the GPU monitor, and the services over them.
 */
import type { AppInfo } from '../ipc/contract';
import { EngineClient, type SpawnHost } from '../engine/host/engine-client';
import { createGpuMonitor } from '../gpu/monitor';
import { resolveDataPaths, type DataPaths } from '../store/paths';
import { BenchService } from './bench-service';
import { EngineService } from './engine-service';
import { EventBus } from './events';
import { ImageRunService } from './image-run';
import { ModelLibrary } from './model-library';
import { pendingHandlers } from './pending-handlers';
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
  /** Things the user should be told (library rebuilt, engine failed to start). */
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
  const notice = opts.notice ?? ((m: string) => console.warn(m));
  const bus = new EventBus();
  const engine = new EngineClient(opts.spawnEngine);
  // The first start is awaited by the first request; a failure is visible in engine:status.
  engine.start().catch((err: Error) => notice(`The engine could not start: ${err.message}`));
  const library = new ModelLibrary({
    dir: paths.library,
    builtInDir: opts.builtInModelsDir,
    inspect: (p) => engine.request('model.inspect', { path: p }, { timeoutMs: 60_000 }),
    notice,
  });
  await library.open();
  const settings = new SettingsService(paths.stores);
  const settingsNotice = await settings.open();
  if (settingsNotice) notice(settingsNotice);
  // One GPU monitor: the GPU area's live samples and benchmark power sampling share it.
  const gpu = createGpuMonitor();
  const bench = new BenchService({
    storesDir: paths.stores,
    engine,
    gpu,
    library,
    providerReason: (id) => {
      const p = engine.status().providers.find((x) => x.id === id);
      return p && !p.available
        ? `${p.ortName} is not available here: ${p.reason ?? 'unknown reason'}`
        : null;
    },
    bus,
  });
  const benchNotice = await bench.open();
  if (benchNotice) notice(benchNotice);

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
    engine: new EngineService(engine),
    library,
    domains: {
      ...pendingHandlers(),
      ...settings.handlers(),
      ...new ImageRunService(engine, library).handlers(),
      ...bench.handlers(),
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
      services.close();
      engine.close();
    },
  };
}
