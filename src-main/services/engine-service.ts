/**
 * The main process's ownership of sessions: it decides which sessions exist in the engine host,
 * creates them on demand (one per model × provider × dims), routes runs to them, and forgets them
 * when the host restarts (they died with it).
 */
import type { z } from 'zod';
import type {
  EngineStatus,
  ModelEntry,
  ProviderId,
  RunRequestSchema,
  RunResult,
  SwitchOver,
} from '../ipc/contract';
import { AppError } from '../shared/errors';
import type { EngineClient } from '../engine/host/engine-client';
import { PROVIDER_LABELS } from '../ipc/providers';
import type { CompiledArtifact, CompiledSink } from './compile-service';
import type { EngineSource } from './services';

interface SessionRecord {
  sessionId: string;
  createMs: number;
  key: string;
}

/** Session bookkeeping over an {@link EngineClient}. */
export class EngineService implements EngineSource, CompiledSink {
  private readonly sessions = new Map<string, Promise<SessionRecord>>();
  private nextSession = 1;
  /** Compiled models by `model|provider` (the newest entry wins). */
  private readonly compiled = new Map<string, CompiledArtifact>();
  /** Compiles that just finished: the model's next run switches over. */
  private readonly pendingSwitch = new Map<string, CompiledArtifact>();
  /** After a switch to another provider, runs asked of the old one go to the new one. */
  private readonly redirects = new Map<string, ProviderId>();
  /** The session each model last ran on. */
  private readonly active = new Map<string, { provider: ProviderId; key: string }>();
  private readonly switchListeners = new Set<(s: SwitchOver) => void>();

  constructor(private readonly client: EngineClient) {
    // Sessions live in the host process: when it restarts they are gone.
    client.onChange((s) => {
      if (s.state !== 'ready') {
        this.sessions.clear();
        this.active.clear();
      }
    });
  }

  status(): EngineStatus {
    return this.client.status();
  }

  onChange(listener: (s: EngineStatus) => void): () => void {
    return this.client.onChange(listener);
  }

  /**
   * Runs a model once with synthesized inputs, creating its session if needed. A compiled model
   * (from the compile cache) is used when one fits the provider and dims; the first run after a
   * compile finishes switches the running model over (see {@link useCompiled}).
   */
  async run(request: z.output<typeof RunRequestSchema>, model: ModelEntry): Promise<RunResult> {
    const pending = this.pendingSwitch.get(model.id);
    if (pending && sameDims(pending.dims, request.dims)) {
      this.pendingSwitch.delete(model.id);
      const switched = await this.switchOver(request, model, pending);
      if (switched) return switched;
    }
    const provider = this.redirects.get(`${model.id}|${request.provider}`) ?? request.provider;
    this.checkProvider(provider);
    const { session, created } = await this.session(model, provider, request.dims);
    const out = await this.runOnce(session.sessionId, request);
    this.active.set(model.id, { provider, key: session.key });
    return {
      modelId: model.id,
      provider,
      sessionMs: created ? session.createMs : 0,
      runMs: out.runMs,
      outputs: out.summaries ?? [],
    };
  }

  /** A compiled model is ready; `announce`: the next run of the model switches to it and says so. */
  useCompiled(artifact: CompiledArtifact, announce: boolean): void {
    const key = `${artifact.modelId}|${artifact.provider}`;
    const prev = this.compiled.get(key);
    if (!prev || prev.createdAt <= artifact.createdAt) this.compiled.set(key, artifact);
    if (announce) this.pendingSwitch.set(artifact.modelId, artifact);
  }

  /** These cache entries are gone: their sessions are released and runs use the original. */
  forgetCompiled(entryIds: readonly string[]): void {
    const gone = new Set(entryIds);
    for (const [k, a] of this.compiled) if (gone.has(a.entryId)) this.compiled.delete(k);
    for (const [k, a] of this.pendingSwitch) if (gone.has(a.entryId)) this.pendingSwitch.delete(k);
    for (const [k, pending] of this.sessions) {
      if (!gone.has(k.split('|')[3] ?? '')) continue;
      this.sessions.delete(k);
      void pending
        .then((r) => this.client.request('session.release', { sessionId: r.sessionId }))
        .catch(() => undefined);
    }
  }

  /** Subscribes to switch-overs (compose forwards them as run:switched). */
  onSwitch(listener: (s: SwitchOver) => void): () => void {
    this.switchListeners.add(listener);
    return () => this.switchListeners.delete(listener);
  }

  /**
   * Moves a running model to its compiled session between two runs, measuring both: one more run
   * on the session it was using (before), then the compiled session's first run (warm-up, not
   * counted) and a second run (after), which is the result returned. Null when the model was not
   * running yet (nothing to switch from: the next run simply uses the compiled model).
   */
  private async switchOver(
    request: z.output<typeof RunRequestSchema>,
    model: ModelEntry,
    artifact: CompiledArtifact,
  ): Promise<RunResult | null> {
    const was = this.active.get(model.id);
    const old = was ? this.sessions.get(was.key) : undefined;
    if (!was || !old) return null;
    this.checkProvider(artifact.provider);
    const before = await this.runOnce((await old).sessionId, request);
    const { session } = await this.session(model, artifact.provider, request.dims);
    await this.runOnce(session.sessionId, request);
    const after = await this.runOnce(session.sessionId, request);
    if (was.key !== session.key) {
      this.sessions.delete(was.key);
      void this.client
        .request('session.release', { sessionId: (await old).sessionId })
        .catch(() => undefined);
    }
    this.active.set(model.id, { provider: artifact.provider, key: session.key });
    if (request.provider !== artifact.provider) {
      this.redirects.set(`${model.id}|${request.provider}`, artifact.provider);
    }
    const message = `was ${ms(before.runMs)} on ${PROVIDER_LABELS[was.provider]}, now ${ms(after.runMs)} on ${PROVIDER_LABELS[artifact.provider]}${was.provider === artifact.provider ? ' (compiled)' : ''}`;
    const event: SwitchOver = {
      modelId: model.id,
      from: was.provider,
      to: artifact.provider,
      beforeMs: before.runMs,
      afterMs: after.runMs,
      message,
      at: Date.now(),
    };
    for (const l of this.switchListeners) l(event);
    return {
      modelId: model.id,
      provider: artifact.provider,
      sessionMs: session.createMs,
      runMs: after.runMs,
      outputs: after.summaries ?? [],
    };
  }

  /** The session for a model on a provider and dims: the compiled one when one fits. */
  private async session(
    model: ModelEntry,
    provider: ProviderId,
    dims: Record<string, number>,
  ): Promise<{ session: SessionRecord; created: boolean }> {
    const artifact = this.compiled.get(`${model.id}|${provider}`);
    const use = artifact && sameDims(artifact.dims, dims) ? artifact : null;
    const key = `${model.id}|${provider}|${JSON.stringify(sortKeys(dims))}|${use?.entryId ?? ''}`;
    let created = false;
    let pending = this.sessions.get(key);
    if (!pending) {
      created = true;
      const sessionId = `s${this.nextSession++}`;
      pending = this.client
        .request('session.create', {
          sessionId,
          modelPath: use?.modelPath ?? model.path,
          provider,
          dims,
          ...(use
            ? {
                providerOptions: use.providerOptions,
                graphOptimizationLevel: use.graphOptimizationLevel,
              }
            : {}),
        })
        .then((r) => ({ sessionId, createMs: r.createMs, key }));
      this.sessions.set(key, pending);
      pending.catch(() => this.sessions.delete(key));
    }
    return { session: await pending, created };
  }

  private runOnce(sessionId: string, request: z.output<typeof RunRequestSchema>) {
    return this.client.request('session.run', {
      sessionId,
      synth: { fill: request.fill, seed: request.seed, dims: request.dims },
      want: 'summary',
    });
  }

  private checkProvider(id: ProviderId): void {
    const p = this.client.status().providers.find((x) => x.id === id);
    if (p && !p.available) {
      throw new AppError(
        'PROVIDER_UNAVAILABLE',
        `${p.ortName} is not available here: ${p.reason ?? 'unknown reason'}`,
      );
    }
  }
}

function sameDims(a: Record<string, number>, b: Record<string, number>): boolean {
  return JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));
}

/** "26 ms", "3.3 ms", "0.42 ms": enough digits to tell two small figures apart. */
function ms(v: number): string {
  return `${v >= 10 ? v.toFixed(0) : v >= 1 ? v.toFixed(1) : v.toFixed(2)} ms`;
}

function sortKeys(o: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));
}
