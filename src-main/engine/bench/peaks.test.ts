import { describe, expect, it } from 'vitest';
import { GPU_PEAKS, peakFor } from './peaks';

describe('the sourced peak table', () => {
  it('has the GPUs asked for, each with its source, and dense FP16 tensor above FP32', () => {
    for (const want of [
      'NVIDIA H100 80GB HBM3',
      'NVIDIA H100 PCIe',
      'NVIDIA H200',
      'NVIDIA GeForce RTX 5090',
      'NVIDIA GeForce RTX 4090',
      'NVIDIA GeForce RTX 4080',
      'NVIDIA GeForce RTX 3090',
      'NVIDIA GeForce RTX 2080 Ti',
    ]) {
      expect(peakFor(want, 'fp32'), want).not.toBeNull();
    }
    for (const row of GPU_PEAKS) {
      expect(row.source).toMatch(/^NVIDIA .*(datasheet|whitepaper)/);
      expect(row.fp16Tensor).toBeGreaterThan(row.fp32);
    }
  });

  it('matches names exactly: a SUPER or NVL card is not its plain sibling', () => {
    expect(peakFor('NVIDIA GeForce RTX 4080 SUPER', 'fp32')).toBeNull();
    expect(peakFor('NVIDIA H200 NVL', 'fp16')?.peak).toBe(835.5);
    expect(peakFor('NVIDIA H200', 'fp16')?.peak).toBe(989.5);
    expect(peakFor('NVIDIA GeForce RTX 3090 Ti', 'fp32')).toBeNull();
  });
});
