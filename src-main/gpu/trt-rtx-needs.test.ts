// What TensorRT for RTX needs on the user's GPU (gpu/arch.ts trtRtxNeeds), from real nvidia-smi
// readings: the H200 capture in fixtures/ (Crucible's own) and an RTX 4090 line recorded by a
// third party (see RTX_4090 below).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TRT_RTX_HOW_TO_GET, trtRtxNeeds } from './arch';
import { parseNvidiaSmiCsv } from './nvidia-smi';
import { FIXTURE_DIR } from './test-support';

/**
 * `nvidia-smi --query-gpu=name,compute_cap,driver_version,memory.total --format=csv,noheader,nounits`
 * as printed on an RTX 4090 and published in a third-party measurement report on GitHub ("GPU /
 * compute capability / driver / memory MiB"). Not Crucible's own capture (fixtures/ holds only
 * those), so it lives here, with the fields it was queried with.
 */
const RTX_4090 = 'NVIDIA GeForce RTX 4090, 8.9, 595.71.05, 24564';
const RTX_4090_FIELDS = ['name', 'compute_cap', 'driver_version', 'memory.total'];

const notInstalled = {
  registered: false as const,
  reason: 'the TensorRT-RTX provider library is not installed',
};

describe('TensorRT for RTX on the user’s GPU', () => {
  it('H200 (CC 9.0, recorded): does not support it, and says why', () => {
    const reading = parseNvidiaSmiCsv(
      readFileSync(join(FIXTURE_DIR, 'h200-query-gpu.csv'), 'utf8'),
    );
    const needs = trtRtxNeeds(reading.gpus, reading.driverVersion, notInstalled);
    expect(needs).toEqual({
      state: 'unsupported-gpu',
      gpu: 'NVIDIA H200',
      requiredDriver: null,
      reason:
        'TensorRT for RTX does not support NVIDIA H200 (Hopper, compute capability 9.0): it runs on RTX GPUs of compute capability 8.6 (Ampere), 8.9 (Ada Lovelace) and 12.x (Blackwell), not on data-center or embedded parts.',
    });
    // Installing the plugin would not change that: the GPU is checked first.
    expect(trtRtxNeeds(reading.gpus, reading.driverVersion, { registered: true }).state).toBe(
      'unsupported-gpu',
    );
  });

  it('RTX 4090 (CC 8.9, recorded): supported; what is missing is the plugin, and how to get it', () => {
    const reading = parseNvidiaSmiCsv(RTX_4090, { fields: RTX_4090_FIELDS });
    expect(reading.gpus[0]).toMatchObject({
      computeCapability: '8.9',
      architecture: 'Ada Lovelace',
    });
    const needs = trtRtxNeeds(reading.gpus, reading.driverVersion, notInstalled);
    expect(needs).toMatchObject({
      state: 'plugin-missing',
      gpu: 'NVIDIA GeForce RTX 4090',
      requiredDriver: '555.85',
    });
    expect(needs.reason).toBe(
      `NVIDIA GeForce RTX 4090 can run TensorRT for RTX, but NVIDIA's plugin is missing (the TensorRT-RTX provider library is not installed): ${TRT_RTX_HOW_TO_GET}.`,
    );
    expect(trtRtxNeeds(reading.gpus, reading.driverVersion, { registered: true })).toEqual({
      state: 'ready',
      gpu: 'NVIDIA GeForce RTX 4090',
      requiredDriver: '555.85',
      reason: null,
    });
  });

  it('the same card with a driver older than the plugin accepts (synthetic version): which version', () => {
    const reading = parseNvidiaSmiCsv(RTX_4090.replace('595.71.05', '552.44'), {
      fields: RTX_4090_FIELDS,
    });
    expect(trtRtxNeeds(reading.gpus, reading.driverVersion, notInstalled)).toEqual({
      state: 'driver-too-old',
      gpu: 'NVIDIA GeForce RTX 4090',
      requiredDriver: '555.85',
      reason:
        'TensorRT for RTX needs NVIDIA driver 555.85 or newer on NVIDIA GeForce RTX 4090; installed: 552.44. Update the driver from nvidia.com.',
    });
  });

  it('picks a supported GPU beside an unsupported one; no GPU at all says so', () => {
    const both = [
      { name: 'NVIDIA GeForce GTX 1080', computeCapability: '6.1' },
      { name: 'NVIDIA GeForce RTX 5090', computeCapability: '12.0' },
    ];
    expect(trtRtxNeeds(both, '572.16', { registered: true })).toMatchObject({
      state: 'ready',
      gpu: 'NVIDIA GeForce RTX 5090',
      requiredDriver: '570.00',
    });
    expect(trtRtxNeeds(both, '566.36', { registered: true }).state).toBe('driver-too-old');
    expect(trtRtxNeeds([], null, notInstalled).state).toBe('no-gpu');
    expect(
      trtRtxNeeds([{ name: 'NVIDIA GeForce RTX 2080 Ti', computeCapability: '7.5' }], '580.1', {
        registered: true,
      }).reason,
    ).toMatch(/NVIDIA GeForce RTX 2080 Ti \(Turing, compute capability 7.5\) through ONNX Runtime/);
  });
});
