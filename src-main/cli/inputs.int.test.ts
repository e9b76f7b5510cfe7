// `crucible run`, `bench` and `compile` take the same input flags (engine/model/input-sources.ts):
// a model with a control input (an If on an int64 sample rate) runs the branch the value selects
// in all three, and two inputs sharing an unnamed batch dim get the same batch. The built CLI
// (dist/cli/crucible.js, built by the test setup), as users run it.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onnx } from 'onnx-proto';
import { decodeNpy } from '../engine/model/npy';
import { encodePng } from '../engine/model/png';
import { controlInputModel, sharedBatchModel } from '../engine/model/test-helpers';
import { runCli } from './cli-test-support';

let tmp: string;
let control: string;
let shared: string;

/** Compiles go into a cache of this test's own. */
const crucible = (...args: string[]) =>
  runCli(args, { dataDir: path.join(tmp, 'data'), timeoutMs: 60_000 });

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'crucible-inputs-cli-'));
  control = path.join(tmp, 'vad-like.onnx');
  shared = path.join(tmp, 'shared-batch.onnx');
  await writeFile(control, controlInputModel());
  await writeFile(shared, sharedBatchModel());
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

const X = '--value=x=1,2,3,4';

describe('one set of input flags for run, bench and compile', () => {
  it('run: --value sr selects the branch; the default for sr is 16000; what was fed is recorded', async () => {
    const out = path.join(tmp, 'run-8k');
    const o8 = await crucible('run', control, X, '--value', 'sr=8000', '--out', out, '--json');
    expect(o8.code, o8.stderr).toBe(0);
    const y = decodeNpy(await readFile(path.join(out, 'y.npy')), 'y.npy');
    expect([...(y.data as Float32Array)]).toEqual([3, 6, 9, 12]);
    const r = JSON.parse(o8.stdout);
    expect(r.fed).toEqual([
      { name: 'x', dtype: 'float32', dims: [1, 4], source: 'values 1, 2, 3, 4', notes: [] },
      { name: 'sr', dtype: 'int64', dims: [], source: 'values 8000', notes: [] },
    ]);
    expect(r.replay).toEqual([
      '--value',
      'x=1,2,3,4',
      '--value',
      'sr=8000',
      '--shape',
      'x=1x4',
      '--seed',
      '1',
    ]);

    const o16 = await crucible('run', control, X, '--json');
    expect(o16.code, o16.stderr).toBe(0);
    const r16 = JSON.parse(o16.stdout);
    expect(r16.outputs[0].first).toEqual([2, 4, 6, 8]);
    expect(r16.fed[1].source).toMatch(/'sr' reads as a sample rate: 16000 Hz/);

    const bad = await crucible('run', control, X, '--value', 'sr=7');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/Reshape|reshape/);
  });

  it('bench: the benchmark times the branch the value selects', async () => {
    const ok = await crucible(
      'bench',
      control,
      '--value',
      'sr=8000',
      '--iterations',
      '5',
      '--json',
    );
    expect(ok.code, ok.stderr).toBe(0);
    const r = JSON.parse(ok.stdout);
    expect(r.status).toBe('ok');
    expect(r.fed.find((f: { name: string }) => f.name === 'sr').source).toBe('values 8000');
    const failing = await crucible('bench', control, '--value', 'sr=7', '--iterations', '5');
    expect(failing.code).toBe(3);
    expect(failing.stderr).toMatch(/Reshape|reshape/);
  });

  it('compile: the warm-up run takes the value the user gave', async () => {
    const ok = await crucible('compile', control, '--value', 'sr=16000', '--json');
    expect(ok.code, ok.stderr).toBe(0);
    const failing = await crucible('compile', control, '--value', 'sr=7');
    expect(failing.code).toBe(2);
    expect(failing.stderr).toMatch(/Reshape|reshape/);
  });

  it('two inputs sharing an unnamed batch dim get one batch, from the defaults, --dim or a given input', async () => {
    const d = await crucible('run', shared, '--json');
    expect(d.code, d.stderr).toBe(0);
    expect(JSON.parse(d.stdout).outputs[0].shape).toEqual([3, 1, 8]);
    const b3 = await crucible('run', shared, '--dim', 'batch=3', '--json');
    expect(b3.code, b3.stderr).toBe(0);
    const r = JSON.parse(b3.stdout);
    expect(r.outputs[0].shape).toEqual([3, 3, 8]);
    expect(r.dimChoices.find((c: { input: string }) => c.input === 'state').why).toMatch(
      /\[directions, batch, hidden\] state, read as the batch; batch from --dim batch/,
    );
    const given = await crucible(
      'run',
      shared,
      '--value',
      `input=${Array.from({ length: 8 }, (_, i) => i).join(',')}`,
      '--json',
    );
    expect(given.code, given.stderr).toBe(0);
    expect(JSON.parse(given.stdout).outputs[0].shape).toEqual([3, 2, 8]);
    const state = await crucible('run', shared, '--shape', 'state=2x5x8', '--json');
    expect(state.code, state.stderr).toBe(0);
    expect(JSON.parse(state.stdout).outputs[0].shape).toEqual([3, 5, 8]);
  });
});

describe('pictures: --pixels, else the scaling the model says, else [0, 1]', () => {
  /** x [1, 3, 4, 4] → mean per channel [1, 3] (not a picture), with metadata_props as given. */
  const meanModel = (props: Record<string, string>) =>
    onnx.ModelProto.encode({
      irVersion: 8,
      opsetImport: [{ domain: '', version: 13 }],
      metadataProps: Object.entries(props).map(([key, value]) => ({ key, value })),
      graph: {
        name: 'mean',
        node: [
          { opType: 'GlobalAveragePool', input: ['x'], output: ['p'] },
          { opType: 'Flatten', input: ['p'], output: ['m'] },
        ],
        input: [
          {
            name: 'x',
            type: {
              tensorType: {
                elemType: 1,
                shape: { dim: [1, 3, 4, 4].map((d) => ({ dimValue: d })) },
              },
            },
          },
        ],
        output: [{ name: 'm', type: { tensorType: { elemType: 1 } } }],
      },
    }).finish();

  it("a red PNG goes in as 255 when the model's metadata says [0, 255], as 1 with --pixels unit", async () => {
    const model = path.join(tmp, 'byte-range.onnx');
    await writeFile(model, meanModel({ 'Image.NominalPixelRange': 'NominalRange_0_255' }));
    const picture = path.join(tmp, 'red.png');
    await writeFile(
      picture,
      encodePng({
        width: 2,
        height: 2,
        rgba: new Uint8Array(16).map((_, i) => [255, 0, 0, 255][i % 4] as number),
      }),
    );
    const meta = await crucible('run', model, '--input', `x=${picture}`, '--json');
    expect(meta.code, meta.stderr).toBe(0);
    const r = JSON.parse(meta.stdout);
    expect(r.outputs[0].first).toEqual([255, 0, 0]);
    expect(r.fed[0].notes).toEqual([
      'picture resized from 2×2 to 4×4',
      "pixels [0, 255] (from the model's metadata_props 'Image.NominalPixelRange' (NominalRange_0_255))",
    ]);
    const unit = await crucible(
      'run',
      model,
      '--input',
      `x=${picture}`,
      '--pixels',
      'x=unit',
      '--json',
    );
    expect(unit.code, unit.stderr).toBe(0);
    expect(JSON.parse(unit.stdout).outputs[0].first).toEqual([1, 0, 0]);
  });
});
