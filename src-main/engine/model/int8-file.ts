/**
 * A dynamic INT8 variant written to disk, as fp16-file.ts writes a float16 one: reads a model
 * (its external data too, checked to stay inside the model's folder), quantizes it (int8.ts),
 * records where it came from in the model's metadata, and writes it atomically to a path that
 * must not exist yet — never over anything, least of all the user's model.
 */
import { onnx } from 'onnx-proto';
import { AppError } from '../../shared/errors';
import { writeFileAtomic } from '../../store/atomic-file';
import { readExternalData, VARIANT_KEYS } from './fp16-file';
import { quantizeDynamicInt8, type Int8Options, type Int8Report } from './int8';
import { MAX_PROTOBUF_BYTES, readOnnxFile } from './onnx-file';

/** What writing an int8 variant did. */
export interface Int8VariantResult {
  report: Int8Report;
  /** Bytes of the written model. */
  bytes: number;
}

/**
 * Quantizes the model at `source` (dynamic int8) and writes it to `dest` (which must not exist).
 * `sourceId` (the original's sha256) goes into the metadata. Errors: FILE_NOT_FOUND,
 * MODEL_INVALID, EXTERNAL_DATA_OUTSIDE/MISSING naming the file; UNSUPPORTED when nothing could be
 * quantized or the result would pass protobuf's 2 GiB limit; IO_ERROR when `dest` exists or
 * cannot be written.
 */
export async function writeInt8Variant(
  source: string,
  dest: string,
  options: Int8Options,
  sourceId: string,
): Promise<Int8VariantResult> {
  const file = await readOnnxFile(source);
  const model = file.model;
  await readExternalData(model, file.path, file.dir);
  let report: Int8Report;
  try {
    report = quantizeDynamicInt8(model, options);
  } catch (err) {
    if (err instanceof AppError) throw new AppError(err.code, `${file.path}: ${err.message}`);
    throw err;
  }
  model.metadataProps = [
    ...(model.metadataProps ?? []).filter(
      (p) => p.key !== VARIANT_KEYS.variant && p.key !== VARIANT_KEYS.source,
    ),
    { key: VARIANT_KEYS.variant, value: 'int8' },
    { key: VARIANT_KEYS.source, value: sourceId },
  ];
  const bytes = onnx.ModelProto.encode(model).finish();
  if (bytes.byteLength > MAX_PROTOBUF_BYTES) {
    throw new AppError(
      'UNSUPPORTED',
      `${file.path}: its int8 variant would be ${bytes.byteLength} bytes, over protobuf's 2 GiB limit for one file`,
    );
  }
  await writeFileAtomic(dest, bytes, { overwrite: false });
  return { report, bytes: bytes.byteLength };
}
