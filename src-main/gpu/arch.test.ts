import { describe, expect, it } from 'vitest';
import {
  ARCH_TABLE,
  architectureName,
  checkDriverForTrtRtx,
  compareDriverVersions,
  lookupArch,
  minDriverForTrtRtx,
  precisionsFor,
  trtRtxSupport,
} from './arch';
import { decodeClockEventReasons } from './throttle';

describe('architecture table', () => {
  it.each([
    ['6.1', 'Pascal', []],
    ['7.0', 'Volta', ['FP16']],
    ['7.5', 'Turing', ['FP16', 'INT8']],
    ['8.0', 'Ampere', ['FP16', 'BF16', 'TF32', 'INT8']],
    ['8.6', 'Ampere', ['FP16', 'BF16', 'TF32', 'INT8']],
    ['8.7', 'Ampere', ['FP16', 'BF16', 'TF32', 'INT8']],
    ['8.9', 'Ada Lovelace', ['FP16', 'BF16', 'TF32', 'INT8', 'FP8']],
    ['9.0', 'Hopper', ['FP16', 'BF16', 'TF32', 'INT8', 'FP8']],
    ['10.0', 'Blackwell', ['FP16', 'BF16', 'TF32', 'INT8', 'FP8', 'FP4']],
    ['10.3', 'Blackwell', ['FP16', 'BF16', 'TF32', 'INT8', 'FP8', 'FP4']],
    ['12.0', 'Blackwell', ['FP16', 'BF16', 'TF32', 'INT8', 'FP8', 'FP4']],
    ['12.1', 'Blackwell', ['FP16', 'BF16', 'TF32', 'INT8', 'FP8', 'FP4']],
  ])('%s is %s', (cc, arch, precisions) => {
    expect(lookupArch(cc)?.architecture).toBe(arch);
    expect(architectureName(cc)).toBe(arch);
    expect(precisionsFor(cc)).toEqual(precisions);
  });

  it('accepts the spellings the sources print and rejects junk', () => {
    expect(lookupArch(' 8.9 ')?.computeCapability).toBe('8.9');
    expect(lookupArch('8.9.0')?.computeCapability).toBe('8.9');
    expect(lookupArch('Ada')).toBeNull();
    expect(lookupArch(null)).toBeNull();
    expect(architectureName('13.0')).toBe('unknown (CC 13.0)');
    expect(architectureName('n/a')).toBeNull();
    expect(precisionsFor('13.0')).toEqual([]);
  });

  it('has one row per capability with a CUDA version that never goes backwards within a major', () => {
    const ccs = ARCH_TABLE.map((a) => a.computeCapability);
    expect(new Set(ccs).size).toBe(ccs.length);
    for (const a of ARCH_TABLE) expect(a.minCudaVersion).toMatch(/^\d+\.\d$/);
    expect(lookupArch('8.9')?.minCudaVersion).toBe('11.8');
    expect(lookupArch('12.0')?.minCudaVersion).toBe('12.8');
  });
});

describe('TensorRT for RTX support', () => {
  it.each([
    [
      '7.5',
      false,
      "TensorRT for RTX does not support this GPU (Turing, compute capability 7.5) through ONNX Runtime: NVIDIA's plugin needs an RTX 30 series or newer GPU (compute capability 8.6, 8.9 or 12.x), although the TensorRT-RTX library itself lists Turing.",
    ],
    [
      '6.1',
      false,
      'TensorRT for RTX does not support this GPU (Pascal, compute capability 6.1): it runs on RTX GPUs of compute capability 8.6 (Ampere), 8.9 (Ada Lovelace) and 12.x (Blackwell).',
    ],
    [
      '8.0',
      false,
      'TensorRT for RTX does not support this GPU (Ampere, compute capability 8.0): it runs on RTX GPUs of compute capability 8.6 (Ampere), 8.9 (Ada Lovelace) and 12.x (Blackwell), not on data-center or embedded parts.',
    ],
    ['8.6', true, null],
    ['8.9', true, null],
    ['12.0', true, null],
    ['12.1', true, null],
  ])('CC %s → supported %s', (cc, supported, reason) => {
    expect(trtRtxSupport(cc)).toEqual({ supported, reason });
  });

  it('says so when the compute capability is unknown', () => {
    expect(trtRtxSupport(null)).toMatchObject({
      supported: false,
      reason: expect.stringMatching(/unknown/),
    });
  });

  it('knows the plugin’s minimum driver per capability', () => {
    expect(minDriverForTrtRtx('7.5')).toBeNull();
    expect(minDriverForTrtRtx('8.6')).toBe('555.85');
    expect(minDriverForTrtRtx('8.9')).toBe('555.85');
    expect(minDriverForTrtRtx('12.0')).toBe('570.00');
  });

  it.each([
    ['8.9', '580.159.04', true],
    ['8.9', '555.85', true],
    ['8.9', '552.44', false],
    ['12.0', '566.36', false],
    ['12.0', '572.16', true],
    ['12.0', null, false],
    ['7.5', '580.1', false],
  ])('CC %s with driver %s → ok %s', (cc, driver, ok) => {
    const check = checkDriverForTrtRtx(cc, driver);
    expect(check.ok).toBe(ok);
    expect(check.reason === null).toBe(ok);
  });

  it('compares driver versions part by part', () => {
    expect(compareDriverVersions('580.159.04', '555.85')).toBeGreaterThan(0);
    expect(compareDriverVersions('555.85', '555.85.00')).toBe(0);
    expect(compareDriverVersions('570.00', '572.16')).toBeLessThan(0);
  });
});

describe('clock event reasons', () => {
  it('decodes known bits and keeps unknown ones visible', () => {
    expect(decodeClockEventReasons(0)).toEqual([]);
    expect(decodeClockEventReasons(0x4)).toEqual(['sw_power_cap']);
    expect(decodeClockEventReasons(0x1n | 0x40n | 0x80n)).toEqual([
      'gpu_idle',
      'hw_thermal_slowdown',
      'hw_power_brake_slowdown',
    ]);
    expect(decodeClockEventReasons(0x4n | 0x1000n)).toEqual(['sw_power_cap', 'unknown_0x1000']);
  });
});
