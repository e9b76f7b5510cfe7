/**
 * The composition root shared by the Electron shell and the browser-mode host: data folders, the
 * supervised engine host, the model library, the GPU monitor, and the services over them.
 */
import path from 'node:path';
import { z } from 'zod';
import { BenchResultSchema, type AppInfo, type CompileJob } from '../ipc/contract';
import { EngineClient, type SpawnHost } from '../engine/host/engine-client';
import { createGpuMonitor } from '../gpu/monitor';
import { JsonStore } from '../store/json-store';
import { resolveDataPaths, type DataPaths } from '../store/paths';
import { EngineService } from './engine-service';
import { EventBus } from './events';
import { ModelLibrary } from './model-library';
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
  close(): void;
}

const BenchHistorySchema = z.object({ version: z.literal(1), results: z.array(BenchResultSchema) });

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
  const history = new JsonStore(
    path.join(paths.stores, 'bench-history.json'),
    BenchHistorySchema,
    () => ({
      version: 1 as const,
      results: [],
    }),
  );
  const benchResults = (await history.load()).value.results;
  const compileJobs: CompileJob[] = [];

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
    gpu: createGpuMonitor(),
    engine: new EngineService(engine),
    library,
    queues: {
      compileJobs: () => compileJobs,
      benchHistory: (modelId) => benchResults.filter((r) => !modelId || r.modelId === modelId),
    },
  });
  return {
    services,
    bus,
    engine,
    library,
    paths,
    close() {
      services.close();
      engine.close();
    },
  };
}
