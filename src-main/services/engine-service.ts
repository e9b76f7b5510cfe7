/**
 * Runs on the main side: routes `run:execute` to a session from the session owner
 * (services/sessions.ts), and moves a running model to its compiled session after a compile
 * (the switch-over), warming the compiled session first so the user's next run does not pay for
 * its creation. The provider the user picked is always the provider that runs.
 */
import type { z } from 'zod';
import type {
  EngineStatus,
  EpPolicy,
  InvokeOutput,
  ModelEntry,
  RunRequestSchema,
  RunResult,
  SwitchOver,
} from '../ipc/contract';
import type { EngineClient } from '../engine/host/engine-client';
import { MAX_SAVED_OUTPUT_BYTES, PROVIDER_IDS, savedOutputsTooLarge } from '../ipc/contract';
import { encodeNpy } from '../engine/model/npy';
import { AppError } from '../shared/errors';
import { PROVIDER_LABELS } from '../ipc/providers';
import { offerFor } from './provider-offer';
import { runDims } from './inputs-check';
import type { CompiledArtifact, CompiledSink } from './compile-service';
import type { EngineSource } from './services';
import { providerThatRan, type OwnedSession, type SessionOwner } from './sessions';

/** A run as the contract parses it; the policy may be left out (prefer-gpu). */
type RunRequest = Omit<z.output<typeof RunRequestSchema>, 'policy'> & { policy?: EpPolicy };

/** Runs and the switch-over, over the session owner. */
export class EngineService implements EngineSource, CompiledSink {
  /** Compiles that just finished: the model's next run on that provider and dims switches over. */
  private readonly pendingSwitch = new Map<string, CompiledArtifact>();
  /** Compiled sessions being warmed for a pending switch-over. */
  private readonly warming = new Map<string, Promise<void>>();
  /** The session each model last ran on. */
  private readonly active = new Map<string, OwnedSession>();
  private readonly switchListeners = new Set<(s: SwitchOver) => void>();

  constructor(
    private readonly client: Pick<EngineClient, 'request' | 'status' | 'onChange'>,
    private readonly owner: SessionOwner,
    private readonly library: { get(id: string): ModelEntry | undefined } = {
      get: () => undefined,
    },
  ) {
    client.onChange((s) => {
      if (s.state !== 'ready') this.active.clear();
    });
  }

  status(): EngineStatus {
    return this.client.status();
  }

  onChange(listener: (s: EngineStatus) => void): () => void {
    return this.client.onChange(listener);
  }

  /**
   * Runs a model once with synthesized inputs on the provider asked for: its compiled session when
   * a valid entry fits the provider and dims (the result says `variant: 'compiled'`), else the
   * original. The first run after a compile finishes measures the switch-over. Named dims the
   * request leaves open are sized by its inputs, else 1 (inputs-check.ts runDims).
   */
  async run(asked: RunRequest, model: ModelEntry): Promise<RunResult> {
    // Every named dim gets its value before a session is chosen: typed, from the inputs, else 1.
    const request = { ...asked, dims: await runDims(model, asked.inputs, asked.dims) };
    const pending = this.pendingSwitch.get(model.id);
    if (pending && pending.provider === request.provider && sameDims(pending.dims, request.dims)) {
      this.pendingSwitch.delete(model.id);
      await this.warming.get(model.id);
      const switched = await this.switchOver(request, model, pending);
      if (switched) return switched;
    }
    const got = await this.owner.acquire(model, {
      provider: request.provider,
      policy: request.policy,
      dims: request.dims,
    });
    try {
      const out = await this.runOnce(got.session.id, request);
      this.active.set(model.id, got.session);
      const ran = result(got.session, got.created ? got.session.createMs : 0, out);
      return { ...ran, offer: this.offer(model.id, ran, request.dims) };
    } finally {
      got.done();
    }
  }

  /**
   * The outputs of the model's last run (kept in the engine host by that run), each as .npy bytes
   * in base64: what the Run area's "Save outputs (.npy)" downloads. NOT_FOUND when the model has
   * not run since the engine started (or its session was closed); UNSUPPORTED past
   * MAX_SAVED_OUTPUT_BYTES.
   */
  async outputs(modelId: string): Promise<InvokeOutput<'run:outputs'>> {
    const session = this.active.get(modelId);
    const again = 'run the model again to save its outputs';
    if (!session) throw new AppError('NOT_FOUND', `this model has no run to save: ${again}`);
    let tensors;
    try {
      ({ tensors } = await this.client.request('session.outputs', { sessionId: session.id }));
    } catch (err) {
      if (err instanceof AppError && err.code === 'NOT_FOUND') {
        throw new AppError(
          'NOT_FOUND',
          `the last run's outputs are gone (its session closed): ${again}`,
        );
      }
      throw err;
    }
    const files = Object.entries(tensors).map(([name, t]) => ({ name, t, npy: encodeNpy(t) }));
    const total = files.reduce((n, f) => n + f.npy.byteLength, 0);
    if (total > MAX_SAVED_OUTPUT_BYTES) {
      throw new AppError('UNSUPPORTED', savedOutputsTooLarge(total));
    }
    return files.map(({ name, t, npy }) => ({
      name,
      dtype: t.dtype,
      shape: [...t.dims],
      npyBase64: Buffer.from(npy.buffer, npy.byteOffset, npy.byteLength).toString('base64'),
    }));
  }

  /**
   * A compiled model is ready. `announce` (a job just made it): when the model is running on that
   * provider and dims, its compiled session is opened and run once now (the warm-up), and the next
   * run measures the switch-over.
   */
  useCompiled(artifact: CompiledArtifact, announce: boolean): void {
    this.owner.addCompiled(artifact);
    if (!announce) return;
    this.pendingSwitch.set(artifact.modelId, artifact);
    const was = this.active.get(artifact.modelId);
    const model = this.library.get(artifact.modelId);
    if (
      !was ||
      !model ||
      was.provider !== artifact.provider ||
      !sameDims(was.dims, artifact.dims)
    ) {
      return;
    }
    const warm = (async () => {
      const got = await this.owner.acquire(model, {
        provider: artifact.provider,
        dims: artifact.dims,
      });
      try {
        await this.runOnce(got.session.id, { fill: 'random', seed: 1, dims: artifact.dims });
      } finally {
        got.done();
      }
    })()
      .catch(() => undefined)
      .finally(() => this.warming.delete(artifact.modelId));
    this.warming.set(artifact.modelId, warm);
  }

  /** These cache entries are gone: their sessions are released and runs use the original. */
  forgetCompiled(entryIds: readonly string[]): void {
    const gone = new Set(entryIds);
    for (const [k, a] of this.pendingSwitch) if (gone.has(a.entryId)) this.pendingSwitch.delete(k);
    this.owner.forgetCompiled(entryIds);
  }

  /** A faster compiled session on another provider for this model and dims, to offer. */
  private offer(modelId: string, ran: RunResult, dims: Record<string, number>): RunResult['offer'] {
    const compiled = PROVIDER_IDS.flatMap((p) => this.owner.compiledFor(modelId, p, dims) ?? []);
    const providers = this.client.status().providers;
    return offerFor(ran.provider, ran.runMs, compiled, (p) =>
      providers.some((x) => x.id === p && x.available),
    );
  }

  /** Subscribes to switch-overs (compose forwards them as run:switched). */
  onSwitch(listener: (s: SwitchOver) => void): () => void {
    this.switchListeners.add(listener);
    return () => this.switchListeners.delete(listener);
  }

  /**
   * Moves a running model to its compiled session between two runs, measuring both: one more run
   * on the session it was using (before), then a run on the compiled session (after, the result
   * returned), which was opened and warmed when the compile finished. Null when the model was not
   * running on that provider and dims (the next run simply uses the compiled model).
   */
  private async switchOver(
    request: RunRequest,
    model: ModelEntry,
    artifact: CompiledArtifact,
  ): Promise<RunResult | null> {
    const was = this.active.get(model.id);
    if (!was || was.provider !== artifact.provider || !sameDims(was.dims, request.dims)) {
      return null;
    }
    const old = await this.owner.acquire(model, {
      provider: was.provider,
      dims: was.dims,
      variant: was.variant === 'compiled' ? 'compiled' : 'original',
    });
    let before;
    try {
      if (old.session.key !== was.key) return null;
      before = await this.runOnce(old.session.id, request);
    } finally {
      old.done();
    }
    const got = await this.owner.acquire(model, {
      provider: artifact.provider,
      dims: request.dims,
    });
    try {
      // Not warmed yet (the compile finished before the model first ran): this run warms it.
      if (got.created) await this.runOnce(got.session.id, request);
      const after = await this.runOnce(got.session.id, request);
      this.active.set(model.id, got.session);
      const message = `was ${ms(before.runMs)} on ${PROVIDER_LABELS[was.provider]}, now ${ms(after.runMs)} on ${PROVIDER_LABELS[artifact.provider]} (compiled)`;
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
      return result(got.session, got.created ? got.session.createMs : 0, after);
    } finally {
      got.done();
    }
  }

  private runOnce(
    sessionId: string,
    request: Pick<RunRequest, 'fill' | 'seed' | 'dims' | 'inputs'>,
  ) {
    return this.client.request('session.run', {
      sessionId,
      synth: { fill: request.fill, seed: request.seed, dims: request.dims },
      ...(request.inputs ? { plan: request.inputs } : {}),
      want: 'summary',
      // The host keeps the outputs (one set per session) for "Save outputs" (outputs()).
      keep: true,
    });
  }
}

function result(
  session: OwnedSession,
  sessionMs: number,
  out: { runMs: number; summaries?: RunResult['outputs']; fed?: RunResult['inputs'] },
): RunResult {
  return {
    modelId: session.modelId,
    // For 'auto' the provider that ran is the one ORT picked.
    provider: providerThatRan(session),
    variant: session.variant,
    entryId: session.entryId,
    auto: session.policy ? { policy: session.policy, ep: session.ep } : null,
    dims: { ...session.dims },
    sessionMs,
    runMs: out.runMs,
    outputs: out.summaries ?? [],
    ...(out.fed ? { inputs: out.fed } : {}),
  };
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
