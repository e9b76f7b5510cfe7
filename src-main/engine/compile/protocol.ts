/**
 * The compile worker's protocol. One child process per job (crash-isolated: a native abort in ORT
 * or an EP library takes down the job, never the app; cancel = kill):
 *
 * 1. The main side forks the worker and sends one `start` with the job spec (or a `probe`).
 * 2. The worker loads ORT, says `ready` with ORT's version, then streams `phase` and `subgraphs`
 *    messages as the job moves (its own steps plus what ORT's logger says), and ends with exactly
 *    one `result` or `failed`, then exits.
 * 3. A worker that exits without either was killed or crashed; the main side says so.
 */
import { z } from 'zod';
import type { COMPILE_PHASES } from '../../ipc/contract';
import { CompileOptionsSchema, InputPlanSchema, ProviderIdSchema } from '../../ipc/contract';
import type { AppErrorData } from '../../shared/errors';

/** What one compile job is. */
export const CompileSpecSchema = z
  .object({
    jobId: z.string().min(1),
    modelPath: z.string().min(1),
    /** The model's sha256 as the library knows it; the worker checks the file still has it. */
    modelSha256: z.string().regex(/^[0-9a-f]{64}$/),
    provider: ProviderIdSchema,
    options: CompileOptionsSchema,
    /** Provider options with entry paths relative (see providers/options.ts). */
    providerOptions: z.record(z.string(), z.string()),
    /** The temp folder the worker writes everything into. */
    outDir: z.string().min(1),
    /** For a plugin EP: its registration name and library file. */
    epLibrary: z.object({ name: z.string(), path: z.string() }).nullable(),
    /**
     * How long the warm-up (opening the compiled model and one run) may take before the worker
     * gives up with ENGINE_TIMEOUT (default 120 s, a direct run's limit): a model with a
     * near-endless Loop must not hold the compile queue.
     */
    warmupTimeoutMs: z.number().int().positive().optional(),
    /** What the warm-up run feeds (engine/model/input-sources.ts); by dtype and name when absent. */
    inputs: InputPlanSchema.optional(),
  })
  .strict();
export type CompileSpec = z.infer<typeof CompileSpecSchema>;

/** What a finished job reports. */
export interface CompileResult {
  ortVersion: string;
  /** Content hash of the plugin EP library used, null for providers built into ORT. */
  epVersion: string | null;
  /** The file a session loads, relative to outDir. */
  artifact: string;
  kind: 'ep-context' | 'optimized';
  graphOptimizationLevel: 'disabled' | 'basic' | 'extended' | 'all';
  inputs: { name: string; bytes: number; sha256: string }[];
  modelBytes: number;
  timings: {
    hashMs: number;
    compileMs: number;
    coldSessionMs: number | null;
    warmSessionMs: number | null;
    warmupRunMs: number | null;
    totalMs: number;
  };
  nodes: { provider: number; cpu: number } | null;
}

/** main → worker */
export type ToWorker =
  | { type: 'start'; spec: CompileSpec }
  /** Registers a TensorRT-RTX library in a throwaway process and says whether ORT took it. */
  | { type: 'probe'; library: string; name: string };

export type CompilePhase = (typeof COMPILE_PHASES)[number];

/** worker → main */
export type FromWorker =
  | { type: 'ready'; ortVersion: string; pid: number }
  | { type: 'phase'; phase: CompilePhase }
  | { type: 'subgraphs'; count: number }
  | { type: 'subgraph-built'; index: number }
  | { type: 'result'; result: CompileResult }
  | { type: 'probe-result'; registered: boolean; reason: string | null; devices: number }
  | { type: 'failed'; error: AppErrorData };
