/**
 * What the rest of the app sees of a checked cache entry, built here from its passport (meta.json)
 * so no caller takes an entry id apart: the Compile area's row (`cacheEntryOf`) and the compiled
 * model a session opens (`artifactOf`).
 */
import path from 'node:path';
import { ProviderIdSchema, type CacheEntry, type ProviderId } from '../../ipc/contract';
import { resolveEntryPaths } from '../providers/options';
import type { CheckedEntry } from './cache';
import { keyOfEntryId } from './key';

/** A compiled model a session can load instead of the original. */
export interface CompiledArtifact {
  entryId: string;
  modelId: string;
  provider: ProviderId;
  /** The file a session loads (absolute). */
  modelPath: string;
  /** Provider options with entry paths made absolute. */
  providerOptions: Record<string, string>;
  graphOptimizationLevel: 'disabled' | 'basic' | 'extended' | 'all';
  /** The dims it was compiled for; runs with other dims use the original model. */
  dims: Record<string, number>;
  createdAt: number;
  /** The compiled model's first run when it was compiled (ms), when measured. */
  warmupRunMs?: number | null;
}

/** The compiled model of an entry whose passport was read; null when it has none. */
export function artifactOf(e: CheckedEntry): CompiledArtifact | null {
  if (!e.meta) return null;
  return {
    entryId: e.id,
    modelId: e.meta.key.modelSha256,
    provider: e.meta.key.provider,
    modelPath: path.join(e.dir, ...e.meta.artifact.split('/')),
    providerOptions: resolveEntryPaths(e.meta.providerOptions, e.dir),
    graphOptimizationLevel: e.meta.graphOptimizationLevel,
    dims: e.meta.options.dims,
    createdAt: e.meta.createdAt,
    warmupRunMs: e.meta.timings.warmupRunMs,
  };
}

/**
 * The Compile area's row for an entry. Its fields come from the passport; an entry whose passport
 * cannot be read (corrupt) is described by the folder it sits in (the key's layout, see
 * {@link keyOfEntryId}), so the user still sees which provider and model it was for and can clear it.
 * `nameOf` gives a library model's name when the passport has none.
 */
export function cacheEntryOf(
  e: CheckedEntry,
  nameOf: (modelId: string) => string | undefined,
): CacheEntry {
  const key = e.meta?.key ?? keyOfEntryId(e.id);
  const provider = ProviderIdSchema.safeParse(key.provider);
  const modelId = key.modelSha256;
  return {
    id: e.id,
    // A folder named after no known provider (hand-made, or from a later version) is listed as CPU.
    provider: provider.success ? provider.data : 'cpu',
    modelId,
    modelName: e.meta?.model.name ?? nameOf(modelId) ?? modelId.slice(0, 12),
    gpu: key.gpu,
    driver: key.driver,
    ortVersion: key.ortVersion,
    epVersion: key.epVersion,
    optionsHash: key.optionsHash,
    sizeBytes: e.sizeBytes,
    createdAt: e.meta?.createdAt ?? 0,
    compileMs: e.meta?.timings.totalMs ?? null,
    state: e.state,
    reason: e.reason,
    nodes: e.meta?.nodes ?? null,
  };
}
