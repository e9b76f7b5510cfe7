import { mkdirSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { appFiles, detectLayout, unpackedPath } from './app-files';

const root = path.resolve(__dirname, '..', '..');

describe('app-files', () => {
  it('finds the development tree from any folder in it (source or dist/)', () => {
    for (const from of [__dirname, path.join(root, 'dist', 'engine')]) {
      expect(detectLayout(from, {})).toEqual({
        kind: 'dev',
        variant: 'dev',
        appRoot: root,
        unpackedRoot: root,
        resourcesDir: null,
      });
    }
    const files = appFiles(__dirname, {});
    expect(files.engineHostScript).toBe(path.join(root, 'dist', 'engine', 'engine-host.js'));
    expect(files.builtInModelsDir).toBe(path.join(root, 'models'));
    expect(files.bundledTrtRtxDir).toBeNull();
    expect(files.ortDir).toBe(
      path.join(
        root,
        'node_modules',
        'onnxruntime-node',
        'bin',
        'napi-v6',
        process.platform,
        process.arch,
      ),
    );
  });

  it('finds the root of a copy of dist/ without package.json by its node_modules (the GPU bundle)', () => {
    const bundle = mkdtempSync(path.join(os.tmpdir(), 'crucible-bundle-'));
    mkdirSync(path.join(bundle, 'dist', 'engine'), { recursive: true });
    mkdirSync(path.join(bundle, 'node_modules', 'onnxruntime-node'), { recursive: true });
    const files = appFiles(path.join(bundle, 'dist', 'engine'), {});
    expect(files.layout).toMatchObject({ kind: 'dev', appRoot: bundle, unpackedRoot: bundle });
    expect(files.engineHostScript).toBe(path.join(bundle, 'dist', 'engine', 'engine-host.js'));
    expect(files.ortDir.startsWith(path.join(bundle, 'node_modules', 'onnxruntime-node'))).toBe(
      true,
    );
  });

  it('maps a path inside app.asar to app.asar.unpacked, and leaves others alone', () => {
    const res = path.join(path.sep, 'opt', 'Crucible', 'resources');
    expect(unpackedPath(path.join(res, 'app.asar', 'dist', 'engine', 'x.js'))).toBe(
      path.join(res, 'app.asar.unpacked', 'dist', 'engine', 'x.js'),
    );
    const already = path.join(res, 'app.asar.unpacked', 'a.node');
    expect(unpackedPath(already)).toBe(already);
    // Only the exact segment: a user folder called "app.asar.backup" is not the archive.
    const lookalike = path.join(path.sep, 'home', 'app.asar.backup', 'a.js');
    expect(unpackedPath(lookalike)).toBe(lookalike);
    expect(detectLayout(path.dirname(lookalike), {}).kind).toBe('dev');
  });

  it('a packaged layout puts scripts and ORT in the unpacked tree, models and TensorRT-RTX in resources/', () => {
    const res = path.join(
      path.sep,
      'Users',
      'Zoë',
      'AppData',
      'Local',
      'Programs',
      'Crucible',
      'resources',
    );
    const f = appFiles(path.join(res, 'app.asar', 'dist', 'main'), {}, 'win32', 'x64');
    expect(f.layout).toEqual({
      kind: 'packaged',
      variant: 'installed',
      appRoot: path.join(res, 'app.asar'),
      unpackedRoot: path.join(res, 'app.asar.unpacked'),
      resourcesDir: res,
    });
    expect(f.compileWorkerScript).toBe(
      path.join(res, 'app.asar.unpacked', 'dist', 'engine', 'compile-worker.js'),
    );
    expect(f.ortDir).toBe(
      path.join(
        res,
        'app.asar.unpacked',
        'node_modules',
        'onnxruntime-node',
        'bin',
        'napi-v6',
        'win32',
        'x64',
      ),
    );
    expect(f.bundledTrtRtxDir).toBe(path.join(res, 'trt-rtx'));
    expect(f.builtInModelsDir).toBe(path.join(res, 'models'));
  });
});
