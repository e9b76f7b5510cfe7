/**
 * Settings → GPU: the GPUs ONNX Runtime sees (engine status `gpus`), named as the GPU monitor
 * names them where the bus ids agree, and which one the setting holds. Pure, for the card and its
 * tests.
 */
import type { GpuInfo, OrtGpu, Settings } from '../../src-main/ipc/contract';

/** One entry of the GPU select. */
export interface GpuOption {
  /** The select's value: "pci:<bus>" / "luid:<LUID>", or "auto". */
  value: string;
  label: string;
  gpu: NonNullable<Settings['gpu']> | null;
}

/** "00000000:41:00.0" (NVML) and "0000:41:00.0" (ORT) as one form. */
function busKey(bus: string | null): string | null {
  return bus === null
    ? null
    : bus
        .trim()
        .toLowerCase()
        .replace(/^0+(?=[0-9a-f]{4}:)/, '');
}

/** The select value of a GPU (or of the setting). */
export function gpuValue(g: { pciBusId: string | null; luid: string | null } | null): string {
  if (g === null) return 'auto';
  const bus = busKey(g.pciBusId);
  return bus !== null ? `pci:${bus}` : `luid:${g.luid ?? ''}`;
}

/**
 * The options: Automatic, then each GPU ORT sees, then the chosen one if ORT no longer sees it
 * (a card removed), said so — the setting is never shown as something it is not.
 */
export function gpuOptions(
  ortGpus: readonly OrtGpu[],
  monitorGpus: readonly Pick<GpuInfo, 'name' | 'pciBusId'>[],
  chosen: Settings['gpu'] | undefined,
): GpuOption[] {
  const options: GpuOption[] = [
    { value: 'auto', label: 'Automatic (the NVIDIA GPU first)', gpu: null },
  ];
  for (const g of ortGpus) {
    const named = monitorGpus.find(
      (m) => busKey(m.pciBusId) !== null && busKey(m.pciBusId) === busKey(g.pciBusId),
    );
    const name = named?.name ?? g.name;
    const where = g.pciBusId !== null ? `PCI ${g.pciBusId}` : `LUID ${g.luid ?? '?'}`;
    options.push({
      value: gpuValue(g),
      label: `${name} (${where})`,
      gpu: { name, pciBusId: g.pciBusId, luid: g.luid },
    });
  }
  if (chosen && !options.some((o) => o.value === gpuValue(chosen))) {
    const where = chosen.pciBusId !== null ? `PCI ${chosen.pciBusId}` : `LUID ${chosen.luid}`;
    options.push({
      value: gpuValue(chosen),
      label: `${chosen.name} (${where}) — not seen now`,
      gpu: chosen,
    });
  }
  return options;
}
