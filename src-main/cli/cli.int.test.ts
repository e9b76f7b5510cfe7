// The `crucible` CLI as users run it (node dist/cli/crucible.js, built by the test setup): the
// happy paths on the demo models, and every kind of bad input ending in one clear line and exit 2.
import { copyFile, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { PNG } from 'pngjs';
import { nchwToRgba, rgbaToNchw } from '../engine/model/image';
import { decodeNpy, encodeNpy } from '../engine/model/npy';
import { runCli, type CliOutcome } from './cli-test-support';

const root = path.resolve(__dirname, '..', '..');
const models = path.join(root, 'models');
let tmp: string;

type Outcome = CliOutcome;

const crucible = (...args: string[]) => runCli(args, { timeoutMs: 60_000 });

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

/** A w × h PNG with a colour gradient across it (no two neighbours alike), and its RGBA bytes. */
function gradientPng(w: number, h: number): { png: Buffer; rgba: Uint8Array } {
  const png = new PNG({ width: w, height: h });
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 4;
      png.data[i] = Math.round((255 * x) / (w - 1));
      png.data[i + 1] = Math.round((255 * y) / (h - 1));
      png.data[i + 2] = (x * 37 + y * 101) % 256;
      png.data[i + 3] = 255;
    }
  }
  return { png: PNG.sync.write(png), rgba: new Uint8Array(png.data) };
}

describe('crucible run with pictures (PNG in, PNG out)', () => {
  const upscale = path.join(models, 'upscale2x.onnx');

  it('upscales a PNG 2x, pixel for pixel what the engine makes of the same tensor', async () => {
    const dir = path.join(tmp, 'pictures');
    await mkdir(dir, { recursive: true });
    const [w, h] = [19, 11];
    const { png, rgba } = gradientPng(w, h);
    const picture = path.join(dir, 'gradient.png');
    await writeFile(picture, png);

    const o = await crucible('run', upscale, '--input', `image=${picture}`, '--json');
    expect(o.code, o.stderr).toBe(0);
    const written = path.join(dir, 'gradient.upscale2x.png');
    const r = JSON.parse(o.stdout);
    expect(r.files).toEqual([written]);
    expect(r.inputs.image).toEqual({ dtype: 'float32', dims: [1, 3, h, w], from: picture });
    const out = PNG.sync.read(await readFile(written));
    expect([out.width, out.height]).toEqual([2 * w, 2 * h]);

    // The same tensor as a .npy, its output as a .npy, turned into pixels the same way.
    const npy = path.join(dir, 'gradient.npy');
    await writeFile(npy, encodeNpy(rgbaToNchw(rgba, w, h)));
    const viaNpy = path.join(dir, 'via-npy');
    const o2 = await crucible('run', upscale, '--input', `image=${npy}`, '--out', viaNpy);
    expect(o2.code, o2.stderr).toBe(0);
    const tensor = decodeNpy(await readFile(path.join(viaNpy, 'upscaled.npy')), 'upscaled.npy');
    const expected = nchwToRgba(tensor, 'upscaled');
    expect(Buffer.from(out.data).equals(Buffer.from(expected.rgba))).toBe(true);
  });

  it('writes the picture into --out as <output>.png', async () => {
    const picture = path.join(tmp, 'flat.png');
    const flat = new PNG({ width: 6, height: 4 });
    for (let i = 0; i < 24; i++) flat.data.set([200, 100, 50, 255], i * 4);
    await writeFile(picture, PNG.sync.write(flat));
    const outDir = path.join(tmp, 'flat-out');
    const o = await crucible('run', upscale, '--input', `image=${picture}`, '--out', outDir);
    expect(o.code, o.stderr).toBe(0);
    expect(o.stdout).toContain(`wrote ${path.join(outDir, 'upscaled.png')}`);
    const out = PNG.sync.read(await readFile(path.join(outDir, 'upscaled.png')));
    expect([out.width, out.height]).toEqual([12, 8]);
    // A flat picture stays flat: sharpening kernels sum to one.
    for (let i = 0; i < 12 * 8; i++) {
      expect([...out.data.subarray(i * 4, i * 4 + 4)]).toEqual([200, 100, 50, 255]);
    }
  });

  it('never overwrites an existing result picture', async () => {
    const dir = path.join(tmp, 'taken');
    await mkdir(dir, { recursive: true });
    const picture = path.join(dir, 'p.png');
    await writeFile(picture, gradientPng(5, 4).png);
    const taken = path.join(dir, 'p.upscale2x.png');
    await writeFile(taken, 'mine');
    expectCleanError(
      await crucible('run', upscale, '--input', `image=${picture}`),
      taken,
      /already exists/,
    );
    expect(await readFile(taken, 'utf8')).toBe('mine');
  });

  it('a PNG for a model that does not take pictures', async () => {
    const picture = path.join(tmp, 'for-mlp.png');
    await writeFile(picture, gradientPng(4, 4).png);
    expectCleanError(
      await crucible('run', path.join(models, 'mlp-tiny.onnx'), '--input', `x=${picture}`),
      picture,
      /cannot take a picture.*float32 \[1, 16\]/,
    );
  });

  it('resizes a PNG of another size to fixed sides, and says so', async () => {
    const picture = path.join(tmp, 'small.png');
    await writeFile(picture, gradientPng(4, 3).png);
    const o = await crucible(
      'run',
      path.join(models, 'resnet-mini.onnx'),
      '--input',
      `input=${picture}`,
      '--json',
    );
    expect(o.code, o.stderr).toBe(0);
    const fed = JSON.parse(o.stdout).fed[0];
    expect(fed.dims).toEqual([1, 3, 224, 224]);
    expect(fed.notes).toContain('picture resized from 4×3 to 224×224');
  });

  it('a corrupt PNG', async () => {
    const picture = path.join(tmp, 'cut.png');
    const { png } = gradientPng(16, 16);
    await writeFile(picture, png.subarray(0, png.length - 30));
    expectCleanError(
      await crucible('run', upscale, '--input', `image=${picture}`),
      picture,
      /not a readable PNG/,
    );
  });
});
