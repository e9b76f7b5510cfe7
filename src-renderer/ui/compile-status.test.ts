import { describe, expect, it } from 'vitest';
import { statusText } from './compile-status';

describe('compile status chips', () => {
  it('words the status chips with the provider labels', () => {
    expect(
      statusText({ modelId: 'm', provider: 'nv-tensorrt-rtx', state: 'compiling', reason: null }),
    ).toBe('TensorRT-RTX compiling');
    expect(statusText({ modelId: 'm', provider: 'cpu', state: 'not-compiled', reason: null })).toBe(
      'CPU not compiled',
    );
  });
});
