// Builds dist/ once before the tests: the engine host and the CLI are tested as the real processes
// they are in the app (dist/engine/engine-host.js, dist/cli/crucible.js).
import { execFileSync } from 'node:child_process';
import path from 'node:path';

export default function setup(): void {
  execFileSync(process.execPath, [path.join(__dirname, 'build.mjs'), '--quiet'], {
    stdio: 'inherit',
  });
}
