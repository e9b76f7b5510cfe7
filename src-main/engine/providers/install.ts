/**
 * Installing NVIDIA's TensorRT-RTX EP from a local archive (the official wheel is a zip) into
 * <userData>/providers/trt-rtx/<version>/: every shared library in the archive is unpacked into that
 * one folder (the plugin loads its TensorRT-RTX and CUDA runtime libraries from beside itself),
 * through a temp folder renamed into place. Foreign files are refused with a message that says what
 * they are: a Windows DLL on Linux, an arm64 library on x64, something that is not a library.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../../shared/errors';
import { platformLabel, sharedLibraryProblem } from './library-check';
import { trtRtxLibraryName } from './trt-rtx';
import { extractZipEntry, listZip, type ZipEntry } from './zip';

/** What an install produced. */
export interface TrtRtxInstall {
  dir: string;
  version: string;
  library: string;
  files: string[];
}

const SHARED_LIB = /\.(dll|so(\.\d+)*|dylib)$/i;

/** The EP's version: from the wheel's METADATA, else the archive's file name, else null. */
async function archiveVersion(
  archive: string,
  entries: ZipEntry[],
  scratch: string,
): Promise<string | null> {
  const meta = entries.find((e) => /\.dist-info\/METADATA$/.test(e.name));
  if (meta && meta.size < 1_000_000) {
    const tmp = path.join(scratch, 'METADATA');
    await extractZipEntry(archive, meta, tmp);
    const { readFile } = await import('node:fs/promises');
    const m = /^Version:\s*(\S+)/m.exec(await readFile(tmp, 'utf8'));
    await rm(tmp, { force: true });
    if (m?.[1]) return m[1];
  }
  const fromName = /-(\d+\.\d+(?:\.\d+)*[A-Za-z0-9.+]*)-/.exec(path.basename(archive));
  return fromName?.[1] ?? null;
}

/**
 * Unpacks the TensorRT-RTX EP library (and every other shared library in the archive) into
 * `<providersRoot>/<version>/`. BAD_REQUEST with a clear message for an archive that is not a zip,
 * holds no EP library, holds another platform's, or holds a library for another CPU.
 */
export async function installTrtRtxFromArchive(
  archive: string,
  providersRoot: string,
  platform: NodeJS.Platform = process.platform,
  arch: string = process.arch,
): Promise<TrtRtxInstall> {
  const file = path.resolve(archive);
  try {
    if (!(await stat(file)).isFile()) throw new Error('not a file');
  } catch {
    throw new AppError('FILE_NOT_FOUND', `${file} does not exist or is not a file`);
  }
  const entries = await listZip(file).catch((err: unknown) => {
    if (err instanceof AppError && err.code === 'BAD_REQUEST' && /not a zip/.test(err.message)) {
      throw new AppError(
        'BAD_REQUEST',
        `${file} is not a zip archive (NVIDIA's TensorRT-RTX wheel, .whl, is one)`,
      );
    }
    throw err;
  });
  const wanted = trtRtxLibraryName(platform);
  const lib = entries.find((e) => path.posix.basename(e.name) === wanted);
  if (!lib) {
    const other = (['win32', 'linux'] as const)
      .filter((p) => p !== platform)
      .find((p) => entries.some((e) => path.posix.basename(e.name) === trtRtxLibraryName(p)));
    throw new AppError(
      'BAD_REQUEST',
      other
        ? `${file} holds the ${platformLabel(other)} TensorRT-RTX library (${trtRtxLibraryName(other)}); this machine needs ${wanted}`
        : `${file} holds no TensorRT-RTX provider library (${wanted})`,
    );
  }
  const libs = entries.filter((e) => SHARED_LIB.test(path.posix.basename(e.name)));
  const seen = new Map<string, string>();
  for (const e of libs) {
    const base = path.posix.basename(e.name);
    if (!/^[A-Za-z0-9._+-]+$/.test(base)) {
      throw new AppError(
        'BAD_REQUEST',
        `${file}: refusing a library with an unusual name (${e.name})`,
      );
    }
    const prev = seen.get(base);
    if (prev !== undefined) {
      throw new AppError(
        'BAD_REQUEST',
        `${file} holds two libraries named ${base} (${prev}, ${e.name})`,
      );
    }
    seen.set(base, e.name);
  }

  await mkdir(providersRoot, { recursive: true });
  const tmp = path.join(providersRoot, `.install-${randomBytes(4).toString('hex')}`);
  await mkdir(tmp);
  try {
    const version = (await archiveVersion(file, entries, tmp)) ?? 'unversioned';
    if (!/^[A-Za-z0-9._+-]+$/.test(version)) {
      throw new AppError('BAD_REQUEST', `${file} gives an unusable version '${version}'`);
    }
    for (const e of libs)
      await extractZipEntry(file, e, path.join(tmp, path.posix.basename(e.name)));
    const problem = await sharedLibraryProblem(path.join(tmp, wanted), platform, arch);
    if (problem) {
      throw new AppError(
        'BAD_REQUEST',
        `${file}: the TensorRT-RTX library cannot load here: ${problem.replace(path.join(tmp, wanted), wanted)}`,
      );
    }
    const dir = path.join(providersRoot, version);
    await rm(dir, { recursive: true, force: true });
    await rename(tmp, dir);
    return {
      dir,
      version,
      library: path.join(dir, wanted),
      files: libs.map((e) => path.posix.basename(e.name)).sort(),
    };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
