/**
 * Test support only (imported by *.int.test.ts, never by the app): a library entry for a built-in
 * demo model as the model library makes one (sha256 id, inspection from the file), a library that
 * only lists, a GPU monitor of a machine without an NVIDIA GPU, and the compile side over a data
 * folder of the test's own — what the services' integration tests start from.
 */
import path from 'node:path';
import { nodeWorkerSpawner, type SpawnWorker } from '../engine/compile/runner';
import type { ModelEntry, Settings } from '../ipc/contract';
import { composeCompile, type CompileSide, type CompileSideDeps } from './compile-service';
import { sha256File } from '../engine/cache/hash';
import { inspectModel } from '../engine/model/inspect';

/** The repository's models/ folder. */
export const MODELS_DIR = path.resolve(__dirname, '..', '..', 'models');

/** The library entry of models/`file`, named by its file name. */
export async function builtInEntry(file: string): Promise<ModelEntry> {
  const p = path.join(MODELS_DIR, file);
  return {
    id: await sha256File(p),
    name: file,
    path: p,
    builtIn: true,
    addedAt: 0,
    inspection: await inspectModel(p),
    error: null,
  };
}

/** A GPU monitor that finds no NVIDIA GPU. */
export const noGpuMonitor = {
  snapshot: async () => ({
    source: 'none' as const,
    reason: 'no NVIDIA GPU',
    driverVersion: null,
    cudaDriverVersion: null,
    gpus: [],
    sampledAt: 0,
  }),
  watch: () => () => undefined,
  close: () => undefined,
};

/** A model library over `models()` that lists and finds; adding is not part of these tests. */
export function readOnlyLibrary(models: () => ModelEntry[]) {
  return {
    list: () => models(),
    get: (id: string) => models().find((m) => m.id === id),
    add: async (): Promise<ModelEntry> => {
      throw new Error('not in this test');
    },
    remove: async () => false,
    onChange: () => () => undefined,
  };
}

/**
 * The compile side as compose.ts makes it, its cache, stores and provider folders in `dataDir`,
 * settings kept in memory, jobs in real compile workers (dist/engine/compile-worker.js) unless the
 * test brings its own spawner.
 */
export function testCompileSide(
  deps: Pick<CompileSideDeps, 'bus' | 'library' | 'engine'> & {
    dataDir: string;
    autoCompile?: boolean;
    gpu?: CompileSideDeps['gpu'];
    spawnWorker?: SpawnWorker;
  },
): CompileSide {
  let settings: Settings = {
    trtRtxDir: null,
    autoCompile: deps.autoCompile ?? false,
    compileDeadlineMinutes: 30,
    ortTelemetry: false,
  };
  return composeCompile({
    bus: deps.bus,
    library: deps.library,
    engine: deps.engine,
    gpu: deps.gpu ?? noGpuMonitor,
    cacheDir: path.join(deps.dataDir, 'cache'),
    storesDir: path.join(deps.dataDir, 'stores'),
    trtRtxInstallDir: path.join(deps.dataDir, 'providers', 'trt-rtx'),
    settings: { get: () => settings, set: async (p) => (settings = { ...settings, ...p }) },
    spawnWorker:
      deps.spawnWorker ??
      nodeWorkerSpawner(path.resolve(__dirname, '..', '..', 'dist', 'engine', 'compile-worker.js')),
    tickMs: 50,
  });
}
