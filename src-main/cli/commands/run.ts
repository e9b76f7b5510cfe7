/**
 * `crucible run MODEL ...`: one inference through the engine host, outputs summarized and
 * optionally written as .npy / .pb. Inputs come from the flags `bench` and `compile` take too
 * (engine/model/input-sources.ts): files, values, fills by name and dtype; the result records
 * what was fed, how each dim was chosen, and the arguments that replay it.
 *
 * Pictures: `--input NAME=FILE.png` is decoded into the NCHW float32 [1, 3, H, W] tensor in [0, 1]
 * that the app's image runs make (resized to fixed sides), and then every picture-shaped output
 * (float32 [1, 1|3|4, H, W]) is written as a PNG — into --out as <output>.png, or beside the
 * first picture as <picture>.<model>.png — never over an existing file.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { type TensorSummary } from '../../ipc/contract';
import { withLabels } from '../../ipc/labels';
import { checkExternalData, inspectModel } from '../../engine/model/inspect';
import { INPUT_OPTIONS, planFromArgs, resolveInputs } from '../../engine/model/input-sources';
import { readOnnxFile } from '../../engine/model/onnx-file';
import { summarizeTensor } from '../../engine/model/summary';
import { writeTensorFile } from '../../engine/model/tensor-files';
import { isPictureTensor, nchwToRgba } from '../../engine/model/image';
import { writePng } from '../../engine/model/png';
import type { HostTensor } from '../../engine/tensor';
import { AppError, toErrorData } from '../../shared/errors';
import { composeHeadless } from '../../services/headless';
import { type CliIo, oneModelPath, parseCliArgs, providerArg } from '../io';

export async function runCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCliArgs('run', args, {
    ...INPUT_OPTIONS,
    provider: { type: 'string', default: 'cpu' },
    out: { type: 'string' },
    format: { type: 'string', default: 'npy' },
    json: { type: 'boolean' },
    'no-cache': { type: 'boolean' },
  });
  const modelPath = oneModelPath('run', positionals);
  const provider = providerArg('run', values.provider);
  const plan = planFromArgs(values);
  if (values.format !== 'npy' && values.format !== 'pb') {
    throw new AppError('BAD_REQUEST', `run: --format must be npy or pb, got '${values.format}'`);
  }

  const dims = plan.dims;
  const file = await readOnnxFile(modelPath);
  const inspection = await inspectModel(modelPath, { dims });
  await checkExternalData(modelPath);
  const inputs = await resolveInputs(
    {
      path: modelPath,
      inputs: inspection.inputs,
      proto: file.model,
      pixels: inspection.pictureScaling,
    },
    plan,
  );

  // The headless use-cases (services/headless.ts): the app's session owner and compile cache.
  const headless = await composeHeadless();
  try {
    const model = await headless.model(modelPath, inspection);
    // A valid compile-cache entry for this model, provider and dims starts faster.
    if (!values['no-cache']) await headless.findCompiled(model, provider, dims);
    const {
      session,
      sessionMs,
      run: ran,
    } = await headless
      .runOnce(model, {
        provider: provider,
        dims,
        variant: values['no-cache'] ? 'original' : 'best',
        inputs: inputs.tensors,
      })
      .catch((err: unknown) => {
        throw withInputFile(err, inputs.fileOf);
      });
    const tensors = ran.tensors ?? {};
    const summaries: TensorSummary[] = Object.entries(tensors).map(([name, t]) =>
      withLabels(summarizeTensor(name, t), inspection.labels?.names),
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
      provider: provider,
      variant: session.variant,
      sessionMs,
      cache: session.entryId,
      runMs: ran.runMs,
      inputs: Object.fromEntries(
        inputs.fed.map((f) => [
          f.name,
          { dtype: f.dtype, dims: f.dims, from: inputs.fileOf[f.name] ?? f.source },
        ]),
      ),
      fed: inputs.fed,
      dimChoices: inputs.choices,
      replay: inputs.replay,
      outputs: summaries,
      files,
    };
    if (values.json) io.out(JSON.stringify(result, null, 2));
    else io.out(formatRun(result));
    return 0;
  } finally {
    headless.close();
  }
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
      lines.push(
        `    top ${o.topk.map((t) => `${t.label !== undefined ? `${t.label} (${t.index})` : t.index}:${t.value.toPrecision(4)}`).join('  ')}`,
      );
  }
  for (const f of r.files) lines.push(`  wrote ${f}`);
  return lines.join('\n');
}
