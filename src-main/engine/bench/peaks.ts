/**
 * Peak throughput per GPU, from NVIDIA's own documents, for "achieved vs peak". Dense figures
 * (no structured sparsity; NVIDIA's tables often lead with the sparse number, twice these), at
 * the boost clock the document states. Two columns:
 *
 * - fp32: FP32 on the CUDA cores (non-tensor) — what a float32 model on WebGPU or without TF32
 *   can reach;
 * - fp16Tensor: FP16 on the tensor cores with FP32 accumulate, dense — what float16 GEMMs and
 *   convolutions reach in cuBLAS/cuDNN's default. GeForce cards run FP32 accumulate at half the
 *   FP16-accumulate rate; data-centre cards at the full rate.
 *
 * Each row names its source. A GPU not in the table gets no peak (null, and the reason).
 */

/** One GPU's peaks (TFLOP/s, dense) and where they come from. */
export interface GpuPeak {
  /** The product as NVIDIA names it. */
  gpu: string;
  /** Matches the name NVML / nvidia-smi report ("NVIDIA GeForce RTX 4090", "NVIDIA H200"). */
  match: RegExp;
  fp32: number;
  fp16Tensor: number;
  source: string;
}

/** The table: NVIDIA datasheets (data centre) and architecture whitepapers (GeForce). */
export const GPU_PEAKS: readonly GpuPeak[] = [
  {
    gpu: 'H100 SXM5 80GB',
    match: /^NVIDIA H100 80GB HBM3$|^NVIDIA H100 SXM/,
    fp32: 67,
    fp16Tensor: 989.5,
    source:
      'NVIDIA H100 Tensor Core GPU datasheet: H100 SXM FP32 67 TFLOPS, FP16 Tensor 1,979 TFLOPS with sparsity (989.5 dense)',
  },
  {
    gpu: 'H100 PCIe 80GB',
    match: /^NVIDIA H100 PCIe$/,
    fp32: 51,
    fp16Tensor: 756.5,
    source:
      'NVIDIA H100 Tensor Core GPU datasheet: H100 PCIe FP32 51 TFLOPS, FP16 Tensor 1,513 TFLOPS with sparsity (756.5 dense)',
  },
  {
    gpu: 'H100 NVL',
    match: /^NVIDIA H100 NVL$/,
    fp32: 60,
    fp16Tensor: 835.5,
    source:
      'NVIDIA H100 Tensor Core GPU datasheet: H100 NVL FP32 60 TFLOPS, FP16 Tensor 1,671 TFLOPS with sparsity (835.5 dense)',
  },
  {
    gpu: 'H200 SXM 141GB',
    match: /^NVIDIA H200$|^NVIDIA H200 SXM/,
    fp32: 67,
    fp16Tensor: 989.5,
    source:
      'NVIDIA H200 Tensor Core GPU datasheet: H200 SXM FP32 67 TFLOPS, FP16 Tensor 1,979 TFLOPS with sparsity (989.5 dense)',
  },
  {
    gpu: 'H200 NVL 141GB',
    match: /^NVIDIA H200 NVL$/,
    fp32: 60,
    fp16Tensor: 835.5,
    source:
      'NVIDIA H200 Tensor Core GPU datasheet: H200 NVL FP32 60 TFLOPS, FP16 Tensor 1,671 TFLOPS with sparsity (835.5 dense)',
  },
  {
    gpu: 'GeForce RTX 5090',
    match: /^NVIDIA GeForce RTX 5090$/,
    fp32: 104.8,
    fp16Tensor: 209.5,
    source:
      'NVIDIA RTX Blackwell GPU Architecture whitepaper, RTX 5090: FP32 104.8 TFLOPS; FP16 Tensor with FP32 accumulate 209.5 dense (419 with sparsity)',
  },
  {
    gpu: 'GeForce RTX 4090',
    match: /^NVIDIA GeForce RTX 4090$/,
    fp32: 82.6,
    fp16Tensor: 165.2,
    source:
      'NVIDIA Ada GPU Architecture whitepaper, RTX 4090: FP32 82.6 TFLOPS; FP16 Tensor with FP32 accumulate 165.2 dense (330.4 with sparsity)',
  },
  {
    gpu: 'GeForce RTX 4080',
    match: /^NVIDIA GeForce RTX 4080$/,
    fp32: 48.7,
    fp16Tensor: 97.5,
    source:
      'NVIDIA Ada GPU Architecture whitepaper, RTX 4080 (16 GB): FP32 48.7 TFLOPS; FP16 Tensor with FP32 accumulate 97.5 dense (194.9 with sparsity)',
  },
  {
    gpu: 'GeForce RTX 3090',
    match: /^NVIDIA GeForce RTX 3090$/,
    fp32: 35.6,
    fp16Tensor: 71,
    source:
      'NVIDIA Ampere GA102 GPU Architecture whitepaper, RTX 3090: FP32 35.6 TFLOPS; FP16 Tensor with FP32 accumulate 71 dense (142 with sparsity)',
  },
  {
    gpu: 'GeForce RTX 2080 Ti',
    match: /^NVIDIA GeForce RTX 2080 Ti$/,
    fp32: 13.4,
    fp16Tensor: 53.8,
    source:
      'NVIDIA Turing GPU Architecture whitepaper, RTX 2080 Ti (reference clocks): FP32 13.4 TFLOPS; FP16 Tensor with FP32 accumulate 53.8 (Turing has no sparsity)',
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
