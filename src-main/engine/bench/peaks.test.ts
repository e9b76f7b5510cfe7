import { describe, expect, it } from 'vitest';
import { GPU_PEAKS, peakFor } from './peaks';

// Names NVML / nvidia-smi really report, each seen in published nvidia-smi output, CUDA device
// queries or cloud GPU-type lists (2026-12-07); "GeForce RTX 3090" and "GeForce RTX 2080 Ti"
// without "NVIDIA " are what drivers before the prefix was added printed.
const REPORTED: Record<string, string[]> = {
  'H100 SXM5 80GB': ['NVIDIA H100 80GB HBM3'],
  'H100 PCIe 80GB': ['NVIDIA H100 PCIe'],
  'H100 NVL 94GB': ['NVIDIA H100 NVL'],
  'H200 SXM 141GB': ['NVIDIA H200'],
  'H200 NVL 141GB': ['NVIDIA H200 NVL'],
  'GeForce RTX 5090': ['NVIDIA GeForce RTX 5090'],
  'GeForce RTX 4090': ['NVIDIA GeForce RTX 4090'],
  'GeForce RTX 4080': ['NVIDIA GeForce RTX 4080'],
  'GeForce RTX 3090': ['NVIDIA GeForce RTX 3090', 'GeForce RTX 3090'],
  'GeForce RTX 2080 Ti': ['NVIDIA GeForce RTX 2080 Ti', 'GeForce RTX 2080 Ti'],
};

// Names of other products, most with a row's name inside, that must get no peak: their figures
// differ (the D cards are cut down for export, SUPER and Ti have more cores, laptops lower clocks; a bare "NVIDIA H100" does not say which H100).
const OTHERS = [
  'NVIDIA GeForce RTX 5090 D',
  'NVIDIA GeForce RTX 4090 D',
  'NVIDIA GeForce RTX 4080 SUPER',
  'NVIDIA GeForce RTX 3090 Ti',
  'NVIDIA GeForce RTX 4070 Laptop GPU',
  'NVIDIA GeForce RTX 4060 Laptop GPU',
  'NVIDIA A100-SXM4-80GB',
  'NVIDIA H100',
];

describe('the sourced peak table', () => {
  it('gives every row positive dense figures, FP16 tensor above FP32, quoted in a named source', () => {
    for (const row of GPU_PEAKS) {
      expect(row.fp32, row.gpu).toBeGreaterThan(0);
      expect(row.fp16Tensor, row.gpu).toBeGreaterThan(row.fp32);
      // A document: a whitepaper or datasheet by title, or at least its address.
      expect(row.source, row.gpu).toMatch(/whitepaper|datasheet|https:\/\//);
      // The figures are the ones the source text quotes, not numbers written beside it.
      expect(row.source, row.gpu).toContain(String(row.fp32));
      expect(row.source, row.gpu).toContain(String(row.fp16Tensor));
      // A figure only a non-NVIDIA page gave says so where people read it.
      if (row.from === 'non-nvidia') expect(row.source, row.gpu).toMatch(/^Non-NVIDIA page/);
      else expect(row.source, row.gpu).toMatch(/^NVIDIA /);
    }
  });

  it('halves a figure NVIDIA states "with sparsity" to the dense one', () => {
    const sparse = GPU_PEAKS.filter((r) => / TFLOPS with sparsity, so /.test(r.source));
    expect(sparse.map((r) => r.gpu)).toEqual([
      'H100 SXM5 80GB',
      'H100 PCIe 80GB',
      'H100 NVL 94GB',
      'H200 SXM 141GB',
      'H200 NVL 141GB',
    ]);
    for (const row of sparse) {
      const stated = /FP16 Tensor Core ([\d,]+) TFLOPS with sparsity/.exec(row.source)?.[1];
      expect(Number(stated?.replace(',', '')) / 2, row.gpu).toBe(row.fp16Tensor);
    }
  });

  it('matches each GPU by the names it reports, and no other row does', () => {
    expect(Object.keys(REPORTED).sort()).toEqual(GPU_PEAKS.map((r) => r.gpu).sort());
    for (const row of GPU_PEAKS) {
      for (const name of REPORTED[row.gpu] ?? []) {
        expect(
          GPU_PEAKS.filter((r) => r.match.test(name)).map((r) => r.gpu),
          name,
        ).toEqual([row.gpu]);
        expect(peakFor(` ${name} `, 'fp16'), name).toMatchObject({ peak: row.fp16Tensor });
        expect(peakFor(name, 'fp32'), name).toMatchObject({ peak: row.fp32 });
      }
    }
  });

  it('gives another product no peak, not its sibling’s: a D, SUPER, Ti or laptop card', () => {
    for (const name of OTHERS) expect(peakFor(name, 'fp32'), name).toBeNull();
  });

  it('says which precision and which row the peak is, with the row’s source', () => {
    expect(peakFor('NVIDIA H200', 'fp32')).toEqual({
      peak: 67,
      what: 'H200 SXM 141GB FP32 (non-tensor)',
      source: GPU_PEAKS.find((r) => r.gpu === 'H200 SXM 141GB')?.source,
    });
    expect(peakFor('NVIDIA H200 NVL', 'fp16')).toMatchObject({
      peak: 835.5,
      what: 'H200 NVL 141GB FP16 Tensor (FP32 accumulate, dense)',
    });
    expect(peakFor('NVIDIA GeForce RTX 4090', 'fp16')?.peak).toBe(165.2);
    expect(peakFor('NVIDIA GeForce RTX 5090', 'fp16')?.peak).toBe(209.5);
  });
});
