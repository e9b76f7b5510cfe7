/**
 * The engine status as the windows see it: each provider's EP device named with the GPU the GPU
 * monitor knows it as ("WebGPU will use NVIDIA GeForce RTX 4070 Laptop GPU (PCI 0000:01:00.0)").
 * The engine host reports ORT's view (bus id / LUID); only the main side has the GPU monitor, so the
 * two meet here (engine/providers/gpu-match.ts does the matching).
 */
import type { EngineStatus, GpuInfo, ProviderStatus } from '../ipc/contract';
import { TRT_RTX_NO_DEVICE_REASON } from '../engine/providers/catalog';
import { withMatchedGpus } from '../engine/providers/gpu-match';
import { trtRtxNeeds } from '../gpu/arch';
import type { EngineSource, GpuSource } from './services';

type GpuIdentity = Pick<GpuInfo, 'index' | 'name' | 'pciBusId' | 'computeCapability'>;

/**
 * TensorRT for RTX's status with the verdict for the user's own GPU and driver (gpu/arch.ts
 * trtRtxNeeds): the engine host knows whether the plugin registered and whether it offered a
 * device; only the GPU monitor knows the compute capability and driver. An unsupported GPU or an
 * old driver makes the provider unavailable with that reason even where the plugin offered a
 * device (it accepts any compute capability 8.0+, data-center parts included).
 */
export function withTrtRtxNeeds(
  p: ProviderStatus,
  gpus: readonly Pick<GpuInfo, 'name' | 'computeCapability'>[],
  driverVersion: string | null,
): ProviderStatus {
  if (p.id !== 'nv-tensorrt-rtx') return p;
  const registered = p.available || p.reason === TRT_RTX_NO_DEVICE_REASON;
  const needs = trtRtxNeeds(
    gpus,
    driverVersion,
    registered ? { registered: true } : { registered: false, reason: p.reason ?? 'unknown' },
  );
  const trtRtx = { state: needs.state, gpu: needs.gpu, requiredDriver: needs.requiredDriver };
  // No GPU in the snapshot (no NVIDIA GPU, no driver, or the monitor could not read it): ORT's own
  // view and its reason stand — they say what happened to the plugin the user pointed at.
  if (needs.state === 'ready' || needs.state === 'no-gpu') return { ...p, trtRtx };
  return { ...p, available: false, reason: needs.reason, trtRtx };
}

/**
 * An EngineSource whose statuses carry the matched GPUs. The GPUs' identities are read once from
 * a snapshot (they do not change while the app runs); while a snapshot has none (no driver yet,
 * or it failed), each engine change reads again. When a read brings GPUs, listeners get the status
 * again with them.
 */
export function withProviderGpus(engine: EngineSource, gpu: GpuSource): EngineSource {
  let gpus: GpuIdentity[] = [];
  let driverVersion: string | null = null;
  let snapshotSeen = false;
  let reading: Promise<void> | null = null;
  const listeners = new Set<(s: EngineStatus) => void>();
  const annotate = (s: EngineStatus): EngineStatus => {
    if (!snapshotSeen) return s;
    const matched = gpus.length === 0 ? s.providers : withMatchedGpus(s.providers, gpus);
    return { ...s, providers: matched.map((p) => withTrtRtxNeeds(p, gpus, driverVersion)) };
  };

  const readGpus = (): void => {
    if (gpus.length > 0 || reading) return;
    reading = gpu
      .snapshot()
      .then((snap) => {
        snapshotSeen = true;
        if (snap.gpus.length === 0) return;
        driverVersion = snap.driverVersion;
        gpus = snap.gpus.map((g) => ({
          index: g.index,
          name: g.name,
          pciBusId: g.pciBusId,
          computeCapability: g.computeCapability,
        }));
        const now = annotate(engine.status());
        for (const l of listeners) l(now);
      })
      // A failed read leaves the devices unmatched (shown by ORT's name); the next change retries.
      .catch(() => undefined)
      .finally(() => {
        reading = null;
      });
  };
  readGpus();

  return {
    status: () => annotate(engine.status()),
    onChange(listener) {
      listeners.add(listener);
      const off = engine.onChange((s) => {
        readGpus();
        listener(annotate(s));
      });
      return () => {
        listeners.delete(listener);
        off();
      };
    },
    run: (request, model) => engine.run(request, model),
    outputs: (modelId) => engine.outputs(modelId),
  };
}
