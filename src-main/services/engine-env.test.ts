import { describe, expect, it } from 'vitest';
import { applyEngineEnv, engineEnvFor } from './engine-env';

const none = { trtRtxDir: null, ortTelemetry: false, gpu: null };

describe('settings the engine processes read from their environment', () => {
  it('a chosen GPU becomes CRUCIBLE_GPU with CUDA in PCI bus order; automatic removes it', () => {
    const env: NodeJS.ProcessEnv = { PATH: '/bin' };
    const gpu = {
      name: 'NVIDIA RTX 6000 Ada Generation',
      pciBusId: '00000000:41:00.0',
      luid: null,
    };
    expect(applyEngineEnv({ ...none, gpu }, env)).toBe(
      'the GPU for GPU providers changed in Settings',
    );
    expect(env).toMatchObject({
      CRUCIBLE_GPU: 'pci:0000:41:00.0',
      CUDA_DEVICE_ORDER: 'PCI_BUS_ID',
    });
    // The same again changes nothing: no restart.
    expect(applyEngineEnv({ ...none, gpu }, env)).toBeNull();
    expect(applyEngineEnv(none, env)).toBe('the GPU for GPU providers changed in Settings');
    expect(env.CRUCIBLE_GPU).toBeUndefined();
    expect(env.CUDA_DEVICE_ORDER).toBeUndefined();
    expect(env).toEqual({ PATH: '/bin' });
  });

  it("back to automatic gives CUDA the device order the user's own environment had", () => {
    const env: NodeJS.ProcessEnv = { CUDA_DEVICE_ORDER: 'FASTEST_FIRST' };
    const gpu = { name: 'RTX', pciBusId: '00000000:01:00.0', luid: null };
    applyEngineEnv({ ...none, gpu }, env);
    expect(env.CUDA_DEVICE_ORDER).toBe('PCI_BUS_ID');
    applyEngineEnv(none, env);
    expect(env).toEqual({ CUDA_DEVICE_ORDER: 'FASTEST_FIRST' });
  });

  it('a LUID on Windows; telemetry and the TensorRT-RTX folder as before, each with its reason', () => {
    expect(
      engineEnvFor({ ...none, gpu: { name: 'x', pciBusId: null, luid: '91234' } }),
    ).toMatchObject({ CRUCIBLE_GPU: 'luid:91234' });
    const env: NodeJS.ProcessEnv = {};
    expect(applyEngineEnv({ ...none, ortTelemetry: true }, env)).toBe(
      'ONNX Runtime telemetry was turned on or off in Settings',
    );
    expect(applyEngineEnv({ ...none, ortTelemetry: true, trtRtxDir: '/opt/trt' }, env)).toBe(
      'the TensorRT-RTX folder changed in Settings',
    );
    expect(env).toEqual({ CRUCIBLE_ORT_TELEMETRY: '1', CRUCIBLE_TRT_RTX_SETTING: '/opt/trt' });
  });
});
