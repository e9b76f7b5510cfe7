import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { invokeChannels } from '../ipc/contract';
import { call, type Handlers } from './dispatch';
import { SettingsService } from './settings-service';

let dir: string;
let trt: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'crucible-settings-'));
  trt = path.join(dir, 'trt');
  await mkdir(trt);
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const DEFAULTS = { autoCompile: true, compileDeadlineMinutes: 30, ortTelemetry: false };

describe('SettingsService', () => {
  it('reads a settings file from before later settings existed, with their defaults', async () => {
    await writeFile(path.join(dir, 'settings.json'), JSON.stringify({ trtRtxDir: trt }));
    const settings = new SettingsService(dir);
    expect(await settings.open()).toBeNull();
    expect(settings.get()).toEqual({ trtRtxDir: trt, ...DEFAULTS });
  });

  it('a change of one setting through settings:set leaves the others as they were', async () => {
    const settings = new SettingsService(dir);
    await settings.open();
    const input = invokeChannels['settings:set'].input;
    await settings.set(input.parse({ autoCompile: false }));
    expect(input.parse({ trtRtxDir: trt })).toEqual({ trtRtxDir: trt });
    expect(await settings.set(input.parse({ trtRtxDir: trt }))).toEqual({
      ...DEFAULTS,
      trtRtxDir: trt,
      autoCompile: false,
    });
    const saved = JSON.parse(await readFile(path.join(dir, 'settings.json'), 'utf8')) as unknown;
    expect(saved).toEqual({ ...DEFAULTS, trtRtxDir: trt, autoCompile: false });
  });
});

describe('settings are validated like every other input', () => {
  // Before the fix settings:set took a 200 KB trtRtxDir and kept it: every later engine start
  // failed with spawn E2BIG (it travels in the engine host's environment), restart after restart.
  it('settings:set refuses a 200 KB folder, a relative one, a missing one and a file, naming why', async () => {
    const settings = new SettingsService(dir);
    await settings.open();
    const handlers = settings.handlers() as unknown as Handlers;
    const refused = async (trtRtxDir: unknown) => {
      const r = await call(handlers, 'settings:set', { trtRtxDir });
      expect(r.ok, String(trtRtxDir).slice(0, 40)).toBe(false);
      return r.ok ? '' : r.error.code + ' ' + r.error.message;
    };
    expect(await refused('x'.repeat(200_000))).toMatch(/^BAD_REQUEST .*trtRtxDir/);
    expect(await refused('/a\u0000b')).toMatch(/^BAD_REQUEST .*control characters/);
    expect(await refused('relative/dir')).toMatch(/is not an absolute path/);
    expect(await refused(path.join(dir, 'gone'))).toMatch(/does not exist/);
    await writeFile(path.join(dir, 'file'), 'x');
    expect(await refused(path.join(dir, 'file'))).toMatch(/is not a folder/);
    for (const n of [0, 1e9, 1.5]) {
      const r = await call(handlers, 'settings:set', { compileDeadlineMinutes: n });
      expect(r.ok, String(n)).toBe(false);
    }
    expect(settings.get()).toEqual({ trtRtxDir: null, ...DEFAULTS });
    const ok = await call(handlers, 'settings:set', { trtRtxDir: trt, compileDeadlineMinutes: 5 });
    expect(ok).toMatchObject({ ok: true, value: { trtRtxDir: trt, compileDeadlineMinutes: 5 } });
  });

  it('a stored folder that went away is reported and ignored; the file keeps it', async () => {
    const gone = path.join(dir, 'removed');
    await writeFile(path.join(dir, 'settings.json'), JSON.stringify({ trtRtxDir: gone }));
    const settings = new SettingsService(dir);
    expect(await settings.open()).toMatch(
      /TensorRT-RTX folder in Settings is ignored: .* does not exist/,
    );
    expect(settings.get().trtRtxDir).toBeNull();
    expect(await readFile(path.join(dir, 'settings.json'), 'utf8')).toContain(gone);
  });

  it('a stored 200 KB folder is reported and the engine can still start (no spawn E2BIG)', async () => {
    await writeFile(
      path.join(dir, 'settings.json'),
      JSON.stringify({ trtRtxDir: `/${'x'.repeat(200_000)}`, autoCompile: false }),
    );
    const settings = new SettingsService(dir);
    expect(await settings.open()).toMatch(/Settings were damaged/);
    const value = settings.get().trtRtxDir;
    // What compose.ts gives the engine host: a child process with the setting in its environment.
    const child = spawnSync(process.execPath, ['-e', 'process.exit(0)'], {
      env: { ...process.env, ...(value ? { CRUCIBLE_TRT_RTX_SETTING: value } : {}) },
    });
    expect(child.error).toBeUndefined();
    expect(child.status).toBe(0);
  });
});
