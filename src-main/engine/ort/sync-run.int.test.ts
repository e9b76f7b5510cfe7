// The deadlock tests, in child processes under a watchdog, so a deadlock fails the test instead of
// hanging the test run, with ORT logging at VERBOSE:
// - an env with the JS logger: synchronous runs of a single-threaded CPU session finish; the
//   control proves the watchdog sees a real deadlock: ORT's Run called synchronously on a session
//   in parallel execution mode (inter-op threads that log) hangs;
// - the engine host's env, logging to stderr: synchronous runs of an If model on sessions with
//   thread pools (ORT's defaults, and the very parallel setting of the control) finish, give the
//   asynchronous run's bits, and ORT's lines are on stderr in its own format (which the engine
//   client reads back into log records: engine/host/ort-log-lines.ts and its tests).
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

describe('synchronous runs in an env that logs to stderr (the engine host)', () => {
  it("runs an If model, and the control's session, synchronously on multi-threaded sessions at VERBOSE without a deadlock", async () => {
    const res = await runChild([tiny, '100', 'stderr-env'], WATCHDOG_MS);
    expect(res.killedByWatchdog, `deadlocked (killed after ${WATCHDOG_MS} ms)`).toBe(false);
    expect(res.code, res.stderr.slice(-2000)).toBe(0);
    type Kind = {
      singleThreadedCpu: boolean;
      canRunSync: boolean;
      async: number[];
      sync: number[];
      bound: number[];
    };
    const { refused, ...out } = JSON.parse(res.stdout) as Record<string, Kind> & {
      refused: { onLog: string | null; useLogger: string | null };
    };
    // A JS listener or a session logger would bring the callback (and the deadlock) back.
    expect(refused.onLog).toMatch(/logs to stderr/);
    expect(refused.useLogger).toMatch(/needs the env's JS log sink/);
    expect(Object.keys(out)).toEqual(['default', 'parallel', 'tiny-parallel']);
    for (const kind of Object.values(out)) {
      expect(kind.singleThreadedCpu).toBe(false);
      expect(kind.canRunSync).toBe(true);
      expect(kind.async.length).toBeGreaterThan(0);
      expect(kind.sync).toEqual(kind.async);
      expect(kind.bound).toEqual(kind.async);
    }
    // Everything ORT said is on stderr in its own format (colour codes around warnings).
    const lines = res.stderr.split('\n').filter((l) => l !== '');
    // eslint-disable-next-line no-control-regex -- the ANSI escape character is ORT's colour marker
    const header = /^(\x1b\[[0-9;]*m)?\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+ \[([VIWEF]):/;
    expect(lines.filter((l) => !header.test(l))).toEqual([]);
    expect(lines.some((l) => header.exec(l)?.[2] === 'V')).toBe(true);
    // ORT logs each run's tag: it logged inside every synchronous run (100 + 100 bound + 1 async).
    for (const kind of Object.keys(out)) {
      const runs = lines.filter((l) => l.endsWith(`Running with tag: stderr-env-${kind}`));
      expect(runs.length).toBeGreaterThanOrEqual(201);
    }
  });
});
