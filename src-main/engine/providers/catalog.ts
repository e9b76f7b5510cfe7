/**
 * The execution providers Crucible knows, what ORT calls them, and whether each is usable here —
 * with a reason a user can act on when it is not. Pure: the engine host feeds it what ORT reports
 * (GetAvailableProviders, GetEpDevices) and the platform, so it is table-tested without a GPU.
 */
import type { ProviderId, ProviderStatus } from '../../ipc/contract';
import { describeGpuChoice, deviceOnChoice, type GpuChoice } from './gpu-choice';
import { deviceIdentity } from './gpu-match';

/**
 * Why TensorRT for RTX has no device although its plugin registered: the plugin offers an EP
 * device only for a GPU of compute capability 8.0+ it can see through CUDA (NVIDIA's
 * TensorRT-RTX-EP-ABI). The main side replaces this with the verdict for the user's own GPU and
 * driver (gpu/arch.ts trtRtxNeeds, services/provider-gpus.ts), which it alone can read.
 */
export const TRT_RTX_NO_DEVICE_REASON =
  'TensorRT for RTX found no GPU it supports: it needs an NVIDIA RTX GPU of compute capability 8.6, 8.9 or 12.x (RTX 30 series or newer) and driver 555.85 or newer (570.00 for RTX 50 series)';
/** What ORT reported about one EP device (a slice of EpDevice, kept plain for tests). */
export interface EpDeviceFact {
  epName: string;
  type: 'cpu' | 'gpu' | 'npu' | 'unknown';
  vendorId: number;
  deviceId: number;
  vendor: string;
  metadata: Record<string, string>;
}

export interface CatalogFacts {
  platform: NodeJS.Platform;
  /** GetAvailableProviders. */
  available: string[];
  /** GetEpDevices. */
  epDevices: EpDeviceFact[];
  /** Whether ORT's CUDA provider library sits beside the ORT library (onnxruntime-node lists the
   * CUDA EP as available even when its optional download was skipped). */
  cudaLibraryPresent: boolean;
  /**
   * Why ORT's CUDA V2 options calls refused, when they were tried (the engine host tries them
   * when the CUDA library is absent, for the reason ORT itself gives); null or absent: not tried.
   */
  cudaProblem?: string | null;
  /** The TensorRT-RTX plugin, when one was found and registered; else why not. */
  trtRtx: { registered: true; name: string } | { registered: false; reason: string };
  /** The GPU the user chose (CRUCIBLE_GPU, gpu-choice.ts); null or absent: automatic. */
  gpuChoice?: GpuChoice | null;
}

export interface ProviderSpec {
  id: ProviderId;
  ortName: string;
  /**
   * The name SessionOptionsAppendExecutionProvider takes; null: not appended by name (CPU: nothing
   * to append; CUDA: ORT's CUDA V2 options; plugins: their EP devices; see providers/attach.ts).
   */
  appendName: string | null;
  /** Whether its "compile" writes an EP-context model (true) or an optimized model (false). */
  compiles: boolean;
  /** Options always set explicitly because sources disagree on their defaults. */
  explicitOptions: Record<string, string>;
}

/** The CUDA provider library's file name on a platform. */
export function cudaProviderLibraryName(platform: NodeJS.Platform): string {
  return platform === 'win32'
    ? 'onnxruntime_providers_cuda.dll'
    : 'libonnxruntime_providers_cuda.so';
}

export const PROVIDERS: Record<ProviderId, ProviderSpec> = {
  cpu: {
    id: 'cpu',
    ortName: 'CPUExecutionProvider',
    appendName: null,
    compiles: false,
    explicitOptions: {},
  },
  webgpu: {
    id: 'webgpu',
    ortName: 'WebGpuExecutionProvider',
    appendName: 'WebGPU',
    compiles: false,
    explicitOptions: {},
  },
  dml: {
    id: 'dml',
    ortName: 'DmlExecutionProvider',
    appendName: 'DML',
    compiles: false,
    explicitOptions: {},
  },
  cuda: {
    id: 'cuda',
    ortName: 'CUDAExecutionProvider',
    appendName: null,
    compiles: false,
    explicitOptions: {},
  },
  'nv-tensorrt-rtx': {
    id: 'nv-tensorrt-rtx',
    ortName: 'NvTensorRTRTXExecutionProvider',
    appendName: null,
    compiles: true,
    // The built-in EP defaults CUDA graphs off, NVIDIA's plugin on: always say which.
    explicitOptions: { enable_cuda_graph: '0' },
  },
};

const NVIDIA = 0x10de;

/** The device a GPU provider will use: the NVIDIA one when there is a choice (laptops with iGPUs). */
export function pickDevice(devices: EpDeviceFact[], epName: string): EpDeviceFact | null {
  const mine = devices.filter((d) => d.epName === epName && d.type === 'gpu');
  return (
    mine.find((d) => d.vendorId === NVIDIA) ??
    mine.find((d) => d.metadata.Discrete === '1') ??
    mine[0] ??
    null
  );
}

function device(d: EpDeviceFact | null): ProviderStatus['device'] {
  return d
    ? {
        vendorId: d.vendorId,
        deviceId: d.deviceId,
        name: d.vendor || `PCI ${d.vendorId.toString(16)}:${d.deviceId.toString(16)}`,
        // The bus id / LUID say which GPU this is; the main side matches it to the GPU monitor's.
        ...deviceIdentity(d.metadata),
        gpu: null,
      }
    : null;
}

/** Every provider's status from what ORT reported. */
export function providerStatuses(facts: CatalogFacts): ProviderStatus[] {
  const has = (name: string) => facts.available.includes(name);
  const status = (
    id: ProviderId,
    available: boolean,
    reason: string | null,
    dev: EpDeviceFact | null,
  ): ProviderStatus => ({
    id,
    ortName: PROVIDERS[id].ortName,
    available,
    reason: available ? null : reason,
    compiles: PROVIDERS[id].compiles,
    device: device(dev),
  });

  // The device each GPU provider will use: on the chosen GPU when the user chose one (as
  // providers/attach.ts attaches it), else the automatic pick.
  const choice = facts.gpuChoice ?? null;
  const onGpu = (name: string) =>
    choice ? deviceOnChoice(facts.epDevices, name, choice) : pickDevice(facts.epDevices, name);
  const noDeviceOnChoice = (ortName: string, otherwise: string) =>
    choice
      ? `${ortName} has no device on ${describeGpuChoice(choice)} (the GPU chosen in Settings → GPU); choose another GPU or Automatic`
      : otherwise;
  const webgpuDevice = onGpu(PROVIDERS.webgpu.ortName);
  const nvDevice = onGpu(PROVIDERS['nv-tensorrt-rtx'].ortName);
  const dmlDevice = onGpu(PROVIDERS.dml.ortName);
  return [
    status('cpu', true, null, null),
    status(
      'webgpu',
      has(PROVIDERS.webgpu.ortName) && webgpuDevice !== null,
      has(PROVIDERS.webgpu.ortName)
        ? noDeviceOnChoice(
            PROVIDERS.webgpu.ortName,
            'WebGPU found no GPU adapter here (no GPU, or no Vulkan/Direct3D 12 driver for it)',
          )
        : 'this ONNX Runtime build has no WebGPU provider',
      webgpuDevice,
    ),
    status(
      'dml',
      facts.platform === 'win32' && has(PROVIDERS.dml.ortName) && (!choice || dmlDevice !== null),
      facts.platform !== 'win32'
        ? 'DirectML is a Windows provider'
        : has(PROVIDERS.dml.ortName)
          ? noDeviceOnChoice(PROVIDERS.dml.ortName, 'DirectML found no device here')
          : 'this ONNX Runtime build has no DirectML provider',
      dmlDevice,
    ),
    status(
      'cuda',
      has(PROVIDERS.cuda.ortName) && facts.cudaLibraryPresent && !facts.cudaProblem,
      facts.cudaProblem ??
        "the CUDA provider's libraries are not installed (onnxruntime-node's CUDA download was skipped; TensorRT for RTX is Crucible's NVIDIA path)",
      null,
    ),
    status(
      'nv-tensorrt-rtx',
      facts.trtRtx.registered && nvDevice !== null,
      facts.trtRtx.registered
        ? noDeviceOnChoice(PROVIDERS['nv-tensorrt-rtx'].ortName, TRT_RTX_NO_DEVICE_REASON)
        : facts.trtRtx.reason,
      nvDevice,
    ),
  ];
}
