/**
 * Browser mode as a user starts it (dist/host/browser-main.js, built by the test setup), for the
 * tests that need the real app process: spawned, and ready once it prints its URL line.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const script = path.resolve(__dirname, '..', '..', 'dist', 'host', 'browser-main.js');

/** A started browser-mode app. */
export interface BrowserMode {
  child: ChildProcess;
  /** The URL it printed (origin and `token`). */
  url: URL;
  /** Everything it wrote to stderr until now. */
  stderr: () => string;
}

/**
 * Starts browser mode — on `dataDir` when given (else wherever `env` points it) — and waits for
 * its "Crucible: http://…" line; fails with its stderr if it exits first.
 */
export async function startBrowserMode(
  opts: { dataDir?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<BrowserMode> {
  const args = opts.dataDir === undefined ? [] : ['--data-dir', opts.dataDir];
  const child = spawn(process.execPath, [script, ...args], {
    env: opts.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const url = await new Promise<URL>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /Crucible: (http:\/\/\S+)/.exec(out);
      if (m) resolve(new URL(m[1] as string));
    });
    child.on('exit', (code) => reject(new Error(`browser mode exited with ${code}: ${err}`)));
  });
  return { child, url, stderr: () => err };
}
