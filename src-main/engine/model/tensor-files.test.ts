import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../shared/errors';
import { readTensorFile, writeTensorFile } from './tensor-files';
import { TESTDATA, sampleTensor } from './test-helpers';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'crucible-tensor-files-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function codeOf(p: Promise<unknown>): Promise<[string, string]> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    return [(e as AppError).code, (e as AppError).message];
  }
  throw new Error('expected an AppError');
}

describe('tensor files', () => {
  it.each(['pb', 'npy'])('writes and reads back a .%s', async (ext) => {
    const p = path.join(dir, `a.${ext}`);
    const t = sampleTensor('float32', [2, 2]);
    await writeTensorFile(p, t, { name: 'input' });
    const back = await readTensorFile(p);
    expect(back.tensor).toEqual(t);
    expect(back.name).toBe(ext === 'pb' ? 'input' : '');
    // No temp files left behind.
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('never replaces an existing file unless asked', async () => {
    const p = path.join(dir, 'keep.npy');
    await writeFile(p, 'user data');
    const [code, message] = await codeOf(writeTensorFile(p, sampleTensor('int32')));
    expect(code).toBe('IO_ERROR');
    expect(message).toContain('already exists');
    expect(await readFile(p, 'utf8')).toBe('user data');
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    await writeTensorFile(p, sampleTensor('int32'), { overwrite: true });
    expect((await readTensorFile(p)).tensor.dtype).toBe('int32');
  });

  it('reads a libonnx input .pb', async () => {
    const t = await readTensorFile(
      `${TESTDATA}/node/test_conv_with_strides_padding/test_data_set_0/input_0.pb`,
    );
    expect(t.tensor.dims).toEqual([1, 1, 7, 5]);
    expect(Array.from((t.tensor.data as Float32Array).slice(0, 3))).toEqual([0, 1, 2]);
  });

  it.each([
    ['missing', () => readTensorFile(path.join(dir, 'none.pb')), 'FILE_NOT_FOUND'],
    [
      'folder',
      async () => {
        await mkdir(path.join(dir, 'f.npy'), { recursive: true });
        return readTensorFile(path.join(dir, 'f.npy'));
      },
      'INPUT_INVALID',
    ],
    ['wrong extension', () => readTensorFile(path.join(dir, 'x.bin')), 'INPUT_INVALID'],
    [
      'write into a missing folder',
      () => writeTensorFile(path.join(dir, 'no', 'x.pb'), sampleTensor('int8')),
      'FILE_NOT_FOUND',
    ],
    [
      'bad tensor',
      () =>
        writeTensorFile(path.join(dir, 'bad.pb'), {
          dtype: 'float32',
          dims: [3],
          data: new Float32Array(2),
        }),
      'INPUT_INVALID',
    ],
    [
      'bfloat16 as npy',
      () => writeTensorFile(path.join(dir, 'b.npy'), sampleTensor('bfloat16')),
      'UNSUPPORTED',
    ],
  ])('%s', async (_label, run, code) => {
    expect((await codeOf(run()))[0]).toBe(code);
  });

  it('names the file when its bytes are bad', async () => {
    const p = path.join(dir, 'junk.npy');
    await writeFile(p, 'hello');
    const [code, message] = await codeOf(readTensorFile(p));
    expect(code).toBe('INPUT_INVALID');
    expect(message).toContain(p);
  });
});
