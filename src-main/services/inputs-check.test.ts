// checkInputs: what a plan feeds a model's inspected inputs, without a session — the record a
// benchmark keeps and the check the GUI's forms ask for; a bad file is named.
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ModelEntry, ValueInfo } from '../ipc/contract';
import { encodeNpy } from '../engine/model/npy';
import { checkInputs } from './inputs-check';

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
