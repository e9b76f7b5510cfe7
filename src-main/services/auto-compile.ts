/**
 * Background compiles of models the user adds (issue #5: "drop a model in, it runs at once, it
 * compiles for the GPU in the background, and switches to the compiled session when ready").
 * The library tells about every change; a model that is new since the last change, not a
 * built-in and readable is queued for the best provider here, unless the setting is off or that
 * model is already compiled, queued or compiling for it.
 */
import type {
  CompileOptions,
  ModelEntry,
  ModelProviderStatus,
  ProviderId,
  ProviderStatus,
} from '../ipc/contract';
import { CompileOptionsSchema } from '../ipc/contract';
import { COMPILE_PREFERENCE, firstAvailable, PROVIDER_LABELS } from '../ipc/providers';
import { toErrorData } from '../shared/errors';

/** What the policy decided for one added model. */
export type AutoCompilePlan = { provider: ProviderId } | { skip: string };

/** The facts {@link planAutoCompile} decides from. */
export interface AutoCompileFacts {
  model: ModelEntry;
  /** The autoCompile setting. */
  enabled: boolean;
  /** The engine status' providers. */
  providers: readonly ProviderStatus[];
  /** The compile service's status chips (a valid cache entry shows as 'ready'). */
  statuses: readonly ModelProviderStatus[];
}

/** The best provider that is available here, in COMPILE_PREFERENCE (ipc/providers); null when none is. */
export function bestCompileProvider(providers: readonly ProviderStatus[]): ProviderId | null {
  return firstAvailable(COMPILE_PREFERENCE, providers);
}

/** Decides whether an added model is compiled in the background, and for which provider. */
export function planAutoCompile(f: AutoCompileFacts): AutoCompilePlan {
  if (!f.enabled) return { skip: 'background compiles are off in Settings' };
  if (f.model.builtIn) return { skip: `${f.model.name} is a built-in model` };
  if (f.model.error) return { skip: `${f.model.name} cannot be read: ${f.model.error.message}` };
  const provider = bestCompileProvider(f.providers);
  if (!provider) return { skip: 'no provider that compiles is available here' };
  const status = f.statuses.find((s) => s.modelId === f.model.id && s.provider === provider);
  if (
    status &&
    (status.state === 'ready' || status.state === 'queued' || status.state === 'compiling')
  ) {
    return { skip: `${f.model.name} is already ${status.state} for ${PROVIDER_LABELS[provider]}` };
  }
  return { provider };
}

/**
 * The options of a background compile: every symbolic dim at 1, the value the Run area starts
 * with, so the first runs (which name their dims) match the compiled model and switch over.
 */
export function autoCompileOptions(model: ModelEntry): CompileOptions {
  const dims: Record<string, number> = {};
  for (const name of model.inspection?.dynamicDims ?? []) dims[name] = 1;
  return CompileOptionsSchema.parse({ dims });
}

/** What {@link startAutoCompile} needs from the services around it. */
export interface AutoCompileDeps {
  library: { list(): ModelEntry[]; onChange(listener: (models: ModelEntry[]) => void): () => void };
  settings: { get(): { autoCompile: boolean } };
  engine: { status(): { providers: ProviderStatus[] } };
  compile: {
    statuses(): ModelProviderStatus[];
    enqueue(modelId: string, provider: ProviderId, options: CompileOptions): Promise<unknown>;
  };
  /** Where a compile that could not be queued is told. */
  notice?: (message: string) => void;
}

/**
 * Watches the library from now on: models present now (built-ins, the saved library) are known
 * already; an added duplicate does not change the library, so it is never seen. Returns the
 * function that stops watching.
 */
export function startAutoCompile(deps: AutoCompileDeps): () => void {
  const known = new Set(deps.library.list().map((m) => m.id));
  return deps.library.onChange((models) => {
    const added = models.filter((m) => !known.has(m.id));
    // A removed model is forgotten, so adding it again is an add like any other.
    known.clear();
    for (const m of models) known.add(m.id);
    for (const model of added) {
      const plan = planAutoCompile({
        model,
        enabled: deps.settings.get().autoCompile,
        providers: deps.engine.status().providers,
        statuses: deps.compile.statuses(),
      });
      if (!('provider' in plan)) continue;
      deps.compile
        .enqueue(model.id, plan.provider, autoCompileOptions(model))
        .catch((err: unknown) =>
          deps.notice?.(
            `${model.name} could not be queued to compile for ${PROVIDER_LABELS[plan.provider]}: ${toErrorData(err).message}`,
          ),
        );
    }
  });
}
