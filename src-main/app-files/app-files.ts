/**
 * Where the app's own files are, in every layout it runs from:
 *
 * - the development tree: `<repo>/dist/...`, `<repo>/node_modules/...`, `<repo>/models/`;
 * - packaged by electron-builder (NSIS install, portable exe, AppImage — the same tree under
 *   `resources/`): `resources/app.asar` holds dist/ and node_modules/; the files matched by
 *   `asarUnpack` in electron-builder.yml are real files under `resources/app.asar.unpacked/`;
 *   `extraResources` (demo models, a bundled TensorRT-RTX folder) sit in `resources/` itself.
 *
 * Electron's patched `fs` reads inside app.asar, but the OS loader (`koffi.load`, ORT loading a
 * plugin EP) and any process that is not Electron cannot: every native library and every script a
 * child process runs must come from the unpacked tree. This module is the one place that knows
 * that mapping; nothing else builds such paths from `__dirname` or `require.resolve`.
 *
 * The layout is read from the path of the running bundle alone (string work, no `fs` calls), so it
 * gives the same answer in Electron's main process, in a utility process, and in a plain Node child
 * started from the unpacked tree.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';

/** How the app was installed. `portable` and `appimage` are packaged layouts too. */
export type LayoutVariant = 'dev' | 'installed' | 'portable' | 'appimage';

/** The roots every app file is found under. */
export interface AppLayout {
  /** `dev` (a source checkout with dist/) or `packaged` (electron-builder's resources/ tree). */
  kind: 'dev' | 'packaged';
  /** Which packaged variant, from the variables electron-builder's launchers set. */
  variant: LayoutVariant;
  /** Holds package.json and dist/: the repo root, or `resources/app.asar` (readable by Electron only). */
  appRoot: string;
  /** Holds what the OS loader and plain Node read: the repo root, or `resources/app.asar.unpacked`. */
  unpackedRoot: string;
  /** electron-builder's `resources/` folder (extraResources); null in the development tree. */
  resourcesDir: string | null;
}

const ASAR = 'app.asar';
const UNPACKED = 'app.asar.unpacked';

/**
 * The layout the file `from` (a folder inside the app: the running bundle's `__dirname`) belongs
 * to. Packaged when a path segment is `app.asar` or `app.asar.unpacked`; otherwise the nearest
 * folder above with a package.json or a node_modules folder is the root: the development tree, or
 * a copy of dist/ with its runtime packages (the GPU lane's bundle, which has no package.json).
 */
export function detectLayout(from: string, env: NodeJS.ProcessEnv = process.env): AppLayout {
  const abs = path.resolve(from);
  const parts = abs.split(path.sep);
  const at = parts.findIndex((p) => p === ASAR || p === UNPACKED);
  if (at > 0) {
    const resourcesDir = parts.slice(0, at).join(path.sep) || path.sep;
    return {
      kind: 'packaged',
      // electron-builder's portable launcher sets PORTABLE_EXECUTABLE_DIR; the AppImage runtime
      // sets APPIMAGE. Neither changes where files are, only where user data may go.
      variant: env.PORTABLE_EXECUTABLE_DIR ? 'portable' : env.APPIMAGE ? 'appimage' : 'installed',
      appRoot: path.join(resourcesDir, ASAR),
      unpackedRoot: path.join(resourcesDir, UNPACKED),
      resourcesDir,
    };
  }
  let dir = abs;
  for (;;) {
    if (existsSync(path.join(dir, 'package.json')) || existsSync(path.join(dir, 'node_modules'))) {
      break;
    }
    const up = path.dirname(dir);
    if (up === dir) {
      // No package.json above: assume dist/<part>/ (the bundles' depth) in a copied tree.
      dir = path.resolve(abs, '..', '..');
      break;
    }
    dir = up;
  }
  return { kind: 'dev', variant: 'dev', appRoot: dir, unpackedRoot: dir, resourcesDir: null };
}

/**
 * The path the OS loader or a plain process can open for `file`: a path inside `app.asar` becomes
 * the same path inside `app.asar.unpacked` (where electron-builder put it, if `asarUnpack` matched
 * it); any other path is returned as it is.
 */
export function unpackedPath(file: string): string {
  const parts = path.resolve(file).split(path.sep);
  const at = parts.indexOf(ASAR);
  if (at < 0) return path.resolve(file);
  parts[at] = UNPACKED;
  return parts.join(path.sep);
}

/** The app's files, resolved for one layout. */
export interface AppFiles {
  layout: AppLayout;
  /** The engine host, forked as a child / utility process. Unpacked: plain Node can run it. */
  engineHostScript: string;
  /** The compile worker, forked once per compile job. Unpacked. */
  compileWorkerScript: string;
  /** The conformance baseline (forks itself with --worker per case). Unpacked. */
  conformanceBaselineScript: string;
  /** onnxruntime-node's folder holding the ORT shared library for this platform and CPU. Unpacked. */
  ortDir: string;
  /** The built-in demo models: `resources/models` packaged, `<repo>/models` in development. */
  builtInModelsDir: string;
  /** A TensorRT-RTX EP folder shipped in the installer (`resources/trt-rtx`); null in development. */
  bundledTrtRtxDir: string | null;
  /** The renderer's page; read by Electron (inside app.asar is fine) or by the browser-mode host. */
  rendererDir: string;
}

/**
 * Every app file for the layout `from` belongs to (default: this bundle's own folder).
 * `platform`/`arch` pick onnxruntime-node's binary folder (tests lay out another one).
 */
export function appFiles(
  from: string = __dirname,
  env: NodeJS.ProcessEnv = process.env,
  platform: string = process.platform,
  arch: string = process.arch,
): AppFiles {
  const layout = detectLayout(from, env);
  const distUnpacked = path.join(layout.unpackedRoot, 'dist');
  return {
    layout,
    engineHostScript: path.join(distUnpacked, 'engine', 'engine-host.js'),
    compileWorkerScript: path.join(distUnpacked, 'engine', 'compile-worker.js'),
    conformanceBaselineScript: path.join(distUnpacked, 'engine', 'conformance-baseline.js'),
    ortDir: path.join(ortPackageDir(layout), 'bin', 'napi-v6', platform, arch),
    builtInModelsDir:
      layout.resourcesDir !== null
        ? path.join(layout.resourcesDir, 'models')
        : path.join(layout.appRoot, 'models'),
    bundledTrtRtxDir:
      layout.resourcesDir !== null ? path.join(layout.resourcesDir, 'trt-rtx') : null,
    rendererDir: path.join(layout.appRoot, 'dist', 'renderer'),
  };
}

/**
 * onnxruntime-node's package folder. Packaged, electron-builder copies production dependencies to
 * `node_modules/<name>` at the app root (only `bin/` of it is unpacked, so its package.json cannot
 * be resolved from plain Node); in development Node's own resolution finds it (hoisted or not).
 */
function ortPackageDir(layout: AppLayout): string {
  if (layout.kind === 'packaged')
    return path.join(layout.unpackedRoot, 'node_modules', 'onnxruntime-node');
  try {
    return path.dirname(
      require.resolve('onnxruntime-node/package.json', { paths: [layout.appRoot] }),
    );
  } catch {
    return path.join(layout.appRoot, 'node_modules', 'onnxruntime-node');
  }
}
