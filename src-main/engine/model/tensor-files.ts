/**
 * Tensor files on disk: ONNX TensorProto `.pb` and NumPy `.npy`, chosen by extension.
 *
 * Writes are atomic (a temp file in the same folder, then a rename or a hard link) so a crash never
 * leaves half a file under the real name, and they refuse to replace an existing file unless the
 * caller says so: these are the user's files.
 */
import { stat } from 'node:fs/promises';
import { readRegularFile } from '../../store/regular-file';
import path from 'node:path';
import { AppError } from '../../shared/errors';
import type { HostTensor } from '../tensor';
import { decodeNpy, encodeNpy } from './npy';
import { writeFileAtomic } from '../../store/atomic-file';
import { fsError } from './onnx-file';
import { decodeTensorProto, encodeTensorProto } from './tensor-proto';

/** Largest tensor file read (Node's fs reads one buffer of at most 2 GiB). */
export const MAX_TENSOR_FILE_BYTES = 2 ** 31 - 1;

/** The tensor file formats, by extension. */
export type TensorFileFormat = 'pb' | 'npy';

/** The format a path's extension names, or null. */
export function tensorFileFormat(filePath: string): TensorFileFormat | null {
  const ext = path.extname(filePath).toLowerCase();
  return ext === '.pb' ? 'pb' : ext === '.npy' ? 'npy' : null;
}

function formatOf(filePath: string): TensorFileFormat {
  const format = tensorFileFormat(filePath);
  if (format === null) {
    throw new AppError(
      'INPUT_INVALID',
      `${filePath}: tensor files must end in .pb (ONNX TensorProto) or .npy (NumPy)`,
    );
  }
  return format;
}

/** A tensor read from a file, with the name a .pb carried ('' for .npy or an unnamed proto). */
export interface TensorFile {
  name: string;
  tensor: HostTensor;
}

/**
 * Reads a .pb or .npy tensor file. FILE_NOT_FOUND, INPUT_INVALID (naming the file and the problem)
 * or UNSUPPORTED (a dtype or layout that cannot be read).
 */
export async function readTensorFile(filePath: string): Promise<TensorFile> {
  const format = formatOf(filePath);
  let size: number;
  try {
    const st = await stat(filePath);
    if (st.isDirectory())
      throw new AppError('INPUT_INVALID', `${filePath} is a folder, not a tensor file`);
    size = st.size;
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw fsError(err, filePath);
  }
  if (size > MAX_TENSOR_FILE_BYTES) {
    throw new AppError(
      'INPUT_INVALID',
      `${filePath} is ${size} bytes, over the 2 GiB limit for tensor files`,
    );
  }
  // Regular files only: a FIFO or a device cannot block or stream forever.
  const bytes: Uint8Array = await readRegularFile(filePath, MAX_TENSOR_FILE_BYTES, (n) => {
    return new AppError('INPUT_INVALID', `${filePath} is ${n} bytes, over the 2 GiB limit`);
  });
  if (format === 'pb') return decodeTensorProto(bytes, filePath);
  return { name: '', tensor: decodeNpy(bytes, filePath) };
}

/** Options for writing a tensor file. */
export interface WriteTensorOptions {
  /** Replace a file already at the path (default false: an existing file is an error). */
  overwrite?: boolean;
  /** Name stored in a .pb (ignored for .npy). */
  name?: string;
}

/** Writes a tensor as .pb or .npy (by extension), atomically. */
export async function writeTensorFile(
  filePath: string,
  t: HostTensor,
  options: WriteTensorOptions = {},
): Promise<void> {
  const format = formatOf(filePath);
  const bytes = format === 'pb' ? encodeTensorProto(t, options.name ?? '') : encodeNpy(t);
  await writeFileAtomic(filePath, bytes, { overwrite: options.overwrite ?? false });
}
