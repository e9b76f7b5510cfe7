/**
 * Benchmarks on the main side: benchmarks a session from the session owner (services/sessions.ts:
 * original or compiled, on the provider asked for) in the engine host (the timing loop lives there,
 * engine/bench/runner.ts), refuses a mode the provider cannot do before opening anything, samples GPU power during the measure phase when an NVIDIA GPU is
 * present, derives achieved TFLOP/s from the model's FLOP estimate, keeps the history in
 * `<userData>/stores/bench-history.json`, and exports it as CSV or JSON.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { z } from 'zod';
import {
  BenchRequestSchema,
  BenchResultSchema,
  type BenchComparison,
  type BenchResult,
  type InputsFed,
  type EventPayload,
  type ModelEntry,
} from '../ipc/contract';
import { BenchWatch } from '../engine/bench/bench-watch';
import { compareResults } from '../engine/bench/compare';
import { peakFor } from '../engine/bench/peaks';
import type { BenchFigures } from '../engine/bench/runner';
import type { OpArgsIn, OpResults } from '../engine/host/protocol';
import type { RequestOptions } from '../engine/host/engine-client';
import { AppError, toErrorData } from '../shared/errors';
import { checkInputs } from './inputs-check';
import { requireModel } from './model-library';
import { JsonStore } from '../store/json-store';
import type { Handlers } from './dispatch';
import type { EventBus } from './events';
import type { GpuSource, LibrarySource } from './services';
import type { OwnedSession, SessionOwner } from './sessions';
import { graphCaptureProblem } from '../engine/session/capabilities';

/** The engine host as benchmarks use it (EngineClient implements it). */
export interface BenchEngine {
  request(
    op: 'session.bench',
    args: OpArgsIn<'session.bench'>,
    options?: RequestOptions,
  ): Promise<OpResults['session.bench']>;
}

/** What is benchmarked: a session the owner opened, and what the history calls its model. */
export interface BenchTarget {
  modelId: string;
  modelName: string;
  /** FLOPs of one inference at the dims used, when known (model inspection). */
  flops: number | null;
  /** The model's compute precision for the peak: float16 models → 'fp16' (default 'fp32'). */
  precision?: 'fp32' | 'fp16';
  session: Pick<OwnedSession, 'id' | 'variant' | 'entryId' | 'createMs'>;
  /** True when the owner created the session for this benchmark (else it was already open). */
  created: boolean;
  /** The original model's session creation on this provider and dims, when one was measured. */
  originalCreateMs: number | null;
}

/** The history keeps at most this many results (newest first); older ones drop off. */
export const HISTORY_LIMIT = 1000;

/**
 * Achieved TFLOP/s: the FLOP estimate of one inference × inferences per second; against the peak
 * of the GPU the run used, from the sourced table (engine/bench/peaks.ts), at the model's compute
 * precision (float16 → FP16 tensor, else FP32). No peak for CPU-provider runs or unknown GPUs.
 */
export function tflopsFigures(
  flops: number | null,
  throughput: number | null,
  gpu: { name: string; precision: 'fp32' | 'fp16' } | null = null,
): BenchResult['tflops'] {
  if (flops === null || throughput === null || !(flops > 0)) return null;
  const achieved = (flops * throughput) / 1e12;
  if (!gpu) return { achieved, peak: null, peakWhat: 'no GPU peak: not a GPU-provider run' };
  const p = peakFor(gpu.name, gpu.precision);
  return p
    ? { achieved, peak: p.peak, peakWhat: p.what, peakSource: p.source }
    : { achieved, peak: null, peakWhat: `no sourced peak for ${gpu.name} (engine/bench/peaks.ts)` };
}

/** Runs one benchmark through the engine host; power is sampled while `gpu` is given. */
export async function runBenchmark(
  engine: BenchEngine,
  gpu: GpuSource | null,
  target: BenchTarget,
  input: z.input<typeof BenchRequestSchema>,
  onProgress: (p: EventPayload<'bench:progress'>) => void = () => undefined,
  signal?: AbortSignal,
): Promise<BenchResult & { notes: string[] }> {
  const req = BenchRequestSchema.parse(input);
  const iterations = req.iterations ?? (req.durationS === undefined ? 100 : undefined);
  const hasGpu = gpu ? (await gpu.snapshot()).source !== 'none' : false;
  // GPU-provider runs only: idle baseline now, readings around the measure phase, then the power,
  // energy, conditions and verdict (engine/bench/bench-watch.ts).
  const watch = new BenchWatch(hasGpu ? gpu : null, req.provider);
  await watch.before();
  const stopSampling = () => watch.stop();
  // Generous: a count has no known duration; a cancel or a crash still ends the request early.
  const timeoutMs = ((req.durationS ?? 3600) + 600) * 1000;
  let figures: BenchFigures;
  try {
    figures = await engine.request(
      'session.bench',
      {
        sessionId: target.session.id,
        mode: req.mode,
        warmup: req.warmup,
        iterations,
        durationS: req.durationS,
        // The original's warm creation is timed from an optimized model it saves; a compiled
        // session's creation is the warm one (from the cache entry).
        warmCreate: target.session.variant === 'original',
        profile: req.profile,
        inputs: req.inputs,
      },
      {
        timeoutMs,
        signal,
        onProgress: (p) => {
          watch.progress(p.phase);
          onProgress({
            modelId: target.modelId,
            provider: req.provider,
            mode: req.mode,
            ...p,
          });
        },
      },
    );
  } catch (err) {
    // The engine host crashed or timed out: nothing was gathered, but the attempt is recorded.
    stopSampling();
    return {
      ...emptyResult(target, req),
      status: 'failed',
      error: toErrorData(err),
      notes: [],
    };
  }
  stopSampling();
  const { notes: watchNotes, ...watched } = await watch.finish(figures, req.percentile);
  const compiled = target.session.variant === 'compiled';
  const notes = [...figures.notes, ...watchNotes];
  if (!target.created) {
    notes.push(
      `the session was already open (the session owner's, for runs too): its creation took ${target.session.createMs.toFixed(1)} ms when it was opened, and its first inference here was not its first`,
    );
  }
  if (compiled) {
    notes.push(
      `compiled: cache entry ${target.session.entryId ?? '?'}; warm creation is this session's (from the entry), cold the original model's on the same provider${target.originalCreateMs === null ? ' (not opened in this process yet)' : ''}`,
    );
  }
  return {
    id: randomUUID(),
    modelId: target.modelId,
    modelName: target.modelName,
    provider: req.provider,
    mode: req.mode,
    variant: target.session.variant,
    entryId: target.session.entryId,
    at: Date.now(),
    status: figures.status,
    error: figures.error,
    iterations: figures.iterations,
    batch: figures.batch,
    latencyMs: figures.latencyMs,
    throughput: figures.throughput,
    itemsPerS: figures.itemsPerS,
    sessionCreateMs: compiled
      ? { cold: target.originalCreateMs, warm: target.session.createMs }
      : figures.sessionCreateMs,
    firstInferenceMs: figures.firstInferenceMs,
    ...watched,
    // A mode the provider cannot do never ran: nothing to judge.
    verdict: figures.status === 'unsupported' ? undefined : watched.verdict,
    tflops: tflopsFigures(
      Object.keys(req.dims).length === 0 ? target.flops : null,
      figures.throughput,
      watched.conditions.gpu
        ? { name: watched.conditions.gpu.name, precision: target.precision ?? 'fp32' }
        : null,
    ),
    samplesMs: figures.samplesMs,
    profile: figures.profile ?? null,
    split: figures.split ?? null,
    notes,
  };
}

function emptyResult(
  target: Pick<BenchTarget, 'modelId' | 'modelName'>,
  req: z.output<typeof BenchRequestSchema>,
): BenchResult {
  return {
    id: randomUUID(),
    modelId: target.modelId,
    modelName: target.modelName,
    provider: req.provider,
    mode: req.mode,
    variant: req.variant,
    at: Date.now(),
    status: 'failed',
    error: null,
    iterations: 0,
    batch: 1,
    latencyMs: null,
    throughput: null,
    itemsPerS: null,
    sessionCreateMs: { cold: null, warm: null },
    firstInferenceMs: null,
    power: null,
    tflops: null,
    samplesMs: [],
  };
}

/** The columns of the CSV export, in order. */
export const CSV_COLUMNS = [
  'id',
  'at',
  'model',
  'modelId',
  'provider',
  'mode',
  'status',
  'error',
  'iterations',
  'batch',
  'minMs',
  'meanMs',
  'p50Ms',
  'p90Ms',
  'p99Ms',
  'maxMs',
  'stdMs',
  'inferencesPerS',
  'itemsPerS',
  'coldCreateMs',
  'warmCreateMs',
  'firstInferenceMs',
  'avgW',
  'peakW',
  'inferencesPerJoule',
  'achievedTflops',
  'peakTflops',
  'verdict',
  'verdictReasons',
  'writeOptimizedMs',
  'energyMethod',
  'idleW',
  'netW',
  'joulesPerInference',
  'energyNote',
  'gpuTempBeforeC',
  'gpuTempAfterC',
  'smMinMHz',
  'smMaxMHz',
  'throttleReasons',
  'otherCores',
  'h2dMs',
  'computeMs',
  'd2hMs',
] as const;

function csvCell(v: string | number | null | undefined): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'number' ? String(v) : v;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Results as CSV (RFC 4180 quoting, one row per result, times as ISO 8601). */
export function benchCsv(results: readonly BenchResult[]): string {
  const rows = results.map((r) =>
    [
      r.id,
      new Date(r.at).toISOString(),
      r.modelName,
      r.modelId,
      r.provider,
      r.mode,
      r.status,
      r.error ? `${r.error.code}: ${r.error.message}` : null,
      r.iterations,
      r.batch,
      r.latencyMs?.min,
      r.latencyMs?.mean,
      r.latencyMs?.p50,
      r.latencyMs?.p90,
      r.latencyMs?.p99,
      r.latencyMs?.max,
      r.latencyMs?.std,
      r.throughput,
      r.itemsPerS,
      r.sessionCreateMs.cold,
      r.sessionCreateMs.warm,
      r.firstInferenceMs,
      r.power?.avgW,
      r.power?.peakW,
      r.power?.inferencesPerJoule,
      r.tflops?.achieved,
      r.tflops?.peak,
      r.verdict?.state,
      r.verdict?.reasons.join('; '),
      r.sessionCreateMs.writeOptimized,
      r.energy?.method,
      r.energy?.idleW,
      r.energy?.netW,
      r.energy?.joulesPerInference,
      r.energy?.note,
      r.conditions?.gpu?.before?.temperatureC,
      r.conditions?.gpu?.after?.temperatureC,
      r.conditions?.gpu?.smMHz?.min,
      r.conditions?.gpu?.smMHz?.max,
      r.conditions?.gpu?.throttleReasons.join(' '),
      r.conditions?.host?.otherCores,
      r.split?.h2dMs,
      r.split?.computeMs,
      r.split?.d2hMs,
    ]
      .map(csvCell)
      .join(','),
  );
  return [CSV_COLUMNS.join(','), ...rows].join('\r\n') + '\r\n';
}

const HistorySchema = z.object({
  version: z.literal(1),
  results: z.array(BenchResultSchema),
});

/** Where the history lives and what feeds the service. */
export interface BenchServiceDeps {
  storesDir: string;
  engine: BenchEngine;
  gpu: GpuSource;
  library: Pick<LibrarySource, 'get'>;
  /** Where sessions come from (availability is checked there, before any work). */
  owner: Pick<SessionOwner, 'acquire' | 'originalCreateMs' | 'compiledFor'>;
  bus: EventBus;
}

/** The benchmark history and the three bench channels. */
export class BenchService {
  private results: BenchResult[] = [];
  private readonly store: JsonStore<typeof HistorySchema>;
  /** Saves run one after another, so two finishing benchmarks cannot lose each other's result. */
  private saving: Promise<void> = Promise.resolve();
  /** Benchmarks under way, each cancellable (bench:cancel). */
  private readonly running = new Set<AbortController>();

  constructor(private readonly deps: BenchServiceDeps) {
    this.store = new JsonStore(
      path.join(deps.storesDir, 'bench-history.json'),
      HistorySchema,
      () => ({
        version: 1 as const,
        results: [],
      }),
    );
  }

  /** Loads the history; returns a notice when the file was damaged (it is kept aside). */
  async open(): Promise<string | null> {
    const loaded = await this.store.load();
    this.results = loaded.value.results;
    return loaded.state === 'corrupt'
      ? `Benchmark history was damaged (${loaded.problem}); kept as ${loaded.movedTo}, starting empty.`
      : null;
  }

  /** History, newest first, optionally of one model. */
  history(modelId?: string): BenchResult[] {
    return modelId ? this.results.filter((r) => r.modelId === modelId) : [...this.results];
  }

  /** Runs a benchmark of a library model and records the result (failed ones too). */
  async run(input: z.input<typeof BenchRequestSchema>): Promise<BenchResult> {
    const req = BenchRequestSchema.parse(input);
    const model: ModelEntry = requireModel(this.deps.library.get(req.modelId), req.modelId);
    // What it will be fed, resolved first: a bad file is answered at once (nothing recorded), and
    // the result keeps the record (the engine host resolves the same plan the same way).
    const fed = await checkInputs(model, req.inputs, req.dims);
    const { notes: _notes, ...result } = await this.runAndRecord(model, req, fed);
    return result;
  }

  /**
   * Benchmarks a model (the app's library entry, or the CLI's model file by its sha256, the same
   * id) and records the result in the history; the notes come back too, for the CLI to print.
   */
  async runAndRecord(
    model: Pick<ModelEntry, 'id' | 'name' | 'path' | 'inspection'>,
    input: z.input<typeof BenchRequestSchema>,
    fed?: InputsFed,
  ): Promise<BenchResult & { notes: string[] }> {
    const ran = await this.runWithNotes(model, input);
    const withNotes = fed ? { ...ran, inputs: fed } : ran;
    const { notes: _notes, ...result } = withNotes;
    // A run the user cancelled is no result to keep.
    if (result.error?.code !== 'CANCELLED') await this.record(result);
    return withNotes;
  }

  /**
   * Benchmarks a model's session from the owner and records the result; the notes (what a reader
   * needs to trust the figures) come back too, for the CLI.
   */
  private async runWithNotes(
    model: Pick<ModelEntry, 'id' | 'name' | 'path' | 'inspection'>,
    input: z.input<typeof BenchRequestSchema>,
  ): Promise<BenchResult & { notes: string[] }> {
    const req = BenchRequestSchema.parse(input);
    const who = { modelId: model.id, modelName: model.name };
    // A mode the provider cannot do is refused before any session is opened.
    const unsupported = req.mode === 'graph' ? graphCaptureProblem(req.provider) : null;
    if (unsupported) {
      return {
        ...emptyResult(who, req),
        status: 'unsupported',
        error: { code: 'UNSUPPORTED', message: `${req.mode} mode: ${unsupported}` },
        notes: [],
      };
    }
    // A compiled row shows both creations: warm (from the entry, its own session's) and cold (the
    // original model on the same provider), opened through the owner first when it was not yet —
    // cold before warm, as the compile steps measure them.
    if (
      req.variant === 'compiled' &&
      this.deps.owner.compiledFor(model.id, req.provider, req.dims) !== null &&
      this.deps.owner.originalCreateMs(model.id, req.provider, req.dims) === null
    ) {
      const original = await this.deps.owner
        .acquire(model, { provider: req.provider, dims: req.dims, variant: 'original' })
        .catch(() => null);
      original?.done();
    }
    const got = await this.deps.owner.acquire(model, {
      provider: req.provider,
      dims: req.dims,
      variant: req.variant,
      graphCapture: req.mode === 'graph',
    });
    const abort = new AbortController();
    this.running.add(abort);
    try {
      return await runBenchmark(
        this.deps.engine,
        this.deps.gpu,
        {
          ...who,
          flops: model.inspection?.flops.total ?? null,
          precision: model.inspection?.precision?.headline.startsWith('float16') ? 'fp16' : 'fp32',
          session: got.session,
          created: got.created,
          originalCreateMs: this.deps.owner.originalCreateMs(model.id, req.provider, req.dims),
        },
        req,
        (p) => this.deps.bus.emit('bench:progress', p),
        abort.signal,
      );
    } finally {
      this.running.delete(abort);
      got.done();
    }
  }

  /** Cancels the benchmarks under way (the Benchmarks area's Cancel); whether there were any. */
  cancel(): boolean {
    const had = this.running.size > 0;
    for (const a of this.running) a.abort();
    return had;
  }

  private record(result: BenchResult): Promise<void> {
    const next = this.saving.then(async () => {
      this.results = [result, ...this.results].slice(0, HISTORY_LIMIT);
      await this.store.save({ version: 1, results: this.results });
    });
    this.saving = next.catch(() => undefined);
    return next;
  }

  /** Result B against result A of the history (engine/bench/compare.ts). */
  compare(aId: string, bId: string): BenchComparison {
    const find = (id: string) => {
      const r = this.results.find((x) => x.id === id);
      if (!r) throw new AppError('NOT_FOUND', `no benchmark result ${id} in the history`);
      return r;
    };
    return compareResults(find(aId), find(bId));
  }

  /** The history as a file to save. */
  export(
    format: 'csv' | 'json',
    modelId?: string,
  ): { fileName: string; mime: string; content: string } {
    const results = this.history(modelId);
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    if (format === 'csv') {
      return {
        fileName: `crucible-benchmarks-${stamp}.csv`,
        mime: 'text/csv',
        content: benchCsv(results),
      };
    }
    return {
      fileName: `crucible-benchmarks-${stamp}.json`,
      mime: 'application/json',
      content: JSON.stringify({ version: 1, results }, null, 2) + '\n',
    };
  }

  /** The contract handlers of the bench domain. */
  handlers(): Pick<
    Handlers,
    'bench:run' | 'bench:cancel' | 'bench:history' | 'bench:export' | 'bench:compare'
  > {
    return {
      'bench:run': async (input) => this.run(input),
      'bench:cancel': async () => ({ cancelled: this.cancel() }),
      'bench:history': async (input) => this.history(input.modelId),
      'bench:export': async (input) => this.export(input.format, input.modelId),
      'bench:compare': async (input) => this.compare(input.a, input.b),
    };
  }
}
