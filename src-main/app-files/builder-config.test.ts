// The packaging decisions in electron-builder.yml that the app's file layout and the user's data
// rely on, read with electron-builder's own YAML parser (js-yaml, through app-builder-lib).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '..', '..');
const yaml = createRequire(require.resolve('app-builder-lib/package.json'))('js-yaml') as {
  load(text: string): unknown;
};
const config = yaml.load(readFileSync(path.join(root, 'electron-builder.yml'), 'utf8')) as {
  asar: boolean;
  asarUnpack: string[];
  nsis: { perMachine: boolean; oneClick: boolean; deleteAppDataOnUninstall: boolean };
  extraResources: { from: string; to: string }[];
};

describe('electron-builder.yml', () => {
  it('unpacks what the OS loader and child processes read (src-main/app-files maps them)', () => {
    expect(config.asar).toBe(true);
    expect(config.asarUnpack).toEqual(
      expect.arrayContaining([
        'dist/engine/**',
        'node_modules/onnxruntime-node/bin/**',
        'node_modules/koffi/**',
      ]),
    );
    expect(config.extraResources.map((r) => [r.from, r.to])).toEqual([
      ['models', 'models'],
      ['vendor/trt-rtx', 'trt-rtx'],
    ]);
  });

  it('installs per user and keeps the user’s data on uninstall unless asked (--delete-app-data)', () => {
    expect(config.nsis).toMatchObject({ perMachine: false, deleteAppDataOnUninstall: false });
  });
});
