/**
 * Atomic file writes: write a temp file beside the target, flush it, then move it into place. A
 * crash or a full disk leaves either the old file or the new one, never half of either.
 */
import { randomBytes } from 'node:crypto';
import { link, open, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../shared/errors';

export interface AtomicWriteOptions {
  /**
   * Replace a file already at the path (default true: stores replace their own files). With
   * false — a user's output file — an existing file is an error, never overwritten.
   */
  overwrite?: boolean;
}

/**
 * Writes `data` to `file` atomically. Without `overwrite` the move is a hard link, which fails
 * (rather than replaces) when the name is taken, so there is no window between "checked it is
 * free" and "wrote it"; filesystems without hard links fall back to a check then a rename.
 * Errors are AppErrors naming the file (FILE_NOT_FOUND for a missing folder, IO_ERROR otherwise).
 */
export async function writeFileAtomic(
  file: string,
  data: string | Uint8Array,
  options: AtomicWriteOptions = {},
): Promise<void> {
  const overwrite = options.overwrite ?? true;
  const tmp = path.join(
    path.dirname(file),
    `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`,
  );
  try {
    const handle = await open(tmp, 'wx');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    if (overwrite) {
      await rename(tmp, file);
      return;
    }
    try {
      await link(tmp, file);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') throw alreadyExists(file);
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EXDEV') throw err;
      if (
        await stat(file).then(
          () => true,
          () => false,
        )
      )
        throw alreadyExists(file);
      await rename(tmp, file);
    }
  } catch (err) {
    if (err instanceof AppError) throw err;
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new AppError('FILE_NOT_FOUND', `cannot write ${file}: the folder does not exist`);
    }
    throw new AppError(
      'IO_ERROR',
      `could not write ${file}`,
      err instanceof Error ? err.message : String(err),
    );
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
}

function alreadyExists(file: string): AppError {
  return new AppError('IO_ERROR', `${file} already exists; not replacing it`);
}
