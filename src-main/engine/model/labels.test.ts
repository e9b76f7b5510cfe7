import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labelOf, withLabels } from '../../ipc/labels';
import { findLabels, labelsFromMetadata, parseLabels } from './labels';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'crucible-labels-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('parseLabels', () => {
  it('reads the forms exporters and model zoos write', () => {
    expect(parseLabels('cat\ndog\r\nbird\n')).toEqual(['cat', 'dog', 'bird']);
    expect(parseLabels('n01440764 tench, Tinca tinca\nn01443537 goldfish')).toEqual([
      'tench, Tinca tinca',
      'goldfish',
    ]);
    expect(parseLabels('["a", "b"]')).toEqual(['a', 'b']);
    expect(parseLabels('{"id2label": {"0": "neg", "1": "pos"}}')).toEqual(['neg', 'pos']);
    expect(parseLabels("{0: 'person', 1: 'bicycle', 2: \"it's\"}")).toEqual([
      'person',
      'bicycle',
      "it's",
    ]);
    expect(parseLabels('{"0": "a", "2": "c"}')).toBeNull(); // a gap would misplace every label
    expect(parseLabels('  ')).toBeNull();
  });

  it('takes metadata_props first, else a labels file beside the model', async () => {
    const meta = { metadataProps: [{ key: 'names', value: "{0: 'zero', 1: 'one'}" }] };
    expect(labelsFromMetadata(meta)).toEqual({
      from: "the model's metadata_props 'names'",
      names: ['zero', 'one'],
    });
    await writeFile(path.join(dir, 'labels.txt'), 'red\ngreen\nblue\n');
    await writeFile(path.join(dir, 'config.json'), '{"hidden_size": 4}');
    expect(await findLabels({}, dir, 'model.onnx')).toEqual({
      from: 'labels.txt beside the model',
      names: ['red', 'green', 'blue'],
    });
    expect(await findLabels(meta, dir, 'model.onnx')).toMatchObject({ names: ['zero', 'one'] });
    expect(await findLabels({}, path.join(dir, 'nowhere'), 'model.onnx')).toBeNull();
  });
});

describe('labels on top-k', () => {
  it('labels fit an output with as many classes, or one more (background)', () => {
    expect(labelOf(['a', 'b'], 2, 1)).toBe('b');
    expect(labelOf(['a', 'b'], 3, 0)).toBe('background');
    expect(labelOf(['a', 'b'], 3, 2)).toBe('b');
    expect(labelOf(['a', 'b'], 5, 0)).toBeNull();
    const s = {
      name: 'logits',
      dtype: 'float32' as const,
      shape: [1, 3],
      stats: null,
      first: [],
      topk: [
        { index: 2, value: 0.9 },
        { index: 0, value: 0.1 },
      ],
    };
    expect(withLabels(s, ['x', 'y', 'z']).topk).toEqual([
      { index: 2, value: 0.9, label: 'z' },
      { index: 0, value: 0.1, label: 'x' },
    ]);
    expect(withLabels(s, ['x'])).toBe(s);
  });
});
