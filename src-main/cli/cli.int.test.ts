// The `crucible` CLI as users run it (node dist/cli/crucible.js, built by the test setup): the
// happy paths on the demo models, and every kind of bad input ending in one clear line and exit 2.
import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeNpy } from '../engine/model/npy';

const root = path.resolve(__dirname, '..', '..');
const cli = path.join(root, 'dist', 'cli', 'crucible.js');
const models = path.join(root, 'models');
let tmp: string;

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

async function crucible(...args: string[]): Promise<Outcome> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [cli, ...args], {
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** One line on stderr, starting with `crucible:`, naming `file`, and exit code 2. */
function expectCleanError(o: Outcome, file: string, problem: RegExp): void {
  expect(o.code, o.stderr).toBe(2);
  const lines = o.stderr.trim().split('\n');
  expect(lines, o.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^crucible: /);
  expect(lines[0]).toContain(file);
  expect(lines[0]).toMatch(problem);
  expect(o.stderr).not.toMatch(/\n\s+at /); // no stack trace
}

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'crucible-cli-'));
});

describe('crucible inspect / run on real models', () => {
  it('inspects a conv net with a dynamic batch dim', async () => {
    const o = await crucible(
      'inspect',
      path.join(models, 'resnet-mini.onnx'),
      '--json',
      '--dim',
      'batch=4',
    );
    expect(o.code, o.stderr).toBe(0);
    const m = JSON.parse(o.stdout);
    expect(m.inputs[0]).toMatchObject({
      name: 'input',
      dtype: 'float32',
      shape: ['batch', 3, 224, 224],
    });
    expect(m.dynamicDims).toEqual(['batch']);
    expect(m.ops.Conv).toBeGreaterThan(0);
    expect(m.flops.total).toBeGreaterThan(4 * 1.9e9); // ~1.98 GFLOPs per image, batch 4
  });

  it('runs the conv net at batch 3 and writes its output as .npy', async () => {
    const out = path.join(tmp, 'resnet-out');
    const o = await crucible(
      'run',
      path.join(models, 'resnet-mini.onnx'),
      '--dim',
      'batch=3',
      '--out',
      out,
      '--json',
    );
    expect(o.code, o.stderr).toBe(0);
    const r = JSON.parse(o.stdout);
    expect(r.outputs[0]).toMatchObject({
      name: 'probabilities',
      dtype: 'float32',
      shape: [3, 100],
    });
    const npy = await readFile(path.join(out, 'probabilities.npy'));
    expect(npy.subarray(1, 6).toString()).toBe('NUMPY');
  });

  it('inspects and runs a model with external data', async () => {
    const modelPath = path.join(models, 'with-external-data', 'model.onnx');
    const i = JSON.parse((await crucible('inspect', modelPath, '--json')).stdout);
    expect(i.externalData.length).toBeGreaterThan(0);
    expect(i.externalData.every((e: { exists: boolean }) => e.exists)).toBe(true);
    const o = await crucible('run', modelPath, '--json');
    expect(o.code, o.stderr).toBe(0);
    expect(JSON.parse(o.stdout).outputs[0].shape).toEqual([1, 10]);
  });

  it('takes an input from a .npy file', async () => {
    const file = path.join(tmp, 'x.npy');
    await writeFile(
      file,
      encodeNpy({ dtype: 'float32', dims: [1, 16], data: new Float32Array(16).fill(0.5) }),
    );
    const o = await crucible(
      'run',
      path.join(models, 'mlp-tiny.onnx'),
      '--input',
      `x=${file}`,
      '--json',
    );
    expect(o.code, o.stderr).toBe(0);
    expect(JSON.parse(o.stdout).inputs.x.from).toBe(file);
  });
});

describe('crucible with bad input: one line naming the file, exit 2, no crash', () => {
  it('a path that does not exist', async () => {
    const p = path.join(tmp, 'nope.onnx');
    expectCleanError(await crucible('run', p), p, /does not exist|not found/);
  });

  it('a truncated model', async () => {
    const bytes = await readFile(path.join(models, 'resnet-mini.onnx'));
    const p = path.join(tmp, 'truncated.onnx');
    await writeFile(p, bytes.subarray(0, Math.floor(bytes.length / 2)));
    expectCleanError(await crucible('run', p), p, /not an ONNX model|truncated|invalid/i);
  });

  it('random bytes', async () => {
    const p = path.join(tmp, 'random.onnx');
    const bytes = Buffer.alloc(4096);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 2654435761) >>> 24;
    await writeFile(p, bytes);
    expectCleanError(await crucible('inspect', p), p, /not an ONNX model|invalid/i);
  });

  it('a missing external-data file', async () => {
    const dir = path.join(tmp, 'no-weights');
    await mkdir(dir, { recursive: true });
    const p = path.join(dir, 'model.onnx');
    await copyFile(path.join(models, 'with-external-data', 'model.onnx'), p);
    expectCleanError(await crucible('run', p), p, /weights\.bin/);
  });

  it('an input of the wrong dtype', async () => {
    const file = path.join(tmp, 'int.npy');
    await writeFile(file, encodeNpy({ dtype: 'int32', dims: [1, 16], data: new Int32Array(16) }));
    expectCleanError(
      await crucible('run', path.join(models, 'mlp-tiny.onnx'), '--input', `x=${file}`),
      file,
      /float32/,
    );
  });

  it('an input of the wrong shape', async () => {
    const file = path.join(tmp, 'short.npy');
    await writeFile(
      file,
      encodeNpy({ dtype: 'float32', dims: [1, 15], data: new Float32Array(15) }),
    );
    expectCleanError(
      await crucible('run', path.join(models, 'mlp-tiny.onnx'), '--input', `x=${file}`),
      file,
      /16|shape/,
    );
  });

  it('an absurd dynamic dim', async () => {
    const p = path.join(models, 'resnet-mini.onnx');
    const o = await crucible('run', p, '--dim', 'batch=1099511627776');
    expect(o.code).toBe(2);
    expect(o.stderr.trim().split('\n')).toHaveLength(1);
    expect(o.stderr).toMatch(/input/);
  });

  it('an unknown option or command', async () => {
    expect((await crucible('run', '--frobnicate')).code).toBe(2);
    expect((await crucible('transmogrify')).code).toBe(2);
  });
});
