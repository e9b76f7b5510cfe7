/**
 * Precision variants in the app (`precision:convert`, `precision:compare`): a float16 or dynamic
 * int8 variant of a library model is written by the engine host (protobuf work off the main event loop) into
 * `<library>/variants/<model id>/`, never over the user's file, and recorded on the model's entry;
 * its trade against the original is measured through the session owner (same seeded inputs) and
 * the benchmark service (latency, energy), and kept on the variant.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type {
  BenchResult,
  EngineStatus,
  InvokeOutput,
  InvokeParsedInput,
  ModelEntry,
  ModelInspection,
  ModelVariant,
  ProviderId,
} from '../ipc/contract';
import type { OpArgsIn, OpResults } from '../engine/host/protocol';
import type { RequestOptions } from '../engine/host/engine-client';
import type { HostTensor } from '../engine/tensor';
import { AppError } from '../shared/errors';
import type { EventBus } from './events';
import { sha256File } from '../engine/cache/hash';
import { displayName, requireModel, type ModelLibrary } from './model-library';
import { measureTrade, type TradeBench, type TradeDeps, type TradeModel } from './precision-trade';
import { runBenchmark, type BenchEngine } from './bench-service';
import type { DomainHandlers, GpuSource } from './services';
import type { SessionOwner } from './sessions';

/** The engine host as this service uses it (EngineClient implements it). */
export interface PrecisionEngine {
  request(
    op: 'model.convert-fp16',
    args: OpArgsIn<'model.convert-fp16'>,
    options?: RequestOptions,
  ): Promise<OpResults['model.convert-fp16']>;
  request(
    op: 'model.convert-int8',
    args: OpArgsIn<'model.convert-int8'>,
    options?: RequestOptions,
  ): Promise<OpResults['model.convert-int8']>;
  request(
    op: 'model.inspect',
    args: OpArgsIn<'model.inspect'>,
    options?: RequestOptions,
  ): Promise<OpResults['model.inspect']>;
  request(
    op: 'session.run',
    args: OpArgsIn<'session.run'>,
    options?: RequestOptions,
  ): Promise<OpResults['session.run']>;
  status(): EngineStatus;
}

export interface PrecisionServiceDeps {
  library: Pick<
    ModelLibrary,
    'get' | 'variantOf' | 'variantsDir' | 'addVariant' | 'setVariantTrade'
  >;
  engine: PrecisionEngine;
  owner: Pick<SessionOwner, 'acquire'>;
  /** The benchmark service's run (the same path as bench:run, history included). */
  bench: (request: {
    modelId: string;
    provider: ProviderId;
    iterations: number;
    warmup: number;
    dims: Record<string, number>;
    percentile: 'p50';
  }) => Promise<BenchResult>;
  bus: Pick<EventBus, 'emit'>;
}

/** Conversion of a large model can take minutes; inspection of its result too. */
const CONVERT_TIMEOUT_MS = 30 * 60_000;

/** Makes and measures precision variants. */
export class PrecisionService {
  constructor(private readonly deps: PrecisionServiceDeps) {}

  /** The handlers this service answers. */
  handlers(): Pick<DomainHandlers, 'precision:convert' | 'precision:compare'> {
    return {
      'precision:convert': (input) => this.convert(input),
      'precision:compare': (input) => this.compare(input),
    };
  }

  private progress(
    modelId: string,
    phase: 'converting' | 'inspecting' | 'measuring' | 'done' | 'failed',
    message: string,
  ) {
    this.deps.bus.emit('precision:progress', { modelId, phase, message });
  }

  /** Writes a float16 or int8 variant of a library model and records it on the model's entry. */
  async convert(input: InvokeParsedInput<'precision:convert'>): Promise<ModelEntry> {
    const { library, engine } = this.deps;
    if (library.variantOf(input.modelId)) {
      throw new AppError('BAD_REQUEST', 'that model is already a variant: convert its original');
    }
    const model = requireModel(library.get(input.modelId), input.modelId);
    if (model.inspection === null) {
      throw new AppError(
        'MODEL_INVALID',
        `${model.name} could not be read, so it cannot be converted`,
      );
    }
    try {
      const dir = library.variantsDir(model.id);
      await mkdir(dir, { recursive: true });
      // A new name each time: an older variant's file (maybe open in a session) is never replaced.
      const dest = path.join(
        dir,
        `${displayName(model.path)}.${input.to}.${Date.now().toString(36)}.onnx`,
      );
      const words = input.to === 'fp16' ? 'float16' : 'dynamic int8';
      this.progress(model.id, 'converting', `Converting ${model.name} to ${words}…`);
      const common = { source: model.path, dest, sourceId: model.id, block: input.block };
      const made =
        input.to === 'fp16'
          ? {
              kind: 'fp16' as const,
              report: (
                await engine.request(
                  'model.convert-fp16',
                  { ...common, keepIoTypes: input.keepIoTypes },
                  { timeoutMs: CONVERT_TIMEOUT_MS },
                )
              ).report,
            }
          : {
              kind: 'int8' as const,
              report: (
                await engine.request('model.convert-int8', common, {
                  timeoutMs: CONVERT_TIMEOUT_MS,
                })
              ).report,
            };
      this.progress(model.id, 'inspecting', `Reading the ${words} variant back…`);
      const inspection = await engine.request(
        'model.inspect',
        { path: dest },
        { timeoutMs: CONVERT_TIMEOUT_MS },
      );
      const variant: ModelVariant = {
        ...made,
        id: await sha256File(dest),
        path: dest,
        createdAt: Date.now(),
        // An int8 variant's inputs and outputs are float32 whatever was asked.
        options: { keepIoTypes: input.to === 'int8' || input.keepIoTypes, block: input.block },
        inspection,
        trade: null,
      };
      const entry = await library.addVariant(model.id, variant);
      this.progress(model.id, 'done', `${model.name} · ${input.to} is ready`);
      return entry;
    } catch (err) {
      this.progress(model.id, 'failed', err instanceof Error ? err.message : String(err));
      throw err;
    }
  }

  /** Measures a model's variant against it on each provider; keeps the table on the variant. */
  async compare(
    input: InvokeParsedInput<'precision:compare'>,
  ): Promise<InvokeOutput<'precision:compare'>> {
    const { library } = this.deps;
    const parent = requireModel(
      library.variantOf(input.modelId)?.parent ?? library.get(input.modelId),
      input.modelId,
    );
    const variant = parent.variants?.find((v) => v.kind === input.kind);
    if (!variant) {
      throw new AppError(
        'NOT_FOUND',
        `${parent.name} has no ${input.kind} variant yet: make one first`,
      );
    }
    const original = tradeModel(parent);
    const made = tradeModel(library.get(variant.id) as ModelEntry);
    this.progress(parent.id, 'measuring', `Measuring ${input.kind} against the original…`);
    try {
      const table = await measureTrade(original, made, input.kind, this.tradeDeps(), {
        providers: input.providers,
        sets: input.sets,
        iterations: input.iterations,
        dims: input.dims,
        onProgress: (m) => this.progress(parent.id, 'measuring', m),
      });
      await library.setVariantTrade(variant.id, table);
      this.progress(parent.id, 'done', 'Trade measured');
      return table;
    } catch (err) {
      this.progress(parent.id, 'failed', err instanceof Error ? err.message : String(err));
      throw err;
    }
  }

  private tradeDeps(): TradeDeps {
    const { engine, owner, bench } = this.deps;
    return {
      unavailable: (provider) => providerProblem(engine.status(), provider),
      outputs: (model, provider, dims, inputs) =>
        runForTensors(engine, owner, model, provider, dims, inputs),
      bench: async (model, provider, dims, iterations) =>
        benchFigures(
          await bench({
            modelId: model.id,
            provider,
            iterations,
            warmup: 5,
            dims,
            percentile: 'p50',
          }),
        ),
    };
  }
}

/** A library entry as the trade uses it (MODEL_INVALID when it could not be read). */
export function tradeModel(entry: ModelEntry): TradeModel {
  if (entry.inspection === null) {
    throw new AppError('MODEL_INVALID', `${entry.name} could not be read`);
  }
  return {
    id: entry.id,
    path: entry.path,
    name: entry.name,
    inspection: entry.inspection as ModelInspection,
  };
}

/** Why a provider cannot run here (from the engine's hello), or null. */
export function providerProblem(status: EngineStatus, provider: ProviderId): string | null {
  const p = status.providers.find((x) => x.id === provider);
  if (!p) return `${provider} is not known to this engine`;
  return p.available ? null : (p.reason ?? `${provider} is not available here`);
}

/** One run through the session owner's original (uncompiled) session, outputs in full. */
export async function runForTensors(
  engine: Pick<PrecisionEngine, 'request'>,
  owner: Pick<SessionOwner, 'acquire'>,
  model: TradeModel,
  provider: ProviderId,
  dims: Record<string, number>,
  inputs: Record<string, HostTensor>,
): Promise<Record<string, HostTensor>> {
  const got = await owner.acquire(model, { provider, dims, variant: 'original' });
  try {
    const out = await engine.request('session.run', {
      sessionId: got.session.id,
      inputs,
      want: 'tensors',
    });
    return out.tensors ?? {};
  } finally {
    got.done();
  }
}

/** The figures of a benchmark result the trade table keeps. */
export function benchFigures(r: BenchResult): TradeBench {
  return {
    p50Ms: r.latencyMs?.p50 ?? null,
    p90Ms: r.latencyMs?.p90 ?? null,
    joulesPerInference: r.energy?.joulesPerInference ?? null,
    problem: r.status === 'ok' ? null : (r.error?.message ?? r.status),
    untrusted:
      r.verdict && r.verdict.state !== 'valid'
        ? `the benchmark was ${r.verdict.state} (${r.verdict.reasons.join('; ')})`
        : null,
    throttled: r.verdict?.state === 'throttled',
  };
}

/**
 * A benchmark of a model's original (uncompiled) session from the session owner, through the
 * benchmark runner (what the CLI uses; the app goes through the benchmark service, which also
 * keeps the result in the history).
 */
export async function benchViaOwner(
  engine: BenchEngine,
  owner: Pick<SessionOwner, 'acquire'>,
  gpu: GpuSource | null,
  model: TradeModel,
  provider: ProviderId,
  dims: Record<string, number>,
  iterations: number,
): Promise<BenchResult> {
  const got = await owner.acquire(model, { provider, dims, variant: 'original' });
  try {
    return await runBenchmark(
      engine,
      gpu,
      {
        modelId: model.id,
        modelName: model.name,
        flops: model.inspection.flops.total,
        session: got.session,
        created: got.created,
        originalCreateMs: null,
      },
      // The trade compares medians, so the benchmark's verdict checks the count for p50.
      { modelId: model.id, provider, iterations, warmup: 5, dims, percentile: 'p50' },
    );
  } finally {
    got.done();
  }
}
