// The hostile-input suite: every generated hostile model goes through the three ways a model gets
// in — the importer by path (models:add), the importer by upload (browser mode), and the engine
// host directly (session create + run, as the CLI does) — and a few hostile tensors go into a
// real session. This test process plays the main side (the UI process): it must never die, every
// refusal must be a coded error with a message for people, and a native crash must stay in the
// engine host, be reported as ENGINE_CRASHED and be followed by a working host.
// Everything is real: dist/engine/engine-host.js (built by the test setup) over ONNX Runtime.
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EngineClient, nodeChildSpawner } from '../../src-main/engine/host/engine-client';
import { writeTensorFile, readTensorFile } from '../../src-main/engine/model/tensor-files';
import type { HostTensor } from '../../src-main/engine/tensor';
import { encodeModel, node, tensorInfo } from '../../src-main/engine/model/test-helpers';
import { ModelLibrary } from '../../src-main/services/model-library';
import {
  AppError,
  ERROR_CODES,
  toErrorData,
  type AppErrorData,
} from '../../src-main/shared/errors';
import {
  absurdDimCases,
  bitFlippedCases,
  deepNestingCases,
  externalDataCases,
  hugeAttributeCases,
  randomByteCases,
  seedModels,
  truncatedCases,
  unknownOpCases,
  zeroSizeCases,
  type HostileCase,
} from './hostile-models';
import { Tally } from './tally';

const root = path.resolve(__dirname, '..', '..');
const hostScript = path.join(root, 'dist', 'engine', 'engine-host.js');
const hasTestdata = existsSync('/usr/share/libonnx-testdata/data/node/test_if/model.onnx');
/** What an outside file holds; no case may ever read it into a session. */
const SECRET = Buffer.from('CRUCIBLE-SECRET!');

let engine: EngineClient;
let library: ModelLibrary;
let work: string;
let outsideFile: string;
const tally = new Tally();
let caseNo = 0;

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'crucible-hostile-'));
  outsideFile = path.join(work, 'outside', 'secret.bin');
  await mkdir(path.dirname(outsideFile), { recursive: true });
  await writeFile(outsideFile, SECRET);
  engine = new EngineClient(nodeChildSpawner(hostScript), { backoffMs: [10] });
  await engine.start();
  library = new ModelLibrary({
    dir: path.join(work, 'library'),
    builtInDir: null,
    inspect: (p) => engine.request('model.inspect', { path: p }, { timeoutMs: 30_000 }),
  });
  await library.open();
});

afterAll(async () => {
  engine?.close();
  // The summary the issue asks for: cases per category, outcome per entry point.
  console.log(tally.summary());
  await rm(work, { recursive: true, force: true });
});

/** Writes a case's files into a fresh folder and returns the model's path. */
async function materialize(c: HostileCase, under: string): Promise<string> {
  const dir = path.join(work, under, String(++caseNo));
  for (const [rel, bytes] of Object.entries(c.files)) {
    await mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
    await writeFile(path.join(dir, rel), bytes);
  }
  for (const [rel, target] of Object.entries(c.symlinks ?? {})) {
    await symlink(target, path.join(dir, rel));
  }
  return path.join(dir, c.model);
}

/** Runs one attempt and turns its outcome into data; anything but an AppError is a bug here. */
async function attempt<T>(
  fn: () => Promise<T>,
): Promise<{ ok: true; value: T } | { ok: false; error: AppErrorData }> {
  try {
    return { ok: true, value: await fn() };
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    return { ok: false, error: toErrorData(err) };
  }
}

/** A refusal must be coded (never INTERNAL: that is a bug), with words for people. */
function expectClear(error: AppErrorData, what: string): void {
  expect(ERROR_CODES, what).toContain(error.code);
  expect(error.code, `${what}: ${error.message}`).not.toBe('INTERNAL');
  expect(error.message.length, what).toBeGreaterThan(10);
}

/** The outside file's bytes must not show up in any output. */
function expectNoSecret(value: unknown, what: string): void {
  expect(
    JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v)),
    what,
  ).not.toContain('CRUCIBLE-SECRET');
}

/** CRUCIBLE_HOSTILE_TRACE=1 prints every case's outcomes (to reproduce one from its name). */
function trace(label: string, outcomes: Record<string, { ok: boolean; error?: AppErrorData }>) {
  if (!process.env.CRUCIBLE_HOSTILE_TRACE) return;
  const words = Object.entries(outcomes).map(
    ([k, v]) => `${k}: ${v.ok ? 'ok' : `${v.error?.code} ${v.error?.message.slice(0, 160)}`}`,
  );
  console.log(`${label}\n  ${words.join('\n  ')}`);
}

/** Every entry point, for one case. */
async function throughEverything(c: HostileCase): Promise<void> {
  const label = `${c.category}/${c.name}`;
  tally.tried(c.category);
  // 1. The importer by path (Electron drops, the file picker, the CLI): inspection in the host.
  const byPath = await materialize(c, 'by-path');
  const added = await attempt(() => library.add(byPath));
  tally.record(c.category, 'add', added.ok ? 'accepted' : added.error.code);
  if (!added.ok) {
    expectClear(added.error, `${label} add`);
    // Errors about the file name it (or the folder it is in).
    if (added.error.code !== 'ENGINE_CRASHED' && added.error.code !== 'ENGINE_TIMEOUT') {
      expect(added.error.message, label).toMatch(/model\.onnx|weights|\.bin|\/etc|C:|\\\\|\.\./);
    }
  } else {
    expectNoSecret(added.value, label);
  }

  // 2. The importer by upload (browser mode): staged files, original name kept in messages.
  const staged = await materialize(c, 'uploads');
  const uploaded = await attempt(() => library.importUpload(staged, `hostile-${caseNo}.onnx`));
  tally.record(c.category, 'upload', uploaded.ok ? 'accepted' : uploaded.error.code);
  if (!uploaded.ok) {
    expectClear(uploaded.error, `${label} upload`);
    expect(uploaded.error.message, `${label}: the temp path leaked`).not.toContain(staged);
  }
  if (c.category === 'external-data' && /out|dotdot|absolute|unc|drive|symlink/.test(c.name)) {
    expect(added.ok, `${label}: an outside location was imported`).toBe(false);
    expect(uploaded.ok, `${label}: an outside location was uploaded`).toBe(false);
  }

  // 3. The engine host directly (the CLI runs a path it was given): create, run, release.
  const sessionId = `hostile-${caseNo}`;
  const created = await attempt(() =>
    engine.request(
      'session.create',
      { sessionId, modelPath: byPath, provider: 'cpu' },
      { timeoutMs: 30_000 },
    ),
  );
  if (!created.ok) {
    tally.record(c.category, 'session', created.error.code);
    trace(label, { add: added, upload: uploaded, create: created });
    expectClear(created.error, `${label} session.create`);
    return;
  }
  const ran = await attempt(() =>
    engine.request(
      'session.run',
      { sessionId, synth: { fill: 'ones', seed: 1, dims: {} } },
      { timeoutMs: 15_000 },
    ),
  );
  tally.record(c.category, 'session', ran.ok ? 'ran' : ran.error.code);
  trace(label, { add: added, upload: uploaded, create: created, run: ran });
  if (ran.ok) expectNoSecret(ran.value, label);
  else expectClear(ran.error, `${label} session.run`);
  await attempt(() => engine.request('session.release', { sessionId }));
}

/** After every category the engine still answers: nothing it met killed it for good. */
async function expectEngineAlive(): Promise<void> {
  const listed = await engine.request('session.list', {});
  expect(Array.isArray(listed.sessionIds)).toBe(true);
  expect(engine.status().state).toBe('ready');
}

const seeds = () =>
  hasTestdata ? seedModels(root) : seedModels(root).filter((s) => s.name.startsWith('demo/'));

describe('hostile models through the importer, the inspector and the engine host', () => {
  const categories: [string, () => HostileCase[]][] = [
    ['random bytes', () => randomByteCases(48)],
    ['truncated copies of real models', () => truncatedCases(seeds(), 8)],
    ['bit-flipped copies of real models', () => bitFlippedCases(seeds(), 16)],
    ['absurd dims (2^40 elements, negative, rank 64)', absurdDimCases],
    ['huge attribute lists', hugeAttributeCases],
    ['deeply nested graphs (If/Loop bodies, wire bombs)', deepNestingCases],
    ['unknown ops, domains, opsets, IR versions', unknownOpCases],
    [
      'external data outside the folder, absolute, missing, past the end',
      () => externalDataCases(outsideFile),
    ],
    ['zero-size tensors', zeroSizeCases],
  ];
  for (const [title, make] of categories) {
    it(`${title}: each a clear coded error or a working model`, { timeout: 90_000 }, async () => {
      for (const c of make()) await throughEverything(c);
      await expectEngineAlive();
    });
  }
});

describe('hostile tensors into a real session', () => {
  it('strings, wrong types, wrong lengths and absurd dims in numeric inputs are INPUT_INVALID', async () => {
    const model = path.join(root, 'models', 'mlp-tiny.onnx');
    const created = await engine.request('session.create', {
      sessionId: 'tensors',
      modelPath: model,
      provider: 'cpu',
    });
    const input = created.inputs[0];
    if (!input?.shape) throw new Error('mlp-tiny has a shaped input');
    const name = input.name;
    const dims = input.shape.map((d) => (typeof d === 'number' && d > 0 ? d : 1));
    const count = dims.reduce((a, b) => a * b, 1);
    const feeds: [string, unknown][] = [
      [
        'string tensor for a float input',
        { dtype: 'string', dims, data: Array(count).fill('1.0') },
      ],
      ['float32 claimed, strings given', { dtype: 'float32', dims, data: Array(count).fill('x') }],
      [
        'float32 claimed, Int32Array given',
        { dtype: 'float32', dims, data: new Int32Array(count) },
      ],
      ['too few values', { dtype: 'float32', dims, data: new Float32Array(1) }],
      [
        '2^40 elements claimed',
        { dtype: 'float32', dims: dims.map(() => 2 ** 20), data: new Float32Array(4) },
      ],
      [
        'negative dims',
        { dtype: 'float32', dims: dims.map(() => -1), data: new Float32Array(count) },
      ],
      ['NaN dims', { dtype: 'float32', dims: dims.map(() => NaN), data: new Float32Array(count) }],
      ['no data at all', { dtype: 'float32', dims }],
      ['data is null', { dtype: 'float32', dims, data: null }],
      ['dims is a string', { dtype: 'float32', dims: '1,784', data: new Float32Array(count) }],
      ['an unknown dtype', { dtype: 'float99', dims, data: new Float32Array(count) }],
      ['not an object', 'hello'],
    ];
    for (const [what, tensor] of feeds) {
      tally.tried('hostile-tensors');
      const r = await attempt(() =>
        engine.request('session.run', {
          sessionId: 'tensors',
          inputs: { [name]: tensor as HostTensor },
        }),
      );
      tally.record('hostile-tensors', 'session', r.ok ? 'ran' : r.error.code);
      expect(r.ok, what).toBe(false);
      if (!r.ok) {
        expectClear(r.error, what);
        expect(['INPUT_INVALID', 'BAD_REQUEST'], `${what}: ${r.error.message}`).toContain(
          r.error.code,
        );
      }
    }
    // A string input given numbers, objects and nulls where strings belong.
    const stringModel = path.join(work, 'string-identity', 'model.onnx');
    await mkdir(path.dirname(stringModel), { recursive: true });
    await writeFile(
      stringModel,
      encodeModel({
        name: 'g',
        node: [node('Identity', ['s'], ['t'])],
        input: [tensorInfo('s', 8, [3])],
        output: [tensorInfo('t', 8, [3])],
      }),
    );
    await engine.request('session.create', {
      sessionId: 'strings',
      modelPath: stringModel,
      provider: 'cpu',
    });
    for (const data of [
      [1, 2, 3],
      [{}, null, 'x'],
      ['a', 'b', undefined],
    ]) {
      tally.tried('hostile-tensors');
      const r = await attempt(() =>
        engine.request('session.run', {
          sessionId: 'strings',
          inputs: { s: { dtype: 'string', dims: [3], data: data as string[] } },
        }),
      );
      tally.record('hostile-tensors', 'session', r.ok ? 'ran' : r.error.code);
      expect(r.ok, JSON.stringify(data)).toBe(false);
      if (!r.ok) {
        expectClear(r.error, `string input given ${JSON.stringify(data)}`);
        expect(['INPUT_INVALID', 'BAD_REQUEST'], r.error.message).toContain(r.error.code);
      }
    }
    await engine.request('session.release', { sessionId: 'strings' });

    // A .npy of strings read for a numeric input: refused the same way, naming the input.
    const npy = path.join(work, 'strings.npy');
    await writeTensorFile(npy, { dtype: 'string', dims, data: Array(count).fill('7') });
    const fromFile = await readTensorFile(npy);
    tally.tried('hostile-tensors');
    const r = await attempt(() =>
      engine.request('session.run', { sessionId: 'tensors', inputs: { [name]: fromFile.tensor } }),
    );
    tally.record('hostile-tensors', 'session', r.ok ? 'ran' : r.error.code);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toContain(name);
    await engine.request('session.release', { sessionId: 'tensors' });
    await expectEngineAlive();
  });
});

describe('a native crash stays in the engine host', () => {
  it('an abort in the host fails the request with ENGINE_CRASHED, and the next one works', async () => {
    tally.tried('native-crash');
    const crashed = await attempt(() => engine.request('host.crash', { how: 'abort' }));
    tally.record('native-crash', 'session', crashed.ok ? 'ran' : crashed.error.code);
    expect(crashed.ok).toBe(false);
    if (!crashed.ok) {
      expect(crashed.error.code).toBe('ENGINE_CRASHED');
      expect(crashed.error.message).toMatch(/host\.crash/);
    }
    // A model still imports and runs after the restart.
    const model = path.join(work, 'after-crash', 'mlp.onnx');
    await mkdir(path.dirname(model), { recursive: true });
    await cp(path.join(root, 'models', 'mlp-tiny.onnx'), model);
    const entry = await library.add(model);
    expect(entry.inspection?.inputs.length).toBeGreaterThan(0);
    await expectEngineAlive();
    expect(engine.status().restarts).toBeGreaterThanOrEqual(1);
  });
});
