/**
 * The Electron shell: app lifecycle, the one window, navigation guards, and the contract bound to
 * ipcMain. The engine host runs as an Electron utilityProcess so a native abort never takes the UI
 * down. Everything else is the same composition as browser mode.
 */
import { app, BrowserWindow, session, shell, utilityProcess } from 'electron';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { HostProcess, SpawnHost } from '../engine/host/engine-client';
import type { FromHost } from '../engine/host/protocol';
import { appFiles } from '../app-files/app-files';
import { composeMain, type Composed } from '../services/compose';
import { bindIpcMain } from './ipc-main';
import { allowNavigation, decideWindowOpen, isTrustedRendererUrl } from './navigation';

/** Where this bundle's files are (dev tree or resources/app.asar + app.asar.unpacked). */
const files = appFiles();
const rendererDir = files.rendererDir;
const rendererIndex = path.join(rendererDir, 'index.html');

/** Only our own bundled page is trusted (parsed, so dot segments cannot leave the folder). */
function isTrustedUrl(url: string): boolean {
  return isTrustedRendererUrl(url, rendererDir);
}

/** The engine host as an Electron utility process. */
const utilitySpawner: SpawnHost = () => {
  // From app.asar.unpacked when packaged: the host loads native code next to it.
  const child = utilityProcess.fork(files.engineHostScript, [], {
    serviceName: 'Crucible engine',
    // stderr piped: ORT logs there in the host; EngineClient reads its lines into log records.
    stdio: ['ignore', 'inherit', 'pipe'],
  });
  const proc: HostProcess = {
    stderr: child.stderr,
    send: (msg) => child.postMessage(msg),
    onMessage: (l) => child.on('message', (m: unknown) => l(m as FromHost)),
    onExit: (l) => child.on('exit', (code: number) => l({ code, signal: null })),
    kill: () => {
      child.kill();
    },
  };
  return proc;
};

let composed: Composed | null = null;
let mainWindow: BrowserWindow | null = null;

function createWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1280,
    height: 820,
    title: 'Crucible',
    backgroundColor: '#0f1115',
    webPreferences: {
      preload: path.join(__dirname, 'preload.js'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webviewTag: false,
      spellcheck: false,
      // Middle-click opens links in new windows without window.open (electronegativity
      // AUXCLICK_JS_CHECK); the app has no use for it.
      disableBlinkFeatures: 'Auxclick',
    },
  });
  // Navigation and new windows are blocked; http(s) links open in the user's browser.
  win.webContents.on('will-navigate', (event, url) => {
    if (!allowNavigation(url, rendererDir)) event.preventDefault();
  });
  win.webContents.on('will-redirect', (event, url) => {
    if (!allowNavigation(url, rendererDir)) event.preventDefault();
  });
  win.webContents.setWindowOpenHandler(({ url }) => {
    const decision = decideWindowOpen(url);
    if (decision.openExternally) void shell.openExternal(decision.openExternally);
    return { action: decision.action };
  });
  void win.loadFile(rendererIndex);
  return win;
}

async function start(): Promise<void> {
  // A strict CSP on every response (the page's meta tag says the same).
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({
      responseHeaders: {
        ...details.responseHeaders,
        'Content-Security-Policy': [
          "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; font-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; object-src 'none'",
        ],
      },
    });
  });
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) =>
    callback(false),
  );
  app.on('web-contents-created', (_e, contents) => {
    contents.on('will-attach-webview', (event) => event.preventDefault());
  });

  // A TensorRT-RTX EP folder shipped in the installer's resources comes first
  // (engine/providers/trt-rtx.ts; electron-builder.yml copies vendor/trt-rtx there).
  const bundledTrtRtx = files.bundledTrtRtxDir;
  if (bundledTrtRtx !== null && existsSync(bundledTrtRtx))
    process.env.CRUCIBLE_TRT_RTX_BUNDLED = bundledTrtRtx;

  composed = await composeMain({
    mode: 'electron',
    version: app.getVersion(),
    dataRoot: process.env.CRUCIBLE_DATA_DIR ?? app.getPath('userData'),
    builtInModelsDir: files.builtInModelsDir,
    spawnEngine: utilitySpawner,
  });
  bindIpcMain(composed.services, composed.bus, () => BrowserWindow.getAllWindows(), isTrustedUrl);
  mainWindow = createWindow();
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => mainWindow?.focus());
  app.whenReady().then(start, (err: unknown) => {
    console.error('Crucible could not start:', err);
    app.exit(1);
  });
  app.on('window-all-closed', () => {
    composed?.close();
    app.quit();
  });
}
