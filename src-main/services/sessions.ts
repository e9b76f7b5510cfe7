/**
 * The one owner of ONNX Runtime sessions on the main side. Runs (`run:execute`), image runs
 * (`run:image`), benchmarks (`bench:run`), the switch-over after a compile and its warm-up all ask
 * it for a session; nothing else sends `session.create` (services/sessions-owner.test.ts fails if
 * something does).
 *
 * - A session's key is model × provider × dims × variant (the original model, or the compile-cache
 *   entry it was opened from) × graph capture (benchmarks' graph mode needs a session opened with
 *   it). One key, one session: asked twice, the owner answers the same one.
 * - One policy: a valid compiled entry for the model, provider and dims is used (the answer says
 *   `variant: 'compiled'` and the entry id); the provider asked for is the provider that runs.
 * - Live sessions are bounded by count and by memory: past {@link SessionOwnerOptions.maxLive}
 *   sessions, or {@link SessionOwnerOptions.maxBytes} of model weights (the model file and its
 *   external data, the inspection's sizes: what a session holds at least), the least recently used
 *   one that nothing is using is released. All are forgotten when the engine host restarts (they died
 *   with it).
 * - A provider that is not available here is refused before anything is created, with the reason.
 */
import type {
  EngineStatus,
  EpPolicy,
  ProviderId,
  SessionVariant,
  ValueInfo,
} from '../ipc/contract';
import type { OpArgsIn, OpResults } from '../engine/host/protocol';
import type { RequestOptions } from '../engine/host/engine-client';
import { requireAvailableProvider } from '../ipc/providers';
import { PROVIDERS } from '../engine/providers/catalog';
import { AppError } from '../shared/errors';
import type { CompiledArtifact } from '../engine/cache/view';

/** The engine host as the owner uses it (EngineClient implements it). */
export interface OwnerEngine {
  request(
    op: 'session.create',
    args: OpArgsIn<'session.create'>,
    options?: RequestOptions,
  ): Promise<OpResults['session.create']>;
  request(
    op: 'session.release',
    args: OpArgsIn<'session.release'>,
    options?: RequestOptions,
  ): Promise<OpResults['session.release']>;
  status(): EngineStatus;
  onChange(listener: (s: EngineStatus) => void): () => void;
}

/** Which session to open for a model. */
export interface SessionWant {
  /** A provider, or 'auto': ORT's EP selection policy picks (never a compiled entry). */
  provider: ProviderId | 'auto';
  /** The policy for 'auto' (default prefer-gpu). */
  policy?: EpPolicy;
  dims: Record<string, number>;
  /**
   * 'best' (runs): the compiled entry when one fits, else the original. 'original' / 'compiled'
   * (benchmarks): exactly that variant; 'compiled' without a fitting entry is NOT_FOUND.
   */
  variant?: SessionVariant | 'best';
  /** Open with CUDA graphs / WebGPU graph capture (benchmarks' graph mode). */
  graphCapture?: boolean;
}

/** A session the owner holds. */
export interface OwnedSession {
  /** The engine host's id. */
  id: string;
  key: string;
  modelId: string;
  provider: ProviderId | 'auto';
  /** The policy, for provider 'auto'. */
  policy: EpPolicy | null;
  variant: SessionVariant;
  entryId: string | null;
  dims: Record<string, number>;
  /** CreateSession's wall time in the engine host. */
  createMs: number;
  /** The model's weights in bytes (file + external data), the owner's memory estimate. */
  bytes: number;
  /** The EP ORT placed the inputs on. */
  ep: string;
  inputs: ValueInfo[];
  outputs: ValueInfo[];
}

/** What the owner was asked for and whether it had to create the session. */
export interface Acquired {
  session: OwnedSession;
  /** True when this call created it (its creation time is part of what the caller waited for). */
  created: boolean;
  /** Call when done with it: until then it is never released for the live-session bound. */
  done(): void;
}

export interface SessionOwnerOptions {
  /** Live sessions kept at most (each holds a model's weights in the engine host). Default 8. */
  maxLive?: number;
  /** Model weights kept live at most, in bytes (see OwnedSession.bytes). Default 8 GiB. */
  maxBytes?: number;
  /**
   * The deep check of a compile-cache entry right before a session is opened from it (the
   * compile service's verifyEntry); false: the entry is not used, the original model is.
   */
  verify?: (artifact: CompiledArtifact) => Promise<boolean>;
}

interface Slot {
  pending: Promise<OwnedSession>;
  users: number;
  bytes: number;
}

/** A model as the owner takes it: its id, file and (for the memory bound) its inspection. */
export interface OwnedModel {
  id: string;
  path: string;
  inspection?: {
    sizeBytes: number;
    externalData: readonly { bytes: number }[];
  } | null;
}

function weightBytes(model: OwnedModel): number {
  const i = model.inspection;
  return i ? i.sizeBytes + i.externalData.reduce((n, e) => n + e.bytes, 0) : 0;
}

/** The session owner. */
export class SessionOwner {
  private readonly live = new Map<string, Slot>();
  private readonly compiled = new Map<string, CompiledArtifact[]>();
  private readonly creations = new Map<string, number>();
  private readonly createMs = new Map<string, number>();
  private next = 1;
  private readonly maxLive: number;
  private readonly maxBytes: number;
  private readonly verify: SessionOwnerOptions['verify'];

  constructor(
    private readonly engine: OwnerEngine,
    opts: SessionOwnerOptions = {},
  ) {
    this.maxLive = opts.maxLive ?? 8;
    this.maxBytes = opts.maxBytes ?? 8 * 1024 ** 3;
    this.verify = opts.verify;
    // Sessions live in the host process: when it restarts they are gone.
    engine.onChange((s) => {
      if (s.state !== 'ready') this.live.clear();
    });
  }

  /** A valid compile-cache entry can be used (the newest per model, provider and dims wins). */
  addCompiled(artifact: CompiledArtifact): void {
    const k = `${artifact.modelId}|${artifact.provider}`;
    const list = (this.compiled.get(k) ?? []).filter((a) => a.entryId !== artifact.entryId);
    list.push(artifact);
    list.sort((a, b) => b.createdAt - a.createdAt);
    this.compiled.set(k, list);
  }

  /** These entries are gone (cleared, stale): their sessions are released, runs use the original. */
  forgetCompiled(entryIds: readonly string[]): void {
    const gone = new Set(entryIds);
    for (const [k, list] of this.compiled) {
      this.compiled.set(
        k,
        list.filter((a) => !gone.has(a.entryId)),
      );
    }
    for (const [key, slot] of [...this.live]) {
      void slot.pending
        .then((s) => {
          if (s.entryId !== null && gone.has(s.entryId)) this.drop(key);
        })
        .catch(() => undefined);
    }
  }

  /** The compiled entry for a model on a provider at these dims, if a valid one is known. */
  compiledFor(
    modelId: string,
    provider: ProviderId,
    dims: Record<string, number>,
  ): CompiledArtifact | null {
    const want = dimsKey(dims);
    return (
      (this.compiled.get(`${modelId}|${provider}`) ?? []).find((a) => dimsKey(a.dims) === want) ??
      null
    );
  }

  /**
   * The session for a model: the one already open for its key, or a new one. Refuses an
   * unavailable provider (PROVIDER_UNAVAILABLE with the reason) before creating anything.
   */
  async acquire(model: OwnedModel, want: SessionWant): Promise<Acquired> {
    if (want.provider !== 'auto') this.checkProvider(want.provider);
    const variant = want.variant ?? 'best';
    let artifact =
      variant === 'original' || want.provider === 'auto'
        ? null
        : this.compiledFor(model.id, want.provider, want.dims);
    // An entry is deep-checked before the first session is opened from it.
    if (artifact && this.verify && !this.live.has(keyOf(model.id, want, artifact))) {
      if (!(await this.verify(artifact))) {
        this.forgetCompiled([artifact.entryId]);
        artifact = null;
      }
    }
    if (variant === 'compiled' && !artifact) {
      throw new AppError(
        'NOT_FOUND',
        `no compiled ${want.provider} entry of this model for dims ${JSON.stringify(sortKeys(want.dims))}: compile it first`,
      );
    }
    const key = keyOf(model.id, want, artifact);
    let slot = this.live.get(key);
    let created = false;
    if (slot) {
      // Most recently used last.
      this.live.delete(key);
      this.live.set(key, slot);
    } else {
      created = true;
      slot = {
        pending: this.create(key, model, want, artifact),
        users: 0,
        bytes: weightBytes(model),
      };
      this.live.set(key, slot);
      const mine = slot;
      mine.pending.catch(() => {
        if (this.live.get(key) === mine) this.live.delete(key);
      });
    }
    slot.users++;
    const held = slot;
    let released = false;
    const done = () => {
      if (released) return;
      released = true;
      held.users--;
      this.trim();
    };
    try {
      const session = await slot.pending;
      this.trim();
      return { session, created, done };
    } catch (err) {
      done();
      throw err;
    }
  }

  /** How many sessions were created per key since start (tests count exactly one per key). */
  creationCounts(): ReadonlyMap<string, number> {
    return new Map(this.creations);
  }

  /** The last measured creation time of the original model's session for these dims, if any. */
  originalCreateMs(modelId: string, provider: ProviderId, dims: Record<string, number>) {
    return this.createMs.get(keyOf(modelId, { provider, dims }, null)) ?? null;
  }

  /** Keys of the sessions open now, least recently used first. */
  liveKeys(): string[] {
    return [...this.live.keys()];
  }

  /** Releases every session (app shutdown). */
  releaseAll(): void {
    for (const key of [...this.live.keys()]) this.drop(key);
  }

  private async create(
    key: string,
    model: OwnedModel,
    want: SessionWant,
    artifact: CompiledArtifact | null,
  ): Promise<OwnedSession> {
    const id = `s${this.next++}`;
    this.creations.set(key, (this.creations.get(key) ?? 0) + 1);
    const r = await this.engine.request('session.create', {
      sessionId: id,
      modelPath: artifact?.modelPath ?? model.path,
      provider: want.provider,
      ...(want.provider === 'auto' ? { policy: want.policy ?? 'prefer-gpu' } : {}),
      dims: want.dims,
      ...(want.graphCapture ? { graphCapture: true } : {}),
      ...(artifact
        ? {
            providerOptions: artifact.providerOptions,
            graphOptimizationLevel: artifact.graphOptimizationLevel,
          }
        : {}),
    });
    this.createMs.set(key, r.createMs);
    return {
      id,
      key,
      modelId: model.id,
      provider: want.provider,
      policy: want.provider === 'auto' ? (want.policy ?? 'prefer-gpu') : null,
      variant: artifact ? 'compiled' : 'original',
      entryId: artifact?.entryId ?? null,
      dims: { ...want.dims },
      createMs: r.createMs,
      bytes: weightBytes(model),
      ep: r.provider,
      inputs: r.inputs,
      outputs: r.outputs,
    };
  }

  /** Releases the least recently used idle sessions while over the count or memory bound. */
  private trim(): void {
    let count = this.live.size;
    let bytes = [...this.live.values()].reduce((n, s) => n + s.bytes, 0);
    for (const [key, slot] of [...this.live]) {
      if (count <= this.maxLive && bytes <= this.maxBytes) break;
      if (slot.users > 0) continue;
      this.drop(key);
      count--;
      bytes -= slot.bytes;
    }
  }

  private drop(key: string): void {
    const slot = this.live.get(key);
    if (!slot) return;
    this.live.delete(key);
    void slot.pending
      .then((s) => this.engine.request('session.release', { sessionId: s.id }))
      .catch(() => undefined);
  }

  private checkProvider(id: ProviderId): void {
    requireAvailableProvider(this.engine.status().providers, id);
  }
}

/** The provider id of an EP name ORT reported (CPU when ORT named none Crucible knows). */
function providerOfEp(ep: string): ProviderId {
  return Object.values(PROVIDERS).find((p) => p.ortName === ep)?.id ?? 'cpu';
}

/** The provider that ran a session: the one asked for, or for 'auto' the one ORT picked. */
export function providerThatRan(session: Pick<OwnedSession, 'provider' | 'ep'>): ProviderId {
  return session.provider === 'auto' ? providerOfEp(session.ep) : session.provider;
}

function keyOf(
  modelId: string,
  want: Pick<SessionWant, 'provider' | 'policy' | 'dims' | 'graphCapture'>,
  artifact: CompiledArtifact | null,
): string {
  return [
    modelId,
    want.provider === 'auto' ? `auto:${want.policy ?? 'prefer-gpu'}` : want.provider,
    dimsKey(want.dims),
    artifact ? `compiled:${artifact.entryId}` : 'original',
    want.graphCapture ? 'graph' : '',
  ].join('|');
}

function dimsKey(dims: Record<string, number>): string {
  return JSON.stringify(sortKeys(dims));
}

function sortKeys(o: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));
}
