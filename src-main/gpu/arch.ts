/**
 * What Crucible knows about NVIDIA GPU architectures, keyed by CUDA compute capability ("8.9").
 * Kept in code because neither NVML nor nvidia-smi names the architecture, and the precisions a
 * card's tensor cores run decide which compiled engines make sense on it.
 */

/** Tensor-core precisions Crucible reports, in the order the UI lists them. */
export const PRECISIONS = ['FP16', 'BF16', 'TF32', 'INT8', 'FP8', 'FP4'] as const;
export type Precision = (typeof PRECISIONS)[number];

/** One compute capability's facts. */
export interface ArchInfo {
  /** "8.9" */
  computeCapability: string;
  major: number;
  minor: number;
  /** "Ada Lovelace" */
  architecture: string;
  /** Precisions the tensor cores run natively; empty for GPUs without tensor cores (Pascal). */
  tensorCorePrecisions: Precision[];
  /** The first CUDA toolkit that can build native code (sm_XY) for this compute capability. */
  minCudaVersion: string;
  /** Typical products, so a user can recognise the row. */
  examples: string;
}

const VOLTA: Precision[] = ['FP16'];
const TURING: Precision[] = ['FP16', 'INT8'];
const AMPERE: Precision[] = ['FP16', 'BF16', 'TF32', 'INT8'];
const ADA_HOPPER: Precision[] = ['FP16', 'BF16', 'TF32', 'INT8', 'FP8'];
const BLACKWELL: Precision[] = ['FP16', 'BF16', 'TF32', 'INT8', 'FP8', 'FP4'];

type Row = [
  cc: string,
  architecture: string,
  precisions: Precision[],
  minCuda: string,
  examples: string,
];

// Minimum CUDA versions are the toolkit releases that added each sm_XY target. Jetson Thor was
// sm_101 in CUDA 12.8/12.9 and became sm_110 in CUDA 13.0; both rows are kept so either driver's
// report resolves.
const ROWS: Row[] = [
  ['6.0', 'Pascal', [], '8.0', 'Tesla P100'],
  ['6.1', 'Pascal', [], '8.0', 'GeForce GTX 10 series, Quadro P series, Tesla P4/P40'],
  ['6.2', 'Pascal', [], '8.0', 'Jetson TX2'],
  ['7.0', 'Volta', VOLTA, '9.0', 'Tesla V100, Titan V'],
  ['7.2', 'Volta', ['FP16', 'INT8'], '10.0', 'Jetson AGX Xavier'],
  ['7.5', 'Turing', TURING, '10.0', 'GeForce RTX 20 / GTX 16 series, Quadro RTX, T4'],
  ['8.0', 'Ampere', AMPERE, '11.0', 'A100, A30'],
  ['8.6', 'Ampere', AMPERE, '11.1', 'GeForce RTX 30 series, RTX A series, A10, A40'],
  ['8.7', 'Ampere', AMPERE, '11.4', 'Jetson AGX Orin'],
  ['8.9', 'Ada Lovelace', ADA_HOPPER, '11.8', 'GeForce RTX 40 series, RTX Ada, L4, L40'],
  ['9.0', 'Hopper', ADA_HOPPER, '11.8', 'H100, H200, GH200'],
  ['10.0', 'Blackwell', BLACKWELL, '12.8', 'B200, GB200'],
  ['10.1', 'Blackwell', BLACKWELL, '12.8', 'Jetson Thor (CUDA 12.8/12.9 numbering)'],
  ['10.3', 'Blackwell', BLACKWELL, '12.9', 'B300, GB300'],
  ['11.0', 'Blackwell', BLACKWELL, '13.0', 'Jetson Thor'],
  ['12.0', 'Blackwell', BLACKWELL, '12.8', 'GeForce RTX 50 series, RTX PRO Blackwell'],
  ['12.1', 'Blackwell', BLACKWELL, '12.9', 'DGX Spark (GB10)'],
];

/** The architecture table, one entry per known compute capability. */
export const ARCH_TABLE: readonly ArchInfo[] = ROWS.map(([cc, architecture, p, minCuda, ex]) => {
  const [major, minor] = cc.split('.').map(Number) as [number, number];
  return {
    computeCapability: cc,
    major,
    minor,
    architecture,
    tensorCorePrecisions: p,
    minCudaVersion: minCuda,
    examples: ex,
  };
});

const BY_CC = new Map(ARCH_TABLE.map((a) => [a.computeCapability, a]));

/**
 * Parses "8.9" (also "8.9.0" or " 8.9 ") into major and minor; null when it is not a compute
 * capability.
 */
export function parseComputeCapability(cc: string): { major: number; minor: number } | null {
  const m = /^\s*(\d{1,2})\.(\d{1,2})(?:\.0)?\s*$/.exec(cc);
  if (!m) return null;
  return { major: Number(m[1]), minor: Number(m[2]) };
}

/** Looks up a compute capability such as "8.9"; null when it is not in the table. */
export function lookupArch(cc: string | null | undefined): ArchInfo | null {
  if (cc == null) return null;
  const parsed = parseComputeCapability(cc);
  if (!parsed) return null;
  return BY_CC.get(`${parsed.major}.${parsed.minor}`) ?? null;
}

/**
 * The architecture name for a compute capability. A capability newer than the table still gets a
 * name a person can read ("unknown (CC 13.0)") rather than nothing.
 */
export function architectureName(cc: string | null | undefined): string | null {
  if (cc == null) return null;
  const info = lookupArch(cc);
  if (info) return info.architecture;
  const parsed = parseComputeCapability(cc);
  return parsed ? `unknown (CC ${parsed.major}.${parsed.minor})` : null;
}

/** Tensor-core precisions for a compute capability; empty when unknown. */
export function precisionsFor(cc: string | null | undefined): Precision[] {
  return [...(lookupArch(cc)?.tensorCorePrecisions ?? [])];
}

/** Whether the TensorRT for RTX execution provider can run on this GPU, and if not, why. */
export interface TrtRtxSupport {
  supported: boolean;
  reason: string | null;
}

/**
 * Whether the TensorRT-RTX EP serves a GPU of this compute capability. The ORT plugin accepts a
 * device only at compute capability 8.0 or above (shared/ref/onnxruntime-native.md, "Hardware, OS
 * and driver"), so Turing is refused even though the TensorRT-RTX library itself lists it.
 */
export function trtRtxSupport(cc: string | null | undefined): TrtRtxSupport {
  const parsed = cc == null ? null : parseComputeCapability(cc);
  if (!parsed) {
    return {
      supported: false,
      reason:
        'TensorRT for RTX needs an Ampere or newer RTX GPU; the compute capability of this GPU is unknown.',
    };
  }
  const label = `${parsed.major}.${parsed.minor}`;
  if (parsed.major < 8) {
    const arch = lookupArch(label)?.architecture ?? 'an older architecture';
    return {
      supported: false,
      reason: `TensorRT for RTX needs an Ampere or newer RTX GPU; this GPU is ${arch} (${label}).`,
    };
  }
  return { supported: true, reason: null };
}

/**
 * The lowest driver version the TensorRT-RTX plugin accepts for a compute capability: 555.85 for
 * CC 8.x up to (not including) 12, 570.00 for CC 12 and above (Blackwell GeForce). Null when the
 * EP does not serve the GPU at all.
 */
export function minDriverForTrtRtx(cc: string | null | undefined): string | null {
  const parsed = cc == null ? null : parseComputeCapability(cc);
  if (!parsed || parsed.major < 8) return null;
  return parsed.major >= 12 ? '570.00' : '555.85';
}

/**
 * Compares dotted driver versions numerically, part by part ("580.159.04" vs "555.85").
 * Returns a negative number, zero or a positive number like a sort comparator.
 */
export function compareDriverVersions(a: string, b: string): number {
  const pa = a.trim().split('.').map(Number);
  const pb = b.trim().split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? 0;
    const y = pb[i] ?? 0;
    if (Number.isNaN(x) || Number.isNaN(y)) throw new Error(`Not a driver version: ${a} / ${b}`);
    if (x !== y) return x - y;
  }
  return 0;
}

/** The outcome of checking an installed driver against the TensorRT-RTX plugin's minimum. */
export interface DriverCheck {
  ok: boolean;
  required: string | null;
  reason: string | null;
}

/**
 * Checks an installed driver version against what the TensorRT-RTX plugin needs for this GPU.
 * An unreadable version is reported rather than guessed at.
 */
export function checkDriverForTrtRtx(
  cc: string | null | undefined,
  driverVersion: string | null | undefined,
): DriverCheck {
  const support = trtRtxSupport(cc);
  if (!support.supported) return { ok: false, required: null, reason: support.reason };
  const required = minDriverForTrtRtx(cc);
  if (required === null) return { ok: true, required: null, reason: null };
  if (driverVersion == null || !/^\d+(\.\d+)*$/.test(driverVersion.trim())) {
    return {
      ok: false,
      required,
      reason: `TensorRT for RTX needs NVIDIA driver ${required} or newer; the installed driver version could not be read.`,
    };
  }
  if (compareDriverVersions(driverVersion, required) < 0) {
    return {
      ok: false,
      required,
      reason: `TensorRT for RTX needs NVIDIA driver ${required} or newer on this GPU; installed: ${driverVersion.trim()}. Update the driver from nvidia.com.`,
    };
  }
  return { ok: true, required, reason: null };
}
