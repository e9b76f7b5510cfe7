// The packaged app's layout, laid out the way electron-builder does it, then run from there.
//
// The real build output (dist/, built by the test setup) and the runtime packages go into a real
// resources/app.asar written by electron-builder's own asar library (@electron/asar, resolved through
// app-builder-lib, i.e. the copy `npm run dist` uses, with the same createPackageFromStreams call);
// the files matched by electron-builder.yml's `asarUnpack` globs go to resources/app.asar.unpacked,
// and its `extraResources` (the demo models) to resources/. From that tree the engine host and the
// compile worker start as plain Node processes, load ONNX Runtime, run a demo model, compile it and
// the compiled cache entry is checked and run.
//
// Plain Node cannot read inside an asar archive — the property this test rests on: a path that
// still points into app.asar fails here just as `koffi.load` fails on it in the packaged app. The
// first test shows it. Removing the mapping (e.g. making app-files.ts return `layout.appRoot`
// instead of `layout.unpackedRoot` for the scripts and ORT's folder, or dropping `dist/engine/**`
// from asarUnpack) makes the engine host fail to start here with "Cannot find module
// .../resources/app.asar/dist/engine/engine-host.js" (or ORT_LOAD_FAILED "... app.asar/node_modules/
// onnxruntime-node/bin/... does not exist").
//
// Kept fast for CI: of the production dependencies only those the child processes load at run time
// are packed (esbuild bundles everything else into dist/; koffi and onnxruntime-node stay external),
// and of onnxruntime-node's binaries only this platform's (electron-builder.yml's `files` drops the
// others per target). The user-data folder has a non-ASCII name (a user called Zoë / 用户).
import { createReadStream, existsSync, lstatSync, readdirSync, readFileSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { fork } from 'node:child_process';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as Asar from '@electron/asar';
import { CompileOptionsSchema } from '../ipc/contract';
import { CompileCache } from '../engine/cache/cache';
import { sha256File } from '../engine/cache/hash';
import { machineFactsFor, optionsHash } from '../engine/cache/key';
import { sealCompile } from '../engine/compile/entry';
import { nodeWorkerSpawner, runCompileWorker } from '../engine/compile/runner';
import { EngineClient, nodeChildSpawner } from '../engine/host/engine-client';
import { resolveOrtLibraryPath } from '../engine/ort/library';
import { buildProviderOptions, resolveEntryPaths } from '../engine/providers/options';
import { appFiles, type AppFiles } from './app-files';

const root = path.resolve(__dirname, '..', '..');
const builderRequire = createRequire(require.resolve('app-builder-lib/package.json'));
const asar = builderRequire('@electron/asar') as typeof Asar;
const { minimatch } = builderRequire('minimatch') as {
  minimatch: (p: string, pattern: string, o?: { dot?: boolean }) => boolean;
};
const yaml = builderRequire('js-yaml') as { load(text: string): unknown };

interface BuilderConfig {
  files: string[];
  asarUnpack: string[];
  extraResources: { from: string; to: string; filter: string[] }[];
}
const config = yaml.load(
  readFileSync(path.join(root, 'electron-builder.yml'), 'utf8'),
) as BuilderConfig;

/** electron-builder's `files` rule for one app-relative path: some pattern includes it, no `!` excludes it. */
function included(rel: string): boolean {
  const plus = config.files.filter((p) => !p.startsWith('!'));
  const minus = config.files.filter((p) => p.startsWith('!')).map((p) => p.slice(1));
  return (
    plus.some((p) => minimatch(rel, p, { dot: true })) &&
    !minus.some((p) => minimatch(rel, p, { dot: true }))
  );
}

/** Every file under `dir` (app-relative, '/'-separated), walking only into `keep`-approved folders. */
function walk(dir: string, rel: string, keep: (rel: string) => boolean, out: string[]): void {
  for (const name of readdirSync(dir).sort()) {
    const r = `${rel}/${name}`;
    const full = path.join(dir, name);
    if (lstatSync(full).isDirectory()) {
      if (keep(r)) walk(full, r, keep, out);
    } else out.push(r);
  }
}

const ortBin = `node_modules/onnxruntime-node/bin/napi-v6/${process.platform}/${process.arch}`;
/** Folders of the runtime packages worth walking (see the note at the top). */
function keepFolder(rel: string): boolean {
  if (rel.startsWith('node_modules/onnxruntime-node/bin')) {
    return ortBin.startsWith(rel) || rel.startsWith(ortBin);
  }
  return true;
}

let tmp: string;
let resources: string;
let files: AppFiles;
let unpackedCount = 0;
let engine: EngineClient | null = null;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'crucible-packaged-'));
  resources = path.join(tmp, 'Crucible', 'resources');
  await mkdir(resources, { recursive: true });

  const rels: string[] = ['package.json'];
  walk(path.join(root, 'dist'), 'dist', () => true, rels);
  const koffiPlatform = `@koromix/koffi-${process.platform}-${process.arch}`;
  for (const pkg of ['koffi', koffiPlatform, 'onnxruntime-node']) {
    walk(path.join(root, 'node_modules', pkg), `node_modules/${pkg}`, keepFolder, rels);
  }
  const packed = rels.filter(included);
  // The same streams electron-builder's AsarPackager hands to @electron/asar: directories first,
  // each file with its `unpacked` flag from the asarUnpack globs.
  const dirs = new Set<string>();
  for (const rel of packed) {
    const parts = rel.split('/');
    for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
  }
  const unpacked = (rel: string) => config.asarUnpack.some((g) => minimatch(rel, g, { dot: true }));
  const streams: Parameters<typeof asar.createPackageFromStreams>[1] = [];
  for (const d of [...dirs].sort()) {
    const anyUnpacked = packed.some((f) => f.startsWith(`${d}/`) && unpacked(f));
    streams.push({ type: 'directory', path: d, unpacked: anyUnpacked });
  }
  for (const rel of packed) {
    const src = path.join(root, ...rel.split('/'));
    if (unpacked(rel)) unpackedCount++;
    streams.push({
      type: 'file',
      path: rel,
      unpacked: unpacked(rel),
      stat: lstatSync(src),
      streamGenerator: () => createReadStream(src),
    });
  }
  const archive = path.join(resources, 'app.asar');
  const done = await asar.createPackageFromStreams(archive, streams);
  await new Promise<void>((resolve, reject) => {
    if (done.closed) resolve();
    else done.once('close', () => resolve()).once('error', reject);
  });

  // extraResources: the demo models (a bundled trt-rtx folder only when vendor/trt-rtx exists).
  for (const extra of config.extraResources) {
    const from = path.join(root, extra.from);
    if (!existsSync(from)) continue;
    const list: string[] = [];
    walk(from, '', () => true, list);
    for (const rel of list.map((r) => r.slice(1))) {
      if (!extra.filter.some((g) => minimatch(rel, g, { dot: true }))) continue;
      await cp(path.join(from, rel), path.join(resources, extra.to, rel));
    }
  }
  files = appFiles(path.join(resources, 'app.asar.unpacked', 'dist', 'engine'), {});
}, 120_000);

afterAll(async () => {
  engine?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

function requireEngine(): EngineClient {
  if (!engine) throw new Error('the engine host has not started');
  return engine;
}

/** Forks `script` with plain Node and says how it ended (code, and its stderr's first line). */
function runScript(script: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = fork(script, [], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    let stderr = '';
    child.stderr?.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('exit', (code) => resolve({ code, stderr }));
  });
}

describe('the packaged layout (resources/app.asar + app.asar.unpacked, as electron-builder writes it)', () => {
  it('is a real archive: plain Node cannot run or load anything left inside it', async () => {
    expect(asar.listPackage(path.join(resources, 'app.asar'), { isPack: false })).toContain(
      `${path.sep}dist${path.sep}main${path.sep}app.js`,
    );
    expect(unpackedCount).toBeGreaterThan(0);
    // The paths the code used before app-files existed, i.e. what it does without the mapping.
    const inside = path.join(resources, 'app.asar', 'dist', 'engine', 'engine-host.js');
    const ran = await runScript(inside);
    expect(ran.code).not.toBe(0);
    expect(ran.stderr).toMatch(/Cannot find module/);
    expect(() =>
      resolveOrtLibraryPath(path.join(resources, 'app.asar', ...ortBin.split('/'))),
    ).toThrow(/does not exist/);
  });

  it('app-files maps every native and child-process path out of the archive, from either tree', () => {
    const fromMain = appFiles(path.join(resources, 'app.asar', 'dist', 'main'), {});
    expect(fromMain).toEqual(files);
    expect(files.layout).toMatchObject({
      kind: 'packaged',
      variant: 'installed',
      resourcesDir: resources,
    });
    const unpackedRoot = path.join(resources, 'app.asar.unpacked');
    for (const p of [files.engineHostScript, files.compileWorkerScript, files.ortDir]) {
      expect(p.startsWith(unpackedRoot + path.sep)).toBe(true);
      expect(existsSync(p)).toBe(true);
    }
    expect(existsSync(resolveOrtLibraryPath(files.ortDir))).toBe(true);
    expect(files.builtInModelsDir).toBe(path.join(resources, 'models'));
    expect(existsSync(path.join(files.builtInModelsDir, 'mlp-tiny.onnx'))).toBe(true);
    // The renderer stays inside the archive: Electron's loadFile reads it there.
    expect(files.rendererDir).toBe(path.join(resources, 'app.asar', 'dist', 'renderer'));
    expect(appFiles(files.ortDir, { PORTABLE_EXECUTABLE_DIR: tmp }).layout.variant).toBe(
      'portable',
    );
    expect(appFiles(files.ortDir, { APPIMAGE: '/x.AppImage' }).layout.variant).toBe('appimage');
  });

  it('the engine host starts from it, loads ORT from app.asar.unpacked, runs a demo model; the compile worker compiles it into a cache entry that checks valid and runs the same', async () => {
    engine = new EngineClient(
      nodeChildSpawner(files.engineHostScript, { ...process.env, CRUCIBLE_ORT_DIR: '' }),
      {
        backoffMs: [10],
      },
    );
    await engine.start();
    const status = engine.status();
    expect(status.state).toBe('ready');
    expect(status.libraryPath).toBe(resolveOrtLibraryPath(files.ortDir));

    const model = path.join(files.builtInModelsDir, 'mlp-tiny.onnx');
    const synth = { fill: 'random' as const, seed: 11, dims: {} };
    const created = await engine.request('session.create', {
      sessionId: 'original',
      modelPath: model,
      provider: 'cpu',
    });
    const first = await engine.request('session.run', {
      sessionId: 'original',
      synth,
      want: 'tensors',
    });
    const outName = created.outputs[0]?.name ?? '';
    const expected = first.tensors?.[outName];
    expect(expected?.data.length).toBeGreaterThan(0);

    // The compile worker, from the same tree, into a user-data folder with a non-ASCII name.
    const cache = new CompileCache(path.join(tmp, 'Zoë 用户', 'cache'));
    const options = CompileOptionsSchema.parse({});
    const spec = {
      jobId: 'packaged',
      modelPath: model,
      modelSha256: await sha256File(model),
      provider: 'cpu' as const,
      options,
      providerOptions: buildProviderOptions('cpu', options, created.inputs),
      outDir: await cache.createTemp('packaged'),
      epLibrary: null,
    };
    const result = await runCompileWorker(
      nodeWorkerSpawner(files.compileWorkerScript, { ...process.env, CRUCIBLE_ORT_DIR: '' }),
      spec,
    );
    expect(result.ortVersion).toBe(status.ortVersion);
    const now = {
      ortVersion: status.ortVersion,
      providers: status.providers,
      snapshot: null,
      epVersion: null,
    };
    const facts = machineFactsFor('cpu', now);
    if ('unavailable' in facts) throw new Error(facts.unavailable);
    const sealed = await sealCompile(cache, spec, result, facts, {
      name: 'mlp-tiny.onnx',
      optionsHash: optionsHash('cpu', options),
      options,
    });
    // The engine host (from the layout) is asked the provider's compatibility question for it.
    const checked = await cache.check(
      sealed.id,
      (p) => machineFactsFor(p, now),
      true,
      (e) => requireEngine().request('cache.compatibility', e),
    );
    expect(checked).toMatchObject({ state: 'valid', compatibility: 'not-applicable' });
    const meta = checked.meta;
    if (!meta) throw new Error('a valid entry has a meta');

    await engine.request('session.create', {
      sessionId: 'compiled',
      modelPath: path.join(checked.dir, ...meta.artifact.split('/')),
      provider: 'cpu',
      providerOptions: resolveEntryPaths(meta.providerOptions, checked.dir),
    });
    const again = await engine.request('session.run', {
      sessionId: 'compiled',
      synth,
      want: 'tensors',
    });
    const got = again.tensors?.[outName];
    expect(got?.dims).toEqual(expected?.dims);
    const a = Array.from(expected?.data as ArrayLike<number>);
    const b = Array.from(got?.data as ArrayLike<number>);
    for (let i = 0; i < a.length; i++) expect(b[i]).toBeCloseTo(a[i] as number, 4);
  }, 120_000);
});
