/**
 * Finding and registering NVIDIA's TensorRT for RTX plugin EP library
 * (onnxruntime_providers_nv_tensorrt_rtx.dll / libonnxruntime_providers_nv_tensorrt_rtx.so, with its
 * TensorRT-RTX and CUDA runtime libraries beside it). Looked for, in order, in: the folder bundled
 * in the installer's resources, the folder the user chose in Settings, CRUCIBLE_TRT_RTX_DIR.
 * The main process passes the first two to the engine host as CRUCIBLE_TRT_RTX_BUNDLED and
 * CRUCIBLE_TRT_RTX_SETTING.
 */
import fs from 'node:fs';
import path from 'node:path';
import { toErrorData } from '../../shared/errors';
import { registerExecutionProviderLibrary } from '../ort/ep-devices';
import { PROVIDERS } from './catalog';
import { sharedLibraryProblem } from './library-check';

/** The plugin library's file name on this platform. */
export function trtRtxLibraryName(platform: NodeJS.Platform = process.platform): string {
  return platform === 'win32'
    ? 'onnxruntime_providers_nv_tensorrt_rtx.dll'
    : 'libonnxruntime_providers_nv_tensorrt_rtx.so';
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
    const problem = await sharedLibraryProblem(file);
    if (problem) {
      return {
        registered: false,
        reason: `the TensorRT-RTX provider library from ${c.from} cannot be used: ${problem}`,
      };
    }
    try {
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
