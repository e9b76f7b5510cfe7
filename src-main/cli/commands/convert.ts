/**
 * `crucible convert MODEL --to fp16 [--keep-io-types | --fp16-io] [--block Op,...] [--json]`: a
 * float16 variant of a model, written into the library (`<data>/library/variants/<model id>/`,
 * temp file + rename, never over the model) and recorded on the model's library entry (the model
 * is added to the library when it is not there yet). The app shows it in the model's Precision
 * panel; `crucible run/bench/compile` take its path like any model.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { ModelVariant } from '../../ipc/contract';
import { writeFp16Variant } from '../../engine/model/fp16-file';
import { checkExternalData, inspectModel } from '../../engine/model/inspect';
import { sha256File } from '../../engine/cache/hash';
import { displayName, ModelLibrary } from '../../services/model-library';
import { AppError } from '../../shared/errors';
import { resolveDataPaths } from '../../store/paths';
import { parseCliArgs, type CliIo } from '../io';

/** The usage lines of `crucible convert`. */
export const CONVERT_USAGE = `convert MODEL --to fp16 [--keep-io-types | --fp16-io] [--block Op,...] [--json]
      a float16 variant (weights and compute; inputs/outputs stay float32 unless --fp16-io;
      ops in --block stay float32 besides the default list) into the library beside the model`;

/** The CLI's view of the library (the app's folder, or CRUCIBLE_DATA_DIR). */
export async function openCliLibrary(): Promise<ModelLibrary> {
  const library = new ModelLibrary({
    dir: resolveDataPaths().library,
    builtInDir: null,
    inspect: (p) => inspectModel(p),
    checkExternalData: (p) => checkExternalData(p),
    notice: () => undefined,
  });
  await library.open();
  return library;
}

/** Runs `crucible convert`. */
export async function convertCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCliArgs('convert', args, {
    to: { type: 'string' },
    'keep-io-types': { type: 'boolean' },
    'fp16-io': { type: 'boolean' },
    block: { type: 'string', multiple: true },
    json: { type: 'boolean' },
  });
  if (positionals.length !== 1) {
    throw new AppError('BAD_REQUEST', 'convert: give exactly one MODEL path');
  }
  if (values.to !== 'fp16') {
    throw new AppError('BAD_REQUEST', `convert: --to must be fp16, got '${values.to ?? ''}'`);
  }
  if (values['keep-io-types'] && values['fp16-io']) {
    throw new AppError('BAD_REQUEST', 'convert: give --keep-io-types or --fp16-io, not both');
  }
  const block = (values.block ?? []).flatMap((b) => b.split(',')).filter((b) => b !== '');
  const options = { keepIoTypes: !values['fp16-io'], block };

  const library = await openCliLibrary();
  const model = await library.add(path.resolve(positionals[0] as string));
  const dir = library.variantsDir(model.id);
  await mkdir(dir, { recursive: true });
  const dest = path.join(dir, `${displayName(model.path)}.fp16.${Date.now().toString(36)}.onnx`);
  io.err(`converting ${model.path} to float16…`);
  const { report, bytes } = await writeFp16Variant(model.path, dest, options, model.id);
  const inspection = await inspectModel(dest);
  const variant: ModelVariant = {
    kind: 'fp16',
    id: await sha256File(dest),
    path: dest,
    createdAt: Date.now(),
    options,
    report,
    inspection,
    trade: null,
  };
  await library.addVariant(model.id, variant);
  if (values.json) {
    io.out(JSON.stringify({ model: model.path, modelId: model.id, variant, bytes }, null, 2));
    return 0;
  }
  const lines = [
    `${dest}`,
    `  from        ${model.path} (${model.id.slice(0, 12)})`,
    `  size        ${(bytes / 1e6).toFixed(2)} MB (was ${((model.inspection?.sizeBytes ?? 0) / 1e6).toFixed(2)} MB)`,
    `  precision   ${inspection.precision?.headline ?? '?'}; inputs/outputs ${options.keepIoTypes ? 'kept float32' : 'float16'}`,
    `  converted   ${report.convertedNodes} nodes, ${report.tensorsConverted} tensors (${report.valuesConverted.toLocaleString('en-US')} values); ${report.castsInserted} Casts added`,
  ];
  for (const b of report.blocked) {
    lines.push(`  float32     ${b.op} ×${b.count}: ${b.reason}`);
  }
  for (const c of report.clamped) {
    lines.push(
      `  clamped     ${c.tensor}: ${c.overflow} value(s) beyond ±65504, ${c.underflow} below 2^-24 (largest ${c.maxAbs.toExponential(3)})`,
    );
  }
  if (report.clamped.length === 0) lines.push('  clamped     nothing: every weight fits float16');
  io.out(lines.join('\n'));
  return 0;
}
