/**
 * Finds and loads the ONNX Runtime shared library by absolute path, then checks it: OrtGetApiBase
 * exported, its version string, and GetApi(ORT_API_VERSION) non-null. Absolute paths matter on
 * Windows, where an older C:\Windows\System32\onnxruntime.dll would otherwise win the search order
 * (microsoft/onnxruntime#27888).
 */
import fs from 'node:fs';
import path from 'node:path';
import koffi from '../../native/koffi-setup';
import type { LibraryHandle } from 'koffi';
import { appFiles } from '../../app-files/app-files';
import { AppError } from '../../shared/errors';

/** The OrtApi version this binding's slot table is written against (ORT 1.30). */
export const ORT_API_VERSION = 30;

/** A loaded and checked ONNX Runtime library. */
export interface OrtLibrary {
  /** Absolute path of the library file that was loaded. */
  path: string;
  /** ORT's own version string, e.g. "1.30.0". */
  version: string;
  /** The koffi handle; kept so the library stays loaded. */
  handle: LibraryHandle;
  /** Address of the OrtApi function table for {@link ORT_API_VERSION}. */
  apiPtr: bigint;
}

const FILE_NAMES: Record<string, readonly string[]> = {
  win32: ['onnxruntime.dll'],
  linux: ['libonnxruntime.so.1', 'libonnxruntime.so'],
  darwin: ['libonnxruntime.dylib'],
};

/**
 * The folder where onnxruntime-node keeps its ORT library for this platform and architecture —
 * outside app.asar in a packaged app (app-files knows the layout; the OS loader cannot read an
 * archive).
 */
export function bundledOrtDir(): string {
  return appFiles().ortDir;
}

/**
 * The absolute path of the ORT library. `location` is a directory holding it (an ORT runtime folder,
 * e.g. one that carries the TensorRT-RTX EP) or the library file itself; omitted, onnxruntime-node's
 * own copy is used.
 */
export function resolveOrtLibraryPath(location?: string): string {
  const where = path.resolve(location ?? bundledOrtDir());
  let stat: fs.Stats;
  try {
    stat = fs.statSync(where);
  } catch {
    throw new AppError('ORT_LOAD_FAILED', `ONNX Runtime not found: ${where} does not exist`);
  }
  if (!stat.isDirectory()) return where;
  const names = FILE_NAMES[process.platform] ?? FILE_NAMES.linux ?? [];
  for (const name of names) {
    const candidate = path.join(where, name);
    if (fs.existsSync(candidate)) return candidate;
  }
  // macOS builds name the file with its version (libonnxruntime.1.30.0.dylib).
  if (process.platform === 'darwin') {
    const versioned = fs.readdirSync(where).find((f) => /^libonnxruntime\.[\d.]+dylib$/.test(f));
    if (versioned) return path.join(where, versioned);
  }
  throw new AppError(
    'ORT_LOAD_FAILED',
    `ONNX Runtime not found in ${where}: expected ${names.join(' or ')}`,
  );
}

let loaded: OrtLibrary | null = null;
// Sibling DLLs preloaded on Windows stay referenced so they stay loaded.
const preloaded: LibraryHandle[] = [];

/**
 * Loads and checks the ORT library once per process. A second call with another location fails:
 * one process can hold only one ORT (its env is a process-wide singleton).
 */
export function loadOrtLibrary(location?: string): OrtLibrary {
  const file = resolveOrtLibraryPath(location);
  if (loaded) {
    if (loaded.path === file) return loaded;
    throw new AppError(
      'ORT_LOAD_FAILED',
      `cannot load ONNX Runtime from ${file}: this process already loaded ${loaded.path}`,
    );
  }
  if (process.platform === 'win32') preloadWindowsSiblings(path.dirname(file));

  let handle: LibraryHandle;
  try {
    handle = koffi.load(file);
  } catch (err) {
    throw new AppError(
      'ORT_LOAD_FAILED',
      `cannot load ONNX Runtime library ${file}: ${errorText(err)}`,
    );
  }
  let getApiBase: () => bigint | null;
  try {
    getApiBase = handle.func('void *OrtGetApiBase(void)') as () => bigint | null;
  } catch {
    throw new AppError(
      'ORT_LOAD_FAILED',
      `${file} is not an ONNX Runtime library: it does not export OrtGetApiBase`,
    );
  }
  const base = getApiBase();
  if (!base) {
    throw new AppError('ORT_LOAD_FAILED', `${file}: OrtGetApiBase returned NULL`);
  }
  const [getApiPtr, getVersionPtr] = koffi.decode(base, 'void *', 2) as (bigint | null)[];
  if (!getApiPtr || !getVersionPtr) {
    throw new AppError('ORT_LOAD_FAILED', `${file}: OrtApiBase holds NULL function pointers`);
  }
  const getVersion = koffi.decode(getVersionPtr, koffi.proto('const char *(void)')) as () => string;
  const getApi = koffi.decode(getApiPtr, koffi.proto('void *(uint32_t version)')) as (
    v: number,
  ) => bigint | null;
  const version = getVersion();
  const apiPtr = getApi(ORT_API_VERSION);
  if (!apiPtr) {
    throw new AppError(
      'ORT_LOAD_FAILED',
      `ONNX Runtime ${version} at ${file} is too old: Crucible needs API version ${ORT_API_VERSION} (ORT 1.${ORT_API_VERSION} or newer)`,
    );
  }
  loaded = { path: file, version, handle, apiPtr };
  return loaded;
}

/**
 * Loads a shared library by absolute path and keeps it loaded for the life of the process. On
 * Windows a library loaded this way is reused for a later library's imports of the same name, so
 * an EP plugin's dependencies come from the plugin's folder (engine/providers/trt-rtx.ts).
 */
export function preloadLibrary(file: string): void {
  if (!path.isAbsolute(file)) throw new Error(`preloadLibrary needs an absolute path: ${file}`);
  preloaded.push(koffi.load(file));
}

/**
 * Windows resolves a DLL's own dependencies through the normal search order, where System32 comes
 * before the ORT folder. Loading the siblings first by absolute path makes the loader reuse them.
 */
function preloadWindowsSiblings(dir: string): void {
  for (const name of ['onnxruntime_providers_shared.dll', 'DirectML.dll']) {
    const file = path.join(dir, name);
    if (!fs.existsSync(file)) continue;
    try {
      preloaded.push(koffi.load(file));
    } catch {
      // ORT reports what it is missing when it needs it.
    }
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
