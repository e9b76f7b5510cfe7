/**
 * The engine status as the windows see it: each provider's EP device named with the GPU the GPU
 * monitor knows it as ("WebGPU will use NVIDIA GeForce RTX 4070 Laptop GPU (PCI 0000:01:00.0)").
 * The engine host reports ORT's view (bus id / LUID); only the main side has the GPU monitor, so the
 * two meet here (engine/providers/gpu-match.ts does the matching).
 */
import type { EngineStatus, GpuInfo } from '../ipc/contract';
import { withMatchedGpus } from '../engine/providers/gpu-match';
import type { EngineSource, GpuSource } from './services';

type GpuIdentity = Pick<GpuInfo, 'index' | 'name' | 'pciBusId'>;

/**
 * An EngineSource whose statuses carry the matched GPUs. The GPUs' identities are read once from
 * a snapshot (they do not change while the app runs); while a snapshot has none (no driver yet,
 * or it failed), each engine change reads again. When a read brings GPUs, listeners get the status
 * again with them.
 */
export function withProviderGpus(engine: EngineSource, gpu: GpuSource): EngineSource {
  let gpus: GpuIdentity[] = [];
  let reading: Promise<void> | null = null;
  const listeners = new Set<(s: EngineStatus) => void>();
  const annotate = (s: EngineStatus): EngineStatus =>
    gpus.length === 0 ? s : { ...s, providers: withMatchedGpus(s.providers, gpus) };

  const readGpus = (): void => {
    if (gpus.length > 0 || reading) return;
    reading = gpu
      .snapshot()
      .then((snap) => {
        if (snap.gpus.length === 0) return;
        gpus = snap.gpus.map((g) => ({ index: g.index, name: g.name, pciBusId: g.pciBusId }));
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
  };
}
