/**
 * Where Crucible keeps its data. Electron passes app.getPath('userData'); browser mode and the CLI
 * use the same folder Electron would (so all three share one library and cache), or
 * CRUCIBLE_DATA_DIR when set (tests, portable use).
 */
import os from 'node:os';
import path from 'node:path';

export interface DataPaths {
  /** The user-data root. */
  root: string;
  /** Compile cache root: <root>/cache/<provider>/<gpu>/<driver>/<ort>/<model>/<options>/. */
  cache: string;
  /** Model library store and imported (uploaded) models. */
  library: string;
  /** Settings and benchmark history. */
  stores: string;
  /** Logs. */
  logs: string;
}

/** The folder Electron's app.getPath('userData') gives for productName "Crucible" on this OS. */
export function defaultUserDataDir(env: NodeJS.ProcessEnv = process.env): string {
  const home = os.homedir();
  switch (process.platform) {
    case 'win32':
      return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), 'Crucible');
    case 'darwin':
      return path.join(home, 'Library', 'Application Support', 'Crucible');
    default:
      return path.join(env.XDG_CONFIG_HOME ?? path.join(home, '.config'), 'Crucible');
  }
}

/** Resolves the data folders from an explicit root, CRUCIBLE_DATA_DIR, or the OS default. */
export function resolveDataPaths(root?: string, env: NodeJS.ProcessEnv = process.env): DataPaths {
  const r = path.resolve(root ?? env.CRUCIBLE_DATA_DIR ?? defaultUserDataDir(env));
  return {
    root: r,
    cache: path.join(r, 'cache'),
    library: path.join(r, 'library'),
    stores: path.join(r, 'stores'),
    logs: path.join(r, 'logs'),
  };
}
