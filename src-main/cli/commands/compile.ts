/**
 * `crucible compile MODEL --provider P [--dim N=V ...] [--range N=MIN:MAX ...] [--cuda-graph]
 * [--json]`: one compile through the same worker and cache as the app, progress on stderr, the
 * entry on stdout. Also {@link findCachedModel}, which `crucible run` uses to start from a valid
 * cache entry when there is one for the model, provider and dims.
 */
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  CompileOptionsSchema,
  ProviderIdSchema,
  type CompileOptions,
  type EngineStatus,
  type GpuSnapshot,
  type ProviderId,
} from '../../ipc/contract';
import { appFiles } from '../../app-files/app-files';
import { CompileCache, type CheckedEntry } from '../../engine/cache/cache';
import { libraryVersion, sha256File } from '../../engine/cache/hash';
import {
  machineFactsFor,
  optionsHash,
  requireMachineFacts,
  type CacheKey,
} from '../../engine/cache/key';
import { sealCompile } from '../../engine/compile/entry';
import { nodeWorkerSpawner, runCompileWorker } from '../../engine/compile/runner';
import { checkExternalData, inspectModel } from '../../engine/model/inspect';
import { PROVIDERS } from '../../engine/providers/catalog';
import { buildProviderOptions, resolveEntryPaths } from '../../engine/providers/options';
import { findTrtRtxLibrary } from '../../engine/providers/trt-rtx';
import { resolveDataPaths } from '../../store/paths';
import { PROVIDER_LABELS, requireAvailableProvider } from '../../ipc/providers';
import { AppError } from '../../shared/errors';
import { keyValues, parseCliArgs, startEngine, type CliIo } from '../io';
import { INPUT_OPTIONS, planFromArgs, resolveInputs } from '../../engine/model/input-sources';

/** A cache entry a session can start from. */
export interface CachedModel {
  entryId: string;
  modelPath: string;
  providerOptions: Record<string, string>;
  graphOptimizationLevel: 'disabled' | 'basic' | 'extended' | 'all';
}

async function gpuSnapshot(provider: ProviderId): Promise<GpuSnapshot | null> {
  if (provider === 'cpu') return null;
  const { createGpuMonitor } = await import('../../gpu/monitor');
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
 * The valid cache entry for this model, provider and dims (CompileOptions with only these dims,
 * as `crucible compile --dim` writes them), checked by hashes against this machine; else null.
 */
export async function findCachedModel(opts: {
  modelPath: string;
  provider: ProviderId;
  dims: Record<string, number>;
  engine: EngineStatus;
  cacheDir?: string;
}): Promise<CachedModel | null> {
  const options = CompileOptionsSchema.parse({ dims: opts.dims });
  const snapshot = await gpuSnapshot(opts.provider);
  const epVersion = await epVersionHere(opts.provider);
  const now = {
    ortVersion: opts.engine.ortVersion,
    providers: opts.engine.providers,
    snapshot,
    epVersion,
  };
  const facts = machineFactsFor(opts.provider, now);
  if ('unavailable' in facts) return null;
  const key: CacheKey = {
    provider: opts.provider,
    ...facts,
    modelSha256: await sha256File(opts.modelPath),
    optionsHash: optionsHash(opts.provider, options),
  };
  const cache = new CompileCache(opts.cacheDir ?? resolveDataPaths().cache);
  const found = await cache.findValid(key, (p) => machineFactsFor(p, now));
  if (!found?.meta) return null;
  return {
    entryId: found.id,
    modelPath: path.join(found.dir, ...found.meta.artifact.split('/')),
    providerOptions: resolveEntryPaths(found.meta.providerOptions, found.dir),
    graphOptimizationLevel: found.meta.graphOptimizationLevel,
  };
}

function parseRanges(values: string[] | undefined): CompileOptions['dimRanges'] {
  const out: CompileOptions['dimRanges'] = {};
  for (const [name, v] of keyValues('--range', values)) {
    const m = /^(\d+):(\d+)$/.exec(v);
    const min = Number(m?.[1]);
    const max = Number(m?.[2]);
    if (!m || min <= 0 || max < min) {
      throw new AppError(
        'BAD_REQUEST',
        `--range ${name}=${v}: write it as MIN:MAX, 1 <= MIN <= MAX`,
      );
    }
    out[name] = { min, max };
  }
  return out;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

/** Runs `crucible compile`. */
export async function compileCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCliArgs('compile', args, {
    provider: { type: 'string', default: 'cpu' },
    ...INPUT_OPTIONS,
    range: { type: 'string', multiple: true },
    'cuda-graph': { type: 'boolean' },
    json: { type: 'boolean' },
  });
  if (positionals.length !== 1) {
    throw new AppError('BAD_REQUEST', 'compile: give exactly one MODEL path');
  }
  const modelPath = path.resolve(positionals[0] as string);
  const provider = ProviderIdSchema.safeParse(values.provider);
  if (!provider.success) {
    throw new AppError(
      'BAD_REQUEST',
      `compile: unknown provider '${values.provider}' (${ProviderIdSchema.options.join(', ')})`,
    );
  }
  // The warm-up run feeds what a run with the same flags would (a control input picks its branch).
  const plan = planFromArgs(values);
  const options = CompileOptionsSchema.parse({
    dims: plan.dims,
    dimRanges: parseRanges(values.range),
    cudaGraph: values['cuda-graph'] ?? false,
  });
  const inspection = await inspectModel(modelPath, { dims: options.dims });
  await checkExternalData(modelPath);
  // Bad input flags fail here, before a worker starts.
  await resolveInputs({ path: modelPath, inputs: inspection.inputs }, plan);
  const providerOptions = buildProviderOptions(provider.data, options, inspection.inputs);

  const t0 = performance.now();
  const say = (what: string) => io.err(`[${seconds(performance.now() - t0)}] ${what}`);
  const engine = await startEngine();
  let status: EngineStatus;
  try {
    status = engine.status();
  } finally {
    engine.close();
  }
  requireAvailableProvider(status.providers, provider.data);
  const now = {
    ortVersion: status.ortVersion,
    providers: status.providers,
    snapshot: await gpuSnapshot(provider.data),
    epVersion: await epVersionHere(provider.data),
  };
  const facts = requireMachineFacts(machineFactsFor(provider.data, now));
  const lib = provider.data === 'nv-tensorrt-rtx' ? findTrtRtxLibrary() : null;

  const cache = new CompileCache(resolveDataPaths().cache);
  const modelSha256 = await sha256File(modelPath);
  const tmp = await cache.createTemp('cli');
  const abort = new AbortController();
  const onSigint = () => abort.abort();
  process.once('SIGINT', onSigint);
  let entry: CheckedEntry;
  try {
    const spec = {
      jobId: 'cli',
      modelPath,
      modelSha256,
      provider: provider.data,
      options,
      providerOptions,
      outDir: tmp,
      epLibrary: lib ? { name: PROVIDERS[provider.data].ortName, path: lib } : null,
      inputs: plan,
    };
    let count = 0;
    const result = await runCompileWorker(
      nodeWorkerSpawner(appFiles().compileWorkerScript),
      spec,
      {
        onPhase: (phase) => say(phase),
        onSubgraphs: (n) => {
          count = n;
          say(`${n} subgraph${n === 1 ? '' : 's'} for ${PROVIDERS[provider.data].ortName}`);
        },
        onSubgraphBuilt: (i) =>
          say(
            `built subgraph ${i} of ${count}${count > 0 ? ` (${Math.round((100 * i) / count)}%)` : ''}`,
          ),
      },
      abort.signal,
    );
    say('serializing');
    entry = await sealCompile(cache, spec, result, facts, {
      name: path.basename(modelPath),
      optionsHash: optionsHash(provider.data, options),
      options,
    });
  } finally {
    process.off('SIGINT', onSigint);
    await cache.removeTemp(tmp);
  }
  const meta = entry.meta;
  if (!meta) throw new Error('a sealed entry has no meta');
  const out = {
    model: modelPath,
    provider: provider.data,
    entry: entry.id,
    dir: entry.dir,
    artifact: meta.artifact,
    kind: meta.kind,
    sizeBytes: entry.sizeBytes,
    nodes: meta.nodes,
    timings: meta.timings,
  };
  if (values.json) {
    io.out(JSON.stringify(out, null, 2));
  } else {
    const t = meta.timings;
    const lines = [
      `${modelPath} compiled for ${provider.data} in ${seconds(t.totalMs)} → ${entry.dir}`,
      `  ${meta.kind === 'optimized' ? 'optimised model' : 'EP-context model'} ${meta.artifact}, ${entry.sizeBytes} bytes`,
    ];
    if (t.coldSessionMs !== null && t.warmSessionMs !== null) {
      lines.push(
        `  session creation: ${t.coldSessionMs.toFixed(1)} ms from the original, ${t.warmSessionMs.toFixed(1)} ms from the compiled model`,
      );
    }
    if (meta.nodes)
      lines.push(
        `  nodes: ${meta.nodes.provider} on ${PROVIDER_LABELS[provider.data]}, ${meta.nodes.cpu} on CPU`,
      );
    io.out(lines.join('\n'));
  }
  return 0;
}
