import { describe, expect, it } from 'vitest';
import { providerBenchModes, providerLabel } from './providers';

describe('provider vocabulary', () => {
  it('names a provider the same from its id and from ONNX Runtime’s name', () => {
    expect(providerLabel('cpu')).toBe('CPU');
    expect(providerLabel('CPUExecutionProvider')).toBe('CPU');
    expect(providerLabel('nv-tensorrt-rtx')).toBe('TensorRT-RTX');
    expect(providerLabel('NvTensorRTRTXExecutionProvider')).toBe('TensorRT-RTX');
    expect(providerLabel('SomeNewExecutionProvider')).toBe('SomeNewExecutionProvider');
  });

  it('offers graph mode only to providers that capture graphs', () => {
    expect(providerBenchModes('cpu')).toEqual(['plain', 'iobinding']);
    expect(providerBenchModes('cuda')).toEqual(['plain', 'iobinding', 'graph']);
  });
});
