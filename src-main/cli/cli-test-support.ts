/**
 * Test support only (imported by *.int.test.ts, never by the CLI): runs the built `crucible`
 * (dist/cli/crucible.js) as a user would, and hands back its exit code and output. Every run has
 * a data folder of the tests' own — never the developer's — so compiles and benchmark history
 * written by the CLI land in a temp folder.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

/** The built CLI entry. */
export const CLI = path.resolve(__dirname, '..', '..', 'dist', 'cli', 'crucible.js');

/** What one `crucible` run gave. */
export interface CliOutcome {
  code: number;
  stdout: string;
  stderr: string;
}

let sharedData: string | undefined;

/**
 * Runs `crucible ...args`. `dataDir`: its data folder (default: one temp folder for this test
 * file's process); `timeoutMs`: killed past it (default: none).
 */
export async function runCli(
  args: string[],
  opts: { dataDir?: string; timeoutMs?: number } = {},
): Promise<CliOutcome> {
  const dataDir =
    opts.dataDir ?? (sharedData ??= mkdtempSync(path.join(os.tmpdir(), 'crucible-cli-')));
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [CLI, ...args], {
      ...(opts.timeoutMs !== undefined ? { timeout: opts.timeoutMs } : {}),
      env: { ...process.env, CRUCIBLE_DATA_DIR: dataDir },
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as CliOutcome;
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}
