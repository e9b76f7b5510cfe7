// electron-builder cannot run here (it downloads Electron), so its configuration is checked offline
// with electron-builder's own loader and schema validator (app-builder-lib, which electron-builder
// depends on at an exact version), plus the facts the app relies on.
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const require = createRequire(__filename);
const { getConfig, validateConfiguration } = require('app-builder-lib/out/util/config/config') as {
  getConfig(dir: string, file: string | null, cfg: unknown): Promise<Record<string, unknown>>;
  validateConfiguration(cfg: unknown, logger: unknown): Promise<void>;
};
const { DebugLogger } = require('builder-util/out/DebugLogger') as {
  DebugLogger: new (on: boolean) => unknown;
};
const root = path.resolve(__dirname, '..');

describe('electron-builder.yml', () => {
  it("passes electron-builder's own schema validation", async () => {
    const cfg = await getConfig(root, 'electron-builder.yml', null);
    await expect(validateConfiguration(cfg, new DebugLogger(false))).resolves.toBeUndefined();
  });

  it('the validator does reject a wrong configuration', async () => {
    const cfg = await getConfig(root, 'electron-builder.yml', null);
    await expect(
      validateConfiguration({ ...cfg, nsis: { oneClick: 'sometimes' } }, new DebugLogger(false)),
    ).rejects.toThrow();
  });

  it('builds a per-user NSIS installer and a portable exe for Windows, and an AppImage for Linux', async () => {
    const cfg = (await getConfig(root, 'electron-builder.yml', null)) as {
      win: { target: { target: string }[] };
      nsis: { perMachine: boolean; oneClick: boolean };
      linux: { target: { target: string }[] };
    };
    expect(cfg.win.target.map((t) => t.target)).toEqual(['nsis', 'portable']);
    expect(cfg.nsis.perMachine).toBe(false);
    expect(cfg.linux.target.map((t) => t.target)).toEqual(['AppImage']);
  });

  it('unpacks the native files from the asar and ships models/ as resources', async () => {
    const cfg = (await getConfig(root, 'electron-builder.yml', null)) as {
      asarUnpack: string[];
      extraResources: { from: string; to: string }[];
    };
    expect(cfg.asarUnpack).toEqual(
      expect.arrayContaining([
        'node_modules/onnxruntime-node/bin/**',
        'node_modules/koffi/**',
        'node_modules/@koromix/**',
      ]),
    );
    expect(cfg.extraResources).toContainEqual(
      expect.objectContaining({ from: 'models', to: 'models' }),
    );
  });
});
