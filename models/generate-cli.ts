/**
 * Entry point: regenerates the demo models into models/ (or the folder given as the first
 * argument). Run from the repository root, e.g.
 *   npx esbuild models/generate-cli.ts --bundle --platform=node --outfile=/tmp/gen.js && node /tmp/gen.js
 */
import { resolve } from 'node:path';
import { generateModels } from './generate';

async function main(): Promise<void> {
  const outDir = resolve(process.argv[2] ?? 'models');
  for (const model of await generateModels(outDir)) {
    console.log(`${model.id}: ${model.files.length} file(s), ${model.bytes} bytes → ${model.path}`);
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
