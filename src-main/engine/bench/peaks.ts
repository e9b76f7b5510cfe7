/**
 * Peak throughput per GPU, for "achieved vs peak". Dense figures (no structured sparsity; NVIDIA's
 * tables often lead with the sparse number, twice these), at the boost clock the document states.
 * Two columns:
 *
 * - fp32: FP32 on the CUDA cores (non-tensor) — what a float32 model on WebGPU or without TF32
 *   can reach;
 * - fp16Tensor: FP16 on the tensor cores with FP32 accumulate, dense — what float16 GEMMs and
 *   convolutions reach in cuBLAS/cuDNN's default. GeForce cards run FP32 accumulate at half their
 *   FP16-accumulate rate: NVIDIA's whitepapers list both rows (RTX 2080 Ti 53.8 vs 107.6, RTX 4090
 *   165.2 vs 330.3, RTX 5090 209.5 vs 419), and this column takes the FP32-accumulate one. Hopper
 *   data-centre parts have one FP16 tensor rate.
 *
 * Every row names the document its figures are from (title, table, URL) and says when a figure
 * could only be confirmed from a non-NVIDIA page (`from: 'non-nvidia'`). The rows were checked on
 * 2026-12-07 against those tables as reproduced in public copies and quotations (NVIDIA's PDFs could
 * not be opened from the build machine); rows that could not be checked are left out. `match` takes
 * exactly the names NVML / nvidia-smi report for the product (older drivers left "NVIDIA " off
 * GeForce names), so a variant with other figures (RTX 4090 D, RTX 5090 D, a SUPER, a laptop GPU)
 * gets no peak — null, and the reason — rather than its sibling's.
 */

/** One GPU's peaks (TFLOP/s, dense) and where they come from. */
export interface GpuPeak {
  /** The product as NVIDIA names it. */
  gpu: string;
  /** Matches exactly the names NVML / nvidia-smi report ("NVIDIA GeForce RTX 4090", "NVIDIA H200"). */
  match: RegExp;
  /** FP32 on the CUDA cores, dense, TFLOP/s. */
  fp32: number;
  /** FP16 on the tensor cores with FP32 accumulate, dense, TFLOP/s. */
  fp16Tensor: number;
  /** The document, table and URL the figures are from, as people read it. */
  source: string;
  /** Whether NVIDIA's own document gave the figures, or only a non-NVIDIA page did. */
  from: 'nvidia' | 'non-nvidia';
}

const H100_DATASHEET =
  'NVIDIA H100 Tensor Core GPU datasheet (https://resources.nvidia.com/en-us-tensor-core/nvidia-tensor-core-gpu-datasheet; same table at https://www.nvidia.com/en-us/data-center/h100/)';
const H200_DATASHEET =
  'NVIDIA H200 Tensor Core GPU datasheet (Technical Specifications table, also at https://www.nvidia.com/en-us/data-center/h200/)';
const BLACKWELL_WHITEPAPER =
  'NVIDIA RTX Blackwell GPU Architecture whitepaper, Appendix A Table 3, GeForce RTX 5090 vs RTX 4090, printed pp. 46-48 (https://images.nvidia.com/aem-dam/Solutions/geforce/blackwell/nvidia-rtx-blackwell-gpu-architecture.pdf)';

/** The table: NVIDIA datasheets (data centre) and architecture whitepapers (GeForce). */
export const GPU_PEAKS: readonly GpuPeak[] = [
  {
    gpu: 'H100 SXM5 80GB',
    match: /^NVIDIA H100 80GB HBM3$/,
    fp32: 67,
    fp16Tensor: 989.5,
    source: `${H100_DATASHEET}, H100 SXM column: FP32 67 TFLOPS; FP16 Tensor Core 1,979 TFLOPS with sparsity, so 989.5 dense (NVIDIA's Exemplar Performance README, "Peak Theoretical Throughput", gives 989 dense BF16 for H100)`,
    from: 'nvidia',
  },
  {
    gpu: 'H100 PCIe 80GB',
    match: /^NVIDIA H100 PCIe$/,
    fp32: 51,
    fp16Tensor: 756.5,
    source: `${H100_DATASHEET}, H100 PCIe column: FP32 51 TFLOPS; FP16 Tensor Core 1,513 TFLOPS with sparsity, so 756.5 dense`,
    from: 'nvidia',
  },
  {
    gpu: 'H100 NVL 94GB',
    match: /^NVIDIA H100 NVL$/,
    fp32: 60,
    fp16Tensor: 835.5,
    source: `${H100_DATASHEET}, H100 NVL column (one 94 GB card; 2023 material gave the figures of a bridged pair): FP32 60 TFLOPS; FP16 Tensor Core 1,671 TFLOPS with sparsity, so 835.5 dense`,
    from: 'nvidia',
  },
  {
    gpu: 'H200 SXM 141GB',
    match: /^NVIDIA H200$/,
    fp32: 67,
    fp16Tensor: 989.5,
    source: `${H200_DATASHEET}, H200 SXM column: FP32 67 TFLOPS; FP16 Tensor Core 1,979 TFLOPS with sparsity, so 989.5 dense`,
    from: 'nvidia',
  },
  {
    gpu: 'H200 NVL 141GB',
    match: /^NVIDIA H200 NVL$/,
    fp32: 60,
    fp16Tensor: 835.5,
    source: `${H200_DATASHEET}, H200 NVL column: FP32 60 TFLOPS; FP16 Tensor Core 1,671 TFLOPS with sparsity, so 835.5 dense`,
    from: 'nvidia',
  },
  {
    gpu: 'GeForce RTX 5090',
    match: /^NVIDIA GeForce RTX 5090$/,
    fp32: 104.8,
    fp16Tensor: 209.5,
    source: `${BLACKWELL_WHITEPAPER}: Peak FP32 TFLOPS (non-Tensor) 104.8; Peak FP16 Tensor TFLOPS with FP32 Accumulate 209.5/419 (dense/sparse), half the FP16-accumulate rate (419 dense)`,
    from: 'nvidia',
  },
  {
    gpu: 'GeForce RTX 4090',
    match: /^NVIDIA GeForce RTX 4090$/,
    fp32: 82.6,
    fp16Tensor: 165.2,
    source:
      'NVIDIA Ada GPU Architecture whitepaper, Appendix A Table 2, GeForce RTX 4090 (https://images.nvidia.com/aem-dam/Solutions/geforce/ada/nvidia-ada-gpu-architecture.pdf; the same figures are in the RTX Blackwell whitepaper, Table 3): Peak FP32 TFLOPS (non-Tensor) 82.6; Peak FP16 Tensor TFLOPS with FP32 Accumulate 165.2/330.4 (dense/sparse), half the FP16-accumulate 330.3/660.6',
    from: 'nvidia',
  },
  {
    gpu: 'GeForce RTX 4080',
    match: /^NVIDIA GeForce RTX 4080$/,
    fp32: 48.7,
    fp16Tensor: 97.5,
    source:
      "Non-NVIDIA page; NVIDIA's own table for this card was not found: a reposted press specification table for the RTX 4080 (https://www.holynerdvana.com/2022/10/nvidia-geforce-rtx-4080-specifications.html): FP32 48.7 TFLOPS; FP16 tensor 390 TFLOPS with sparsity (FP16 accumulate). 97.5 is derived: 390 / 2 for sparsity / 2 for GeForce FP32 accumulate (the halving NVIDIA's Ada whitepaper shows for the RTX 4090)",
    from: 'non-nvidia',
  },
  {
    gpu: 'GeForce RTX 3090',
    match: /^(NVIDIA )?GeForce RTX 3090$/,
    fp32: 35.6,
    fp16Tensor: 71,
    source:
      'NVIDIA Ampere GA102 GPU Architecture whitepaper, Appendix A Table 9, GeForce RTX 3090 (https://images.nvidia.com/aem-dam/en-zz/Solutions/geforce/ampere/pdf/NVIDIA-ampere-GA102-GPU-Architecture-Whitepaper-V1.pdf): Peak FP32 TFLOPS (non-Tensor) 35.6; Peak FP16 Tensor TFLOPS with FP32 Accumulate 71/142 (dense/sparse)',
    from: 'nvidia',
  },
  {
    gpu: 'GeForce RTX 2080 Ti',
    match: /^(NVIDIA )?GeForce RTX 2080 Ti$/,
    fp32: 13.4,
    fp16Tensor: 53.8,
    source:
      'NVIDIA Turing GPU Architecture whitepaper, Table 1 (also in NVIDIA\'s "NVIDIA Turing Architecture In-Depth", https://developer.nvidia.com/blog/nvidia-turing-architecture-in-depth/), RTX 2080 Ti at the reference boost clock 1545 MHz: Peak FP32 TFLOPS 13.4; Peak FP16 Tensor TFLOPS with FP32 Accumulate 53.8, half the FP16-accumulate 107.6 (Founders Edition 14.2 and 56.9; Turing has no sparsity)',
    from: 'nvidia',
  },
];

/** The peak for a GPU name and the model's compute precision, with its source; null if unknown. */
export function peakFor(
  gpuName: string,
  precision: 'fp32' | 'fp16',
): { peak: number; what: string; source: string } | null {
  const name = gpuName.trim();
  const row = GPU_PEAKS.find((r) => r.match.test(name));
  if (!row) return null;
  return precision === 'fp16'
    ? {
        peak: row.fp16Tensor,
        what: `${row.gpu} FP16 Tensor (FP32 accumulate, dense)`,
        source: row.source,
      }
    : { peak: row.fp32, what: `${row.gpu} FP32 (non-tensor)`, source: row.source };
}
