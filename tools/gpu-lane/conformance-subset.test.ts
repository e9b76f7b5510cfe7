import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CONFORMANCE_SUBSET,
  conformanceSubsetDirs,
  SYSTEM_CONFORMANCE_ROOT,
} from './conformance-subset';

describe('the conformance subset', () => {
  it('is about a hundred distinct cases', () => {
    expect(new Set(CONFORMANCE_SUBSET).size).toBe(CONFORMANCE_SUBSET.length);
    expect(CONFORMANCE_SUBSET.length).toBeGreaterThanOrEqual(90);
    expect(CONFORMANCE_SUBSET.length).toBeLessThanOrEqual(120);
  });

  it('covers the ops the lane promises', () => {
    for (const op of [
      'conv',
      'matmul',
      'gemm',
      'relu',
      'softmax',
      'add',
      'mul',
      'sub',
      'div',
      'reshape',
      'transpose',
      'concat',
      'layer_normalization',
      'pool',
      'resize',
      'cast',
    ]) {
      expect(
        CONFORMANCE_SUBSET.some((c) => c.includes(op)),
        op,
      ).toBe(true);
    }
  });

  it('names cases that exist in the libonnx-testdata node set, each with a model and data', () => {
    expect(
      fs.existsSync(SYSTEM_CONFORMANCE_ROOT),
      `${SYSTEM_CONFORMANCE_ROOT} (Debian libonnx-testdata)`,
    ).toBe(true);
    const dirs = conformanceSubsetDirs(SYSTEM_CONFORMANCE_ROOT);
    expect(dirs[0]).toBe(path.join(SYSTEM_CONFORMANCE_ROOT, CONFORMANCE_SUBSET[0]!));
    const missing = dirs.filter(
      (d) =>
        !fs.existsSync(path.join(d, 'model.onnx')) ||
        !fs.existsSync(path.join(d, 'test_data_set_0')),
    );
    expect(missing).toEqual([]);
  });
});
