#!/usr/bin/env node
// The `crucible` command (npx crucible …): runs the built CLI, building it first when dist/ is
// missing (a fresh clone after `npm install`).
const { existsSync } = require('node:fs');
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const cli = path.join(root, 'dist', 'cli', 'crucible.js');
if (!existsSync(cli)) {
  const built = spawnSync(process.execPath, [path.join(root, 'scripts', 'build.mjs'), '--quiet'], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (built.status !== 0) {
    console.error('crucible: the build failed (run npm run build to see why)');
    process.exit(1);
  }
}
require(cli);
