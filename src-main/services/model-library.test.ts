import { execFileSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { checkExternalData, inspectModel } from '../engine/model/inspect';
import { encodeModel, node, tensorInfo } from '../engine/model/test-helpers';
import { AppError } from '../shared/errors';
import { displayName, ModelLibrary } from './model-library';

const MODELS = path.resolve(__dirname, '..', '..', 'models');
const EXT_DIR = path.join(MODELS, 'with-external-data');

let root: string;
let notices: string[];

/** A library over a temp user-data folder, with the real inspection (in this process). */
async function openLibrary(builtInDir: string | null = null): Promise<ModelLibrary> {
  const lib = new ModelLibrary({
    dir: path.join(root, 'library'),
    builtInDir,
    inspect: (p) => inspectModel(p),
    checkExternalData: (p) => checkExternalData(p),
    notice: (m) => notices.push(m),
  });
  await lib.open();
  return lib;
}

/** Copies a demo model to a folder of the user's (what a drop would reference). */
async function userCopy(file: string, as = path.basename(file)): Promise<string> {
  const dir = path.join(root, 'user');
  await mkdir(dir, { recursive: true });
  const dest = path.join(dir, as);
  await copyFile(path.join(MODELS, file), dest);
  return dest;
}

/** A small model of the user's own (no built-in has its bytes): y = relu(x), x float [1, n]. */
async function userModel(as: string, graphName = 'mine'): Promise<string> {
  const dir = path.join(root, 'user');
  await mkdir(dir, { recursive: true });
  const dest = path.join(dir, as);
  const graph = {
    name: graphName,
    node: [node('Relu', ['x'], ['y'])],
    input: [tensorInfo('x', 1, [1, 'n'])],
    output: [tensorInfo('y', 1, [1, 'n'])],
  };
  await writeFile(dest, encodeModel(graph));
  return dest;
}

/** Stages the external-data demo as an upload would: model and data file in one folder. */
async function stageExternal(withData: boolean): Promise<string> {
  const staged = path.join(root, 'incoming', 'g1', 'ext-model');
  await mkdir(staged, { recursive: true });
  await copyFile(path.join(EXT_DIR, 'model.onnx'), path.join(staged, 'model.onnx'));
  if (withData) await copyFile(path.join(EXT_DIR, 'weights.bin'), path.join(staged, 'weights.bin'));
  return path.join(staged, 'model.onnx');
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    return `${(err as AppError).code}: ${(err as AppError).message}`;
  }
  throw new Error('expected a rejection');
}

beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'crucible-lib-'));
  notices = [];
});

describe('model library', () => {
  it('registers the built-in models once, and a restart keeps the user models', async () => {
    const first = await openLibrary(MODELS);
    const builtIns = first.list().length;
    expect(builtIns).toBe(5);
    expect(first.list().every((m) => m.builtIn && m.error === null)).toBe(true);
    expect(first.list().map((m) => m.name)).toContain('with-external-data');
    const mine = await first.add(await userModel('my-mlp.onnx'));
    expect(mine).toMatchObject({ name: 'my-mlp', builtIn: false, error: null });
    const uploaded = await first.importUpload(
      await userModel('up.onnx', 'uploaded'),
      'ext-model/model.onnx',
    );
    expect(uploaded.name).toBe('ext-model');

    const second = await openLibrary(MODELS);
    expect(notices).toEqual([]);
    expect(second.rebuiltFrom).toBeNull();
    expect(second.list().map((m) => m.id)).toEqual(first.list().map((m) => m.id));
    expect(second.get(mine.id)).toMatchObject({ name: 'my-mlp', path: mine.path });
    expect(second.get(uploaded.id)).toMatchObject({ name: 'ext-model', path: uploaded.path });
  });

  it('reports a library.json cut short, keeps it aside, and rebuilds from the models on disk', async () => {
    const first = await openLibrary(MODELS);
    const mine = await first.add(await userModel('my-mlp.onnx'));
    const uploaded = await first.importUpload(
      await userModel('up.onnx', 'uploaded'),
      'ext-model/model.onnx',
    );
    const file = path.join(root, 'library', 'library.json');
    const text = await readFile(file, 'utf8');
    // Cut in the middle of the last entry: the referenced model's path survives, the imported
    // model's entry does not (it is found again in the imported folder).
    const cut = text.indexOf(JSON.stringify(mine.path)) + JSON.stringify(mine.path).length + 10;
    expect(cut).toBeLessThan(text.indexOf(uploaded.id));
    await writeFile(file, text.slice(0, cut));

    const rebuilt = await openLibrary(MODELS);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatch(/library was damaged .*not valid JSON/);
    expect(notices[0]).toContain('rebuilt: 2 of your model(s) found again on disk, and the 5');
    expect(rebuilt.rebuiltFrom).toMatchObject({ recovered: 2 });
    const kept = await readFile(rebuilt.rebuiltFrom?.movedTo as string, 'utf8');
    expect(kept).toBe(text.slice(0, cut));
    const ids = rebuilt.list().map((m) => m.id);
    expect(ids).toHaveLength(7);
    expect(ids).toEqual(expect.arrayContaining(first.list().map((m) => m.id)));
    expect(rebuilt.get(mine.id)).toMatchObject({ name: 'my-mlp', builtIn: false });
    expect(rebuilt.get(uploaded.id)).toMatchObject({ name: 'ext-model', builtIn: false });
    expect(rebuilt.list().filter((m) => m.builtIn)).toHaveLength(5);

    // The rebuilt file is whole again: the next start reads it without a word.
    notices = [];
    const again = await openLibrary(MODELS);
    expect(notices).toEqual([]);
    expect(again.list().map((m) => m.id)).toEqual(ids);
  });

  it('recognises a duplicate drop by content, whatever the file is called', async () => {
    const lib = await openLibrary();
    const a = await lib.add(await userCopy('mlp-tiny.onnx', 'a.onnx'));
    const again = await lib.add(path.join(root, 'user', 'a.onnx'));
    const renamed = await lib.add(await userCopy('mlp-tiny.onnx', 'b.onnx'));
    const uploaded = await lib.importUpload(await userCopy('mlp-tiny.onnx', 'c.onnx'), 'c.onnx');
    expect([again.id, renamed.id, uploaded.id]).toEqual([a.id, a.id, a.id]);
    expect(renamed.path).toBe(a.path);
    expect(lib.list()).toHaveLength(1);
  });

  it('refuses a non-ONNX file, a broken model and missing external data, touching nothing', async () => {
    const lib = await openLibrary();
    const kept = await lib.add(await userCopy('mlp-tiny.onnx'));
    const file = path.join(root, 'library', 'library.json');
    const before = await readFile(file, 'utf8');
    const user = path.join(root, 'user');
    await writeFile(path.join(user, 'notes.txt'), 'hello');
    await writeFile(path.join(user, 'broken.onnx'), Buffer.from('this is not a protobuf \xff\xff'));
    await mkdir(path.join(user, 'lonely'));
    await copyFile(path.join(EXT_DIR, 'model.onnx'), path.join(user, 'lonely', 'model.onnx'));

    expect(await codeOf(lib.add(path.join(user, 'notes.txt')))).toBe(
      'MODEL_INVALID: notes.txt is not an ONNX model (.onnx)',
    );
    expect(await codeOf(lib.add(path.join(user, 'broken.onnx')))).toMatch(
      /^MODEL_INVALID: .*broken\.onnx/,
    );
    expect(await codeOf(lib.add(path.join(user, 'lonely', 'model.onnx')))).toBe(
      `EXTERNAL_DATA_MISSING: model.onnx needs its external data file weights.bin, but it is not in ${path.join(user, 'lonely')}`,
    );
    expect(await codeOf(lib.add(path.join(user, 'nowhere.onnx')))).toMatch(/^FILE_NOT_FOUND/);
    expect(await codeOf(lib.importUpload(await stageExternal(false), 'ext/model.onnx'))).toBe(
      'EXTERNAL_DATA_MISSING: ext/model.onnx needs its external data file weights.bin, but it was not added with it',
    );
    const tmp = path.join(root, 'incoming', 'x.upload');
    await writeFile(tmp, 'garbage');
    expect(await codeOf(lib.importUpload(tmp, 'garbage.onnx'))).toMatch(
      /^MODEL_INVALID: garbage\.onnx/,
    );

    expect(lib.list().map((m) => m.id)).toEqual([kept.id]);
    expect(await readFile(file, 'utf8')).toBe(before);
    expect(await readdir(path.join(root, 'library'))).not.toContain('imported');
  });

  it('refuses external data that is there but too short for what the model references', async () => {
    const lib = await openLibrary();
    const dir = path.join(root, 'user', 'short');
    await mkdir(dir, { recursive: true });
    await copyFile(path.join(EXT_DIR, 'model.onnx'), path.join(dir, 'model.onnx'));
    const weights = await readFile(path.join(EXT_DIR, 'weights.bin'));
    await writeFile(path.join(dir, 'weights.bin'), weights.subarray(0, weights.length >> 1));
    expect(await codeOf(lib.add(path.join(dir, 'model.onnx')))).toMatch(
      /^EXTERNAL_DATA_MISSING: .*model\.onnx.*weights\.bin/,
    );
    const staged = await stageExternal(true);
    await writeFile(path.join(path.dirname(staged), 'weights.bin'), weights.subarray(0, 100));
    const upload = await codeOf(lib.importUpload(staged, 'ext/model.onnx'));
    expect(upload).toMatch(/^EXTERNAL_DATA_MISSING: .*ext\/model\.onnx.*weights\.bin/);
    expect(upload).not.toContain(root);
    expect(lib.list()).toEqual([]);
  });

  it('adds a dropped folder by its one model, and refuses folders with none or several', async () => {
    const lib = await openLibrary();
    const folder = path.join(root, 'user', 'my-convnet');
    await mkdir(folder, { recursive: true });
    await copyFile(path.join(EXT_DIR, 'model.onnx'), path.join(folder, 'model.onnx'));
    await copyFile(path.join(EXT_DIR, 'weights.bin'), path.join(folder, 'weights.bin'));
    const entry = await lib.add(folder);
    expect(entry).toMatchObject({ name: 'my-convnet', path: path.join(folder, 'model.onnx') });
    expect(entry.inspection?.externalData).toEqual([
      expect.objectContaining({ location: 'weights.bin', exists: true }),
    ]);

    const empty = path.join(root, 'user', 'empty');
    await mkdir(empty);
    expect(await codeOf(lib.add(empty))).toMatch(/^MODEL_INVALID: the folder .*empty holds no/);
    await copyFile(path.join(MODELS, 'mlp-tiny.onnx'), path.join(folder, 'other.onnx'));
    expect(await codeOf(lib.add(folder))).toMatch(/holds 2 models \(model\.onnx, other\.onnx\)/);
  });

  it('imports an uploaded model with its external data into its own folder', async () => {
    const lib = await openLibrary();
    const entry = await lib.importUpload(await stageExternal(true), 'ext-model/model.onnx');
    const dir = path.join(root, 'library', 'imported', entry.id);
    expect(entry.path).toBe(path.join(dir, 'ext-model.onnx'));
    expect((await readdir(dir)).sort()).toEqual(['ext-model.onnx', 'weights.bin']);
    expect(entry.inspection?.fileName).toBe('model.onnx');
    const fresh = await inspectModel(entry.path);
    expect(fresh.externalData).toEqual([expect.objectContaining({ exists: true })]);
  });
});

describe('displayName', () => {
  it.each([
    ['/m/resnet.onnx', 'resnet'],
    ['/m/bert/model.onnx', 'bert'],
    ['model.onnx', 'model'],
    ['x/Model.ONNX', 'x'],
    // Hugging Face layout: the repo folder above onnx/, the variant kept.
    ['/hf/distilbert-sst2/onnx/model_quantized.onnx', 'distilbert-sst2 · quantized'],
  ])('%s → %s', (p, name) => {
    expect(displayName(p)).toBe(name);
  });

  it('a model.onnx with no telling folder takes its graph name, else its producer', () => {
    const producer = { name: 'pytorch', version: '2.1' };
    expect(displayName('model.onnx', { graphName: 'silero_vad', producer })).toBe('silero_vad');
    expect(displayName('/tmp/onnx/model.onnx', { graphName: 'main_graph', producer })).toBe(
      'pytorch model',
    );
    expect(
      displayName('model.onnx', { graphName: 'torch_jit', producer: { name: '', version: '' } }),
    ).toBe('model');
  });
});

describe('names in the library', () => {
  beforeEach(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'crucible-names-'));
    notices = [];
  });

  it('tells two models of one name apart, and a rename persists across a restart', async () => {
    const lib = await openLibrary();
    const a = await lib.add(await userModel('classifier.onnx', 'a'));
    const other = path.join(root, 'elsewhere');
    await mkdir(other, { recursive: true });
    const bPath = path.join(other, 'classifier.onnx');
    await copyFile(await userModel('tmp.onnx', 'b'), bPath);
    const b = await lib.add(bPath);
    expect([a.name, b.name]).toEqual(['classifier', 'classifier (2)']);

    expect((await lib.rename(b.id, '  wake word   head ')).name).toBe('wake word head');
    await expect(lib.rename(a.id, 'wake word head')).rejects.toThrow(/already called/);
    await expect(lib.rename(a.id, ' ')).rejects.toThrow(/1 to 120 characters/);
    await expect(lib.rename('nope', 'x')).rejects.toThrow(/no model with id/);
    const again = await openLibrary();
    expect(again.get(b.id)?.name).toBe('wake word head');
  });

  it('remove takes the uploaded copy with the entry, and never the user file', async () => {
    const lib = await openLibrary();
    const mine = await userModel('keep-me.onnx', 'k');
    const kept = await lib.add(mine);
    const uploaded = await lib.importUpload(await userModel('up.onnx', 'u'), 'up.onnx');
    const copy = lib.uploadedCopyDir(uploaded);
    expect(copy).not.toBeNull();
    expect(lib.uploadedCopyDir(kept)).toBeNull();
    expect(await lib.remove(uploaded.id)).toBe(true);
    await expect(readdir(copy as string)).rejects.toThrow();
    expect(await lib.remove(kept.id)).toBe(true);
    expect((await readFile(mine)).byteLength).toBeGreaterThan(0);
    expect((await openLibrary()).list().map((m) => m.id)).not.toContain(uploaded.id);
  });

  it('remove takes the precision variants made for a model, and keeps them when the save fails', async () => {
    const lib = await openLibrary();
    const mine = await userModel('with-variant.onnx', 'v');
    const model = await lib.add(mine);
    const dir = lib.variantsDir(model.id);
    await mkdir(dir, { recursive: true });
    const variantFile = path.join(dir, 'with-variant.fp16.onnx');
    await writeFile(variantFile, 'fp16 bytes');
    await lib.addVariant(model.id, {
      kind: 'fp16',
      id: 'f'.repeat(64),
      path: variantFile,
      createdAt: 1,
      options: { keepIoTypes: true, block: [] },
      report: {
        convertedNodes: 1,
        blocked: [],
        castsInserted: 0,
        tensorsConverted: 0,
        valuesConverted: 0,
        tensorsKept: 0,
        clamped: [],
      },
      inspection: null,
      trade: null,
    });
    // A library file that cannot be written (a folder in its place): nothing may be lost.
    const broken = lib as unknown as { persist: () => Promise<void> };
    const persist = broken.persist.bind(lib);
    broken.persist = () => Promise.reject(new Error('disk full'));
    await expect(lib.remove(model.id)).rejects.toThrow(/disk full/);
    expect(await readFile(variantFile, 'utf8')).toBe('fp16 bytes');
    expect(lib.get('f'.repeat(64))).toBeDefined();
    broken.persist = persist;
    expect(await lib.remove(model.id)).toBe(true);
    await expect(readdir(dir)).rejects.toThrow();
    expect(lib.get('f'.repeat(64))).toBeUndefined();
    expect((await readFile(mine)).byteLength).toBeGreaterThan(0);
  });
});

describe.skipIf(process.platform === 'win32')(
  'a dropped folder whose model is not a regular file',
  () => {
    /** Settles `p`, or fails after `ms`: the FIFO used to hang every file operation. */
    const within = <T>(p: Promise<T>, ms = 5000): Promise<T> =>
      Promise.race([
        p,
        new Promise<T>((_, reject) =>
          setTimeout(() => reject(new Error(`still blocked after ${ms} ms`)), ms).unref(),
        ),
      ]);

    // Before the fix the folder walk's pick went straight to hashing: a FIFO blocked the open for
    // ever (and with it libuv's thread pool), /dev/zero hashed at one core without end.
    it('refuses x.onnx as a FIFO and as a link to /dev/zero, naming it, and the library still works', async () => {
      const lib = await openLibrary();
      const fifoDir = path.join(root, 'fifo-folder');
      await mkdir(fifoDir, { recursive: true });
      execFileSync('mkfifo', [path.join(fifoDir, 'x.onnx')]);
      await expect(within(lib.add(fifoDir))).rejects.toMatchObject({
        code: 'BAD_REQUEST',
        message: expect.stringMatching(/fifo-folder\/x\.onnx is a named pipe \(FIFO\)/),
      });
      const zeroDir = path.join(root, 'zero-folder');
      await mkdir(zeroDir, { recursive: true });
      await symlink('/dev/zero', path.join(zeroDir, 'x.onnx'));
      await expect(within(lib.add(zeroDir))).rejects.toMatchObject({
        code: 'BAD_REQUEST',
        message: expect.stringMatching(/zero-folder\/x\.onnx is a device/),
      });
      const mine = await within(lib.add(await userModel('ok.onnx')));
      expect(lib.get(mine.id)).toBeDefined();
    });

    // Before the fix the error said where the protobuf parse stopped ("field number 0 at byte
    // 1234"): the page can add any readable path ending in .onnx and learn about its bytes.
    it('says a file added by path does not parse, without the byte offset where it stopped', async () => {
      const lib = await openLibrary();
      const file = path.join(root, 'user', 'secret.onnx');
      await mkdir(path.dirname(file), { recursive: true });
      // 617 varint fields (1,234 bytes) that scan fine, then a field number 0 at byte 1234.
      await writeFile(
        file,
        Buffer.concat([Buffer.from('0801'.repeat(617), 'hex'), Buffer.from([0, 0])]),
      );
      const err = await lib.add(file).catch((e: unknown) => e as AppError);
      expect(err).toMatchObject({ code: 'MODEL_INVALID' });
      expect((err as AppError).message).toContain('secret.onnx is not an ONNX model');
      expect((err as AppError).message).not.toMatch(/1234|1,234/);
      expect((err as AppError).detail ?? '').not.toMatch(/1234/);
    });
  },
);
