/**
 * The use-cases behind the contract, framework-free: both transports (Electron, browser-mode host)
 * and the tests bind exactly this object. Each dependency is an interface so tests can pass real
 * implementations on small inputs, and the CLI can reuse the same pieces without a window.
 */
import type {
  AppInfo,
  EngineStatus,
  GpuSnapshot,
  InvokeOutput,
  ModelEntry,
  RunResult,
} from '../ipc/contract';
import type { RunRequestSchema } from '../ipc/contract';
import type { z } from 'zod';
import { AppError } from '../shared/errors';
import { checkInputs, checkInputsAsRun } from './inputs-check';
import { requireModel } from './model-library';
import type { CallContext, Handlers } from './dispatch';
import type { EventBus } from './events';

/** The GPU monitor as the services use it (src-main/gpu/monitor.ts implements it). */
export interface GpuSource {
  snapshot(): Promise<GpuSnapshot>;
  watch(hz: number, listener: (s: GpuSnapshot) => void): () => void;
  close(): void;
}

/** The engine as the services use it (the engine supervisor implements it). */
export interface EngineSource {
  status(): EngineStatus;
  onChange(listener: (s: EngineStatus) => void): () => void;
  run(request: z.output<typeof RunRequestSchema>, model: ModelEntry): Promise<RunResult>;
  /** The model's last run's outputs as .npy files (base64); see EngineService.outputs. */
  outputs(modelId: string): Promise<InvokeOutput<'run:outputs'>>;
}

/** The model library as the services use it (services/model-library.ts implements it). */
export interface LibrarySource {
  list(): ModelEntry[];
  get(id: string): ModelEntry | undefined;
  add(path: string): Promise<ModelEntry>;
  remove(id: string): Promise<boolean>;
  /** Renames a model (persisted); absent where the library cannot rename. */
  rename?(id: string, name: string): Promise<ModelEntry>;
  onChange(listener: (models: ModelEntry[]) => void): () => void;
}

/** The channels this module serves itself; every other domain brings its own handlers. */
export type CoreChannel =
  | 'app:info'
  | 'engine:status'
  | 'gpu:snapshot'
  | 'gpu:watch'
  | 'models:list'
  | 'models:add'
  | 'models:remove'
  | 'models:rename'
  | 'run:execute'
  | 'run:outputs'
  | 'inputs:check';

/** Handlers of the other domains (compile, cache, settings, bench, image runs), each in its module. */
export type DomainHandlers = Omit<Handlers, CoreChannel>;

export interface ServiceDeps {
  info: AppInfo;
  bus: EventBus;
  gpu: GpuSource;
  engine: EngineSource;
  library: LibrarySource;
  /** The other domains' handlers (see compose.ts). */
  domains: DomainHandlers;
}

export interface Services {
  handlers: Handlers;
  /** A window or socket went away: drop what it subscribed to. */
  clientGone(clientId: string): void;
  close(): void;
}

/** Builds the handlers for every contract channel over the given dependencies. */
export function createServices(deps: ServiceDeps): Services {
  const { bus, gpu, engine, library } = deps;
  const gpuWatchers = new Map<string, { hz: number; stop: () => void }>();
  const unsubscribers = [
    engine.onChange((s) => bus.emit('engine:changed', s)),
    library.onChange((m) => bus.emit('models:changed', m)),
  ];

  const stopWatch = (clientId: string): void => {
    gpuWatchers.get(clientId)?.stop();
    gpuWatchers.delete(clientId);
  };

  const handlers: Handlers = {
    ...deps.domains,
    'app:info': async () => deps.info,
    'engine:status': async () => engine.status(),
    'gpu:snapshot': async () => gpu.snapshot(),
    'gpu:watch': async (input, ctx: CallContext) => {
      stopWatch(ctx.clientId);
      if (!input.on) return { on: false, hz: 0 };
      const stop = gpu.watch(input.hz, (s) => bus.emit('gpu:sample', s));
      gpuWatchers.set(ctx.clientId, { hz: input.hz, stop });
      return { on: true, hz: input.hz };
    },
    'models:list': async () => library.list(),
    'models:add': async (input) => library.add(input.path),
    'models:remove': async (input) => ({ removed: await library.remove(input.id) }),
    'models:rename': async (input) => {
      if (!library.rename) throw new AppError('UNSUPPORTED', 'this library cannot rename models');
      return library.rename(input.id, input.name);
    },
    'run:execute': async (input) => {
      const model = requireModel(library.get(input.modelId), input.modelId);
      return engine.run(input, model);
    },
    'run:outputs': async (input) => {
      requireModel(library.get(input.modelId), input.modelId);
      return engine.outputs(input.modelId);
    },
    'inputs:check': async (input) => {
      const model = requireModel(library.get(input.modelId), input.modelId);
      return input.asRun ? checkInputsAsRun(model, input.inputs) : checkInputs(model, input.inputs);
    },
  };

  return {
    handlers,
    clientGone: stopWatch,
    close() {
      for (const id of [...gpuWatchers.keys()]) stopWatch(id);
      for (const u of unsubscribers) u();
      gpu.close();
    },
  };
}
