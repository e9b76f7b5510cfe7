import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { oneModelPath, providerArg } from './io';

describe('the arguments every model command takes', () => {
  it('one MODEL path, made absolute; none or two are refused naming the command', () => {
    expect(oneModelPath('run', ['models/x.onnx'])).toBe(path.resolve('models/x.onnx'));
    expect(() => oneModelPath('bench', [])).toThrow('bench: give exactly one MODEL path');
    expect(() => oneModelPath('compile', ['a.onnx', 'b.onnx'])).toThrow(
      'compile: give exactly one MODEL path',
    );
  });

  it('a --provider Crucible knows; any other is refused with the known ones', () => {
    expect(providerArg('run', 'webgpu')).toBe('webgpu');
    expect(() => providerArg('bench --loop', 'CUDA')).toThrow(
      "bench --loop: unknown provider 'CUDA' (cpu, webgpu, dml, cuda, nv-tensorrt-rtx)",
    );
  });
});
