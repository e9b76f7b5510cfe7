// Builds the portable Linux GPU bundle in .gpu/bundle/ (node.xz, app.tar.xz, debs/, run.sh; at
// most 64 MiB) for a bare GPU host without Node.js or network. Run after `node scripts/build.mjs`
// (`npm run bundle:linux-gpu` does both). The work is TypeScript in tools/gpu-lane/ (typed,
// unit-tested); esbuild compiles it here on the fly, as build.mjs compiles everything else.
import { build } from 'esbuild';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, '.gpu', 'cache', 'bundle-linux-gpu.mjs');
mkdirSync(path.dirname(out), { recursive: true });
await build({
  absWorkingDir: root,
  entryPoints: ['tools/gpu-lane/bundle-linux-gpu.ts'],
  outfile: out,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  logLevel: 'warning',
});
const { buildLinuxGpuBundle } = await import(pathToFileURL(out).href);
try {
  const result = await buildLinuxGpuBundle({ root });
  console.log(
    `bundle ready: ${path.relative(root, result.dir)}/ (${(result.totalBytes / 1048576).toFixed(1)} MiB)`,
  );
} catch (err) {
  console.error(`bundle-linux-gpu: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
