// The plugin folder checks that keep Windows' DLL search away from PATH, on folders with non-ASCII
// and long names (a Windows user called Zoë, a deep Downloads folder). The checks read file names
// only, so they run here for the Windows case too (platform passed in).
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { WINDOWS_MAX_PATH, trtRtxFolderProblem, trtRtxLibraryName } from './trt-rtx';

function pluginFolder(files: string[], deep = 0): string {
  let dir = mkdtempSync(path.join(os.tmpdir(), 'crucible-trt-Zoë-用户-'));
  for (let i = 0; i < deep; i++) dir = path.join(dir, `TensorRT-RTX-Übersetzung-${i}`);
  mkdirSync(dir, { recursive: true });
  for (const f of [trtRtxLibraryName('win32'), ...files]) writeFileSync(path.join(dir, f), 'x');
  return dir;
}

const COMPLETE = ['cudart64_12.dll', 'tensorrt_rtx_1_2.dll', 'tensorrt_onnxparser_rtx_1_2.dll'];

describe('TensorRT-RTX plugin folder (Windows DLL search)', () => {
  it('accepts a folder with every library NVIDIA lists beside the plugin', () => {
    expect(trtRtxFolderProblem(pluginFolder(COMPLETE), 'win32')).toBeNull();
  });

  it('names what is missing instead of letting Windows look for it on PATH', () => {
    const dir = pluginFolder(['tensorrt_rtx_1_2.dll']);
    expect(trtRtxFolderProblem(dir, 'win32')).toBe(
      `${dir} lacks the CUDA runtime (cudart64_<version>.dll), TensorRT-RTX's ONNX parser (tensorrt_onnxparser_rtx_<major>_<minor>.dll); NVIDIA's plugin needs them in its own folder (Crucible does not take them from PATH)`,
    );
  });

  it('refuses a path longer than Windows’ loader takes, and says how long it is', () => {
    const dir = pluginFolder(COMPLETE, 8);
    const file = path.join(dir, trtRtxLibraryName('win32'));
    expect(file.length).toBeGreaterThan(WINDOWS_MAX_PATH);
    expect(trtRtxFolderProblem(dir, 'win32')).toBe(
      `its path is ${file.length} characters long, more than Windows' loader accepts (${WINDOWS_MAX_PATH}); move the folder somewhere shorter`,
    );
  });

  it('leaves Linux to the plugin’s RUNPATH and the loader', () => {
    expect(trtRtxFolderProblem(pluginFolder([]), 'linux')).toBeNull();
  });
});
