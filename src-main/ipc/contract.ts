/**
 * The one contract between Crucible's main side and its renderer, whichever transport carries it
 * (Electron ipcMain/preload, or the browser-mode HTTP+WebSocket host).
 *
 * - Invoke channels are named `domain:verb`; each has an input and an output schema. The main side
 *   parses every input with its schema before a service sees it, and answers with a Result: expected
 *   errors travel as data because Electron's invoke keeps only an error's message.
 * - Push channels are named `domain:event`; each has a payload schema.
 *
 * This module is environment-neutral: no Node, no DOM, no Electron. The renderer imports it.
 * Types are derived from the schemas, never written twice.
 */
import { z } from 'zod';
import { ERROR_CODES } from '../shared/errors';
import type { Result } from '../shared/result';
import { PIXEL_SCALINGS } from './image-model';

// ---------------------------------------------------------------------------------------------
// Shared pieces
// ---------------------------------------------------------------------------------------------

export const AppErrorSchema = z.object({
  code: z.enum(ERROR_CODES),
  message: z.string(),
  detail: z.string().optional(),
});

/** Every tensor element type ONNX Runtime knows, by the names Crucible uses everywhere. */
export const DTYPES = [
  'float32',
  'uint8',
  'int8',
  'uint16',
  'int16',
  'int32',
  'int64',
  'string',
  'bool',
  'float16',
  'float64',
  'uint32',
  'uint64',
  'complex64',
  'complex128',
  'bfloat16',
  'float8e4m3fn',
  'float8e4m3fnuz',
  'float8e5m2',
  'float8e5m2fnuz',
  'uint4',
  'int4',
  'float4e2m1',
] as const;
export const DTypeSchema = z.enum(DTYPES);
export type DType = z.infer<typeof DTypeSchema>;

/** A dimension: a fixed size, a symbolic name (dynamic), or null when the model says nothing. */
export const DimSchema = z.union([z.number().int(), z.string(), z.null()]);
export type Dim = z.infer<typeof DimSchema>;

export const ValueInfoSchema = z.object({
  name: z.string(),
  /** 'tensor' for tensors; sequences, maps and optionals are named so the UI can say why not. */
  kind: z.enum(['tensor', 'sequence', 'map', 'optional', 'sparse_tensor', 'unknown']),
  dtype: DTypeSchema.nullable(),
  shape: z.array(DimSchema).nullable(),
});
export type ValueInfo = z.infer<typeof ValueInfoSchema>;

/** Execution providers Crucible knows. */
export const PROVIDER_IDS = ['cpu', 'webgpu', 'dml', 'cuda', 'nv-tensorrt-rtx'] as const;
export const ProviderIdSchema = z.enum(PROVIDER_IDS);
export type ProviderId = z.infer<typeof ProviderIdSchema>;

/** ORT's EP selection policies Crucible offers for "Auto" (SessionOptionsSetEpSelectionPolicy). */
export const EP_POLICIES = ['prefer-gpu', 'max-performance', 'max-efficiency'] as const;
export type EpPolicy = (typeof EP_POLICIES)[number];

/**
 * Which model a session was opened from: the original file, or a compile-cache entry of it (the
 * session owner uses a valid entry for the provider and dims whenever there is one).
 */
export const SESSION_VARIANTS = ['original', 'compiled'] as const;
export const SessionVariantSchema = z.enum(SESSION_VARIANTS);
export type SessionVariant = z.infer<typeof SessionVariantSchema>;

// ---------------------------------------------------------------------------------------------
// App and engine
// ---------------------------------------------------------------------------------------------

export const AppInfoSchema = z.object({
  name: z.string(),
  version: z.string(),
  /** How the renderer is being served. */
  mode: z.enum(['electron', 'browser']),
  platform: z.string(),
  arch: z.string(),
  userDataDir: z.string(),
  cacheDir: z.string(),
});
export type AppInfo = z.infer<typeof AppInfoSchema>;

export const ProviderStatusSchema = z.object({
  id: ProviderIdSchema,
  /** ORT's name for it, e.g. CPUExecutionProvider. */
  ortName: z.string(),
  available: z.boolean(),
  /** When not available: why, in words a user can act on. */
  reason: z.string().nullable(),
  /** Whether "compile" produces an EP-context model (true) or an optimized model (false). */
  compiles: z.boolean(),
  /** The device ORT reports for it, when it is on a GPU. */
  device: z
    .object({
      vendorId: z.number().int(),
      deviceId: z.number().int(),
      name: z.string(),
      /** ORT's `pci_bus_id` metadata (Linux), normalised to "0000:01:00.0"; null when absent. */
      pciBusId: z.string().nullable(),
      /** ORT's `LUID` metadata (Windows: the DXGI adapter LUID, as ORT prints it); else null. */
      luid: z.string().nullable(),
      /**
       * The GPU of the GPU monitor's snapshot this device is, set by the main side: matched by PCI
       * bus id, or ('vendor') an NVIDIA device without one when the snapshot has exactly one GPU
       * (Windows: ORT gives a LUID, which NVML lacks). Null when nothing matched.
       */
      gpu: z
        .object({
          index: z.number().int(),
          name: z.string(),
          pciBusId: z.string().nullable(),
          matchedBy: z.enum(['pci-bus-id', 'vendor']),
        })
        .nullable(),
    })
    .nullable(),
  /**
   * TensorRT for RTX only, set by the main side from the GPU monitor (gpu/arch.ts trtRtxNeeds):
   * where it stands on the user's GPU, driver and plugin, and the GPU that is about.
   */
  trtRtx: z
    .object({
      state: z.enum(['ready', 'no-gpu', 'unsupported-gpu', 'driver-too-old', 'plugin-missing']),
      gpu: z.string().nullable(),
      requiredDriver: z.string().nullable(),
    })
    .optional(),
});
export type ProviderStatus = z.infer<typeof ProviderStatusSchema>;

/**
 * A GPU as ONNX Runtime lists it (one per piece of hardware behind its EP devices): what Settings →
 * GPU offers to choose from, identified the way ORT identifies it (engine/providers/gpu-choice.ts).
 */
export const OrtGpuSchema = z.object({
  name: z.string(),
  vendorId: z.number().int(),
  /** ORT's `pci_bus_id` (Linux), normalised "0000:01:00.0"; null when absent. */
  pciBusId: z.string().nullable(),
  /** ORT's `LUID` (Windows); null when absent. */
  luid: z.string().nullable(),
});
export type OrtGpu = z.infer<typeof OrtGpuSchema>;

export const EngineStatusSchema = z.object({
  state: z.enum(['starting', 'ready', 'restarting', 'failed']),
  ortVersion: z.string().nullable(),
  libraryPath: z.string().nullable(),
  providers: z.array(ProviderStatusSchema),
  /** The GPUs ORT sees (absent until the host said hello). */
  gpus: z.array(OrtGpuSchema).optional(),
  restarts: z.number().int(),
  lastError: AppErrorSchema.nullable(),
});
export type EngineStatus = z.infer<typeof EngineStatusSchema>;

// ---------------------------------------------------------------------------------------------
// GPU
// ---------------------------------------------------------------------------------------------

export const GpuInfoSchema = z.object({
  index: z.number().int(),
  name: z.string(),
  uuid: z.string().nullable(),
  pciBusId: z.string().nullable(),
  /** "8.9" etc. */
  computeCapability: z.string().nullable(),
  /** "Ada Lovelace" etc., from the architecture table. */
  architecture: z.string().nullable(),
  /** Tensor-core precisions, from the architecture table. */
  precisions: z.array(z.string()),
  memoryTotalMiB: z.number().nullable(),
  memoryUsedMiB: z.number().nullable(),
  memoryFreeMiB: z.number().nullable(),
  powerDrawW: z.number().nullable(),
  powerLimit: z.object({
    currentW: z.number().nullable(),
    defaultW: z.number().nullable(),
    minW: z.number().nullable(),
    maxW: z.number().nullable(),
    enforcedW: z.number().nullable(),
  }),
  temperatureC: z.number().nullable(),
  /** Fan speed in percent of its maximum; null for passively cooled cards (data-centre GPUs). */
  fanPct: z.number().nullable(),
  clocks: z.object({
    smMHz: z.number().nullable(),
    smMaxMHz: z.number().nullable(),
    memMHz: z.number().nullable(),
    memMaxMHz: z.number().nullable(),
  }),
  utilizationGpuPct: z.number().nullable(),
  utilizationMemPct: z.number().nullable(),
  pcie: z.object({
    gen: z.number().nullable(),
    genMax: z.number().nullable(),
    width: z.number().nullable(),
    widthMax: z.number().nullable(),
  }),
  pstate: z.string().nullable(),
  throttleReasons: z.array(z.string()),
  /**
   * NVML's total-energy counter (millijoules since the driver loaded; Volta and newer); absent or
   * null where the GPU or the source (nvidia-smi) has none.
   */
  totalEnergyMJ: z.number().nullable().optional(),
  /**
   * The power limit in words (gpu/power.ts), added by the GPU monitor so the GPU area shows what
   * `crucible gpu` prints: where the limit sits in the card's range, what moving it trades, and,
   * when the limit is off the card's default, the command that restores it (the user runs it;
   * Crucible never does). Absent where no monitor derived it.
   */
  powerAdvice: z
    .object({
      summary: z.string(),
      tradeoff: z.string(),
      enforcedNote: z.string().nullable(),
      restoreDefault: z.object({ command: z.string(), note: z.string() }).nullable(),
    })
    .optional(),
});
export type GpuInfo = z.infer<typeof GpuInfoSchema>;

export const GpuSnapshotSchema = z.object({
  /** Where the numbers came from; 'none' when no NVIDIA GPU or driver was found. */
  source: z.enum(['nvml', 'nvidia-smi', 'none']),
  /** With source 'none': why, in words a user can act on. */
  reason: z.string().nullable(),
  driverVersion: z.string().nullable(),
  cudaDriverVersion: z.string().nullable(),
  gpus: z.array(GpuInfoSchema),
  /** Milliseconds since the epoch. */
  sampledAt: z.number(),
});
export type GpuSnapshot = z.infer<typeof GpuSnapshotSchema>;

// ---------------------------------------------------------------------------------------------
// Models
// ---------------------------------------------------------------------------------------------

/**
 * What precision a model computes in (engine/model/precision.ts): weights by stored type, compute
 * by the precision each op runs in (float32, float16, bfloat16, float8, int8 as QDQ or QOperator,
 * int4 blocks), and where Casts sit.
 */
export const PrecisionSummarySchema = z.object({
  /** One line for people: "float32", "float16", "mixed: float16 93%, float32 7% of FLOPs", "int8 QDQ". */
  headline: z.string(),
  /** Weights (initializers and Constant-node tensors) by stored element type. */
  weights: z.array(z.object({ dtype: z.string(), count: z.number(), bytes: z.number() })),
  /** Compute by precision class: nodes, and FLOPs where shapes were known (main graph). */
  compute: z.array(z.object({ precision: z.string(), nodes: z.number(), flops: z.number() })),
  /** Which ops compute in which precision. */
  ops: z.array(z.object({ op: z.string(), precision: z.string(), count: z.number() })),
  /** Cast nodes by (from → to), with where they sit. */
  casts: z.array(
    z.object({
      from: z.string(),
      to: z.string(),
      count: z.number(),
      /** 'input' (right after a graph input), 'output' (making a graph output) or 'inside'. */
      at: z.record(z.string(), z.number()),
      /** The first few node names (or `#index` when unnamed). */
      nodes: z.array(z.string()),
    }),
  ),
});
export type PrecisionSummary = z.infer<typeof PrecisionSummarySchema>;

/** How a picture's bytes become input values (ipc/image-model.ts PIXEL_SCALINGS). */
export const PixelScalingSchema = z.enum(PIXEL_SCALINGS);

export const ModelInspectionSchema = z.object({
  fileName: z.string(),
  sizeBytes: z.number(),
  irVersion: z.number().nullable(),
  opsets: z.array(z.object({ domain: z.string(), version: z.number() })),
  producer: z.object({ name: z.string(), version: z.string() }),
  graphName: z.string(),
  inputs: z.array(ValueInfoSchema),
  outputs: z.array(ValueInfoSchema),
  /** Symbolic dimension names found on the inputs. */
  dynamicDims: z.array(z.string()),
  nodeCount: z.number().int(),
  /** Op type (with its domain when not the default one) → count. */
  ops: z.record(z.string(), z.number()),
  initializerCount: z.number().int(),
  parameterCount: z.number(),
  parameterBytes: z.number(),
  externalData: z.array(z.object({ location: z.string(), bytes: z.number(), exists: z.boolean() })),
  flops: z.object({
    /** Estimated FLOPs of one inference (2 per multiply-add), null when no shape was known. */
    total: z.number().nullable(),
    byOp: z.record(z.string(), z.number()),
    /** How shapes were obtained and what was left out. */
    note: z.string(),
  }),
  /** Precision breakdown; absent in library entries written before it existed. */
  precision: PrecisionSummarySchema.optional(),
  /**
   * Class labels for classifier outputs, from the model's metadata_props or a labels file beside
   * it (engine/model/labels.ts); absent in inspections made before labels were read.
   */
  labels: z
    .object({ from: z.string(), names: z.array(z.string()) })
    .nullable()
    .optional(),
  /**
   * The pixel scaling the model's metadata_props ask for (engine/model/image.ts
   * pictureScalingOf), the default for pictures fed to it; null when they say nothing.
   */
  pictureScaling: z.object({ scaling: PixelScalingSchema, from: z.string() }).nullable().optional(),
});
export type ModelInspection = z.infer<typeof ModelInspectionSchema>;

export const ModelEntrySchema = z.object({
  /** Content hash (sha256 of the model file), the model's identity. */
  id: z.string(),
  name: z.string(),
  path: z.string(),
  builtIn: z.boolean(),
  addedAt: z.number(),
  inspection: ModelInspectionSchema.nullable(),
  /** Set when the model could not be read; the entry stays so the user sees why. */
  error: AppErrorSchema.nullable(),
  /**
   * Precision variants made from this model (a float16 copy), each runnable, compilable and
   * benchmarkable under its own id; absent in entries written before variants existed.
   */
  variants: z.array(z.lazy(() => ModelVariantSchema)).optional(),
});
export type ModelEntry = z.infer<typeof ModelEntrySchema>;

/** What the float16 converter did (engine/model/fp16.ts Fp16Report). */
export const Fp16ReportSchema = z.object({
  convertedNodes: z.number().int(),
  blocked: z.array(z.object({ op: z.string(), count: z.number().int(), reason: z.string() })),
  castsInserted: z.number().int(),
  tensorsConverted: z.number().int(),
  valuesConverted: z.number(),
  tensorsKept: z.number().int(),
  clamped: z.array(
    z.object({
      tensor: z.string(),
      overflow: z.number().int(),
      underflow: z.number().int(),
      maxAbs: z.number(),
    }),
  ),
});
export type Fp16Report = z.infer<typeof Fp16ReportSchema>;

/** What the dynamic int8 quantizer did (engine/model/int8.ts Int8Report). */
export const Int8ReportSchema = z.object({
  quantized: z.array(z.object({ op: z.string(), count: z.number().int() })),
  left: z.array(z.object({ op: z.string(), count: z.number().int(), reason: z.string() })),
  tensorsQuantized: z.number().int(),
  valuesQuantized: z.number(),
  activationsQuantized: z.number().int(),
  nodesAdded: z.number().int(),
  /** Per quantized weight: the op reading it, [K, N] (Conv: values per channel, channels). */
  weights: z.array(
    z.object({
      tensor: z.string(),
      op: z.string(),
      k: z.number().int(),
      n: z.number().int(),
      scaleMin: z.number(),
      scaleMax: z.number(),
    }),
  ),
});
export type Int8Report = z.infer<typeof Int8ReportSchema>;

/** fp16: float16 weights and compute; int8: dynamic int8 MatMul / Gemm / Conv (int8.ts). */
export const PRECISION_VARIANTS = ['fp16', 'int8'] as const;
export const PrecisionVariantKindSchema = z.enum(PRECISION_VARIANTS);

/** One line of a precision trade table: a model (original or variant) on one provider. */
export const TradeRowSchema = z.object({
  provider: ProviderIdSchema,
  /** 'original' or the variant kind ('fp16'). */
  precision: z.string(),
  modelId: z.string(),
  /** Latency of one inference (benchmark p50 / p90, ms); null when the benchmark failed. */
  p50Ms: z.number().nullable(),
  p90Ms: z.number().nullable(),
  /** Joules per inference where a GPU's energy was measured, else null. */
  joulesPerInference: z.number().nullable(),
  /** The variant against the original on the same provider and inputs; null for the original. */
  error: z
    .object({
      sets: z.number().int(),
      maxAbs: z.number(),
      maxRel: z.number(),
      /** The lowest cosine similarity over outputs and input sets. */
      cosine: z.number(),
      /** Rows whose top-1 / top-5 classes agree, of `rows` (classifiers only). */
      topk: z.object({ rows: z.number(), top1: z.number(), top5: z.number() }).nullable(),
    })
    .nullable(),
  /** In words: faster or slower by how much, and whether the error is acceptable. */
  verdict: z.string(),
  /** Why a row has no figures (provider unavailable, a run failed). */
  problem: z.string().nullable(),
});
export type TradeRow = z.infer<typeof TradeRowSchema>;

export const TradeTableSchema = z.object({
  measuredAt: z.number(),
  dims: z.record(z.string(), z.number()),
  /** Seeded input sets the errors were measured over. */
  sets: z.number().int(),
  rows: z.array(TradeRowSchema),
});
export type TradeTable = z.infer<typeof TradeTableSchema>;

const ModelVariantBase = z.object({
  /** sha256 of the variant's file: the id runs, compiles and benchmarks use. */
  id: z.string(),
  path: z.string(),
  createdAt: z.number(),
  /**
   * `keepIoTypes` is always true for int8 (its inputs and outputs stay float32); `conv`: int8
   * only, Conv quantized too (`crucible convert --to int8 --conv`).
   */
  options: z.object({
    keepIoTypes: z.boolean(),
    block: z.array(z.string()),
    conv: z.boolean().optional(),
  }),
  inspection: ModelInspectionSchema.nullable(),
  /** The last measured trade against the original, when one was measured. */
  trade: TradeTableSchema.nullable(),
});

/** A precision variant of a model; its report is the converter's of that kind. */
export const ModelVariantSchema = z.discriminatedUnion('kind', [
  ModelVariantBase.extend({ kind: z.literal('fp16'), report: Fp16ReportSchema }),
  ModelVariantBase.extend({ kind: z.literal('int8'), report: Int8ReportSchema }),
]);
export type ModelVariant = z.infer<typeof ModelVariantSchema>;

// ---------------------------------------------------------------------------------------------
// Run
// ---------------------------------------------------------------------------------------------

export const FillSchema = z.enum(['random', 'zeros', 'ones']);

/**
 * Where each model input comes from (engine/model/input-sources.ts): per input a file (.npy,
 * .pb, .png, .wav, .txt of token ids — a path on this machine, as models:add takes), a picture
 * the page decoded, a list of values, or a fill; shapes by position, named dims, the fill and seed for the rest, or an ONNX
 * test-data folder. The same plan feeds a run, a benchmark and a compile's warm-up run.
 */
export const InputPlanSchema = z
  .object({
    sources: z
      .record(
        z.string(),
        z.discriminatedUnion('kind', [
          z
            .object({
              kind: z.literal('file'),
              path: z.string().min(1),
              /** For a picture file: how its pixels are scaled ([0, 1] unless told). */
              pixels: PixelScalingSchema.optional(),
            })
            .strict(),
          z.object({ kind: z.literal('values'), values: z.array(z.string()).min(1) }).strict(),
          /**
           * A picture the page decoded (any format it reads), as RGBA: resized and scaled on the
           * main side exactly as a picture file is (engine/model/input-sources.ts).
           */
          z
            .object({
              kind: z.literal('picture'),
              /** The file it came from, for messages and the record of what was fed. */
              fileName: z.string().min(1).max(400),
              width: z.number().int().positive().max(8192),
              height: z.number().int().positive().max(8192),
              /** width × height × 4 bytes, base64. */
              rgbaBase64: z.string(),
              pixels: PixelScalingSchema.optional(),
            })
            .strict(),
          z.object({ kind: z.literal('fill'), fill: FillSchema }).strict(),
        ]),
      )
      .default({}),
    shapes: z.record(z.string(), z.array(z.number().int().min(0).nullable())).default({}),
    dims: z.record(z.string(), z.number().int().positive()).default({}),
    fill: FillSchema.default('random'),
    seed: z.number().int().default(1),
    testData: z.string().nullable().default(null),
  })
  .strict();

/** What was fed to one input (engine/model/input-sources.ts FedInput), for the result record. */
export const FedInputSchema = z.object({
  name: z.string(),
  dtype: DTypeSchema,
  dims: z.array(z.number()),
  /** Where it came from, for people: "file a.npy", "values 16000", "random in [0, 10), seed 7". */
  source: z.string(),
  /** Conversions and adjustments made (resampled, padded, converted from float64 …). */
  notes: z.array(z.string()),
});
export type FedInput = z.infer<typeof FedInputSchema>;

/** How one non-fixed dim of an input got its size, and why (a default says where it came from). */
export const DimChoiceSchema = z.object({
  input: z.string(),
  index: z.number().int(),
  /** The dim as the model writes it (null: unnamed). */
  dim: DimSchema,
  value: z.number(),
  why: z.string(),
  /** Nothing the user gave set it: a default. */
  byDefault: z.literal(true).optional(),
});
export type DimChoice = z.infer<typeof DimChoiceSchema>;

/**
 * What a run, benchmark or compile warm-up was fed: per input, the dims chosen with why, and the
 * `crucible run|bench|compile` arguments that feed exactly these tensors again.
 */
export const InputsFedSchema = z.object({
  fed: z.array(FedInputSchema),
  dimChoices: z.array(DimChoiceSchema),
  replay: z.array(z.string()),
});
export type InputsFed = z.infer<typeof InputsFedSchema>;

export const RunRequestSchema = z.object({
  modelId: z.string().min(1),
  /** A provider, or 'auto': ONNX Runtime picks by its EP selection policy (the result says which). */
  provider: z.union([ProviderIdSchema, z.literal('auto')]),
  /** The policy for 'auto'. */
  policy: z.enum(EP_POLICIES).default('prefer-gpu'),
  /** Values for symbolic dims, by name. */
  dims: z.record(z.string(), z.number().int().positive()).default({}),
  fill: FillSchema.default('random'),
  seed: z.number().int().default(1),
  /** Values, shapes and files per input (engine/model/input-sources.ts); fill and seed above win. */
  inputs: InputPlanSchema.optional(),
});
export type RunRequest = z.input<typeof RunRequestSchema>;

export const TensorSummarySchema = z.object({
  name: z.string(),
  dtype: DTypeSchema,
  shape: z.array(z.number()),
  stats: z
    .object({
      min: z.number(),
      max: z.number(),
      mean: z.number(),
      std: z.number(),
      nan: z.number(),
    })
    .nullable(),
  /** The first values (numbers, strings for string tensors, bigints as strings). */
  first: z.array(z.union([z.number(), z.string(), z.boolean()])),
  /**
   * For a 1-D (or [1, N]) score vector: the k largest, with their indices, and their class labels
   * when the model has labels that fit (ipc/labels.ts).
   */
  topk: z
    .array(z.object({ index: z.number(), value: z.number(), label: z.string().optional() }))
    .nullable(),
});
export type TensorSummary = z.infer<typeof TensorSummarySchema>;

/** The most .npy bytes `run:outputs` hands over in one answer (all outputs together). */
export const MAX_SAVED_OUTPUT_BYTES = 64 << 20;

/** Why outputs of `bytes` in all are not handed over by `run:outputs`. */
export function savedOutputsTooLarge(bytes: number): string {
  return `the outputs are ${(bytes / 2 ** 20).toFixed(1)} MiB, more than the ${MAX_SAVED_OUTPUT_BYTES / 2 ** 20} MiB the app hands over at once: use \`crucible run --out DIR\``;
}

export const RunResultSchema = z.object({
  modelId: z.string(),
  provider: ProviderIdSchema,
  /** What ran: the original model or a compile-cache entry (its id). */
  variant: SessionVariantSchema,
  entryId: z.string().nullable(),
  /** For provider 'auto': the policy asked for and the EP ONNX Runtime picked (its name). */
  auto: z
    .object({ policy: z.enum(EP_POLICIES), ep: z.string() })
    .nullable()
    .optional(),
  /** The named dims the session was opened with (typed, sized by the inputs, else 1). */
  dims: z.record(z.string(), z.number()).optional(),
  sessionMs: z.number(),
  runMs: z.number(),
  outputs: z.array(TensorSummarySchema),
  /** What was fed (absent from hosts older than this record). */
  inputs: InputsFedSchema.optional(),
  /**
   * A compiled session on another provider that measured faster than this run (services/
   * provider-offer.ts): offered to the user, never used without their choice.
   */
  offer: z
    .object({
      provider: ProviderIdSchema,
      entryId: z.string(),
      /** This run's time over the compiled model's measured first run (a single run each). */
      speedup: z.number(),
      /** For people: "Compiled for WebGPU: its first run took 4.2 ms, 3.1× faster than this run". */
      message: z.string(),
    })
    .nullable()
    .optional(),
});
export type RunResult = z.infer<typeof RunResultSchema>;

// ---------------------------------------------------------------------------------------------
// Compile queue and benchmarks
// ---------------------------------------------------------------------------------------------

/** Compile phases, in order (a job moves forward through them; not every provider has each). */
export const COMPILE_PHASES = [
  'queued',
  'hashing',
  'loading',
  'partitioning',
  'building',
  'serializing',
  'warmup',
  'done',
] as const;

export const CompileJobSchema = z.object({
  id: z.string(),
  modelId: z.string(),
  /** The model's name when the job was queued: a removed model's jobs still say what they were. */
  modelName: z.string().optional(),
  provider: ProviderIdSchema,
  state: z.enum(['queued', 'running', 'done', 'failed', 'cancelled']),
  phase: z.enum(COMPILE_PHASES),
  /** "building subgraph i of n", when the provider reports it. */
  subgraph: z.object({ index: z.number(), count: z.number() }).nullable(),
  /** A percentage only where it is real (e.g. subgraphs done of a known count); else null. */
  percent: z.number().min(0).max(100).nullable(),
  startedAt: z.number().nullable(),
  elapsedMs: z.number(),
  /** Learned from earlier compiles of similar size on this machine; null until there are some. */
  estimateMs: z.number().nullable(),
  /** The cache entry it wrote (when done). */
  cacheEntryId: z.string().nullable(),
  error: AppErrorSchema.nullable(),
  /** What the warm-up run is fed, when the job was queued with an input plan. */
  inputs: InputsFedSchema.optional(),
});
export type CompileJob = z.infer<typeof CompileJobSchema>;

/** What the user chose for a compile; provider options are built from it (never free-form). */
export const CompileOptionsSchema = z
  .object({
    /** Values for symbolic dims: the optimal shape of TensorRT-RTX profiles. */
    dims: z.record(z.string(), z.number().int().positive()).default({}),
    /** Min/max per symbolic dim for TensorRT-RTX profiles (default: min = max = the dim). */
    dimRanges: z
      .record(
        z.string(),
        z.object({ min: z.number().int().positive(), max: z.number().int().positive() }).strict(),
      )
      .default({}),
    cudaGraph: z.boolean().default(false),
  })
  .strict();
export type CompileOptions = z.output<typeof CompileOptionsSchema>;

/** One compile-cache entry and whether it still fits this machine. */
export const CacheEntrySchema = z.object({
  id: z.string(),
  provider: ProviderIdSchema,
  modelId: z.string(),
  modelName: z.string(),
  gpu: z.string(),
  driver: z.string(),
  ortVersion: z.string(),
  epVersion: z.string().nullable(),
  optionsHash: z.string(),
  sizeBytes: z.number(),
  createdAt: z.number(),
  compileMs: z.number().nullable(),
  state: z.enum(['valid', 'stale', 'corrupt']),
  /** Why stale or corrupt ("driver updated from 580.1 to 581.0", "model.onnx hash mismatch"). */
  reason: z.string().nullable(),
  /** Nodes the provider took vs left to the CPU, when known. */
  nodes: z.object({ provider: z.number(), cpu: z.number() }).nullable(),
});
export type CacheEntry = z.infer<typeof CacheEntrySchema>;

/** Per model and provider: the status chip. */
export const ModelProviderStatusSchema = z.object({
  modelId: z.string(),
  provider: ProviderIdSchema,
  state: z.enum(['not-compiled', 'queued', 'compiling', 'ready', 'stale', 'failed']),
  reason: z.string().nullable(),
});
export type ModelProviderStatus = z.infer<typeof ModelProviderStatusSchema>;

/** A running model moved to a faster session between two runs. */
export const SwitchOverSchema = z.object({
  modelId: z.string(),
  from: ProviderIdSchema,
  to: ProviderIdSchema,
  beforeMs: z.number(),
  afterMs: z.number(),
  /** For people: "was 26 ms on CPU, now 3.3 ms on WebGPU". */
  message: z.string(),
  at: z.number(),
});
export type SwitchOver = z.infer<typeof SwitchOverSchema>;

const SettingsFields = {
  /**
   * The folder holding NVIDIA's TensorRT-RTX EP plugin library, chosen by the user: an absolute
   * path of at most 1024 characters without control characters (it travels to the engine host in
   * its environment; settings-service.ts also checks it is an existing folder).
   */
  trtRtxDir: z
    .string()
    .min(1)
    .max(1024)
    // eslint-disable-next-line no-control-regex -- control characters are what this refuses
    .refine((p) => !/[\u0000-\u001f]/.test(p), 'a folder path has no control characters')
    .nullable(),
  /**
   * Whether a model the user adds is compiled in the background for the best provider here
   * (services/auto-compile.ts).
   */
  autoCompile: z.boolean(),
  /** The first-run TensorRT for RTX panel was dismissed (src-renderer/app/trt-rtx-panel.tsx). */
  trtRtxPanelDismissed: z.boolean().optional(),
  /** A compile job's overall deadline, minutes: past it the compile process is stopped. */
  compileDeadlineMinutes: z
    .number()
    .int()
    .min(1)
    .max(24 * 60),
  /** ONNX Runtime's own telemetry (off unless the user opts in: docs/SECURITY.md). */
  ortTelemetry: z.boolean(),
  /**
   * The provider the user chose for a model (by model id) when the Run area offered a faster
   * compiled one: the Run area starts that model on it; Settings lists and forgets them.
   */
  preferredProviders: z.record(z.string().min(1).max(200), ProviderIdSchema).optional(),
  /**
   * The GPU every GPU provider uses, on machines with more than one (one of engine status's
   * `gpus`); null: automatic (the NVIDIA discrete GPU first). It reaches the engine processes as
   * CRUCIBLE_GPU (engine/providers/gpu-choice.ts); changing it restarts the engine host.
   */
  gpu: z
    .object({
      name: z.string().max(200),
      pciBusId: z.string().max(64).nullable(),
      luid: z.string().max(64).nullable(),
    })
    .refine((g) => g.pciBusId !== null || g.luid !== null, 'a GPU needs a PCI bus id or a LUID')
    .nullable()
    .optional(),
};

export const SettingsSchema = z.object({
  ...SettingsFields,
  // A settings file from before a setting existed takes its default.
  autoCompile: SettingsFields.autoCompile.default(true),
  compileDeadlineMinutes: SettingsFields.compileDeadlineMinutes.default(30),
  ortTelemetry: SettingsFields.ortTelemetry.default(false),
});
export type Settings = z.infer<typeof SettingsSchema>;

/**
 * A change to some settings. Without defaults: zod fills a missing key that has a default even
 * in a partial object, and a change of one setting must leave the others as they are.
 */
export const SettingsPatchSchema = z.object(SettingsFields).partial().strict();

export const BENCH_MODES = ['plain', 'iobinding', 'graph'] as const;

export const BenchRequestSchema = z
  .object({
    modelId: z.string().min(1),
    provider: ProviderIdSchema,
    mode: z.enum(BENCH_MODES).default('plain'),
    /** Either a count or a duration; a count wins when both are given. */
    iterations: z.number().int().positive().max(1_000_000).optional(),
    durationS: z.number().positive().max(3600).optional(),
    warmup: z.number().int().min(0).max(10_000).default(10),
    dims: z.record(z.string(), z.number().int().positive()).default({}),
    /** The percentile the reader relies on: the verdict checks there are enough iterations for it. */
    percentile: z.enum(['p50', 'p90', 'p99']).default('p90'),
    /** Also profile a few runs per operator (ORT profiling) after the timed phase. */
    profile: z.boolean().default(false),
    /** The original model, or its compile-cache entry for the provider and dims (NOT_FOUND if none). */
    variant: SessionVariantSchema.default('original'),
    /** What to feed; synthesized by dtype and name when absent. */
    inputs: InputPlanSchema.optional(),
  })
  .strict();
export type BenchRequest = z.input<typeof BenchRequestSchema>;

export const LatencyStatsSchema = z.object({
  min: z.number(),
  mean: z.number(),
  p50: z.number(),
  p90: z.number(),
  p99: z.number(),
  max: z.number(),
  std: z.number(),
});

/** valid; noisy (spread, too few iterations, other load, clock moving); throttled (NVML reasons). */
export const BENCH_VERDICTS = ['valid', 'noisy', 'throttled'] as const;

export const BenchVerdictSchema = z.object({
  state: z.enum(BENCH_VERDICTS),
  /** Why, in words a person can act on; empty when valid. */
  reasons: z.array(z.string()),
  /** The percentile the verdict checked the iteration count for. */
  percentile: z.enum(['p50', 'p90', 'p99']),
});
export type BenchVerdict = z.infer<typeof BenchVerdictSchema>;

const GpuPointSchema = z.object({
  temperatureC: z.number().nullable(),
  powerDrawW: z.number().nullable(),
  smMHz: z.number().nullable(),
});

export const BenchConditionsSchema = z.object({
  gpu: z
    .object({
      index: z.number().int(),
      name: z.string(),
      before: GpuPointSchema.nullable(),
      after: GpuPointSchema.nullable(),
      /** SM clock over the samples taken while measuring. */
      smMHz: z.object({ min: z.number(), max: z.number() }).nullable(),
      /** Every clock-event reason seen while measuring (NVML / nvidia-smi names). */
      throttleReasons: z.array(z.string()),
      samples: z.number().int(),
    })
    .nullable(),
  host: z
    .object({
      cores: z.number().int(),
      loadAvgStart: z.number().nullable(),
      loadAvgEnd: z.number().nullable(),
      /** Cores other processes kept busy on average while measuring; null where unknown. */
      otherCores: z.number().nullable(),
      /** Cores the engine host itself used on average while measuring. */
      ownCores: z.number().nullable(),
    })
    .nullable(),
});
export type BenchConditions = z.infer<typeof BenchConditionsSchema>;

export const BenchEnergySchema = z.object({
  /** False for CPU-provider runs or without a GPU reading: no GPU energy is credited. */
  attributed: z.boolean(),
  method: z.enum(['nvml-energy-counter', 'power-samples']).nullable(),
  gpuIndex: z.number().int().nullable(),
  /** Board power just before the run (idle baseline), while measuring, and the difference. */
  idleW: z.number().nullable(),
  activeW: z.number().nullable(),
  netW: z.number().nullable(),
  joulesPerInference: z.number().nullable(),
  note: z.string(),
});
export type BenchEnergy = z.infer<typeof BenchEnergySchema>;

export const BenchProfileSchema = z.object({
  /** Profiled runs; the mean of their wall time measured around each call, and of ORT's own (ms). */
  runs: z.number().int(),
  runMs: z.number(),
  ortRunMs: z.number(),
  /** Mean time per run the operators account for (ms). */
  opsMs: z.number(),
  /** Top operators by time (mean per run), with their provider. */
  ops: z.array(
    z.object({
      name: z.string(),
      opType: z.string(),
      provider: z.string(),
      ms: z.number(),
    }),
  ),
  byProvider: z.array(z.object({ provider: z.string(), ms: z.number() })),
  byOpType: z.array(z.object({ opType: z.string(), ms: z.number() })),
});
export type BenchProfile = z.infer<typeof BenchProfileSchema>;

export const BenchResultSchema = z.object({
  id: z.string(),
  modelId: z.string(),
  modelName: z.string(),
  provider: ProviderIdSchema,
  mode: z.enum(BENCH_MODES),
  /** The session benchmarked: original or compiled (its entry); absent in older history. */
  variant: SessionVariantSchema.optional(),
  entryId: z.string().nullable().optional(),
  at: z.number(),
  /** ok; failed (error set, figures gathered so far kept); unsupported (the provider cannot do the mode). */
  status: z.enum(['ok', 'failed', 'unsupported']),
  error: AppErrorSchema.nullable(),
  iterations: z.number().int(),
  batch: z.number().int(),
  latencyMs: LatencyStatsSchema.nullable(),
  /** Inferences per second, and items per second (× batch). */
  throughput: z.number().nullable(),
  itemsPerS: z.number().nullable(),
  sessionCreateMs: z.object({
    cold: z.number().nullable(),
    warm: z.number().nullable(),
    /** Writing ORT's optimized model (timed apart from the cold creation); absent in older history. */
    writeOptimized: z.number().nullable().optional(),
  }),
  firstInferenceMs: z.number().nullable(),
  power: z
    .object({ avgW: z.number(), peakW: z.number(), inferencesPerJoule: z.number() })
    .nullable(),
  tflops: z
    .object({
      achieved: z.number(),
      peak: z.number().nullable(),
      /** Which peak (GPU, precision) and its source (engine/bench/peaks.ts); or why none. */
      peakWhat: z.string().optional(),
      peakSource: z.string().optional(),
    })
    .nullable(),
  /** Latencies of (up to 2,000 evenly picked) iterations, for the distribution chart. */
  samplesMs: z.array(z.number()),
  /** Whether the figures can be trusted, and why not (engine/bench/verdict.ts); absent in older history. */
  verdict: BenchVerdictSchema.optional(),
  /** What the machine was doing around the run (GPU clocks/throttle/temperature, host load). */
  conditions: BenchConditionsSchema.optional(),
  /** Energy per inference, GPU providers only (engine/bench/energy.ts). */
  energy: BenchEnergySchema.optional(),
  /** Where the time goes: operators by time and provider (ORT profiling), when asked for. */
  profile: BenchProfileSchema.nullable().optional(),
  /** GPU providers in iobinding mode: host→device copy, compute on device-resident data, device→host copy (medians, ms). */
  split: z
    .object({
      h2dMs: z.number(),
      computeMs: z.number(),
      d2hMs: z.number(),
      h2dBytes: z.number(),
      d2hBytes: z.number(),
      runs: z.number().int(),
      notes: z.array(z.string()),
    })
    .nullable()
    .optional(),
  /** What the benchmark was fed (services/inputs-check.ts); absent in older history and the CLI's. */
  inputs: InputsFedSchema.optional(),
});
export type BenchResult = z.infer<typeof BenchResultSchema>;

const CompareSideSchema = z.object({
  label: z.string(),
  p50Ms: z.number(),
  samples: z.number().int(),
  verdict: BenchVerdictSchema.nullable(),
});

/** Result B against result A (engine/bench/compare.ts): medians, difference, bootstrap interval. */
export const BenchComparisonSchema = z.object({
  a: CompareSideSchema,
  b: CompareSideSchema,
  /** B's median − A's median (ms): negative means B is faster. */
  diffMs: z.number(),
  /** The difference relative to A's median. */
  diffRel: z.number(),
  /** 95% bootstrap interval of diffMs; null with too few samples. */
  ci95Ms: z.tuple([z.number(), z.number()]).nullable(),
  /** True when the interval contains zero. */
  withinNoise: z.boolean(),
  resamples: z.number().int(),
  notes: z.array(z.string()),
});
export type BenchComparison = z.infer<typeof BenchComparisonSchema>;

/** An RGBA picture crossing IPC (the image model's input and output). */
export const ImageSchema = z.object({
  width: z.number().int().positive().max(8192),
  height: z.number().int().positive().max(8192),
  /** width × height × 4 bytes, base64. */
  rgbaBase64: z.string(),
});
export type ImageData64 = z.infer<typeof ImageSchema>;

/**
 * Something the user should be told that no call asked about: a damaged store kept aside and
 * rebuilt, the engine failing to start. `warning` when something was lost or is not working.
 */
export const NoticeSchema = z.object({
  /** Unique within one run of the app (the renderer dismisses by id). */
  id: z.string(),
  level: z.enum(['info', 'warning']),
  message: z.string(),
  /** When it happened, epoch ms. */
  at: z.number(),
});
export type Notice = z.infer<typeof NoticeSchema>;

// ---------------------------------------------------------------------------------------------
// The channels
// ---------------------------------------------------------------------------------------------

const Empty = z.object({}).strict();
const ModelRef = z.object({ id: z.string().min(1) }).strict();

/** Invoke channels: `domain:verb` → input and output schemas. */
export const invokeChannels = {
  /** Who and where the app is: version, mode, data folders. */
  'app:info': { input: Empty, output: AppInfoSchema },
  /** The notices since the app started, oldest first; later ones arrive as app:notice. */
  'app:notices': { input: Empty, output: z.array(NoticeSchema) },
  /** The engine host's state and the providers it found. */
  'engine:status': { input: Empty, output: EngineStatusSchema },
  /** One GPU reading now (NVML, nvidia-smi, or the no-GPU state with its reason). */
  'gpu:snapshot': { input: Empty, output: GpuSnapshotSchema },
  /** Start or stop live sampling (the GPU area is open or closed); samples arrive as gpu:sample. */
  'gpu:watch': {
    input: z.object({ on: z.boolean(), hz: z.number().min(1).max(4).default(2) }).strict(),
    output: z.object({ on: z.boolean(), hz: z.number() }),
  },
  /** The model library. */
  'models:list': { input: Empty, output: z.array(ModelEntrySchema) },
  /** Adds a model by its path on this machine (Electron drops, the file picker, the CLI). */
  'models:add': {
    input: z.object({ path: z.string().min(1) }).strict(),
    output: ModelEntrySchema,
  },
  /** Removes a model from the library (never deletes the user's file). */
  'models:remove': { input: ModelRef, output: z.object({ removed: z.boolean() }) },
  /** Renames a model in the library (kept across restarts; the file is not renamed). */
  'models:rename': {
    input: z.object({ id: z.string().min(1), name: z.string().min(1).max(200) }).strict(),
    output: ModelEntrySchema,
  },
  /**
   * Makes a precision variant of a model (float16: weights and compute, IO kept float32 by
   * default; int8: dynamic int8 MatMul / Gemm / Conv, IO float32, `keepIoTypes` ignored, `block`
   * names those ops to leave float32) into the library beside it; progress arrives as
   * precision:progress.
   */
  'precision:convert': {
    input: z
      .object({
        modelId: z.string().min(1),
        to: PrecisionVariantKindSchema,
        keepIoTypes: z.boolean().default(true),
        block: z.array(z.string().min(1)).default([]),
      })
      .strict(),
    output: ModelEntrySchema,
  },
  /**
   * Measures a variant against its original on each provider (same seeded inputs: error; the
   * benchmark: latency and energy) and keeps the table on the variant.
   */
  'precision:compare': {
    input: z
      .object({
        modelId: z.string().min(1),
        kind: PrecisionVariantKindSchema.default('fp16'),
        providers: z.array(ProviderIdSchema).min(1),
        sets: z.number().int().min(1).max(64).default(8),
        iterations: z.number().int().min(1).max(10_000).default(50),
        dims: z.record(z.string(), z.number().int().positive()).default({}),
      })
      .strict(),
    output: TradeTableSchema,
  },
  /** Runs a model once with synthesized inputs. */
  'run:execute': { input: RunRequestSchema, output: RunResultSchema },
  /**
   * What an input plan feeds a model, without running it: per input the source, dtype and dims,
   * each dim's choice with why, and the replay arguments. A bad file answers INPUT_INVALID naming
   * it (services/inputs-check.ts), so a form can show it beside its input before a run.
   */
  'inputs:check': {
    input: z
      .object({
        modelId: z.string().min(1),
        inputs: InputPlanSchema,
        /** The Run area's rule for named dims the plan leaves open: from the inputs, else 1. */
        asRun: z.boolean().optional(),
      })
      .strict(),
    output: InputsFedSchema,
  },
  /**
   * The outputs of the model's last `run:execute`, each as the bytes of a .npy file (base64), for
   * the Run area's "Save outputs (.npy)". At most MAX_SAVED_OUTPUT_BYTES in all (UNSUPPORTED past
   * that: `crucible run --out` writes any size).
   */
  'run:outputs': {
    input: z.object({ modelId: z.string().min(1) }).strict(),
    output: z.array(
      z.object({
        name: z.string(),
        dtype: DTypeSchema,
        shape: z.array(z.number()),
        npyBase64: z.string(),
      }),
    ),
  },
  /** The compile queue, newest first. */
  'compile:list': { input: Empty, output: z.array(CompileJobSchema) },
  /** Queues a compile of a model for a provider. */
  'compile:enqueue': {
    input: z
      .object({
        modelId: z.string().min(1),
        provider: ProviderIdSchema,
        options: CompileOptionsSchema.default({ dims: {}, dimRanges: {}, cudaGraph: false }),
        /** What the warm-up run is fed; synthesized by dtype and name when absent. */
        inputs: InputPlanSchema.optional(),
      })
      .strict(),
    output: CompileJobSchema,
  },
  /** Cancels a queued or running compile (its partial output is removed). */
  'compile:cancel': {
    input: z.object({ jobId: z.string().min(1) }).strict(),
    output: z.object({ cancelled: z.boolean() }),
  },
  /** Status chips: per model and provider. */
  'compile:status': { input: Empty, output: z.array(ModelProviderStatusSchema) },
  /** The compile cache, each entry checked against this machine. */
  'cache:list': { input: Empty, output: z.array(CacheEntrySchema) },
  /** Removes one cache entry, or all of them. */
  'cache:clear': {
    input: z.object({ entryId: z.string().min(1).optional() }).strict(),
    output: z.object({ removed: z.number().int(), freedBytes: z.number() }),
  },
  /** Settings. */
  'settings:get': { input: Empty, output: SettingsSchema },
  'settings:set': { input: SettingsPatchSchema, output: SettingsSchema },
  /** Installs the TensorRT-RTX EP from a local archive (NVIDIA's wheel is a zip). */
  'providers:install-trt-rtx': {
    input: z.object({ archivePath: z.string().min(1) }).strict(),
    output: z.object({ dir: z.string(), registered: z.boolean(), reason: z.string().nullable() }),
  },
  /** Runs the image model on a picture and returns the picture it makes. */
  'run:image': {
    input: z
      .object({
        modelId: z.string().min(1),
        /** A provider, or 'auto' (ONNX Runtime's EP selection policy, prefer GPU, picks). */
        provider: z.union([ProviderIdSchema, z.literal('auto')]),
        image: ImageSchema,
      })
      .strict(),
    output: z.object({
      image: ImageSchema,
      runMs: z.number(),
      provider: ProviderIdSchema,
      /** What ran: the original model or its compile-cache entry. */
      variant: SessionVariantSchema,
      entryId: z.string().nullable(),
    }),
  },
  /** Runs a benchmark; progress arrives as bench:progress. */
  'bench:run': { input: BenchRequestSchema, output: BenchResultSchema },
  /** Cancels the benchmark under way (its bench:run answers CANCELLED; nothing is recorded). */
  'bench:cancel': { input: Empty, output: z.object({ cancelled: z.boolean() }) },
  /** Benchmark history, newest first. */
  'bench:history': {
    input: z.object({ modelId: z.string().optional() }).strict(),
    output: z.array(BenchResultSchema),
  },
  /** Benchmark history as a file to save. */
  /** Two results of the history compared: B − A with a bootstrap interval, or "within noise". */
  'bench:compare': {
    input: z.object({ a: z.string().min(1), b: z.string().min(1) }).strict(),
    output: BenchComparisonSchema,
  },
  'bench:export': {
    input: z.object({ format: z.enum(['csv', 'json']), modelId: z.string().optional() }).strict(),
    output: z.object({ fileName: z.string(), mime: z.string(), content: z.string() }),
  },
} as const;

/** Push channels: `domain:event` → payload schema. */
export const eventChannels = {
  /** A new notice for the user (also kept for app:notices). */
  'app:notice': NoticeSchema,
  /** A live GPU reading while sampling is on. */
  'gpu:sample': GpuSnapshotSchema,
  /** The engine host started, restarted or failed. */
  'engine:changed': EngineStatusSchema,
  /** The model library changed. */
  'models:changed': z.array(ModelEntrySchema),
  /** A precision variant is being made or measured. */
  'precision:progress': z.object({
    modelId: z.string(),
    phase: z.enum(['converting', 'inspecting', 'measuring', 'done', 'failed']),
    message: z.string(),
  }),
  /** A compile job moved. */
  'compile:progress': CompileJobSchema,
  /** Status chips changed. */
  'compile:status-changed': z.array(ModelProviderStatusSchema),
  /** The compile cache changed (an entry added, cleared, or found stale or corrupt). */
  'cache:changed': z.array(CacheEntrySchema),
  /** A running model moved to its compiled session. */
  'run:switched': SwitchOverSchema,
  /** A benchmark is under way. */
  'bench:progress': z.object({
    modelId: z.string(),
    provider: ProviderIdSchema,
    mode: z.enum(BENCH_MODES),
    phase: z.enum(['session', 'warmup', 'measure', 'done']),
    done: z.number().int(),
    total: z.number().int().nullable(),
  }),
} as const;

export type InvokeChannel = keyof typeof invokeChannels;
export type EventChannel = keyof typeof eventChannels;
export type InvokeInput<C extends InvokeChannel> = z.input<(typeof invokeChannels)[C]['input']>;
export type InvokeParsedInput<C extends InvokeChannel> = z.output<
  (typeof invokeChannels)[C]['input']
>;
export type InvokeOutput<C extends InvokeChannel> = z.output<(typeof invokeChannels)[C]['output']>;
export type EventPayload<E extends EventChannel> = z.output<(typeof eventChannels)[E]>;

/** True when a string names an invoke channel. */
export function isInvokeChannel(name: string): name is InvokeChannel {
  return Object.prototype.hasOwnProperty.call(invokeChannels, name);
}

/**
 * What the renderer sees, whichever transport carries it: one async function per invoke channel
 * (resolving to a Result) and `on()` returning an unsubscribe.
 */
export interface CrucibleApi {
  invoke<C extends InvokeChannel>(
    channel: C,
    input: InvokeInput<C>,
  ): Promise<Result<InvokeOutput<C>>>;
  on<E extends EventChannel>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
}
