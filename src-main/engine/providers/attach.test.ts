// attachFor against the real ORT library that onnxruntime-node ships (its EP devices here: the
// CPU only): a GPU chosen in Settings that no provider offers a device on is refused before any
// session opens, naming the GPU and what to do; automatic keeps ORT's by-name attach.
import { afterEach, describe, expect, it } from 'vitest';
import { initOrt } from '../ort';
import { attachFor, gpuChoiceOfProcess } from './attach';
import { GPU_CHOICE_VAR } from './gpu-choice';

initOrt({ logLevel: 'warning' });

describe('attachFor with a chosen GPU', () => {
  const before = process.env[GPU_CHOICE_VAR];
  afterEach(() => {
    if (before === undefined) delete process.env[GPU_CHOICE_VAR];
    else process.env[GPU_CHOICE_VAR] = before;
  });

  it('automatic: WebGPU by name, CUDA without a device id', () => {
    expect(attachFor('webgpu', null, null)).toEqual({ byName: { name: 'WebGPU' } });
    expect(attachFor('cuda', null, null)).toEqual({ cuda: true, deviceId: null });
    expect(attachFor('cpu', null, null)).toEqual({ byName: null });
  });

  it('a chosen GPU the providers have no device on is unavailable, saying which GPU', () => {
    const choice = { pciBusId: '0000:41:00.0' };
    expect(() => attachFor('webgpu', null, choice)).toThrow(
      /WebGpuExecutionProvider has no device on the GPU at PCI 0000:41:00\.0 \(the GPU chosen in Settings → GPU\)/,
    );
    expect(() => attachFor('cuda', null, choice)).toThrow(
      /CUDA cannot be placed on the GPU at PCI 0000:41:00\.0/,
    );
    expect(() => attachFor('nv-tensorrt-rtx', null, { luid: '91234' })).toThrow(
      /NvTensorRTRTXExecutionProvider has no device on the GPU with adapter LUID 91234/,
    );
  });

  it("reads the process's CRUCIBLE_GPU, and refuses a value that is no GPU", () => {
    process.env[GPU_CHOICE_VAR] = 'pci:00000000:41:00.0';
    expect(gpuChoiceOfProcess()).toEqual({ pciBusId: '0000:41:00.0' });
    expect(() => attachFor('webgpu', null)).toThrow(/no device on the GPU at PCI 0000:41:00\.0/);
    process.env[GPU_CHOICE_VAR] = 'second one';
    expect(() => attachFor('webgpu', null)).toThrow(/CRUCIBLE_GPU='second one' is not a GPU/);
    delete process.env[GPU_CHOICE_VAR];
    expect(gpuChoiceOfProcess()).toBeNull();
  });
});
