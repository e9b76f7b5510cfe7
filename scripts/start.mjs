// `npm start`: builds what it needs, starts the Electron app, and — where Electron's binary cannot
// be had or cannot start (no download, no display) — says why in one line and serves browser mode
// instead, printing the URL with its token. It never ends in a stack trace.
// `npm start -- --browser` (or `npm run start:browser`) goes straight to browser mode.
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const { electronBinary } = require('./electron-binary.cjs');
const args = process.argv.slice(2);
const passThrough = args.filter((a) => a !== '--browser');

function say(line) {
  console.log(`Crucible: ${line}`);
}

/** Why Electron cannot start here, or null when it looks startable. */
function electronProblem() {
  const found = electronBinary();
  if ('problem' in found) return found.problem;
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    return 'there is no display (neither DISPLAY nor WAYLAND_DISPLAY is set)';
  }
  return null;
}

function startBrowserMode() {
  const child = spawn(
    process.execPath,
    [path.join(root, 'dist/host/browser-main.js'), ...passThrough],
    {
      stdio: 'inherit',
    },
  );
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code) => process.exit(code ?? 0));
}

const built = spawnSync(process.execPath, [path.join(root, 'scripts/build.mjs'), '--quiet'], {
  stdio: 'inherit',
});
if (built.status !== 0) {
  say('the build failed (see above); nothing was started.');
  process.exit(1);
}

const problem = args.includes('--browser') ? 'browser mode was asked for' : electronProblem();
if (problem) {
  say(`Electron cannot start: ${problem} — serving browser mode instead.`);
  startBrowserMode();
} else {
  const started = Date.now();
  const electron = spawn(electronBinary().path, [root, ...passThrough], {
    stdio: ['inherit', 'inherit', 'pipe'],
  });
  let stderr = '';
  electron.stderr.on('data', (d) => {
    stderr += d;
    process.stderr.write(d);
  });
  electron.on('error', (err) => {
    say(`Electron cannot start: ${err.message} — serving browser mode instead.`);
    startBrowserMode();
  });
  electron.on('exit', (code, signal) => {
    // A quick non-zero exit means Electron could not start here (missing libraries, sandbox...).
    if (code !== 0 && Date.now() - started < 15_000) {
      const reason =
        stderr.trim().split('\n').filter(Boolean).pop() ?? `exit code ${code ?? signal}`;
      say(`Electron cannot start: ${reason} — serving browser mode instead.`);
      startBrowserMode();
    } else {
      process.exit(code ?? 0);
    }
  });
}
