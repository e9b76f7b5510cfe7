import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  BUNDLE_LIMIT_BYTES,
  formatBytes,
  keepAppFile,
  renderRunSh,
  sizeReport,
} from './bundle-plan';

describe('keepAppFile', () => {
  it.each([
    ['dist/cli/crucible.js', true],
    ['dist/cli/crucible.js.map', false],
    ['dist/engine/engine-host.js', true],
    ['dist/gpu-lane/test-gpu.js', true],
    ['dist/renderer/app.js', false],
    ['dist/main/app.js', false],
    ['node_modules/onnxruntime-node/package.json', true],
    ['node_modules/onnxruntime-node/dist/index.js', true],
    ['node_modules/onnxruntime-node/dist/index.js.map', false],
    ['node_modules/onnxruntime-node/dist/index.d.ts', false],
    ['node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime.so.1', true],
    ['node_modules/onnxruntime-node/bin/napi-v6/linux/x64/onnxruntime_binding.node', true],
    ['node_modules/onnxruntime-node/bin/napi-v6/linux/arm64/libonnxruntime.so.1', false],
    ['node_modules/onnxruntime-node/bin/napi-v6/win32/x64/onnxruntime.dll', false],
    ['node_modules/onnxruntime-node/script/install.js', false],
    ['node_modules/onnxruntime-common/package.json', true],
    ['node_modules/onnxruntime-common/dist/cjs/index.js', true],
    ['node_modules/onnxruntime-common/dist/cjs/index.js.map', false],
    ['node_modules/onnxruntime-common/lib/index.ts', false],
    ['node_modules/koffi/package.json', true],
    ['node_modules/koffi/index.cjs', true],
    ['node_modules/koffi/src/koffi/src/static.cjs', true],
    ['node_modules/koffi/src/koffi/src/ffi.cc', false],
    ['node_modules/koffi/cnoke.cjs', false],
    ['node_modules/koffi/vendor/node-api-headers/index.js', false],
    ['node_modules/koffi/doc/index.md', false],
    ['node_modules/@koromix/koffi-linux-x64/index.js', true],
    ['node_modules/@koromix/koffi-linux-x64/linux_x64/koffi.node', true],
    ['node_modules/@koromix/koffi-linux-x64/musl_x64/koffi.node', false],
    ['node_modules/@koromix/koffi-win32-x64/win32_x64/koffi.node', false],
    ['node_modules/zod/index.js', false],
    ['models/resnet-mini.onnx', true],
    ['models/corpus.json', true],
    ['models/with-external-data/model.onnx', true],
    ['models/with-external-data/weights.bin', true],
    ['models/loop/denoise-step.onnx', true],
    ['models/loop/nested/x.onnx', false],
    ['models/generate.ts', false],
    ['models/README.md', false],
    ['src-main/cli/main.ts', false],
    ['package.json', false],
  ])('%s → %s', (rel, keep) => {
    expect(keepAppFile(rel)).toBe(keep);
  });
});

describe('sizeReport', () => {
  it('adds the parts, largest first, against the limit', () => {
    const r = sizeReport([
      { name: 'run.sh', bytes: 3000 },
      { name: 'node.xz', bytes: 24 * 1024 * 1024 },
      { name: 'app.tar.xz', bytes: 12 * 1024 * 1024 },
    ]);
    expect(r.totalBytes).toBe(36 * 1024 * 1024 + 3000);
    expect(r.withinLimit).toBe(true);
    expect(r.lines.map((l) => l.trim().split(/\s+/)[0])).toEqual([
      'node.xz',
      'app.tar.xz',
      'run.sh',
      'total',
    ]);
    expect(r.lines[3]).toMatch(/36\.0 MiB {2}\(56\.3% of 64\.0 MiB\)$/);
  });

  it('says so when the parts do not fit, and the limit itself still fits', () => {
    expect(sizeReport([{ name: 'a', bytes: BUNDLE_LIMIT_BYTES }]).withinLimit).toBe(true);
    const over = sizeReport([
      { name: 'a', bytes: BUNDLE_LIMIT_BYTES },
      { name: 'b', bytes: 1 },
    ]);
    expect(over.withinLimit).toBe(false);
    expect(over.lines.at(-1)).toMatch(/OVER THE LIMIT\)$/);
  });

  it('formats bytes', () => {
    expect([formatBytes(17), formatBytes(2048), formatBytes(3.5 * 1024 * 1024)]).toEqual([
      '17 B',
      '2.0 KiB',
      '3.5 MiB',
    ]);
  });
});

describe('run.sh', () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'crucible-runsh-'));
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  it('refuses a stamp or commit that would need shell quoting', () => {
    expect(() => renderRunSh({ commit: 'abc', stamp: 'a b' })).toThrow(/plain name/);
    expect(() => renderRunSh({ commit: '$(x)', stamp: 'ab' })).toThrow(/plain name/);
  });

  // A miniature bundle: node.xz is a stand-in "node" that says which file ran it with what, and
  // app.tar.xz holds the two entry scripts. A decoy `node` first on PATH must never run.
  it('unpacks once and runs its own node, never the one on PATH', () => {
    const bundle = path.join(work, 'bundle');
    const app = path.join(work, 'app');
    const decoy = path.join(work, 'decoy');
    for (const d of [bundle, path.join(app, 'dist/cli'), path.join(app, 'dist/gpu-lane'), decoy]) {
      fs.mkdirSync(d, { recursive: true });
    }
    const fakeNode =
      '#!/bin/sh\nif [ "$1" = --version ]; then echo v0.0.0-fake; exit 0; fi\necho "ran $0 $*"\n';
    fs.writeFileSync(path.join(work, 'node'), fakeNode);
    execFileSync('xz', ['-0', '-f', path.join(work, 'node')]);
    fs.renameSync(path.join(work, 'node.xz'), path.join(bundle, 'node.xz'));
    fs.writeFileSync(path.join(app, 'dist/cli/crucible.js'), '');
    fs.writeFileSync(path.join(app, 'dist/gpu-lane/test-gpu.js'), '');
    execFileSync('sh', ['-c', `tar -C "${app}" -cf - . | xz -0 > "${bundle}/app.tar.xz"`]);
    fs.writeFileSync(
      path.join(bundle, 'run.sh'),
      renderRunSh({ commit: 'abc123', stamp: 'teststamp' }),
      { mode: 0o755 },
    );
    fs.writeFileSync(path.join(decoy, 'node'), '#!/bin/sh\necho DECOY; exit 99\n', { mode: 0o755 });

    const home = path.join(work, 'home');
    const env = { PATH: `${decoy}:/usr/sbin:/usr/bin:/sbin:/bin`, CRUCIBLE_BUNDLE_HOME: home };
    const run = (...args: string[]) =>
      spawnSync('bash', [path.join(bundle, 'run.sh'), ...args], { env, encoding: 'utf8' });

    const first = run('gpu', '--json');
    expect(first.status).toBe(0);
    expect(first.stdout.trim()).toBe(
      `ran ${home}/bin/node ${home}/dist/cli/crucible.js gpu --json`,
    );
    expect(first.stderr).toMatch(/unpacked into /);
    expect(first.stderr).toMatch(
      /bundle: node\.xz 0 MiB, app\.tar\.xz 0 MiB, total 0 MiB \(commit abc123\)/,
    );
    expect(first.stderr).toContain(`node v0.0.0-fake at ${home}/bin/node`);
    expect(first.stdout + first.stderr).not.toContain('DECOY');

    const second = run('test-gpu', '--out', 'results');
    expect(second.status).toBe(0);
    expect(second.stdout.trim()).toBe(
      `ran ${home}/bin/node ${home}/dist/gpu-lane/test-gpu.js --out results`,
    );
    expect(second.stderr).not.toMatch(/unpacked into/);
  });
});
