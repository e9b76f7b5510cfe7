/**
 * meta.json, the entry's "passport": the key it was built for, what was built and from what, how
 * long it took, and a sha256 and size for every file in the entry. It carries a checksum of its own
 * content, so an edited or damaged meta.json is caught instead of trusted.
 */
import { z } from 'zod';
import { CompileOptionsSchema, ProviderIdSchema } from '../../ipc/contract';
import { canonicalJson, sha256Text } from './hash';

export const META_FILE = 'meta.json';
export const META_VERSION = 1;

const FileRecordSchema = z.object({
  /** Path inside the entry, '/' separated. */
  name: z.string(),
  bytes: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});
export type FileRecord = z.infer<typeof FileRecordSchema>;

export const MetaSchema = z
  .object({
    version: z.literal(META_VERSION),
    key: z.object({
      provider: ProviderIdSchema,
      gpu: z.string(),
      driver: z.string(),
      ortVersion: z.string(),
      epVersion: z.string().nullable(),
      modelSha256: z.string(),
      optionsHash: z.string(),
    }),
    model: z.object({
      name: z.string(),
      /** Where it was compiled from (informational: the hash is the identity). */
      path: z.string(),
      bytes: z.number(),
      /** The model's own files (the .onnx and its external data) with their hashes. */
      inputs: z.array(FileRecordSchema),
    }),
    options: CompileOptionsSchema,
    /** Provider options used, with paths inside the entry written relative to it. */
    providerOptions: z.record(z.string(), z.string()),
    /** What a session loads: the optimised or EP-context model, relative to the entry. */
    artifact: z.string(),
    /** How the artifact is loaded: optimised models skip optimisation (it is already done). */
    graphOptimizationLevel: z.enum(['disabled', 'basic', 'extended', 'all']),
    /** EP-context model (compiling providers) or optimised model (the others). */
    kind: z.enum(['ep-context', 'optimized']),
    createdAt: z.number(),
    timings: z.object({
      hashMs: z.number(),
      compileMs: z.number(),
      /** Session creation from the original model, before compiling. */
      coldSessionMs: z.number().nullable(),
      /** Session creation from the artifact. */
      warmSessionMs: z.number().nullable(),
      warmupRunMs: z.number().nullable(),
      totalMs: z.number(),
    }),
    nodes: z.object({ provider: z.number(), cpu: z.number() }).nullable(),
    files: z.array(FileRecordSchema),
    sizeBytes: z.number(),
    /** sha256 of this object's canonical JSON without this field. */
    checksum: z.string(),
  })
  .strict();
export type Meta = z.infer<typeof MetaSchema>;

/** The checksum a meta object should carry. */
export function metaChecksum(meta: Omit<Meta, 'checksum'> | Meta): string {
  const rest: Record<string, unknown> = { ...meta };
  delete rest.checksum;
  return sha256Text(canonicalJson(rest));
}

/** The meta object with its checksum filled in. */
export function sealMeta(meta: Omit<Meta, 'checksum'>): Meta {
  return { ...meta, checksum: metaChecksum(meta) };
}
