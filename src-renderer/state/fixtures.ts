/**
 * Small, realistic contract values for unit tests (shapes as the main side sends them).
 * Not used by the app itself.
 */
import type {
  BenchResult,
  CompileJob,
  GpuInfo,
  GpuSnapshot,
  ModelEntry,
  ProviderStatus,
} from '../../src-main/ipc/contract';

/** An RTX 4090 reading as NVML reports it, with overrides. */
export function gpuInfo(overrides: Partial<GpuInfo> = {}): GpuInfo {
  return {
    index: 0,
    name: 'NVIDIA GeForce RTX 4090',
    uuid: 'GPU-1234',
    pciBusId: '00000000:01:00.0',
    computeCapability: '8.9',
    architecture: 'Ada Lovelace',
    precisions: ['FP32', 'TF32', 'FP16', 'BF16', 'INT8', 'FP8'],
    memoryTotalMiB: 24564,
    memoryUsedMiB: 1200,
    memoryFreeMiB: 23364,
    powerDrawW: 35.2,
    powerLimit: { currentW: 450, defaultW: 450, minW: 150, maxW: 600, enforcedW: 450 },
    temperatureC: 41,
    fanPct: null,
    clocks: { smMHz: 210, smMaxMHz: 3105, memMHz: 405, memMaxMHz: 10501 },
    utilizationGpuPct: 3,
    utilizationMemPct: 1,
    pcie: { gen: 1, genMax: 4, width: 16, widthMax: 16 },
    pstate: 'P8',
    throttleReasons: ['GpuIdle'],
    ...overrides,
  };
}

/** A snapshot with the given GPUs at the given time. */
export function gpuSnapshot(at: number, gpus: GpuInfo[] = [gpuInfo()]): GpuSnapshot {
  return {
    source: 'nvml',
    reason: null,
    driverVersion: '560.35.03',
    cudaDriverVersion: '12.6',
    gpus,
    sampledAt: at,
  };
}

/** A library entry for a small image classifier with a symbolic batch dim. */
export function modelEntry(overrides: Partial<ModelEntry> = {}): ModelEntry {
  return {
    id: 'sha-mnist',
    name: 'mnist-8',
    path: '/models/mnist-8.onnx',
    builtIn: true,
    addedAt: 1_700_000_000_000,
    inspection: {
      fileName: 'mnist-8.onnx',
      sizeBytes: 26_454,
      irVersion: 3,
      opsets: [{ domain: '', version: 8 }],
      producer: { name: 'CNTK', version: '2.5.1' },
      graphName: 'CNTKGraph',
      inputs: [{ name: 'Input3', kind: 'tensor', dtype: 'float32', shape: ['N', 1, 28, 28] }],
      outputs: [{ name: 'Plus214_Output_0', kind: 'tensor', dtype: 'float32', shape: ['N', 10] }],
      dynamicDims: ['N'],
      nodeCount: 12,
      ops: { Conv: 2, Relu: 2, MaxPool: 2, Reshape: 2, MatMul: 1, Add: 3 },
      initializerCount: 8,
      parameterCount: 5_994,
      parameterBytes: 23_976,
      externalData: [],
      flops: { total: 1_612_000, byOp: { Conv: 1_500_000, MatMul: 112_000 }, note: 'N = 1' },
    },
    error: null,
    ...overrides,
  };
}

/** A provider status line. */
export function provider(
  id: ProviderStatus['id'],
  available: boolean,
  reason: string | null = null,
): ProviderStatus {
  return { id, ortName: id, available, reason, compiles: id === 'nv-tensorrt-rtx', device: null };
}

/** A compile job. */
export function compileJob(overrides: Partial<CompileJob> = {}): CompileJob {
  return {
    id: 'job-1',
    modelId: 'sha-mnist',
    provider: 'nv-tensorrt-rtx',
    state: 'running',
    phase: 'building',
    subgraph: { index: 1, count: 3 },
    percent: 33,
    startedAt: 1_700_000_000_000,
    elapsedMs: 4_000,
    estimateMs: 12_000,
    cacheEntryId: null,
    error: null,
    ...overrides,
  };
}

/** A benchmark result. */
export function benchResult(overrides: Partial<BenchResult> = {}): BenchResult {
  return {
    id: 'bench-1',
    modelId: 'sha-mnist',
    modelName: 'mnist',
    provider: 'cpu',
    mode: 'plain',
    at: 1_700_000_000_000,
    status: 'ok',
    error: null,
    iterations: 100,
    batch: 1,
    latencyMs: { min: 0.1, mean: 0.12, p50: 0.11, p90: 0.15, p99: 0.2, max: 0.3, std: 0.02 },
    throughput: 8_300,
    itemsPerS: 8_300,
    sessionCreateMs: { cold: 40, warm: 12 },
    firstInferenceMs: 0.5,
    power: null,
    tflops: null,
    samplesMs: [0.1, 0.11, 0.12],
    ...overrides,
  };
}
