/**
 * The compile-cache key: provider × GPU × driver × ORT version × EP library version × model
 * sha256 × options hash. A change in any part means the entry no longer fits and is recompiled.
 * On disk: <cache>/<provider>/<gpu>/<driver>/<ort>[+<ep>]/<model-sha256>/<options-hash>/.
 */
import os from 'node:os';
import type { CompileOptions, GpuSnapshot, ProviderId, ProviderStatus } from '../../ipc/contract';
import { unavailableText } from '../../ipc/providers';
import { AppError } from '../../shared/errors';
import { canonicalJson, sha256Text } from './hash';

/** Everything an entry depends on. */
export interface CacheKey {
  provider: ProviderId;
  /** The GPU's identity (NVML UUID, else its name), or 'cpu' for the CPU provider. */
  gpu: string;
  /** The NVIDIA driver version; for the CPU provider, the CPU's identity (see {@link cpuIdentity}). */
  driver: string;
  ortVersion: string;
  /** The plugin EP library's version (content hash), null for providers built into ORT. */
  epVersion: string | null;
  /** sha256 of the model file (the library's model id). */
  modelSha256: string;
  optionsHash: string;
}

/** The machine-side part of a key: what must still match for an entry to be valid here. */
export type MachineFacts = Pick<CacheKey, 'gpu' | 'driver' | 'ortVersion' | 'epVersion'>;

/**
 * The CPU provider's stand-in for "driver": the CPU model and architecture. ORT's saved optimised
 * models can hold layout choices made for this CPU's instruction set, so a new CPU invalidates them.
 */
export function cpuIdentity(): string {
  const model = os.cpus()[0]?.model ?? 'unknown';
  return `cpu-${sha256Text(`${model}|${process.arch}`).slice(0, 12)}`;
}

/**
 * Hash of what the user chose for a compile (dims, ranges, CUDA graph), key order ignored. Dims
 * that the provider ignores still count: they change the optimised graph (free dimension overrides).
 */
export function optionsHash(provider: ProviderId, options: CompileOptions): string {
  return sha256Text(canonicalJson({ provider, options })).slice(0, 16);
}

/** A path segment made safe: no separators, no dots-only names, no odd characters, bounded length. */
export function safeSegment(value: string): string {
  const cleaned = value
    .replace(/[^A-Za-z0-9._+-]/g, '_')
    .replace(/^\.+/, '_')
    .slice(0, 80);
  return cleaned.length === 0 ? '_' : cleaned;
}

/** The entry's folder, relative to the cache root, with '/' separators (also its id). */
export function entryId(key: CacheKey): string {
  const ort = key.epVersion ? `${key.ortVersion}+${key.epVersion}` : key.ortVersion;
  return [key.provider, key.gpu, key.driver, ort, key.modelSha256, key.optionsHash]
    .map(safeSegment)
    .join('/');
}

/**
 * The key as far as an entry's folder tells it — the inverse of {@link entryId}, kept beside it so
 * the layout is known in one place. Only for an entry whose passport cannot be read: segments were
 * made safe, so an odd value may read back changed, and the provider is not checked here.
 */
export function keyOfEntryId(id: string): Omit<CacheKey, 'provider'> & { provider: string } {
  const [provider = '', gpu = '', driver = '', ort = '', modelSha256 = '', hash = ''] =
    id.split('/');
  const plus = ort.indexOf('+');
  return {
    provider,
    gpu,
    driver,
    ortVersion: plus < 0 ? ort : ort.slice(0, plus),
    epVersion: plus < 0 ? null : ort.slice(plus + 1),
    modelSha256,
    optionsHash: hash,
  };
}

/**
 * This machine's side of the key for a provider, from what the engine and the GPU monitor say:
 * the CPU's identity for the CPU provider; for GPU providers the NVIDIA GPU's UUID (else its name,
 * else the provider's device) and the driver version. `unavailable` with the reason when the
 * provider cannot run here (entries for it are stale).
 */
export function machineFactsFor(
  provider: ProviderId,
  now: {
    ortVersion: string | null;
    providers: readonly ProviderStatus[];
    snapshot: GpuSnapshot | null;
    /** The TensorRT-RTX plugin's version, when one is installed. */
    epVersion: string | null;
  },
): MachineFacts | { unavailable: string } {
  const ortVersion = now.ortVersion;
  if (ortVersion === null) {
    return { unavailable: "the engine has not started, so ONNX Runtime's version is unknown" };
  }
  if (provider === 'cpu') return { gpu: 'cpu', driver: cpuIdentity(), ortVersion, epVersion: null };
  const p = now.providers.find((x) => x.id === provider);
  if (!p?.available) {
    return { unavailable: unavailableText(provider, p?.reason) };
  }
  const gpu = now.snapshot?.gpus[0];
  const gpuId = gpu
    ? (gpu.uuid ?? gpu.name)
    : p.device
      ? `${p.device.name}-${p.device.vendorId.toString(16)}-${p.device.deviceId.toString(16)}`
      : 'unknown-gpu';
  return {
    gpu: safeSegment(gpuId),
    driver: safeSegment(now.snapshot?.driverVersion ?? 'unknown'),
    ortVersion,
    epVersion: provider === 'nv-tensorrt-rtx' ? now.epVersion : null,
  };
}

/** The facts when the provider can run here; PROVIDER_UNAVAILABLE with the reason when not. */
export function requireMachineFacts(facts: MachineFacts | { unavailable: string }): MachineFacts {
  if ('unavailable' in facts) throw new AppError('PROVIDER_UNAVAILABLE', facts.unavailable);
  return facts;
}
