// Where Electron's binary is, or why there is none — without require('electron'), whose index.js
// tries to download the binary on the spot (and prints a stack trace when it cannot).
const fs = require('node:fs');
const path = require('node:path');

/** @returns {{ path: string } | { problem: string }} */
function electronBinary() {
  let dir;
  try {
    dir = path.dirname(require.resolve('electron/package.json'));
  } catch {
    return { problem: 'Electron is not installed (npm install did not add node_modules/electron)' };
  }
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  const pathFile = path.join(dir, 'path.txt');
  const name = fs.existsSync(pathFile)
    ? fs.readFileSync(pathFile, 'utf8').trim()
    : process.platform === 'win32'
      ? 'electron.exe'
      : 'electron';
  const binary = override ? path.join(override, name) : path.join(dir, 'dist', name);
  if (!fs.existsSync(binary)) {
    return {
      problem:
        "Electron's binary was not downloaded (node_modules/electron has no dist/; its install step needs the internet)",
    };
  }
  try {
    fs.accessSync(binary, fs.constants.X_OK);
  } catch {
    return { problem: `Electron's binary at ${binary} is not executable` };
  }
  return { path: binary };
}

module.exports = { electronBinary };
