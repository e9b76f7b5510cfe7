// `crucible inspect` (precision), `crucible convert` and `crucible compare-variants` as users run
// them (node dist/cli/crucible.js, built by the test setup), with a library in a temp folder.
import { copyFile, mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { sha256File } from '../engine/cache/hash';
import { runCli } from './cli-test-support';

const root = path.resolve(__dirname, '..', '..');
let tmp: string;
let model: string;

const crucible = (...args: string[]) =>
  runCli(args, { dataDir: path.join(tmp, 'data'), timeoutMs: 120_000 });

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'crucible-cli-precision-'));
  model = path.join(tmp, 'mlp.onnx');
  await copyFile(path.join(root, 'models', 'mlp-tiny.onnx'), model);
});

describe('crucible convert / compare-variants', () => {
  it('inspect states the precision', async () => {
    const o = await crucible('inspect', model);
    expect(o.code, o.stderr).toBe(0);
    expect(o.stdout).toMatch(/precision {3}float32/);
    expect(o.stdout).toMatch(/weights {3}float32 100%/);
  });

  it('compare-variants before convert says to convert first', async () => {
    const o = await crucible('compare-variants', model);
    expect(o.code).toBe(2);
    expect(o.stderr).toMatch(
      /no variant in the library yet: run crucible convert .* --to fp16\|int8/,
    );
  });

  it('convert writes a variant into the library and leaves the model alone', async () => {
    const before = await sha256File(model);
    const o = await crucible('convert', model, '--to', 'fp16', '--json');
    expect(o.code, o.stderr).toBe(0);
    const out = JSON.parse(o.stdout) as { variant: { path: string; id: string } };
    expect(out.variant.path.startsWith(path.join(tmp, 'data', 'library', 'variants'))).toBe(true);
    expect(await sha256File(out.variant.path)).toBe(out.variant.id);
    expect(await sha256File(model)).toBe(before);
    const inspected = await crucible('inspect', out.variant.path);
    expect(inspected.stdout).toMatch(/precision {3}float16/);
    expect(inspected.stdout).toMatch(/cast {6}float32 → float16 ×1 \(1 at the input/);
    const lib = JSON.parse(
      await readFile(path.join(tmp, 'data', 'library', 'library.json'), 'utf8'),
    );
    expect(lib.models[0].variants[0].id).toBe(out.variant.id);
  });

  it('compare-variants prints the table with a verdict', async () => {
    const o = await crucible('compare-variants', model, '--sets', '2', '--iterations', '10');
    expect(o.code, o.stderr).toBe(0);
    expect(o.stdout).toMatch(/provider +precision +p50 ms/);
    expect(o.stdout).toMatch(/cpu +fp16 .* 2\/2/);
    expect(o.stdout).toMatch(
      /cpu fp16: (use fp16|keep the original|no real speed difference|error acceptable .* latency not conclusive)/,
    );
  });

  it('refuses bad options with one line', async () => {
    const a = await crucible('convert', model, '--to', 'int3');
    expect(a.code).toBe(2);
    expect(a.stderr.trim()).toBe("crucible: convert: --to must be fp16 or int8, got 'int3'");
    const b = await crucible('convert', model, '--to', 'fp16', '--block', 'Loop');
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/--block Loop: control flow cannot be kept in float32/);
  });

  it('convert --to int8 says what was quantized and what was left; compare-variants takes it', async () => {
    const o = await crucible('convert', model, '--to', 'int8');
    expect(o.code, o.stderr).toBe(0);
    expect(o.stdout).toMatch(/precision {3}mixed: int8 QOperator \d+%, float32 \d+% of FLOPs/);
    expect(o.stdout).toMatch(
      /quantized {3}Gemm ×1: 1 weight \(512 values\) int8 per output channel; 1 activation quantized/,
    );
    expect(o.stdout).toMatch(/float32 {5}Gemm ×1: its weight has fewer than 256 values/);
    expect(o.stdout).toMatch(/providers {3}ONNX Runtime’s CPU provider runs MatMulInteger/);
    // The newest variant by default (int8 now), --kind for the other.
    const t = await crucible('compare-variants', model, '--sets', '2', '--iterations', '10');
    expect(t.code, t.stderr).toBe(0);
    expect(t.stdout).toMatch(/cpu +int8 .* 2\/2/);
    const f = await crucible(
      'compare-variants',
      model,
      '--kind',
      'fp16',
      '--sets',
      '1',
      '--iterations',
      '5',
    );
    expect(f.code, f.stderr).toBe(0);
    expect(f.stdout).toMatch(/cpu +fp16 /);
    const lib = JSON.parse(
      await readFile(path.join(tmp, 'data', 'library', 'library.json'), 'utf8'),
    );
    expect(lib.models[0].variants.map((v: { kind: string }) => v.kind).sort()).toEqual([
      'fp16',
      'int8',
    ]);
  });

  it('convert --to int8 refuses what it cannot do with one line', async () => {
    const a = await crucible('convert', model, '--to', 'int8', '--min-elements', '100000');
    expect(a.code).not.toBe(0);
    expect(a.stderr.trim()).toMatch(
      /^crucible: .*mlp\.onnx: nothing in the model can be quantized to int8 .*: Gemm ×2: its weight has fewer than 100000 values/m,
    );
    const b = await crucible('convert', model, '--to', 'int8', '--fp16-io');
    expect(b.stderr.trim()).toBe('crucible: convert: --fp16-io is for --to fp16');
    const d = await crucible('convert', model, '--to', 'fp16', '--conv');
    expect(d.stderr.trim()).toBe('crucible: convert: --min-elements and --conv are for --to int8');
    const c = await crucible('compare-variants', model, '--kind', 'int3');
    expect(c.stderr.trim()).toBe(
      "crucible: compare-variants: --kind must be fp16 or int8, got 'int3'",
    );
  });
});
