// Load errors first: once a library is loaded, this process refuses any other one.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../shared/errors';
import { ORT_API_VERSION, bundledOrtDir, loadOrtLibrary, resolveOrtLibraryPath } from './library';

function loadError(location: string): AppError {
  try {
    loadOrtLibrary(location);
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error(`loading ${location} did not fail`);
}

/**
 * A shared library every machine of a platform has and that is not ONNX Runtime: zlib on Linux
 * (x64 Debian path), kernel32.dll on Windows; null elsewhere.
 */
const FOREIGN: string | null =
  process.platform === 'win32'
    ? path.join(process.env.SystemRoot ?? 'C:\\Windows', 'System32', 'kernel32.dll')
    : process.platform === 'linux' && fs.existsSync('/usr/lib/x86_64-linux-gnu/libz.so.1')
      ? '/usr/lib/x86_64-linux-gnu/libz.so.1'
      : null;

describe('loading the ORT library', () => {
  it('names a directory that does not exist', () => {
    const err = loadError('/nonexistent/ort-dir');
    expect(err.code).toBe('ORT_LOAD_FAILED');
    expect(err.message).toContain('/nonexistent/ort-dir does not exist');
  });

  it('names a directory without the library', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crucible-ort-'));
    const err = loadError(dir);
    expect(err.code).toBe('ORT_LOAD_FAILED');
    expect(err.message).toContain(dir);
    expect(err.message).toContain('libonnxruntime.so.1');
  });

  it.runIf(FOREIGN !== null)('refuses a foreign shared library', () => {
    const foreign = FOREIGN as string;
    const err = loadError(foreign);
    expect(err.code).toBe('ORT_LOAD_FAILED');
    expect(err.message).toBe(
      `${foreign} is not an ONNX Runtime library: it does not export OrtGetApiBase`,
    );
    // The same through a directory whose ORT file is really that library (a symbolic link needs
    // privileges on Windows, so there the directory case is left to the Linux run).
    if (process.platform === 'win32') return;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crucible-ort-'));
    fs.symlinkSync(foreign, path.join(dir, 'libonnxruntime.so.1'));
    expect(loadError(dir).message).toContain('does not export OrtGetApiBase');
  });

  it("loads onnxruntime-node's library by absolute path and checks its version", () => {
    const lib = loadOrtLibrary();
    expect(path.isAbsolute(lib.path)).toBe(true);
    expect(lib.path).toBe(resolveOrtLibraryPath(bundledOrtDir()));
    expect(lib.version).toBe('1.30.0');
    expect(lib.apiPtr).toBeTypeOf('bigint');
    expect(ORT_API_VERSION).toBe(30);
    // Same library again: the cached one. Another one: refused, naming both.
    expect(loadOrtLibrary(bundledOrtDir())).toBe(lib);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crucible-ort-'));
    fs.copyFileSync(lib.path, path.join(dir, 'libonnxruntime.so.1'));
    const err = loadError(dir);
    expect(err.message).toContain('already loaded');
    expect(err.message).toContain(lib.path);
  });
});
