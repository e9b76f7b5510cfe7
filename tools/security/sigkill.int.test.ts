// Data safety under SIGKILL: the real main side (busy-app.child.ts: settings, model library,
// benchmark history, compile service with real compile workers and the engine host) is killed at
// seeded random moments while it writes, many times over one data folder. After every kill each
// store is whole (it parses and matches its schema: the old or the new version, never half) and
// every compile-cache entry is valid or stale, never corrupt; temp folders left by the kill are
// swept at the next start. Then damaged stores are detected, kept aside and rebuilt.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, truncate } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Prng } from '../../models/prng';
import { BenchResultSchema, ModelEntrySchema, SettingsSchema } from '../../src-main/ipc/contract';
import { CompileCache } from '../../src-main/engine/cache/cache';
import { cpuIdentity } from '../../src-main/engine/cache/key';

const root = path.resolve(__dirname, '..', '..');
const ROUNDS = 12;

/** The stores' file schemas, as the services declare them (contract types inside). */
const STORES = {
  'library/library.json': z.object({ version: z.literal(1), models: z.array(ModelEntrySchema) }),
  'stores/settings.json': SettingsSchema,
  'stores/bench-history.json': z.object({
    version: z.literal(1),
    results: z.array(BenchResultSchema),
  }),
} as const;

let work: string;
let script: string;
let data: string;

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'crucible-sigkill-'));
  script = path.join(work, 'busy-app.js');
  await build({
    entryPoints: [path.join(__dirname, 'busy-app.child.ts')],
    outfile: script,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: ['electron', 'koffi', 'onnxruntime-node'],
    logLevel: 'warning',
    // The bundle lives in a temp folder: packages resolve from the repo.
    nodePaths: [path.join(root, 'node_modules')],
  });
  data = path.join(work, 'data');
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

interface Run {
  ticks: Record<string, number>;
  stderr: string;
  notices: string[];
}

/**
 * Starts the busy app, waits until it has finished `minTicks` writes (of any kind) and then `delayMs`
 * more, and kills it with SIGKILL — or, with `kill: false`, kills it right after `ready`.
 */
function runAndKill(minTicks: number, delayMs: number): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, data, root], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NODE_PATH: path.join(root, 'node_modules') },
    });
    const ticks: Record<string, number> = {};
    let total = 0;
    let stderr = '';
    let out = '';
    let killTimer: NodeJS.Timeout | null = null;
    const guard = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`busy app made no progress:\n${stderr}`));
    }, 60_000);
    const maybeKill = () => {
      if (killTimer || total < minTicks) return;
      killTimer = setTimeout(() => child.kill('SIGKILL'), delayMs);
    };
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const lines = out.split('\n');
      out = lines.pop() ?? '';
      for (const line of lines) {
        const m = /^tick (\w+) (\d+)$/.exec(line);
        if (m) {
          ticks[m[1] as string] = Number(m[2]) + 1;
          total++;
        }
        if (line === 'ready' || m) maybeKill();
      }
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code, signal) => {
      clearTimeout(guard);
      if (killTimer) clearTimeout(killTimer);
      if (signal !== 'SIGKILL') {
        reject(new Error(`busy app ended with ${code ?? signal} before it was killed:\n${stderr}`));
        return;
      }
      const notices = stderr
        .split('\n')
        .filter((l) => l.startsWith('notice: '))
        .map((l) => l.slice(8));
      if (process.env.CRUCIBLE_SIGKILL_TRACE) process.stderr.write(stderr);
      resolve({ ticks, stderr, notices });
    });
  });
}

/** Every store parses whole against its schema (or does not exist yet). */
async function expectStoresWhole(round: string): Promise<void> {
  for (const [rel, schema] of Object.entries(STORES)) {
    const file = path.join(data, rel);
    if (!existsSync(file)) continue;
    const text = await readFile(file, 'utf8');
    let parsed: unknown;
    expect(() => (parsed = JSON.parse(text)), `${round}: ${rel} is not whole JSON`).not.toThrow();
    expect(schema.safeParse(parsed).success, `${round}: ${rel} does not match its schema`).toBe(
      true,
    );
  }
}

/** Every cache entry on disk is valid or stale (another ORT version), never corrupt. */
async function cacheStates(): Promise<Record<string, number>> {
  const cache = new CompileCache(path.join(data, 'cache'));
  const ortVersion = (
    JSON.parse(
      await readFile(path.join(root, 'node_modules', 'onnxruntime-node', 'package.json'), 'utf8'),
    ) as { version: string }
  ).version;
  const states: Record<string, number> = {};
  for (const id of await cache.ids()) {
    const checked = await cache.check(id, () => ({
      gpu: 'cpu',
      driver: cpuIdentity(),
      ortVersion,
      epVersion: null,
    }));
    states[checked.state] = (states[checked.state] ?? 0) + 1;
    expect(checked.state, `${id}: ${checked.reason ?? ''}`).not.toBe('corrupt');
  }
  return states;
}

describe('SIGKILL in the middle of writes', () => {
  it(
    `${ROUNDS} kills at random moments: every store and cache entry is old or new, never half`,
    { timeout: 110_000 },
    async () => {
      const rng = new Prng('sigkill');
      const totals: Record<string, number> = {};
      const leftovers: string[] = [];
      let entries: Record<string, number> = {};
      for (let round = 0; round < ROUNDS; round++) {
        const run = await runAndKill(1, 300 + (rng.nextUint32() % 2200));
        for (const [k, v] of Object.entries(run.ticks)) totals[k] = (totals[k] ?? 0) + v;
        // The previous kill's damage would have shown at this start: no store was ever rebuilt.
        expect(
          run.notices.filter((n) => /damaged|corrupt/i.test(n)),
          `round ${round}`,
        ).toEqual([]);
        await expectStoresWhole(`round ${round}`);
        entries = await cacheStates();
        const tmp = path.join(data, 'cache', '.tmp');
        leftovers.push(...(existsSync(tmp) ? await readdir(tmp) : []));
      }
      console.log(
        `sigkill: ${ROUNDS} kills; writes finished before the kills: ${Object.entries(totals)
          .map(([k, v]) => `${k}=${v}`)
          .join(
            ', ',
          )}; cache entries now: ${JSON.stringify(entries)}; compile temp folders left by kills (swept at the next start): ${leftovers.length}`,
      );
      // Each kind of write really happened between kills, or the test proved nothing about it.
      for (const what of ['settings', 'library', 'bench', 'compile']) {
        expect(totals[what] ?? 0, what).toBeGreaterThan(0);
      }
      // A start sweeps what the last kill left in the cache's temp folder.
      await runAndKill(0, 300);
      const tmp = path.join(data, 'cache', '.tmp');
      const after = existsSync(tmp) ? await readdir(tmp) : [];
      expect(after.every((t) => !leftovers.includes(t))).toBe(true);
    },
  );

  it(
    'damaged stores are detected at the next start, kept aside and rebuilt',
    { timeout: 60_000 },
    async () => {
      const damagedFiles: string[] = [];
      for (const rel of Object.keys(STORES)) {
        const file = path.join(data, rel);
        if (!existsSync(file)) continue;
        await truncate(file, Math.floor((await readFile(file)).length / 2));
        damagedFiles.push(rel);
      }
      expect(damagedFiles.length).toBe(3);
      const run = await runAndKill(3, 0);
      const damaged = run.notices.filter((n) => /damaged/i.test(n));
      expect(damaged.length, run.stderr).toBe(3);
      await expectStoresWhole('after rebuild');
      // Each damaged file is kept aside for the user, never deleted.
      for (const rel of damagedFiles) {
        const dir = path.dirname(path.join(data, rel));
        const kept = (await readdir(dir)).filter((f) =>
          f.startsWith(`${path.basename(rel)}.corrupt-`),
        );
        expect(kept.length, rel).toBe(1);
      }
      // The library found the user's model again on disk (the damaged file still names its path).
      const lib = JSON.parse(
        await readFile(path.join(data, 'library', 'library.json'), 'utf8'),
      ) as {
        models: { path: string }[];
      };
      expect(lib.models.some((m) => m.path.endsWith('mlp-tiny.onnx'))).toBe(true);
    },
  );
});
