/**
 * Reading files the user (or a folder walk, or a model's external-data list) names, safely: only
 * regular files. A FIFO opened for reading blocks until a writer comes — in libuv's thread pool,
 * where four such opens stop every file operation of the process — and `/dev/zero` never ends, so
 * every such path is resolved, `lstat`ed, opened with O_NOFOLLOW | O_NONBLOCK (an open that cannot
 * block and cannot be swapped for a link in between), checked again on the open descriptor, and
 * read no further than the size the file had when it was opened. Symbolic links the user made are
 * followed once, explicitly (Hugging Face's cache is links to blobs), to the file they name.
 */
import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { lstat, open, realpath, type FileHandle } from 'node:fs/promises';
import { AppError } from '../shared/errors';

/** An open regular file and its size at open time. */
export interface RegularFile {
  handle: FileHandle;
  size: number;
  /** The path after links, what was opened. */
  realPath: string;
}

// O_NOFOLLOW and O_NONBLOCK do not exist on Windows (0 there), where FIFOs and device files are
// not reachable through ordinary paths anyway; the fstat check below holds everywhere.
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

/** What kind of thing a path is, for people. */
function kindOf(st: {
  isDirectory(): boolean;
  isFIFO(): boolean;
  isCharacterDevice(): boolean;
  isBlockDevice(): boolean;
  isSocket(): boolean;
}): string {
  if (st.isDirectory()) return 'a folder';
  if (st.isFIFO()) return 'a named pipe (FIFO)';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

function notRegular(file: string, kind: string): AppError {
  return new AppError('BAD_REQUEST', `${file} is ${kind}, not a regular file: it cannot be read`);
}

function fsFailure(err: unknown, file: string): AppError {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT' || code === 'ENOTDIR') {
    return new AppError('FILE_NOT_FOUND', `${file} does not exist`);
  }
  if (code === 'ELOOP') return new AppError('BAD_REQUEST', `${file} is a link loop`);
  if (code === 'EACCES' || code === 'EPERM') {
    return new AppError('IO_ERROR', `${file} cannot be read (permission denied)`);
  }
  return new AppError('IO_ERROR', `could not read ${file}`, (err as Error)?.message);
}

/**
 * Checks `file` is a regular file without opening it (nothing that can block): FILE_NOT_FOUND, or
 * BAD_REQUEST naming the file and what it is (a named pipe, a device, a socket, a folder).
 */
export async function assertRegularFile(file: string): Promise<number> {
  let real: string;
  try {
    real = await realpath(file);
    const st = await lstat(real);
    if (!st.isFile()) throw notRegular(file, kindOf(st));
    return st.size;
  } catch (err) {
    throw err instanceof AppError ? err : fsFailure(err, file);
  }
}

/** Opens `file` for reading if, and only if, it is a regular file (see the module comment). */
export async function openRegularFile(file: string): Promise<RegularFile> {
  let real: string;
  let handle: FileHandle | null = null;
  try {
    real = await realpath(file);
    const before = await lstat(real);
    if (!before.isFile()) throw notRegular(file, kindOf(before));
    handle = await open(real, OPEN_FLAGS);
    const st = await handle.stat();
    // The same inode as the one checked: nothing was swapped in between.
    if (!st.isFile() || st.ino !== before.ino || st.dev !== before.dev) {
      throw notRegular(file, st.isFile() ? 'a file that changed while it was opened' : kindOf(st));
    }
    return { handle, size: st.size, realPath: real };
  } catch (err) {
    await handle?.close().catch(() => undefined);
    throw err instanceof AppError ? err : fsFailure(err, file);
  }
}

/**
 * Reads a whole regular file, refusing one over `maxBytes` before reading (`tooBig` words the
 * error). Reads at most the size the file had when opened.
 */
export async function readRegularFile(
  file: string,
  maxBytes: number,
  tooBig: (size: number) => Error,
): Promise<Buffer> {
  const f = await openRegularFile(file);
  if (f.size > maxBytes) {
    await f.handle.close().catch(() => undefined);
    throw tooBig(f.size);
  }
  try {
    const out = Buffer.alloc(f.size);
    let at = 0;
    while (at < f.size) {
      const { bytesRead } = await f.handle.read(out, at, f.size - at, at);
      if (bytesRead === 0) break; // cut short while reading: what is there
      at += bytesRead;
    }
    return at === f.size ? out : out.subarray(0, at);
  } catch (err) {
    throw err instanceof AppError ? err : fsFailure(err, file);
  } finally {
    await f.handle.close().catch(() => undefined);
  }
}

/**
 * sha256 of a regular file, streamed in 1 MiB reads, bounded by the file's size at open time and
 * stopped (CANCELLED) as soon as `signal` aborts.
 */
export async function hashRegularFile(file: string, signal?: AbortSignal): Promise<string> {
  const f = await openRegularFile(file);
  try {
    const hash = createHash('sha256');
    const buf = Buffer.alloc(Math.min(1 << 20, Math.max(1, f.size)));
    let at = 0;
    while (at < f.size) {
      if (signal?.aborted) throw new AppError('CANCELLED', `hashing ${file} was cancelled`);
      const { bytesRead } = await f.handle.read(buf, 0, Math.min(buf.length, f.size - at), at);
      if (bytesRead === 0) break;
      hash.update(buf.subarray(0, bytesRead));
      at += bytesRead;
    }
    return hash.digest('hex');
  } catch (err) {
    throw err instanceof AppError ? err : fsFailure(err, file);
  } finally {
    await f.handle.close().catch(() => undefined);
  }
}
