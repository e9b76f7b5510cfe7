/**
 * Tensor files on disk: ONNX TensorProto `.pb` and NumPy `.npy`, chosen by extension.
 *
 * Writes are atomic (a temp file in the same folder, then a rename or a hard link) so a crash never
 * leaves half a file under the real name, and they refuse to replace an existing file unless the
 * caller says so: these are the user's files.
 */
import { link, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { AppError } from '../../shared/errors';
import type { HostTensor } from '../tensor';
import { decodeNpy, encodeNpy } from './npy';
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
  let bytes: Uint8Array;
  try {
    bytes = await readFile(filePath);
  } catch (err) {
    throw fsError(err, filePath);
  }
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
  await writeFileAtomic(filePath, bytes, options.overwrite ?? false);
}

/**
 * Writes bytes to a temp file beside `filePath`, then moves it into place. Without `overwrite`
 * the move is a hard link, which fails (rather than replaces) when the name is taken, so there is
 * no window between "checked it is free" and "wrote it"; filesystems without hard links fall back
 * to a check then a rename.
 */
export async function writeFileAtomic(
  filePath: string,
  bytes: Uint8Array,
  overwrite: boolean,
): Promise<void> {
  const dir = path.dirname(filePath);
  const tmp = path.join(dir, `.${path.basename(filePath)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const fh = await open(tmp, 'wx');
    try {
      await fh.writeFile(bytes);
      await fh.sync();
    } finally {
      await fh.close();
    }
    if (overwrite) {
      await rename(tmp, filePath);
      return;
    }
    try {
      await link(tmp, filePath);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') throw exists(filePath);
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EXDEV') throw err;
      if (
        await stat(filePath).then(
          () => true,
          () => false,
        )
      )
        throw exists(filePath);
      await rename(tmp, filePath);
    }
  } catch (err) {
    if (err instanceof AppError) throw err;
    const message = err instanceof Error ? err.message : String(err);
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new AppError('FILE_NOT_FOUND', `cannot write ${filePath}: the folder does not exist`);
    }
    throw new AppError('IO_ERROR', `could not write ${filePath}`, message);
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
}

function exists(filePath: string): AppError {
  return new AppError('IO_ERROR', `${filePath} already exists; not replacing it`);
}
