/**
 * Finding and registering NVIDIA's TensorRT for RTX plugin EP library
 * (onnxruntime_providers_nv_tensorrt_rtx.dll / libonnxruntime_providers_nv_tensorrt_rtx.so, with its
 * TensorRT-RTX and CUDA runtime libraries beside it). Looked for, in order, in: the folder bundled
 * in the installer's resources, the folder the user chose in Settings, CRUCIBLE_TRT_RTX_DIR.
 * The main process passes the first two to the engine host as CRUCIBLE_TRT_RTX_BUNDLED and
 * CRUCIBLE_TRT_RTX_SETTING.
 *
 * Windows DLL search (engine/providers/README.md, "Windows DLL search"): ORT loads the plugin with
 * LoadLibraryExW(absolute path, LOAD_WITH_ALTERED_SEARCH_PATH), so the plugin's own folder is
 * searched first for its dependencies — but a dependency missing there would still be looked for
 * in the rest of the standard order, PATH included. So the folder must hold every library NVIDIA's
 * integration guide lists (checked here, before ORT sees the plugin), and those are loaded first by
 * absolute path, so the plugin binds to exactly them. Nothing is added to PATH or the DLL search
 * directories of the process.
 */
import fs from 'node:fs';
import path from 'node:path';
import { toErrorData } from '../../shared/errors';
import { registerExecutionProviderLibrary } from '../ort/ep-devices';
import { preloadLibrary } from '../ort/library';
import { PROVIDERS } from './catalog';
import { sharedLibraryProblem } from './library-check';

/** The plugin library's file name on this platform. */
export function trtRtxLibraryName(platform: NodeJS.Platform = process.platform): string {
  return platform === 'win32'
    ? 'onnxruntime_providers_nv_tensorrt_rtx.dll'
    : 'libonnxruntime_providers_nv_tensorrt_rtx.so';
}

/**
 * The libraries NVIDIA's plugin needs beside it on Windows (TensorRT-RTX-EP-ABI integration guide,
 * "Runtime dependencies"), in the order they are loaded: each depends on the ones before it.
 */
export const TRT_RTX_WINDOWS_DEPENDENCIES: readonly { what: string; file: RegExp }[] = [
  { what: 'the CUDA runtime (cudart64_<version>.dll)', file: /^cudart64_\d+\.dll$/i },
  { what: 'TensorRT-RTX (tensorrt_rtx_<major>_<minor>.dll)', file: /^tensorrt_rtx_\d+_\d+\.dll$/i },
  {
    what: "TensorRT-RTX's ONNX parser (tensorrt_onnxparser_rtx_<major>_<minor>.dll)",
    file: /^tensorrt_onnxparser_rtx_\d+_\d+\.dll$/i,
  },
];

/** Paths longer than this are refused by LoadLibraryExW unless the whole process is long-path aware. */
export const WINDOWS_MAX_PATH = 259;

/**
 * Why the plugin in `dir` cannot be loaded safely on `platform`, from file names alone: a path
 * Windows' loader cannot open, or a dependency missing from the folder (it would otherwise be
 * searched for on PATH). Null when nothing is wrong, and always on Linux, where the plugin's
 * RUNPATH and the loader's own rules decide.
 */
export function trtRtxFolderProblem(
  dir: string,
  platform: NodeJS.Platform = process.platform,
): string | null {
  if (platform !== 'win32') return null;
  const file = path.join(dir, trtRtxLibraryName(platform));
  if (file.length > WINDOWS_MAX_PATH) {
    return `its path is ${file.length} characters long, more than Windows' loader accepts (${WINDOWS_MAX_PATH}); move the folder somewhere shorter`;
  }
  const names = fs.readdirSync(dir);
  const missing = TRT_RTX_WINDOWS_DEPENDENCIES.filter((d) => !names.some((n) => d.file.test(n)));
  if (missing.length === 0) return null;
  return `${dir} lacks ${missing.map((d) => d.what).join(', ')}; NVIDIA's plugin needs them in its own folder (Crucible does not take them from PATH)`;
}

/** Loads the plugin's dependencies from its folder by absolute path, in dependency order. */
function preloadWindowsDependencies(dir: string): void {
  const names = fs.readdirSync(dir).sort();
  for (const dep of TRT_RTX_WINDOWS_DEPENDENCIES) {
    const name = names.find((n) => dep.file.test(n));
    if (name) preloadLibrary(path.join(dir, name));
  }
}

/** Candidate folders in search order, with where each came from. */
export function trtRtxCandidates(
  env: NodeJS.ProcessEnv = process.env,
): { from: string; dir: string }[] {
  const out: { from: string; dir: string }[] = [];
  if (env.CRUCIBLE_TRT_RTX_BUNDLED)
    out.push({ from: 'the installer', dir: env.CRUCIBLE_TRT_RTX_BUNDLED });
  if (env.CRUCIBLE_TRT_RTX_SETTING)
    out.push({ from: 'Settings', dir: env.CRUCIBLE_TRT_RTX_SETTING });
  if (env.CRUCIBLE_TRT_RTX_DIR)
    out.push({ from: 'CRUCIBLE_TRT_RTX_DIR', dir: env.CRUCIBLE_TRT_RTX_DIR });
  return out;
}

export type TrtRtxState =
  { registered: true; name: string; path: string } | { registered: false; reason: string };

/**
 * Registers the first plugin library found. Every failure becomes a reason a user can act on; a
 * folder without the library is skipped in favour of the next one.
 */
export async function registerTrtRtx(env: NodeJS.ProcessEnv = process.env): Promise<TrtRtxState> {
  const name = PROVIDERS['nv-tensorrt-rtx'].ortName;
  const candidates = trtRtxCandidates(env);
  const problems: string[] = [];
  for (const c of candidates) {
    const file = path.join(path.resolve(c.dir), trtRtxLibraryName());
    if (!fs.existsSync(file)) {
      problems.push(`${c.from} points at ${c.dir}, which has no ${trtRtxLibraryName()}`);
      continue;
    }
    // A foreign file (another OS's or CPU's build, not a library at all) is named plainly here;
    // the loader's own message for it is cryptic.
    const problem = trtRtxFolderProblem(path.dirname(file)) ?? (await sharedLibraryProblem(file));
    if (problem) {
      return {
        registered: false,
        reason: `the TensorRT-RTX provider library from ${c.from} cannot be used: ${problem}`,
      };
    }
    try {
      if (process.platform === 'win32') preloadWindowsDependencies(path.dirname(file));
      await registerExecutionProviderLibrary(name, file);
      return { registered: true, name, path: file };
    } catch (err) {
      return {
        registered: false,
        reason: `the TensorRT-RTX provider library at ${file} could not be loaded: ${toErrorData(err).message}`,
      };
    }
  }
  return {
    registered: false,
    reason:
      problems.length > 0
        ? `the TensorRT-RTX provider library was not found: ${problems.join('; ')}`
        : 'the TensorRT-RTX provider library is not installed (choose its folder in Settings, or set CRUCIBLE_TRT_RTX_DIR)',
  };
}

/** The first candidate folder that holds the plugin library (no loading): its file, or null. */
export function findTrtRtxLibrary(env: NodeJS.ProcessEnv = process.env): string | null {
  for (const c of trtRtxCandidates(env)) {
    const file = path.join(path.resolve(c.dir), trtRtxLibraryName());
    if (fs.existsSync(file)) return file;
  }
  return null;
}
