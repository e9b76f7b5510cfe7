import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CORPUS_FILE, type Corpus } from './corpus';
import { generateModels, type GeneratedModel } from './generate';
import { Prng } from './prng';

const MODELS_DIR = dirname(fileURLToPath(import.meta.url));

let outDir = '';
let generated: GeneratedModel[] = [];
let corpus: Corpus;

beforeAll(async () => {
  outDir = await mkdtemp(join(tmpdir(), 'crucible-models-'));
  generated = await generateModels(outDir);
  corpus = JSON.parse(await readFile(join(outDir, CORPUS_FILE), 'utf8')) as Corpus;
});

afterAll(async () => {
  if (outDir) await rm(outDir, { recursive: true, force: true });
});

function filled(dims: number[], f: (i: number) => number): Tensor {
  const n = dims.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = f(i);
  return new Tensor('float32', data, dims);
}

async function session(file: string): Promise<InferenceSession> {
  return InferenceSession.create(join(outDir, ...file.split('/')));
}

function floats(t: Tensor | undefined): Float32Array {
  if (!t || !(t.data instanceof Float32Array)) throw new Error('expected a float32 output');
  return t.data;
}

/** Every file the generator writes, relative to the models folder, '/'-separated. */
function writtenFiles(): string[] {
  return [
    CORPUS_FILE,
    ...generated.flatMap((m) => m.files.map((f) => relative(outDir, f).split('\\').join('/'))),
  ];
}

describe('generateModels', () => {
  it('writes the six models and a corpus entry for each', () => {
    expect(generated.map((m) => m.id)).toEqual([
      'upscale2x',
      'resnet-mini',
      'transformer-block',
      'mlp-tiny',
      'with-external-data',
      'denoise-step',
    ]);
    expect(corpus.models.map((m) => m.id)).toEqual(generated.map((m) => m.id));
    expect(writtenFiles()).toContain('with-external-data/weights.bin');
    for (const m of corpus.models) expect(m.expect).toBe('ok');
  });

  it("denoise-step's output feeds its input: same shape, and a step moves the latent a little", async () => {
    const model = corpus.models.find((m) => m.id === 'denoise-step');
    expect(model?.outputs[0]?.shape).toEqual(model?.inputs[0]?.shape);
    const s = await session('loop/denoise-step.onnx');
    try {
      const latent = filled([1, 4, 64, 64], (i) => ((i * 7919) % 1000) / 1000 - 0.5);
      const zero = await s.run({ latent, sigma: filled([1], () => 0) });
      expect(floats(zero.latent_next)).toEqual(floats(latent));
      const step = floats((await s.run({ latent, sigma: filled([1], () => 0.05) })).latent_next);
      const moved = step.reduce((a, v, i) => a + Math.abs(v - (floats(latent)[i] ?? 0)), 0);
      expect(moved / step.length).toBeGreaterThan(1e-4);
      expect(moved / step.length).toBeLessThan(0.5);
    } finally {
      await s.release();
    }
  });

  it('keeps every model small enough to commit', () => {
    for (const m of generated) expect(m.bytes).toBeLessThan(8 * 1024 * 1024);
  });

  it('every corpus case loads and runs on CPU with the stated output shapes and finite values', async () => {
    for (const model of corpus.models) {
      const s = await session(model.file);
      try {
        expect([...s.inputNames]).toEqual(model.inputs.map((i) => i.name));
        expect([...s.outputNames]).toEqual(model.outputs.map((o) => o.name));
        for (const c of model.cases) {
          const feeds: Record<string, Tensor> = {};
          for (const input of model.inputs) {
            const dims = c.inputs[input.name];
            if (!dims) throw new Error(`${model.id}: case without dims for ${input.name}`);
            const prng = new Prng(`${model.id}/${input.name}`);
            feeds[input.name] = filled(dims, () => prng.next());
          }
          const out = await s.run(feeds);
          for (const [name, dims] of Object.entries(c.outputs)) {
            const t = out[name];
            expect(t?.dims, `${model.id} ${name}`).toEqual(dims);
            expect(floats(t).every(Number.isFinite), `${model.id} ${name} finite`).toBe(true);
          }
        }
      } finally {
        await s.release();
      }
    }
  });

  it('upscale2x passes a flat image through unchanged and doubles a ramp', async () => {
    const s = await session('upscale2x.onnx');
    try {
      const flat = await s.run({ image: filled([1, 3, 10, 14], () => 0.375) });
      const up = floats(flat.upscaled);
      expect(flat.upscaled?.dims).toEqual([1, 3, 20, 28]);
      for (const v of up) expect(v).toBeCloseTo(0.375, 5);

      const w = 9;
      const ramp = await s.run({ image: filled([1, 3, 5, w], (i) => (i % w) / (w - 1)) });
      expect(ramp.upscaled?.dims).toEqual([1, 3, 10, 18]);
      const row = Array.from(floats(ramp.upscaled).slice(0, 18));
      for (const v of row) expect(v >= 0 && v <= 1).toBe(true);
      // Left to right the picture still goes from dark to light.
      expect(row[0]).toBeLessThan(0.1);
      expect(row[17]).toBeGreaterThan(0.9);
      for (let i = 3; i < 15; i++) expect(row[i + 1] ?? 0).toBeGreaterThanOrEqual(row[i] ?? 0);
    } finally {
      await s.release();
    }
  });

  it('upscale2x sharpens: a step edge gets steeper than plain bilinear would make it', async () => {
    const s = await session('upscale2x.onnx');
    try {
      // A dark-to-light step between columns 3 and 4 of an 8-wide image.
      const out = await s.run({ image: filled([1, 3, 4, 8], (i) => (i % 8 < 4 ? 0.2 : 0.8)) });
      const row = Array.from(floats(out.upscaled).slice(0, 16));
      // Bilinear alone gives 0.35 and 0.65 on the two pixels at the edge; the unsharp mask pushes
      // them apart and overshoots the flat levels beside them.
      expect((row[8] ?? 0) - (row[7] ?? 0)).toBeGreaterThan(0.3);
      expect(row[6]).toBeLessThan(0.2);
      expect(row[9]).toBeGreaterThan(0.8);
    } finally {
      await s.release();
    }
  });

  it('resnet-mini outputs a probability distribution per row', async () => {
    const s = await session('resnet-mini.onnx');
    try {
      const out = await s.run({ input: filled([2, 3, 224, 224], (i) => (i % 251) / 250) });
      const p = floats(out.probabilities);
      for (let row = 0; row < 2; row++) {
        const slice = p.slice(row * 100, (row + 1) * 100);
        expect(slice.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
        for (const v of slice) expect(v).toBeGreaterThanOrEqual(0);
      }
    } finally {
      await s.release();
    }
  });

  it('with-external-data keeps its weights outside the model file', async () => {
    const model = await readFile(join(outDir, 'with-external-data', 'model.onnx'));
    const weights = await readFile(join(outDir, 'with-external-data', 'weights.bin'));
    expect(model.length).toBeLessThan(weights.length);
    expect(model.includes(Buffer.from('weights.bin'))).toBe(true);
  });

  it('is deterministic: a second generation is byte-identical', async () => {
    const again = await mkdtemp(join(tmpdir(), 'crucible-models-'));
    try {
      await generateModels(again);
      for (const file of writtenFiles()) {
        const a = await readFile(join(outDir, file));
        const b = await readFile(join(again, file));
        expect(a.equals(b), file).toBe(true);
      }
    } finally {
      await rm(again, { recursive: true, force: true });
    }
  });

  it('the committed models/ files equal a fresh generation (regenerate with models/generate-cli.ts)', async () => {
    for (const file of writtenFiles()) {
      const fresh = await readFile(join(outDir, file));
      const committed = await readFile(join(MODELS_DIR, file));
      expect(committed.equals(fresh), `models/${file} differs from the generator's output`).toBe(
        true,
      );
    }
  });
});
