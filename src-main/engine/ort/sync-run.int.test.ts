// The deadlock test: a synchronous run of a single-threaded CPU session with ORT logging at
// VERBOSE, in a child process under a watchdog, so a deadlock fails the test instead of hanging
// the test run. The control proves the watchdog sees a real deadlock: ORT's Run called
// synchronously on a session in parallel execution mode (inter-op threads that log) hangs.
import { spawn } from 'node:child_process';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '..', '..', '..');
const tiny = path.join(root, 'models', 'mlp-tiny.onnx');
// Bundled inside node_modules so the child resolves koffi and onnxruntime-node from the repo.
const cacheDir = path.join(root, 'node_modules', '.cache', `crucible-sync-run-${process.pid}`);
const childScript = path.join(cacheDir, 'sync-run-child.js');

/** The safe run finishes in well under a second; a deadlock never finishes. */
const WATCHDOG_MS = 20_000;
/** The control is expected to hang: this is how long it is given before being killed. */
const CONTROL_WATCHDOG_MS = 6_000;

interface ChildResult {
  code: number | null;
  killedByWatchdog: boolean;
  stdout: string;
  stderr: string;
}

function runChild(args: string[], watchdogMs: number): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [childScript, ...args], { stdio: 'pipe' });
    let stdout = '';
    let stderr = '';
    let killedByWatchdog = false;
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      killedByWatchdog = true;
      child.kill('SIGKILL');
    }, watchdogMs);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, killedByWatchdog, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  await mkdir(cacheDir, { recursive: true });
  await build({
    entryPoints: [path.join(__dirname, 'sync-run.child.ts')],
    outfile: childScript,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    external: ['onnxruntime-node', 'koffi'],
    logLevel: 'warning',
  });
});

afterAll(async () => {
  await rm(cacheDir, { recursive: true, force: true });
});

describe('synchronous run with the logger at VERBOSE', () => {
  it('receives log lines inside the synchronous calls and does not deadlock', async () => {
    const res = await runChild([tiny, '200'], WATCHDOG_MS);
    expect(res.killedByWatchdog, `deadlocked (killed after ${WATCHDOG_MS} ms)`).toBe(false);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const out = JSON.parse(res.stdout) as {
      total: number;
      duringSync: number;
      plain: number[];
      bound: number[];
    };
    // ORT logged while the JS thread was inside Run / RunWithBinding: the callback ran inline.
    expect(out.duringSync).toBeGreaterThan(0);
    expect(out.total).toBeGreaterThanOrEqual(out.duringSync);
    expect(out.plain).toHaveLength(4);
    expect(out.bound).toEqual(out.plain);
  });

  it('control: a synchronous Run on a parallel-mode session deadlocks (what runSync refuses)', async () => {
    const res = await runChild([tiny, '1', 'unsafe-parallel'], CONTROL_WATCHDOG_MS);
    expect(res.stderr).toBe('');
    expect(res.stdout).not.toContain('returned');
    expect(res.killedByWatchdog).toBe(true);
  });
});
