/**
 * `crucible compile MODEL --provider P [--dim N=V ...] [--range N=MIN:MAX ...] [--cuda-graph]
 * [--json]`: one compile through the app's compile queue (services/headless.ts `compileOnce`: the
 * same worker, cache, seal and estimates as the Compile area), progress on stderr, the entry on
 * stdout. `crucible run` then starts from it (headless `findCompiled`).
 */
import { performance } from 'node:perf_hooks';
import { CompileOptionsSchema, type CompileJob, type CompileOptions } from '../../ipc/contract';
import { checkExternalData, inspectModel } from '../../engine/model/inspect';
import {
  INPUT_OPTIONS,
  planFromArgs,
  resolveInputs,
  withModelPixels,
} from '../../engine/model/input-sources';
import { PROVIDER_LABELS } from '../../ipc/providers';
import { composeHeadless } from '../../services/headless';
import { AppError } from '../../shared/errors';
import { type CliIo, keyValues, oneModelPath, parseCliArgs, providerArg } from '../io';

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
  const modelPath = oneModelPath('compile', positionals);
  const provider = providerArg('compile', values.provider);
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
  await resolveInputs(
    { path: modelPath, inputs: inspection.inputs, pixels: inspection.pictureScaling },
    plan,
  );
  const t0 = performance.now();
  const say = (what: string) => io.err(`[${seconds(performance.now() - t0)}] ${what}`);
  const headless = await composeHeadless();
  const abort = new AbortController();
  const onSigint = () => abort.abort();
  process.once('SIGINT', onSigint);
  let job: CompileJob;
  let entry: Awaited<ReturnType<typeof headless.entry>>;
  try {
    const model = await headless.model(modelPath, inspection);
    let phase: string | null = null;
    let built = -1;
    job = await headless.compileOnce(model, provider, options, {
      inputs: withModelPixels(plan, inspection.pictureScaling),
      signal: abort.signal,
      onProgress: (j) => {
        if (j.phase !== phase && j.phase !== 'done') say((phase = j.phase));
        const sub = j.subgraph;
        if (sub && sub.count > 0 && sub.index !== built) {
          built = sub.index;
          say(
            built === 0
              ? `${sub.count} subgraph${sub.count === 1 ? '' : 's'} for ${PROVIDER_LABELS[provider]}`
              : `built subgraph ${built} of ${sub.count} (${Math.round((100 * built) / sub.count)}%)`,
          );
        }
      },
    });
    if (job.state === 'cancelled')
      throw new AppError('CANCELLED', `compile of ${modelPath} cancelled; nothing was cached`);
    if (job.state !== 'done' || !job.cacheEntryId) {
      throw new AppError(
        job.error?.code ?? 'INTERNAL',
        job.error?.message ?? `compile of ${modelPath} failed`,
      );
    }
    entry = await headless.entry(job.cacheEntryId);
  } finally {
    process.off('SIGINT', onSigint);
    headless.close();
  }
  const meta = entry?.meta;
  if (!entry || !meta) throw new Error('a sealed entry has no passport');
  const out = {
    model: modelPath,
    provider: provider,
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
      `${modelPath} compiled for ${provider} in ${seconds(t.totalMs)} → ${entry.dir}`,
      `  ${meta.kind === 'optimized' ? 'optimised model' : 'EP-context model'} ${meta.artifact}, ${entry.sizeBytes} bytes`,
    ];
    if (t.coldSessionMs !== null && t.warmSessionMs !== null) {
      lines.push(
        `  session creation: ${t.coldSessionMs.toFixed(1)} ms from the original, ${t.warmSessionMs.toFixed(1)} ms from the compiled model`,
      );
    }
    if (meta.nodes)
      lines.push(
        `  nodes: ${meta.nodes.provider} on ${PROVIDER_LABELS[provider]}, ${meta.nodes.cpu} on CPU`,
      );
    io.out(lines.join('\n'));
  }
  return 0;
}
