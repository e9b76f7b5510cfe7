/**
 * `crucible convert MODEL --to fp16|int8 [--keep-io-types | --fp16-io] [--block Op,...]
 * [--min-elements N] [--conv] [--json]`: a float16 or dynamic int8 variant of a model, written
 * into the library (`<data>/library/variants/<model id>/`, temp file + rename, never over the
 * model) and recorded on the model's library entry (the model is added to the library when it is
 * not there yet). The app shows it in the model's Precision panel; `crucible run/bench/compile`
 * take its path like any model.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Fp16Report, Int8Report, ModelVariant } from '../../ipc/contract';
import { writeFp16Variant } from '../../engine/model/fp16-file';
import { writeInt8Variant } from '../../engine/model/int8-file';
import { DEFAULT_MIN_ELEMENTS } from '../../engine/model/int8';
import { checkExternalData, inspectModel } from '../../engine/model/inspect';
import { sha256File } from '../../engine/cache/hash';
import { displayName, ModelLibrary } from '../../services/model-library';
import { AppError } from '../../shared/errors';
import { resolveDataPaths } from '../../store/paths';
import { type CliIo, oneModelPath, parseCliArgs } from '../io';

/** The usage lines of `crucible convert`. */
export const CONVERT_USAGE = `convert MODEL --to fp16|int8 [--keep-io-types | --fp16-io] [--block Op,...]
        [--min-elements N] [--conv] [--json]
      fp16: a float16 variant (weights and compute; inputs/outputs stay float32 unless --fp16-io;
      ops in --block stay float32 besides the default list); int8: dynamic int8 MatMul / Gemm
      (weights int8 per output channel, activations quantized at run time; weights under N
      values, default ${DEFAULT_MIN_ELEMENTS}, and ops in --block stay float32; Conv too with
      --conv, through ConvInteger; inputs/outputs float32) — into the library beside the model`;

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
    'min-elements': { type: 'string' },
    conv: { type: 'boolean' },
    json: { type: 'boolean' },
  });
  const modelPath = oneModelPath('convert', positionals);
  const to = values.to;
  if (to !== 'fp16' && to !== 'int8') {
    throw new AppError('BAD_REQUEST', `convert: --to must be fp16 or int8, got '${to ?? ''}'`);
  }
  if (values['keep-io-types'] && values['fp16-io']) {
    throw new AppError('BAD_REQUEST', 'convert: give --keep-io-types or --fp16-io, not both');
  }
  if (to === 'int8' && values['fp16-io']) {
    throw new AppError('BAD_REQUEST', 'convert: --fp16-io is for --to fp16');
  }
  if (to === 'fp16' && (values['min-elements'] !== undefined || values.conv)) {
    throw new AppError('BAD_REQUEST', 'convert: --min-elements and --conv are for --to int8');
  }
  let minElements = DEFAULT_MIN_ELEMENTS;
  if (values['min-elements'] !== undefined) {
    minElements = Number(values['min-elements']);
    if (!Number.isSafeInteger(minElements) || minElements < 1) {
      throw new AppError(
        'BAD_REQUEST',
        `convert: --min-elements must be a whole number ≥ 1, got '${values['min-elements']}'`,
      );
    }
  }
  const block = (values.block ?? []).flatMap((b) => b.split(',')).filter((b) => b !== '');
  const options = { keepIoTypes: !values['fp16-io'], block };

  const library = await openCliLibrary();
  const model = await library.add(modelPath);
  const dir = library.variantsDir(model.id);
  await mkdir(dir, { recursive: true });
  const dest = path.join(dir, `${displayName(model.path)}.${to}.${Date.now().toString(36)}.onnx`);
  io.err(`converting ${model.path} to ${to === 'fp16' ? 'float16' : 'dynamic int8'}…`);
  const fp16 = to === 'fp16' ? await writeFp16Variant(model.path, dest, options, model.id) : null;
  const int8 =
    to === 'int8'
      ? await writeInt8Variant(
          model.path,
          dest,
          { block, minElements, conv: values.conv === true },
          model.id,
        )
      : null;
  const bytes = (fp16 ?? int8)?.bytes ?? 0;
  const inspection = await inspectModel(dest);
  const common = {
    id: await sha256File(dest),
    path: dest,
    createdAt: Date.now(),
    options: {
      keepIoTypes: int8 !== null || options.keepIoTypes,
      block,
      ...(int8 ? { conv: values.conv === true } : {}),
    },
    inspection,
    trade: null,
  };
  const variant: ModelVariant = fp16
    ? { ...common, kind: 'fp16', report: fp16.report }
    : { ...common, kind: 'int8', report: (int8 as NonNullable<typeof int8>).report };
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
  ];
  if (variant.kind === 'int8') lines.push(...int8Lines(variant.report));
  else lines.push(...fp16Lines(variant.report));
  io.out(lines.join('\n'));
  return 0;
}

function fp16Lines(report: Fp16Report): string[] {
  const lines = [
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
  return lines;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function int8Lines(report: Int8Report): string[] {
  const lines = [
    `  quantized   ${report.quantized.map((q) => `${q.op} ×${q.count}`).join(', ')}: ${plural(report.tensorsQuantized, 'weight')} (${report.valuesQuantized.toLocaleString('en-US')} values) int8 per output channel; ${plural(report.activationsQuantized, 'activation')} quantized at run time (DynamicQuantizeLinear); ${report.nodesAdded} nodes added`,
  ];
  for (const l of report.left) {
    lines.push(`  float32     ${l.op} ×${l.count}: ${l.reason}`);
  }
  for (const w of report.weights) {
    lines.push(
      `  weight      ${w.op} ${w.tensor} ${w.op === 'Conv' ? `${w.n} channels × ${w.k}` : `[${w.k}×${w.n}]`}: scales ${w.scaleMin.toExponential(3)}…${w.scaleMax.toExponential(3)}`,
    );
  }
  lines.push(
    '  providers   ONNX Runtime’s CPU provider runs MatMulInteger, ConvInteger and DynamicQuantizeLinear; a GPU provider without them leaves those nodes to the CPU (crucible compile VARIANT --provider P says how many)',
  );
  return lines;
}
