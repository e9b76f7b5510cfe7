import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { invokeChannels } from '../ipc/contract';
import { SettingsService } from './settings-service';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'crucible-settings-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('SettingsService', () => {
  it('reads a settings file from before autoCompile existed, with background compiles on', async () => {
    await writeFile(path.join(dir, 'settings.json'), JSON.stringify({ trtRtxDir: '/opt/trt' }));
    const settings = new SettingsService(dir);
    expect(await settings.open()).toBeNull();
    expect(settings.get()).toEqual({ trtRtxDir: '/opt/trt', autoCompile: true });
  });

  it('a change of one setting through settings:set leaves the others as they were', async () => {
    const settings = new SettingsService(dir);
    await settings.open();
    const input = invokeChannels['settings:set'].input;
    await settings.set(input.parse({ autoCompile: false }));
    expect(input.parse({ trtRtxDir: '/data/trt' })).toEqual({ trtRtxDir: '/data/trt' });
    expect(await settings.set(input.parse({ trtRtxDir: '/data/trt' }))).toEqual({
      trtRtxDir: '/data/trt',
      autoCompile: false,
    });
    const saved = JSON.parse(await readFile(path.join(dir, 'settings.json'), 'utf8')) as unknown;
    expect(saved).toEqual({ trtRtxDir: '/data/trt', autoCompile: false });
  });
});
