/**
 * A float16 variant written to disk: reads a model (its external data too, checked to stay
 * inside the model's folder), converts it (fp16.ts), records where it came from in the model's
 * metadata, and writes it atomically to a path that must not exist yet — never over anything,
 * least of all the user's model.
 */
import { open } from 'node:fs/promises';
import { onnx } from 'onnx-proto';
import { AppError } from '../../shared/errors';
import { writeFileAtomic } from '../../store/atomic-file';
import { convertToFloat16, type Fp16Options, type Fp16Report } from './fp16';
import { externalRefs } from './inspect';
import { fsError, MAX_PROTOBUF_BYTES, readOnnxFile } from './onnx-file';
import { walkGraphs } from './graph';

/** Metadata keys a variant carries (ModelProto.metadata_props). */
export const VARIANT_KEYS = { variant: 'crucible.variant', source: 'crucible.source' } as const;

/** What writing a variant did. */
export interface VariantResult<R> {
  report: R;
  /** Bytes of the written model. */
  bytes: number;
}

export type Fp16VariantResult = VariantResult<Fp16Report>;

/**
 * Converts the model at `source` to float16 and writes it to `dest` (which must not exist).
 * `sourceId` (the original's sha256) goes into the metadata. Errors: FILE_NOT_FOUND,
 * MODEL_INVALID, EXTERNAL_DATA_OUTSIDE/MISSING naming the file; UNSUPPORTED when the result
 * would pass protobuf's 2 GiB limit; IO_ERROR when `dest` exists or cannot be written.
 */
export function writeFp16Variant(
  source: string,
  dest: string,
  options: Fp16Options,
  sourceId: string,
): Promise<Fp16VariantResult> {
  return writeVariant(source, dest, { kind: 'fp16', words: 'float16', sourceId }, (model) =>
    convertToFloat16(model, options),
  );
}

/**
 * A variant of the model at `source` written to `dest` (which must not exist): the model read
 * with its external data, `make` changing it in place (its report returned; it is given the
 * model file's path for its errors), the metadata saying which kind of variant of which model
 * it is, then one atomic write — never over anything, least of all the user's model.
 */
export async function writeVariant<R>(
  source: string,
  dest: string,
  variant: { kind: string; words: string; sourceId: string },
  make: (model: onnx.IModelProto, modelPath: string) => R,
): Promise<VariantResult<R>> {
  const file = await readOnnxFile(source);
  const model = file.model;
  await readExternalData(model, file.path, file.dir);
  const report = make(model, file.path);
  model.metadataProps = [
    ...(model.metadataProps ?? []).filter(
      (p) => p.key !== VARIANT_KEYS.variant && p.key !== VARIANT_KEYS.source,
    ),
    { key: VARIANT_KEYS.variant, value: variant.kind },
    { key: VARIANT_KEYS.source, value: variant.sourceId },
  ];
  const bytes = onnx.ModelProto.encode(model).finish();
  if (bytes.byteLength > MAX_PROTOBUF_BYTES) {
    throw new AppError(
      'UNSUPPORTED',
      `${file.path}: its ${variant.words} variant would be ${bytes.byteLength} bytes, over protobuf's 2 GiB limit for one file`,
    );
  }
  await writeFileAtomic(dest, bytes, { overwrite: false });
  return { report, bytes: bytes.byteLength };
}

/**
 * Reads every external-data initializer into raw_data (so a variant is one file); the int8
 * variant (int8-file.ts) reads its source the same way.
 */
export async function readExternalData(
  model: onnx.IModelProto,
  modelPath: string,
  dir: string,
): Promise<void> {
  const refs = new Map(externalRefs(model, modelPath, dir).map((r) => [r.tensor, r]));
  if (refs.size === 0) return;
  const tensors: onnx.ITensorProto[] = [];
  walkGraphs(model.graph ?? {}, (g) => {
    for (const t of g.initializer ?? []) if (t.dataLocation === 1) tensors.push(t);
  });
  for (const t of tensors) {
    const ref = refs.get(t.name ?? '');
    if (!ref) continue;
    const buf = new Uint8Array(ref.bytes);
    let handle;
    try {
      handle = await open(ref.file, 'r');
      const { bytesRead } = await handle.read(buf, 0, ref.bytes, ref.offset);
      if (bytesRead !== ref.bytes) {
        throw new AppError(
          'EXTERNAL_DATA_MISSING',
          `${modelPath}: tensor '${ref.tensor}' needs ${ref.bytes} bytes of ${ref.location} from offset ${ref.offset}, but only ${bytesRead} are there`,
        );
      }
    } catch (err) {
      if (err instanceof AppError) throw err;
      throw fsError(err, ref.file);
    } finally {
      await handle?.close();
    }
    t.rawData = buf;
    t.externalData = [];
    t.dataLocation = onnx.TensorProto.DataLocation.DEFAULT;
  }
}
