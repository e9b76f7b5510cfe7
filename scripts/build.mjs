// Builds everything the app, the CLI and the tests run, with esbuild (one fast bundler for Node and
// browser code; no Babel, no webpack). Output goes to dist/:
//   dist/main/app.js          Electron main process          dist/main/preload.js   the preload
//   dist/host/browser-main.js browser-mode host (HTTP+WS)    dist/cli/crucible.js   the CLI
//   dist/engine/engine-host.js the engine host process       dist/renderer/         the page
// Native packages (koffi, onnxruntime-node) and electron stay external: they load at run time.
import { build } from 'esbuild';
import { copyFile, mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
const quiet = process.argv.includes('--quiet');
const pkg = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8'));

/** Node entry points: [source, output name]. Only those whose source exists are built. */
const nodeEntries = [
  ['src-main/app/main.ts', 'main/app'],
  ['src-main/host/browser-main.ts', 'host/browser-main'],
  ['src-main/cli/entry.ts', 'cli/crucible'],
  ['src-main/engine/host/engine-host.ts', 'engine/engine-host'],
  ['src-main/engine/compile/compile-worker.ts', 'engine/compile-worker'],
  ['tools/bench/bench.ts', 'bench/bench'],
  ['models/generate-cli.ts', 'models/generate'],
  ['tools/gpu-lane/test-gpu.ts', 'gpu-lane/test-gpu'],
  ['src-main/engine/conformance/baseline.ts', 'engine/conformance-baseline'],
].filter(([src]) => existsSync(path.join(root, src)));

const started = Date.now();
await rm(path.join(dist, 'renderer'), { recursive: true, force: true });

try {
  await Promise.all([
    build({
      absWorkingDir: root,
      entryPoints: Object.fromEntries(nodeEntries.map(([src, out]) => [out, src])),
      outdir: dist,
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      sourcemap: 'linked',
      external: ['electron', 'koffi', 'onnxruntime-node'],
      define: { CRUCIBLE_VERSION: JSON.stringify(pkg.version) },
      logLevel: 'warning',
    }),
    build({
      absWorkingDir: root,
      entryPoints: { 'main/preload': 'src-main/app/preload/preload.ts' },
      outdir: dist,
      bundle: true,
      // A sandboxed preload may require only 'electron' (and a few Node built-ins): bundle the rest.
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      external: ['electron'],
      logLevel: 'warning',
    }),
    build({
      absWorkingDir: root,
      entryPoints: { 'renderer/app': 'src-renderer/main.tsx' },
      outdir: dist,
      bundle: true,
      platform: 'browser',
      target: 'chrome130',
      format: 'esm',
      jsx: 'automatic',
      minify: process.env.NODE_ENV === 'production',
      sourcemap: 'linked',
      define: { 'process.env.NODE_ENV': JSON.stringify(process.env.NODE_ENV ?? 'production') },
      logLevel: 'warning',
    }),
  ]);
} catch (err) {
  // esbuild already printed each error with its file and line.
  console.error(`build failed: ${err.errors?.length ?? 1} error(s)`);
  process.exit(1);
}
await mkdir(path.join(dist, 'renderer'), { recursive: true });
await copyFile(path.join(root, 'src-renderer/index.html'), path.join(dist, 'renderer/index.html'));
for (const f of await readdir(path.join(root, 'assets')).catch(() => [])) {
  if ((await stat(path.join(root, 'assets', f))).isFile()) {
    await copyFile(path.join(root, 'assets', f), path.join(dist, 'renderer', f));
  }
}
if (!quiet) console.log(`built dist/ in ${Date.now() - started} ms`);
