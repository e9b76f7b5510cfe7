/**
 * What a finished compile becomes in the cache: the passport (meta.json) built from the job and
 * the worker's result, sealed with the temp folder into the entry. Shared by the compile service
 * and `crucible compile`, so both write the same entries.
 */
import type { CompileOptions } from '../../ipc/contract';
import type { CheckedEntry, CompileCache } from '../cache/cache';
import type { CacheKey, MachineFacts } from '../cache/key';
import { META_VERSION } from '../cache/meta';
import type { CompileResult, CompileSpec } from './protocol';

/** Seals `spec.outDir` as the entry for this job (the temp folder is gone afterwards). */
export async function sealCompile(
  cache: CompileCache,
  spec: CompileSpec,
  result: CompileResult,
  facts: Pick<MachineFacts, 'gpu' | 'driver'>,
  model: { name: string; optionsHash: string; options: CompileOptions },
): Promise<CheckedEntry> {
  const key: CacheKey = {
    provider: spec.provider,
    gpu: facts.gpu,
    driver: facts.driver,
    // The versions the worker really loaded, not what the caller expected.
    ortVersion: result.ortVersion,
    epVersion: result.epVersion,
    modelSha256: spec.modelSha256,
    optionsHash: model.optionsHash,
  };
  return cache.commit(spec.outDir, {
    version: META_VERSION,
    key,
    model: {
      name: model.name,
      path: spec.modelPath,
      bytes: result.modelBytes,
      inputs: result.inputs,
    },
    options: model.options,
    providerOptions: spec.providerOptions,
    artifact: result.artifact,
    graphOptimizationLevel: result.graphOptimizationLevel,
    kind: result.kind,
    createdAt: Date.now(),
    timings: result.timings,
    nodes: result.nodes,
  });
}
