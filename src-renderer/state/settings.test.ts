import { beforeEach, describe, expect, it } from 'vitest';
import type { ProviderId } from '../../src-main/ipc/contract';
import { createFakeApi } from './fake-api';
import {
  dirFromDraft,
  preferredProviderChosen,
  resetSettingsStore,
  settingsAreaOpened,
  trtRtxArchiveTyped,
  trtRtxDirSaved,
  trtRtxDirTyped,
  trtRtxInstallRequested,
  useSettingsStore,
} from './settings';

beforeEach(resetSettingsStore);
const state = () => useSettingsStore.getState();

describe('settings store', () => {
  it('reads the settings when the area opens and fills the field', async () => {
    const api = createFakeApi();
    api.handle('settings:get', () => ({
      ok: true,
      value: {
        trtRtxDir: '/opt/trt-rtx',
        autoCompile: true,
        compileDeadlineMinutes: 30,
        ortTelemetry: false,
      },
    }));
    await settingsAreaOpened(api);
    expect(state().settings).toEqual({
      trtRtxDir: '/opt/trt-rtx',
      autoCompile: true,
      compileDeadlineMinutes: 30,
      ortTelemetry: false,
    });
    expect(state().dirDraft).toBe('/opt/trt-rtx');
  });

  it('a failed read is kept to show', async () => {
    const api = createFakeApi();
    api.handle('settings:get', () => ({
      ok: false,
      error: { code: 'STORE_CORRUPT', message: 'settings.json is damaged' },
    }));
    await settingsAreaOpened(api);
    expect(state().loadError?.code).toBe('STORE_CORRUPT');
  });

  it.each([
    ['  /opt/trt  ', '/opt/trt'],
    ['', null],
    ['   ', null],
  ])('the field %j saves as %j', (text, dir) => {
    expect(dirFromDraft(text)).toBe(dir);
  });

  it('saves the typed folder (trimmed), and an empty field clears it', async () => {
    const api = createFakeApi();
    api.handle('settings:get', () => ({
      ok: true,
      value: {
        trtRtxDir: null,
        autoCompile: true,
        compileDeadlineMinutes: 30,
        ortTelemetry: false,
      },
    }));
    api.handle('settings:set', (input) => ({
      ok: true,
      value: {
        trtRtxDir: input.trtRtxDir ?? null,
        autoCompile: true,
        compileDeadlineMinutes: 30,
        ortTelemetry: false,
      },
    }));
    await settingsAreaOpened(api);
    trtRtxDirTyped(' /data/trt ');
    await trtRtxDirSaved(api);
    expect(state().settings?.trtRtxDir).toBe('/data/trt');
    expect(state().dirDraft).toBe('/data/trt');
    trtRtxDirTyped('');
    await trtRtxDirSaved(api);
    expect(api.calls.filter((c) => c.channel === 'settings:set').map((c) => c.input)).toEqual([
      { trtRtxDir: '/data/trt' },
      { trtRtxDir: null },
    ]);
    expect(state().settings?.trtRtxDir).toBeNull();
  });

  it('saving what is already saved sends nothing (no needless engine restart)', async () => {
    const api = createFakeApi();
    api.handle('settings:get', () => ({
      ok: true,
      value: {
        trtRtxDir: '/opt/trt',
        autoCompile: true,
        compileDeadlineMinutes: 30,
        ortTelemetry: false,
      },
    }));
    await settingsAreaOpened(api);
    trtRtxDirTyped('/opt/trt ');
    await trtRtxDirSaved(api);
    expect(api.calls.some((c) => c.channel === 'settings:set')).toBe(false);
  });

  it('a failed save keeps the typed text and the error; typing again clears the error', async () => {
    const api = createFakeApi();
    api.handle('settings:set', () => ({
      ok: false,
      error: { code: 'IO_ERROR', message: 'could not write settings.json' },
    }));
    trtRtxDirTyped('/x');
    await trtRtxDirSaved(api);
    expect(state()).toMatchObject({ dirDraft: '/x', saving: false });
    expect(state().saveError?.message).toBe('could not write settings.json');
    trtRtxDirTyped('/y');
    expect(state().saveError).toBeNull();
  });

  it('install: the error of an archive that is not one is kept with its message', async () => {
    const api = createFakeApi();
    api.handle('providers:install-trt-rtx', (input) => ({
      ok: false,
      error: { code: 'BAD_REQUEST', message: `${input.archivePath} is not a zip archive` },
    }));
    trtRtxArchiveTyped('  /tmp/notes.txt ');
    await trtRtxInstallRequested(api);
    expect(state().installing).toBe(false);
    expect(state().installResult).toBeNull();
    expect(state().installError).toEqual({
      code: 'BAD_REQUEST',
      message: '/tmp/notes.txt is not a zip archive',
    });
  });

  it('install: a registered library re-reads the settings (the main side now points at it)', async () => {
    const api = createFakeApi();
    let saved: string | null = null;
    api.handle('settings:get', () => ({
      ok: true,
      value: {
        trtRtxDir: saved,
        autoCompile: true,
        compileDeadlineMinutes: 30,
        ortTelemetry: false,
      },
    }));
    api.handle('providers:install-trt-rtx', () => {
      saved = '/data/providers/trt-rtx/1.2.0';
      return { ok: true, value: { dir: saved, registered: true, reason: null } };
    });
    trtRtxArchiveTyped('/dl/trt.whl');
    await trtRtxInstallRequested(api);
    expect(state().installResult).toEqual({
      dir: '/data/providers/trt-rtx/1.2.0',
      registered: true,
      reason: null,
    });
    expect(state().settings?.trtRtxDir).toBe('/data/providers/trt-rtx/1.2.0');
  });

  it('install: an unregistered result is shown as it came, settings untouched', async () => {
    const api = createFakeApi();
    api.handle('providers:install-trt-rtx', () => ({
      ok: true,
      value: { dir: '/d', registered: false, reason: 'ONNX Runtime refused it' },
    }));
    trtRtxArchiveTyped('/dl/trt.whl');
    await trtRtxInstallRequested(api);
    expect(state().installResult?.reason).toBe('ONNX Runtime refused it');
    expect(api.calls.some((c) => c.channel === 'settings:get')).toBe(false);
  });

  it('install with an empty path sends nothing', async () => {
    const api = createFakeApi();
    trtRtxArchiveTyped('   ');
    await trtRtxInstallRequested(api);
    expect(api.calls).toEqual([]);
  });

  it("keeps a model's chosen provider beside the others' and forgets it on request", async () => {
    const api = createFakeApi();
    let saved: Record<string, ProviderId> = { other: 'cuda' };
    const value = () => ({
      trtRtxDir: null,
      autoCompile: true,
      compileDeadlineMinutes: 30,
      ortTelemetry: false,
      preferredProviders: saved,
    });
    api.handle('settings:get', () => ({ ok: true, value: value() }));
    api.handle('settings:set', (input) => {
      saved = input.preferredProviders ?? saved;
      return { ok: true, value: value() };
    });
    // Not read yet (the offer came from the Run area): read first, so 'other' stays.
    await preferredProviderChosen(api, 'm1', 'webgpu');
    expect(state().settings?.preferredProviders).toEqual({ other: 'cuda', m1: 'webgpu' });
    await preferredProviderChosen(api, 'm1', null);
    expect(state().settings?.preferredProviders).toEqual({ other: 'cuda' });
    expect(api.calls.filter((c) => c.channel === 'settings:set').map((c) => c.input)).toEqual([
      { preferredProviders: { other: 'cuda', m1: 'webgpu' } },
      { preferredProviders: { other: 'cuda' } },
    ]);
  });
});
