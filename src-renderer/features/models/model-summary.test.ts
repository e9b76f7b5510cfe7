import { describe, expect, it } from 'vitest';
import type { ValueInfo } from '../../../src-main/ipc/contract';
import { modelEntry } from '../../state/fixtures';
import {
  defaultOpset,
  describeValue,
  inputsSummary,
  isDynamicDim,
  opsHistogram,
} from './model-summary';

const image: ValueInfo = { name: 'x', kind: 'tensor', dtype: 'float32', shape: ['N', 3, 224, 224] };

describe('model summaries', () => {
  it('finds the default-domain opset', () => {
    const inspection = modelEntry().inspection;
    if (inspection === null) throw new Error('fixture has an inspection');
    expect(defaultOpset(inspection)).toBe(8);
    expect(
      defaultOpset({
        ...inspection,
        opsets: [
          { domain: 'com.microsoft', version: 1 },
          { domain: 'ai.onnx', version: 17 },
        ],
      }),
    ).toBe(17);
    expect(defaultOpset({ ...inspection, opsets: [] })).toBeNull();
  });

  it('summarises inputs', () => {
    expect(inputsSummary([])).toBe('no inputs');
    expect(inputsSummary([image])).toBe('x float32 [N, 3, 224, 224]');
    expect(inputsSummary([image, { ...image, name: 'y' }])).toBe(
      '2 inputs: x float32 [N, 3, 224, 224], …',
    );
    expect(describeValue({ name: 's', kind: 'sequence', dtype: null, shape: null })).toBe(
      's (sequence)',
    );
  });

  it('marks symbolic and unknown dims as dynamic', () => {
    expect(['N', null, 3].map(isDynamicDim)).toEqual([true, true, false]);
  });

  it('sorts the ops histogram and folds the tail', () => {
    expect(opsHistogram({ Relu: 2, Add: 3, Conv: 2 })).toEqual([
      { op: 'Add', count: 3 },
      { op: 'Conv', count: 2 },
      { op: 'Relu', count: 2 },
    ]);
    expect(opsHistogram({ A: 5, B: 4, C: 3, D: 2 }, 3)).toEqual([
      { op: 'A', count: 5 },
      { op: 'B', count: 4 },
      { op: '2 other ops', count: 5 },
    ]);
  });
});
