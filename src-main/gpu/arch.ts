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
 * Compute capabilities TensorRT for RTX runs on through NVIDIA's ONNX Runtime plugin: the
 * TensorRT-RTX support matrix lists 7.5 (Turing), 8.6 (Ampere), 8.9 (Ada Lovelace) and 12.x
 * (Blackwell GeForce / RTX PRO, GB10) — not the data-center or embedded parts (8.0, 8.7, 9.0,
 * 10.x, 11.0) — and the plugin (TensorRT-RTX-EP-ABI, tensorrt_rtx_provider_factory.cc) accepts a
 * device only at compute capability 8.0 or above, so Turing is left out too. Sources:
 * engine/providers/README.md, "Checked against NVIDIA's documentation".
 */
function trtRtxServes(major: number, minor: number): boolean {
  return (major === 8 && (minor === 6 || minor === 9)) || major === 12;
}

/**
 * Whether the TensorRT-RTX EP serves a GPU of this compute capability, and if not, why (in words
 * naming the architecture and what would work).
 */
export function trtRtxSupport(cc: string | null | undefined): TrtRtxSupport {
  const parsed = cc == null ? null : parseComputeCapability(cc);
  if (!parsed) {
    return {
      supported: false,
      reason:
        'TensorRT for RTX needs an NVIDIA RTX GPU (RTX 30 series or newer); the compute capability of this GPU is unknown.',
    };
  }
  if (trtRtxServes(parsed.major, parsed.minor)) return { supported: true, reason: null };
  const label = `${parsed.major}.${parsed.minor}`;
  const info = lookupArch(label);
  const what = info
    ? `${info.architecture}, compute capability ${label}`
    : `compute capability ${label}`;
  if (label === '7.5') {
    return {
      supported: false,
      reason: `TensorRT for RTX does not support this GPU (${what}) through ONNX Runtime: NVIDIA's plugin needs an RTX 30 series or newer GPU (compute capability 8.6, 8.9 or 12.x), although the TensorRT-RTX library itself lists Turing.`,
    };
  }
  return {
    supported: false,
    reason: `TensorRT for RTX does not support this GPU (${what}): it runs on RTX GPUs of compute capability 8.6 (Ampere), 8.9 (Ada Lovelace) and 12.x (Blackwell)${info && parsed.major >= 8 ? ', not on data-center or embedded parts' : ''}.`,
  };
}

/**
 * The lowest driver version the TensorRT-RTX plugin accepts for a compute capability: 555.85 for
 * CC 8.x up to (not including) 12, 570.00 for CC 12 and above (Blackwell GeForce). Null when the
 * EP does not serve the GPU at all.
 */
export function minDriverForTrtRtx(cc: string | null | undefined): string | null {
  const parsed = cc == null ? null : parseComputeCapability(cc);
  if (!parsed || !trtRtxServes(parsed.major, parsed.minor)) return null;
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

/** Where TensorRT for RTX stands on this machine, and the one thing the user needs next. */
export interface TrtRtxNeeds {
  /**
   * `ready`: plugin registered, GPU and driver fit. `no-gpu`: no NVIDIA GPU seen.
   * `unsupported-gpu`: the GPU is not one TensorRT for RTX serves. `driver-too-old`: update the
   * driver. `plugin-missing`: the GPU fits, only NVIDIA's plugin is missing (or unusable).
   */
  state: 'ready' | 'no-gpu' | 'unsupported-gpu' | 'driver-too-old' | 'plugin-missing';
  /** The GPU this is about (the first one TensorRT for RTX serves, else the first one). */
  gpu: string | null;
  /** The driver version TensorRT for RTX needs on that GPU, when known. */
  requiredDriver: string | null;
  /** What to tell the user; null when ready. */
  reason: string | null;
}

/** How a user gets NVIDIA's TensorRT-RTX plugin (README.md, "TensorRT for RTX"). */
export const TRT_RTX_HOW_TO_GET =
  "get NVIDIA's onnxruntime-ep-nv-tensorrt-rtx wheel for your system (pypi.org/project/onnxruntime-ep-nv-tensorrt-rtx: Windows x64, and Linux x86-64 since the plugin's v0.3.0; CUDA 12 GPUs: the -cu12 variant) and choose it in Settings → TensorRT for RTX → Install from file";

/**
 * The one verdict on TensorRT for RTX for the user's GPUs (name and compute capability, from the
 * GPU monitor), driver and plugin. Checked in the order a user has to fix things: the GPU, then
 * the driver, then the plugin.
 */
export function trtRtxNeeds(
  gpus: readonly { name: string; computeCapability: string | null }[],
  driverVersion: string | null | undefined,
  plugin: { registered: true } | { registered: false; reason: string },
): TrtRtxNeeds {
  const first = gpus[0];
  if (!first) {
    return {
      state: 'no-gpu',
      gpu: null,
      requiredDriver: null,
      reason:
        'TensorRT for RTX needs an NVIDIA RTX GPU (RTX 30 series or newer) and its driver; no NVIDIA GPU was found.',
    };
  }
  const served = gpus.find((g) => trtRtxSupport(g.computeCapability).supported);
  if (!served) {
    const why = trtRtxSupport(first.computeCapability).reason ?? '';
    return {
      state: 'unsupported-gpu',
      gpu: first.name,
      requiredDriver: null,
      reason: why.replace('this GPU', first.name),
    };
  }
  const driver = checkDriverForTrtRtx(served.computeCapability, driverVersion);
  if (!driver.ok) {
    return {
      state: 'driver-too-old',
      gpu: served.name,
      requiredDriver: driver.required,
      reason: (driver.reason ?? '').replace('on this GPU', `on ${served.name}`),
    };
  }
  if (!plugin.registered) {
    return {
      state: 'plugin-missing',
      gpu: served.name,
      requiredDriver: driver.required,
      reason: `${served.name} can run TensorRT for RTX, but NVIDIA's plugin is missing (${plugin.reason}): ${TRT_RTX_HOW_TO_GET}.`,
    };
  }
  return { state: 'ready', gpu: served.name, requiredDriver: driver.required, reason: null };
}
