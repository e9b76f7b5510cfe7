/**
 * The compile cache behind cache:list / cache:clear: the entries checked against this machine, the
 * `cache:changed` push when any entry appears, goes or changes state, and the engine service told
 * which compiled models it may use. The deep check (every file hashed, the provider asked through
 * ORT's GetModelCompatibilityForEpDevices) runs at start-up and right before a session opens from
 * an entry (`verifyEntry`); a listing compares sizes and passports only.
 */
import { stat } from 'node:fs/promises';
import type { CacheEntry, EngineStatus, GpuSnapshot } from '../ipc/contract';
import {
  CompileCache,
  type CheckedEntry,
  type CompatibilityFor,
  type MachineFor,
} from '../engine/cache/cache';
import { libraryVersion } from '../engine/cache/hash';
import { machineFactsFor } from '../engine/cache/key';
import { artifactOf, cacheEntryOf, type CompiledArtifact } from '../engine/cache/view';
import type { Handlers } from './dispatch';
import type { EventBus } from './events';
import type { LibrarySource } from './services';

/** What the cache service needs from the engine service. */
export interface CompiledSink {
  status(): EngineStatus;
  onChange(listener: (s: EngineStatus) => void): () => void;
  /** A compiled model is ready; `announce` = a job just made it (switch over on the next run). */
  useCompiled(artifact: CompiledArtifact, announce: boolean): void;
  /** These entries are gone (cleared, found stale): stop using them. */
  forgetCompiled(entryIds: readonly string[]): void;
}

/** What the cache service needs. */
export interface CacheServiceDeps {
  bus: EventBus;
  library: Pick<LibrarySource, 'get'>;
  engine: CompiledSink;
  gpu: { snapshot(): Promise<GpuSnapshot> };
  cacheDir: string;
  /** The TensorRT-RTX plugin library, when installed (its version is part of the key). */
  trtRtxLibrary: () => string | null;
  /**
   * Asks an entry's provider whether its compiled model fits this machine (ORT's
   * GetModelCompatibilityForEpDevices in the engine host); an "unsupported" answer makes it stale.
   */
  compatibility?: CompatibilityFor;
  notice?: (message: string) => void;
}

/** The compile cache's entries, their checks and their channels. */
export class CacheService {
  /** The cache on disk (temp folders, commit, check). */
  readonly store: CompileCache;
  private entries: CheckedEntry[] = [];
  private readonly epVersions = new Map<string, string>();
  private readonly listeners = new Set<() => void>();

  constructor(private readonly deps: CacheServiceDeps) {
    this.store = new CompileCache(deps.cacheDir);
  }

  /**
   * Start-up, once the engine has said which ORT it runs: every entry checked (deeply unless
   * `deep` is false), the valid ones handed to the engine service, the others told as notices.
   */
  async open(deep = true): Promise<void> {
    await this.refresh(deep);
    for (const e of this.entries) {
      if (e.state !== 'valid') {
        this.deps.notice?.(`Compile cache entry ${e.id} is ${e.state}: ${e.reason ?? ''}`);
      }
    }
    this.changed();
  }

  /** The entries as last checked (for the status chips). */
  checked(): readonly CheckedEntry[] {
    return this.entries;
  }

  /** Called after any check or clear that may change the status chips. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Every cache entry, checked against this machine now by sizes and passports (cheap: the deep
   * hash check of every file runs at start-up and before an entry is used, see verifyEntry).
   */
  async list(): Promise<CacheEntry[]> {
    await this.refresh(false);
    this.changed();
    return this.entries.map((e) => this.toCacheEntry(e));
  }

  /**
   * The deep check (every file hashed) of one entry right before a session is opened from it:
   * false (and the entry no longer used, the change pushed as cache:changed) when it is not valid.
   */
  async verifyEntry(entryId: string): Promise<boolean> {
    const machine = await this.machine();
    const checked = await this.store.check(entryId, machine, true, this.deps.compatibility);
    const i = this.entries.findIndex((e) => e.id === entryId);
    const was = i >= 0 ? this.entries[i]?.state : undefined;
    if (i >= 0) this.entries[i] = checked;
    if (checked.state !== 'valid') {
      this.deps.engine.forgetCompiled([entryId]);
      this.deps.notice?.(
        `Compile cache entry ${entryId} is ${checked.state}: ${checked.reason ?? ''}`,
      );
    }
    if (was !== checked.state) {
      this.emitCache();
      this.changed();
    }
    return checked.state === 'valid';
  }

  /** Removes one entry or all; the engine stops using them. */
  async clear(entryId?: string): Promise<{ removed: number; freedBytes: number }> {
    // An id that is not an entry path is refused before anything is listed or removed.
    if (entryId !== undefined) this.store.dirOf(entryId);
    const ids = entryId === undefined ? await this.store.ids() : [entryId];
    const out = await this.store.clear(entryId);
    this.deps.engine.forgetCompiled(ids);
    await this.refresh(false);
    this.changed();
    return out;
  }

  /**
   * A compile just sealed this entry: the listing follows, and the engine service switches a
   * model running on that provider and dims over on its next run.
   */
  async sealed(entry: CheckedEntry): Promise<void> {
    await this.refresh(false);
    const artifact = artifactOf(entry);
    if (artifact) this.deps.engine.useCompiled(artifact, true);
  }

  /** What this machine is now, per provider (see CompileCache.check). */
  async machine(): Promise<MachineFor> {
    const status = this.deps.engine.status();
    const snapshot = await this.deps.gpu.snapshot().catch(() => null);
    let epVersion: string | null = null;
    try {
      const lib = this.deps.trtRtxLibrary();
      if (lib) {
        const st = await stat(lib);
        const memo = `${lib}|${st.size}|${st.mtimeMs}`;
        epVersion = this.epVersions.get(memo) ?? (await libraryVersion(lib));
        this.epVersions.set(memo, epVersion);
      }
    } catch {
      epVersion = null;
    }
    return (provider) =>
      machineFactsFor(provider, {
        ortVersion: status.ortVersion,
        providers: status.providers,
        snapshot,
        epVersion,
      });
  }

  /** The channels this service answers. */
  handlers(): Pick<Handlers, 'cache:list' | 'cache:clear'> {
    return {
      'cache:list': async () => this.list(),
      'cache:clear': async (i) => this.clear(i.entryId),
    };
  }

  // -------------------------------------------------------------------------------------------

  private async refresh(deep: boolean): Promise<void> {
    const machine = await this.machine();
    const before = new Map(this.entries.map((e) => [e.id, e.state]));
    this.entries = await this.store.list(machine, deep, this.deps.compatibility);
    const gone = [...before.keys()].filter(
      (id) => !this.entries.some((e) => e.id === id && e.state === 'valid'),
    );
    if (gone.length > 0) this.deps.engine.forgetCompiled(gone);
    for (const e of this.entries) {
      if (e.state !== 'valid' || before.get(e.id) === 'valid') continue;
      const artifact = artifactOf(e);
      if (artifact) this.deps.engine.useCompiled(artifact, false);
    }
    const changed =
      before.size !== this.entries.length || this.entries.some((e) => before.get(e.id) !== e.state);
    if (changed) this.emitCache();
  }

  /** Pushes the cache list (cache:changed) so the Compile area follows without asking. */
  private emitCache(): void {
    this.deps.bus.emit(
      'cache:changed',
      this.entries.map((e) => this.toCacheEntry(e)),
    );
  }

  private toCacheEntry(e: CheckedEntry): CacheEntry {
    return cacheEntryOf(e, (id) => this.deps.library.get(id)?.name);
  }

  private changed(): void {
    for (const l of this.listeners) l();
  }
}

/**
 * Waits (bounded, 30 s) for the engine's first start so ORT's version — part of every cache key —
 * is known.
 */
export function engineSettled(engine: Pick<CompiledSink, 'status' | 'onChange'>): Promise<void> {
  const settling = (state: string) => state === 'starting' || state === 'restarting';
  if (!settling(engine.status().state)) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, 30_000);
    const off = engine.onChange((s) => {
      if (!settling(s.state)) done();
    });
    function done() {
      clearTimeout(timer);
      off();
      resolve();
    }
  });
}
