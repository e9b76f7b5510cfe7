/**
 * A dynamic INT8 variant written to disk through fp16-file.ts's writeVariant (external data read
 * in, metadata, atomic write to a path that must not exist yet): quantized by int8.ts, its errors
 * naming the model file.
 */
import { AppError } from '../../shared/errors';
import { type VariantResult, writeVariant } from './fp16-file';
import { quantizeDynamicInt8, type Int8Options, type Int8Report } from './int8';

/** What writing an int8 variant did. */
export type Int8VariantResult = VariantResult<Int8Report>;

/**
 * Quantizes the model at `source` (dynamic int8) and writes it to `dest` (which must not exist).
 * `sourceId` (the original's sha256) goes into the metadata. Errors: FILE_NOT_FOUND,
 * MODEL_INVALID, EXTERNAL_DATA_OUTSIDE/MISSING naming the file; UNSUPPORTED when nothing could be
 * quantized or the result would pass protobuf's 2 GiB limit; IO_ERROR when `dest` exists or
 * cannot be written.
 */
export function writeInt8Variant(
  source: string,
  dest: string,
  options: Int8Options,
  sourceId: string,
): Promise<Int8VariantResult> {
  return writeVariant(source, dest, { kind: 'int8', words: 'int8', sourceId }, (model, path) => {
    try {
      return quantizeDynamicInt8(model, options);
    } catch (err) {
      if (err instanceof AppError) throw new AppError(err.code, `${path}: ${err.message}`);
      throw err;
    }
  });
}
