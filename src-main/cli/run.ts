/**
 * `crucible run MODEL ...`: one inference through the engine host, inputs from files or
 * synthesized, outputs summarized and optionally written as .npy / .pb.
 *
 * Pictures: `--input NAME=FILE.png` is decoded into the NCHW float32 [1, 3, H, W] tensor in [0, 1]
 * that the app's image runs make (engine/model/image.ts), and then every picture-shaped output
 * (float32 [1, 1|3|4, H, W]) is written as a PNG — into --out as <output>.png, or beside the
 * first picture as <picture>.<model>.png — never over an existing file.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import {
  ProviderIdSchema,
  type ModelInspection,
  type TensorSummary,
  type ValueInfo,
} from '../ipc/contract';
import { checkExternalData, inspectModel } from '../engine/model/inspect';
import { summarizeTensor } from '../engine/model/summary';
import { resolveDims, synthesizeInputs } from '../engine/model/synth';
import { readTensorFile, writeTensorFile } from '../engine/model/tensor-files';
import {
  isPictureTensor,
  nchwToRgba,
  pictureInputProblem,
  pictureSizeProblem,
  rgbaToNchw,
} from '../engine/model/image';
import { isPngPath, readPng, writePng } from '../engine/model/png';
import type { HostTensor } from '../engine/tensor';
import { AppError, toErrorData } from '../shared/errors';
import { findCachedModel } from './compile';
import { keyValues, parseCliArgs, parseDims, startEngine, type CliIo } from './io';

export async function runCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCliArgs('run', args, {
    provider: { type: 'string', default: 'cpu' },
    input: { type: 'string', multiple: true },
    shape: { type: 'string', multiple: true },
    dim: { type: 'string', multiple: true },
    fill: { type: 'string', default: 'random' },
    seed: { type: 'string', default: '1' },
    out: { type: 'string' },
    format: { type: 'string', default: 'npy' },
    json: { type: 'boolean' },
    'no-cache': { type: 'boolean' },
  });
  if (positionals.length !== 1)
    throw new AppError('BAD_REQUEST', 'run: give exactly one MODEL path');
  const modelPath = path.resolve(positionals[0] as string);
  const provider = ProviderIdSchema.safeParse(values.provider);
  if (!provider.success) {
    throw new AppError(
      'BAD_REQUEST',
      `run: unknown provider '${values.provider}' (${ProviderIdSchema.options.join(', ')})`,
    );
  }
  const fill = values.fill as string;
  if (fill !== 'random' && fill !== 'zeros' && fill !== 'ones') {
    throw new AppError('BAD_REQUEST', `run: --fill must be random, zeros or ones, got '${fill}'`);
  }
  const seed = Number(values.seed);
  if (!Number.isSafeInteger(seed))
    throw new AppError('BAD_REQUEST', `run: --seed must be an integer`);
  if (values.format !== 'npy' && values.format !== 'pb') {
    throw new AppError('BAD_REQUEST', `run: --format must be npy or pb, got '${values.format}'`);
  }

  const dims = parseDims(values.dim);
  const inspection = await inspectModel(modelPath, { dims });
  await checkExternalData(modelPath);
  const inputs = await buildInputs(modelPath, inspection, {
    files: keyValues('--input', values.input),
    shapes: keyValues('--shape', values.shape),
    dims,
    fill,
    seed,
  });

  const engine = await startEngine();
  try {
    // A valid compile-cache entry for this model, provider and dims starts faster (compile.ts).
    const cached = values['no-cache']
      ? null
      : await findCachedModel({
          modelPath,
          provider: provider.data,
          dims,
          engine: engine.status(),
        });
    const created = await engine.request('session.create', {
      sessionId: 'cli',
      modelPath: cached?.modelPath ?? modelPath,
      provider: provider.data,
      dims,
      ...(cached
        ? {
            providerOptions: cached.providerOptions,
            graphOptimizationLevel: cached.graphOptimizationLevel,
          }
        : {}),
    });
    const ran = await engine
      .request('session.run', { sessionId: 'cli', inputs: inputs.tensors, want: 'tensors' })
      .catch((err: unknown) => {
        throw withInputFile(err, inputs.fileOf);
      });
    const tensors = ran.tensors ?? {};
    const summaries: TensorSummary[] = Object.entries(tensors).map(([name, t]) =>
      summarizeTensor(name, t),
    );
    const files: string[] = [];
    // With a picture in, picture-shaped outputs come out as pictures.
    const pictureOutputs = inputs.firstPicture
      ? Object.keys(tensors).filter((n) => isPictureTensor(tensors[n] as HostTensor))
      : [];
    if (values.out) {
      const outDir = path.resolve(values.out);
      await mkdir(outDir, { recursive: true });
      for (const [name, t] of Object.entries(tensors)) {
        if (pictureOutputs.includes(name)) continue;
        const file = path.join(outDir, `${safeFileName(name)}.${values.format}`);
        await writeTensorFile(file, t, { name });
        files.push(file);
      }
    }
    for (const name of pictureOutputs) {
      const file = values.out
        ? path.join(path.resolve(values.out), `${safeFileName(name)}.png`)
        : besidePicture(inputs.firstPicture as string, modelPath, name, pictureOutputs.length);
      await writePng(file, nchwToRgba(tensors[name] as HostTensor, name));
      files.push(file);
    }
    const result = {
      model: modelPath,
      provider: provider.data,
      sessionMs: created.createMs,
      cache: cached?.entryId ?? null,
      runMs: ran.runMs,
      inputs: Object.fromEntries(
        Object.entries(inputs.tensors).map(([n, t]) => [
          n,
          { dtype: t.dtype, dims: t.dims, from: inputs.fileOf[n] ?? fill },
        ]),
      ),
      outputs: summaries,
      files,
    };
    if (values.json) io.out(JSON.stringify(result, null, 2));
    else io.out(formatRun(result));
    return 0;
  } finally {
    engine.close();
  }
}

interface InputPlan {
  files: [string, string][];
  shapes: [string, string][];
  dims: Record<string, number>;
  fill: 'random' | 'zeros' | 'ones';
  seed: number;
}

/** Inputs from files where given, synthesized for the rest (shapes from --shape, --dim or defaults). */
async function buildInputs(
  modelPath: string,
  inspection: ModelInspection,
  plan: InputPlan,
): Promise<{
  tensors: Record<string, HostTensor>;
  fileOf: Record<string, string>;
  /** The first input given as a .png, if any: picture outputs are written beside it. */
  firstPicture: string | null;
}> {
  const known = new Map(inspection.inputs.map((i) => [i.name, i]));
  const tensors: Record<string, HostTensor> = {};
  const fileOf: Record<string, string> = {};
  let firstPicture: string | null = null;
  for (const [name, file] of plan.files) {
    const info = known.get(name);
    if (!info) {
      throw new AppError(
        'INPUT_INVALID',
        `--input ${name}=${file}: the model has no input '${name}' (inputs: ${[...known.keys()].join(', ')})`,
      );
    }
    const abs = path.resolve(file);
    if (isPngPath(abs)) {
      tensors[name] = await readPicture(abs, modelPath, info);
      firstPicture ??= abs;
    } else {
      tensors[name] = (await readTensorFile(abs)).tensor;
    }
    fileOf[name] = abs;
  }
  const shapes = new Map<string, number[]>();
  for (const [name, spec] of plan.shapes) {
    if (!known.has(name))
      throw new AppError('INPUT_INVALID', `--shape ${name}: the model has no input '${name}'`);
    const dims = spec.split('x').map(Number);
    if (dims.some((d) => !Number.isSafeInteger(d) || d < 0)) {
      throw new AppError('BAD_REQUEST', `--shape ${name}=${spec}: write dims as 1x3x224x224`);
    }
    shapes.set(name, dims);
  }
  const rest = inspection.inputs
    .filter((i) => !(i.name in tensors))
    .map((i) => (shapes.has(i.name) ? { ...i, shape: shapes.get(i.name) ?? null } : i));
  for (const i of rest) resolveDims(i, plan.dims); // throws INPUT_INVALID for absurd sizes, naming the input
  Object.assign(
    tensors,
    synthesizeInputs(rest, { fill: plan.fill, seed: plan.seed, dims: plan.dims }),
  );
  return { tensors, fileOf, firstPicture };
}

/**
 * A PNG for a model input: refused (naming the file) unless the input takes a picture — float32
 * [1, 3, H, W] — with fixed sides, if any, equal to the picture's.
 */
async function readPicture(file: string, modelPath: string, input: ValueInfo): Promise<HostTensor> {
  const model = path.basename(modelPath);
  const problem = pictureInputProblem(input);
  if (problem !== null) {
    throw new AppError(
      'INPUT_INVALID',
      `${file}: ${model} cannot take a picture as '${input.name}': ${problem}; a picture needs a float32 input [1, 3, height, width]`,
    );
  }
  const picture = await readPng(file);
  const misfit = pictureSizeProblem(input, picture.width, picture.height);
  if (misfit !== null) throw new AppError('INPUT_INVALID', `${file}: ${model} ${misfit}`);
  return rgbaToNchw(picture.rgba, picture.width, picture.height);
}

/**
 * Where a picture output goes without --out: beside the picture, named after the picture and the
 * model (`cat.upscale2x.png`), plus the output's name when the model makes several pictures.
 */
function besidePicture(picture: string, modelPath: string, output: string, count: number): string {
  const stem = (p: string) => path.basename(p, path.extname(p));
  const suffix = count > 1 ? `.${safeFileName(output)}` : '';
  return path.join(path.dirname(picture), `${stem(picture)}.${stem(modelPath)}${suffix}.png`);
}

/** Adds the file an input came from to an input error, so the line names the file. */
function withInputFile(err: unknown, fileOf: Record<string, string>): unknown {
  const data = toErrorData(err);
  if (data.code !== 'INPUT_INVALID') return err;
  const hit = Object.entries(fileOf).find(([name]) => data.message.includes(`'${name}'`));
  return hit ? new AppError(data.code, `${hit[1]}: ${data.message}`, data.detail) : err;
}

function safeFileName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]/g, '_') || 'output';
}

function formatRun(r: {
  model: string;
  provider: string;
  sessionMs: number;
  cache: string | null;
  runMs: number;
  outputs: TensorSummary[];
  files: string[];
}): string {
  const lines = [
    `${r.model} on ${r.provider}: session ${r.sessionMs.toFixed(1)} ms${r.cache ? ' (compiled, from the cache)' : ''}, run ${r.runMs.toFixed(2)} ms`,
  ];
  for (const o of r.outputs) {
    lines.push(`  ${o.name}: ${o.dtype} [${o.shape.join(', ')}]`);
    if (o.stats) {
      const s = o.stats;
      lines.push(
        `    min ${s.min.toPrecision(5)}  max ${s.max.toPrecision(5)}  mean ${s.mean.toPrecision(5)}  std ${s.std.toPrecision(5)}${s.nan ? `  NaN ${s.nan}` : ''}`,
      );
    }
    lines.push(`    first ${o.first.slice(0, 8).join(', ')}`);
    if (o.topk)
      lines.push(`    top ${o.topk.map((t) => `${t.index}:${t.value.toPrecision(4)}`).join('  ')}`);
  }
  for (const f of r.files) lines.push(`  wrote ${f}`);
  return lines.join('\n');
}
