// checkInputs: what a plan feeds a model's inspected inputs, without a session — the record a
// benchmark keeps and the check the GUI's forms ask for; a bad file is named.
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ModelEntry, ValueInfo } from '../ipc/contract';
import { encodeNpy } from '../engine/model/npy';
import { checkInputs, checkInputsAsRun, runDims } from './inputs-check';

const inputs: ValueInfo[] = [
  { name: 'x', kind: 'tensor', dtype: 'float32', shape: [1, null] },
  { name: 'attention_mask', kind: 'tensor', dtype: 'int64', shape: ['batch', 'seq'] },
] as ValueInfo[];

function model(): Pick<ModelEntry, 'path' | 'name' | 'inspection'> {
  return {
    path: '/models/toy.onnx',
    name: 'toy',
    inspection: { inputs } as unknown as ModelEntry['inspection'],
  };
}

describe('checkInputs', () => {
  it('records a file, the fill for the rest, each dim with why, and the replay', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'inputs-check-'));
    const file = path.join(dir, 'x.npy');
    writeFileSync(
      file,
      encodeNpy({ dtype: 'float32', dims: [1, 3], data: new Float32Array([1, 2, 3]) }),
    );
    const got = await checkInputs(model(), {
      sources: { x: { kind: 'file', path: file } },
      dims: { seq: 5 },
    });
    expect(got.fed[0]).toMatchObject({ name: 'x', dtype: 'float32', dims: [1, 3] });
    expect(got.fed[0]?.source).toContain('x.npy');
    expect(got.fed[1]).toMatchObject({ name: 'attention_mask', dims: [1, 5] });
    expect(got.dimChoices.find((c) => c.dim === 'seq')).toMatchObject({ value: 5 });
    expect(got.dimChoices.every((c) => c.why.length > 0)).toBe(true);
    expect(got.replay).toEqual(expect.arrayContaining(['--input', `x=${file}`]));
  });

  it('names a missing file in its INPUT error', async () => {
    const missing = path.join(os.tmpdir(), 'inputs-check-nowhere', 'gone.npy');
    await expect(
      checkInputs(model(), { sources: { x: { kind: 'file', path: missing } } }),
    ).rejects.toThrow(/gone\.npy/);
  });

  it('refuses a model that was not inspected', async () => {
    await expect(checkInputs({ ...model(), inspection: null }, undefined)).rejects.toMatchObject({
      code: 'MODEL_INVALID',
    });
  });
});

describe('runDims: the dims a Run-area run opens its session with', () => {
  const tokens: Pick<ModelEntry, 'path' | 'name' | 'inspection'> = {
    path: '/models/tokens.onnx',
    name: 'tokens',
    inspection: {
      inputs: [
        { name: 'ids', kind: 'tensor', dtype: 'int64', shape: ['batch', 'seq'] },
        { name: 'mask', kind: 'tensor', dtype: 'int64', shape: ['batch', 'seq'] },
        { name: 'state', kind: 'tensor', dtype: 'float32', shape: ['batch', 'hidden'] },
      ],
      dynamicDims: ['batch', 'seq', 'hidden'],
    } as unknown as ModelEntry['inspection'],
  };

  it('sizes a named dim from a file of token ids, leaves typed dims, and gives the rest 1', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'run-dims-'));
    const ids = path.join(dir, 'ids.txt');
    writeFileSync(ids, '101 7592 1010 2088 999 102 0 0 0 0 0 0\n');
    const plan = { sources: { ids: { kind: 'file' as const, path: ids } } };
    // Nothing chosen: every named dim 1 (the dims auto-compile compiles for).
    expect(await runDims(tokens, undefined, {})).toEqual({ batch: 1, seq: 1, hidden: 1 });
    // Twelve token ids: seq is 12 (and mask, sharing seq, gets 12 too); hidden stays 1.
    expect(await runDims(tokens, plan, {})).toEqual({ batch: 1, seq: 12, hidden: 1 });
    expect(await runDims(tokens, plan, { hidden: 64 })).toEqual({ batch: 1, seq: 12, hidden: 64 });
    const fed = await checkInputs(tokens, plan, await runDims(tokens, plan, {}));
    expect(fed.fed.map((f) => f.dims)).toEqual([
      [1, 12],
      [1, 12],
      [1, 1],
    ]);
    // A typed seq: the file's twelve ids fill it, and the batch follows (3 rows of 4) ...
    await expect(runDims(tokens, { ...plan, dims: { seq: 4 } }, {})).resolves.toEqual({
      seq: 4,
      batch: 3,
      hidden: 1,
    });
    // ... and one they cannot fill is refused, naming the file.
    await expect(runDims(tokens, { ...plan, dims: { seq: 5 } }, {})).rejects.toThrow(/ids\.txt/);

    // The Run form's check: each dim with the reason a run gives it — the file's, or the run's
    // default said as a default (not as if typed).
    const asRun = await checkInputsAsRun(tokens, plan);
    const why = (input: string, index: number) =>
      asRun.dimChoices.find((c) => c.input === input && c.index === index);
    expect(why('ids', 1)).toMatchObject({ value: 12, why: expect.stringContaining('ids.txt') });
    expect(why('state', 1)).toMatchObject({
      value: 1,
      byDefault: true,
      why: "'hidden' has no value and no input sets it; 1 on a run, the size auto-compile compiles for",
    });
    expect(asRun.dimChoices.some((c) => c.why.includes('--dim hidden'))).toBe(false);
  });
});
