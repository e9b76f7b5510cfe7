/**
 * The engine host protocol.
 *
 * The engine host is one long-lived process (an Electron utilityProcess in the app, a Node child
 * process in browser mode and the CLI) that holds every ONNX Runtime session. The main process
 * supervises it: a native abort in ORT or a provider library kills the host, never the UI.
 *
 * 1. The host speaks first: `hello` with the protocol version, the ORT version and library path,
 *    and the providers it found — or `hello-failed` with the reason (ORT could not be loaded) and
 *    then exits.
 * 2. The main side sends `request`s, each with a unique `id`, an `op` with its `args`, and a
 *    timeout. The host answers each with exactly one `response` carrying the same id: a value, or
 *    an error as plain `{ code, message, detail }` data.
 * 3. `cancel` asks the host to stop request `id` early (ORT's run-level terminate); the request
 *    still ends with a response (usually CANCELLED).
 * 4. The host sends `progress` messages naming a request id (a benchmark's phase) while it works
 *    on it. ORT's log lines do not travel here: the host's env writes them to its stderr, so that
 *    no ORT thread ever calls into JS and every run may be synchronous (engine/ort/env.ts); the
 *    main side parses them from that stream (ort-log-lines.ts, EngineClient.onLog).
 * 5. When the host dies, the main side fails every request in flight with ENGINE_CRASHED and
 *    starts a new host with backoff; sessions are re-created on demand.
 *
 * Tensors travel as HostTensor objects over structured clone (Node's 'advanced' serialization or
 * Electron's postMessage): typed arrays are copied once by the channel, never through JSON.
 * Args are validated in the host with the schemas below; unknown keys are rejected by name.
 */
import type { Fp16VariantResult } from '../model/fp16-file';
import type { Int8VariantResult } from '../model/int8-file';
import { z } from 'zod';
import {
  EP_POLICIES,
  BENCH_MODES,
  DTYPES,
  FillSchema,
  InputPlanSchema,
  OrtGpuSchema,
  ProviderIdSchema,
  ProviderStatusSchema,
  type InputsFed,
  type ModelInspection,
  type OrtGpu,
  type ProviderStatus,
  type TensorSummary,
  type ValueInfo,
} from '../../ipc/contract';
import type { AppErrorData } from '../../shared/errors';
import type { BenchFigures, BenchPhase } from '../bench/runner';
import type { LoopFigures } from '../bench/loop';
import { LOOP_MODES } from '../bench/loop-modes';
import type { EntryCompatibility } from '../providers/compatibility';
import type { HostTensor } from '../tensor';

export const PROTOCOL_VERSION = 1;

/**
 * A tensor argument's outline (dtype, dims of sizes, data of the array kind), checked before the
 * session sees it: a malformed one is BAD_REQUEST naming the input, never a TypeError deep in the
 * run. Element counts against the model are checked later by the session (INPUT_INVALID).
 */
const HostTensorArg = z.custom<HostTensor>(
  (v) => {
    if (typeof v !== 'object' || v === null) return false;
    const t = v as { dtype?: unknown; dims?: unknown; data?: unknown };
    return (
      typeof t.dtype === 'string' &&
      (DTYPES as readonly string[]).includes(t.dtype) &&
      Array.isArray(t.dims) &&
      t.dims.every((d) => Number.isSafeInteger(d) && (d as number) >= 0) &&
      // String tensors hold strings only: a null among them reaches ORT as a NULL char* and
      // kills the host (found by tools/security); other dtypes hold typed arrays.
      (t.dtype === 'string'
        ? Array.isArray(t.data) && t.data.every((x) => typeof x === 'string')
        : ArrayBuffer.isView(t.data))
    );
  },
  { message: 'not a tensor: it needs a known dtype, dims of sizes >= 0, and a data array' },
);

/** Schemas of every op's args; the host parses with them before acting. */
export const OpArgs = {
  /** Reads an ONNX file's inspection (protobuf parsing stays off the main event loop). */
  'model.inspect': z.object({ path: z.string().min(1) }).strict(),
  /** Checks every external-data file is there, inside the model's folder and long enough. */
  'model.check-external': z.object({ path: z.string().min(1) }).strict(),
  /**
   * Writes a float16 variant of a model (engine/model/fp16-file.ts) to `dest`, which must not
   * exist: protobuf work stays off the main event loop, like inspection.
   */
  'model.convert-fp16': z
    .object({
      source: z.string().min(1),
      dest: z.string().min(1),
      sourceId: z.string(),
      keepIoTypes: z.boolean(),
      block: z.array(z.string()),
    })
    .strict(),
  /**
   * Writes a dynamic int8 variant of a model (engine/model/int8-file.ts) to `dest`, which must
   * not exist; `block` names MatMul / Gemm / Conv to leave float32.
   */
  'model.convert-int8': z
    .object({
      source: z.string().min(1),
      dest: z.string().min(1),
      sourceId: z.string(),
      block: z.array(z.string()),
    })
    .strict(),
  /**
   * Opens a session (engine/session/open-session.ts) and keeps it under `sessionId`. On the main
   * side only the session owner (services/sessions.ts) sends this.
   */
  'session.create': z
    .object({
      sessionId: z.string().min(1),
      modelPath: z.string().min(1),
      /** A provider, or 'auto': ORT's EP selection policy picks (the answer says which). */
      provider: z.union([ProviderIdSchema, z.literal('auto')]),
      /** The policy for 'auto'. */
      policy: z.enum(EP_POLICIES).optional(),
      /** CUDA graphs / WebGPU graph capture (benchmarks' graph mode). */
      graphCapture: z.boolean().optional(),
      /** Values for symbolic dims (free dimension overrides). */
      dims: z.record(z.string(), z.number().int().positive()).default({}),
      /** Provider options, strings only (ORT's rule). */
      providerOptions: z.record(z.string(), z.string()).default({}),
      /** Path of an optimized model to write (ORT's offline optimisation), if any. */
      optimizedModelPath: z.string().optional(),
      /** Graph optimisation level; 'disabled' loads a compile-cache optimised model as it is. */
      graphOptimizationLevel: z.enum(['disabled', 'basic', 'extended', 'all']).optional(),
    })
    .strict(),
  /** Runs a session with given inputs, or inputs synthesized in the host. */
  'session.run': z
    .object({
      sessionId: z.string().min(1),
      inputs: z.record(z.string(), HostTensorArg).optional(),
      synth: z
        .object({
          fill: FillSchema,
          seed: z.number().int(),
          dims: z.record(z.string(), z.number().int().positive()),
        })
        .strict()
        .optional(),
      /** Or what to feed, as a plan (engine/model/input-sources.ts); `synth` wins where both say. */
      plan: InputPlanSchema.optional(),
      /** 'summary' returns TensorSummary per output; 'tensors' returns full HostTensors. */
      want: z.enum(['summary', 'tensors']).default('summary'),
      /**
       * Keep this run's outputs in the host (one set per session, replaced by the next kept run) so
       * `session.outputs` can hand them over later: the Run area's "Save outputs" without every
       * run paying to send full tensors.
       */
      keep: z.boolean().optional(),
    })
    .strict(),
  /** The outputs of the session's last run made with `keep` (NOT_FOUND when there is none). */
  'session.outputs': z.object({ sessionId: z.string().min(1) }).strict(),
  /** Releases a session (idempotent). */
  'session.release': z.object({ sessionId: z.string().min(1) }).strict(),
  /** Sessions the host holds now. */
  'session.list': z.object({}).strict(),
  /**
   * Benchmarks a session the host holds (engine/bench/runner.ts): the timing loop never crosses
   * the process boundary. Progress arrives as `progress` messages with the request's id.
   */
  'session.bench': z
    .object({
      sessionId: z.string().min(1),
      mode: z.enum(BENCH_MODES).default('plain'),
      warmup: z.number().int().min(0).max(10_000).default(10),
      iterations: z.number().int().positive().max(10_000_000).optional(),
      durationS: z.number().positive().max(3600).optional(),
      warmCreate: z.boolean().default(true),
      /** Keep the prepared bindings under this id for later runs; `session.release` frees them. */
      keepAs: z.string().min(1).optional(),
      maxSamples: z.number().int().min(0).max(100_000).default(2000),
      /** What to feed (engine/model/input-sources.ts); synthesized by dtype and name when absent. */
      inputs: InputPlanSchema.optional(),
      /** After the timed phase, profile a few runs per operator (ORT profiling). */
      profile: z.boolean().default(false),
    })
    .strict(),
  /**
   * Asks the provider whether a compiled cache entry's model fits this machine's devices (ORT's
   * GetModelCompatibilityForEpDevices, engine/providers/compatibility.ts).
   */
  'cache.compatibility': z
    .object({
      provider: ProviderIdSchema,
      modelPath: z.string().min(1),
      kind: z.enum(['ep-context', 'optimized']),
    })
    .strict(),
  /**
   * The loop benchmark (engine/bench/loop.ts): a model run `steps` times with outputs fed back as
   * inputs, host round-trips vs device-resident vs graph replay.
   */
  'session.loop': z
    .object({
      modelPath: z.string().min(1),
      provider: ProviderIdSchema,
      dims: z.record(z.string(), z.number().int().positive()).default({}),
      steps: z.number().int().positive().max(1_000_000).default(100),
      warmup: z.number().int().min(0).max(10_000).default(5),
      feed: z.record(z.string(), z.string()).optional(),
      modes: z
        .array(z.enum(LOOP_MODES))
        .min(1)
        .default([...LOOP_MODES]),
    })
    .strict(),
  /** Test-only: makes the host abort, as a native crash would. */
  'host.crash': z.object({ how: z.enum(['abort', 'exit']) }).strict(),
} as const;

export type Op = keyof typeof OpArgs;
export type OpArgsIn<O extends Op> = z.input<(typeof OpArgs)[O]>;
export type OpArgsOut<O extends Op> = z.output<(typeof OpArgs)[O]>;

/** What each op answers. */
export interface OpResults {
  'model.inspect': ModelInspection;
  'model.check-external': { files: number };
  'model.convert-fp16': Fp16VariantResult;
  'model.convert-int8': Int8VariantResult;
  'cache.compatibility': EntryCompatibility;
  'session.create': {
    sessionId: string;
    inputs: ValueInfo[];
    outputs: ValueInfo[];
    createMs: number;
    /** The EP ORT placed the inputs on (what 'auto' picked), by ORT's name. */
    provider: string;
    /** Whether runs go synchronously (small CPU models) and why. */
    runPath: { sync: boolean; reason: string };
  };
  'session.run': {
    runMs: number;
    summaries?: TensorSummary[];
    tensors?: Record<string, HostTensor>;
    /** What was fed, when the host made the inputs (from `synth` / `plan`, not given tensors). */
    fed?: InputsFed;
  };
  'session.outputs': { tensors: Record<string, HostTensor> };
  'session.release': { released: boolean };
  'session.list': { sessionIds: string[] };
  'session.bench': BenchFigures;
  'session.loop': LoopFigures;
  'host.crash': never;
}

/** main → host */
export type ToHost =
  { type: 'request'; id: number; op: Op; args: unknown } | { type: 'cancel'; id: number };

/**
 * One ORT logger line. The host's env logs to its stderr (no ORT thread may call into JS there:
 * engine/ort/env.ts); the main side parses these from that stream (ort-log-lines.ts).
 */
export interface LogLine {
  severity: number;
  category: string;
  logid: string;
  message: string;
}

/** host → main */
export type FromHost =
  | {
      type: 'hello';
      protocol: number;
      ortVersion: string;
      libraryPath: string;
      providers: ProviderStatus[];
      /** The GPUs ORT sees (Settings → GPU chooses among them). */
      gpus?: OrtGpu[];
      pid: number;
    }
  | { type: 'hello-failed'; error: AppErrorData }
  | { type: 'response'; id: number; ok: true; value: unknown }
  | { type: 'response'; id: number; ok: false; error: AppErrorData }
  /** Progress of request `id` (a benchmark's phase and iterations done). */
  | { type: 'progress'; id: number; progress: BenchProgress };

/** Progress of a `session.bench` request. */
export interface BenchProgress {
  phase: BenchPhase;
  done: number;
  total: number | null;
}

/** Runtime check of the hello message (the first thing the main side trusts). */
export const HelloSchema = z.object({
  type: z.literal('hello'),
  protocol: z.number(),
  ortVersion: z.string(),
  libraryPath: z.string(),
  providers: z.array(ProviderStatusSchema),
  gpus: z.array(OrtGpuSchema).optional(),
  pid: z.number(),
});
