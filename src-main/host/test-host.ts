/**
 * A browser-mode host's services for tests (server.test.ts, and the flood test's child process):
 * app info pointing at a folder, no GPU, an engine and a library that hold nothing, and every
 * other domain answering UNSUPPORTED — the host tests are about the transport.
 */
import { invokeChannels, type EngineStatus, type GpuSnapshot } from '../ipc/contract';
import { AppError } from '../shared/errors';
import type { EventBus } from '../services/events';
import { createServices, type DomainHandlers } from '../services/services';

/** What engine:status answers. */
export const engineStatus: EngineStatus = {
  state: 'ready',
  ortVersion: '1.30.0',
  libraryPath: '/x/libonnxruntime.so.1',
  providers: [],
  restarts: 0,
  lastError: null,
};
const noGpu: GpuSnapshot = {
  source: 'none',
  reason: 'test',
  driverVersion: null,
  cudaDriverVersion: null,
  gpus: [],
  sampledAt: 0,
};

/**
 * The other domains' channels, each answering UNSUPPORTED: these tests are about the transport,
 * and stay independent of which domains are built.
 */
function otherDomains(): DomainHandlers {
  const core = new Set([
    'app:info',
    'engine:status',
    'gpu:snapshot',
    'gpu:watch',
    'models:list',
    'models:add',
    'models:remove',
    'run:execute',
  ]);
  const unsupported = async (): Promise<never> => {
    throw new AppError('UNSUPPORTED', 'not in this test');
  };
  return Object.fromEntries(
    Object.keys(invokeChannels)
      .filter((c) => !core.has(c))
      .map((c) => [c, unsupported]),
  ) as unknown as DomainHandlers;
}

/**
 * Services for a host under test: app info pointing at `dir`, no GPU, an engine and a library
 * that hold nothing, and every other domain answering UNSUPPORTED.
 */
export function stubServices(dir: string, bus: EventBus) {
  return createServices({
    info: {
      name: 'Crucible',
      version: 't',
      mode: 'browser',
      platform: 'linux',
      arch: 'x64',
      userDataDir: dir,
      cacheDir: dir,
    },
    bus,
    gpu: { snapshot: async () => noGpu, watch: () => () => undefined, close: () => undefined },
    engine: {
      status: () => engineStatus,
      onChange: () => () => undefined,
      run: async () => {
        throw new AppError('NOT_FOUND', 'no model');
      },
      outputs: async () => {
        throw new AppError('NOT_FOUND', 'no model');
      },
    },
    library: {
      list: () => [],
      get: () => undefined,
      add: async (p) => {
        throw new AppError('FILE_NOT_FOUND', `${p} does not exist`);
      },
      remove: async () => false,
      onChange: () => () => undefined,
    },
    domains: otherDomains(),
  });
}
