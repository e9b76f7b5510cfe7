/**
 * The GPU the user chose for GPU providers (Settings → GPU), on machines with more than one: one
 * identity as ORT's EP devices carry it — the PCI bus id (Linux) or the adapter LUID (Windows) —
 * handed to every engine process in `CRUCIBLE_GPU` ("pci:0000:01:00.0" or "luid:123456"); unset
 * means automatic (the NVIDIA discrete GPU first, catalog.ts pickDevice). Pure, so every machine
 * shape is table-tested without a GPU; engine/providers/attach.ts applies it.
 *
 * Why an environment variable: a provider's device is fixed when the engine host starts (plugin
 * libraries register then), compile jobs are separate processes, and the main side already hands
 * Settings to them this way (the TensorRT-RTX folder, telemetry); a change restarts the host.
 */
import { deviceIdentity, normaliseLuid, normalisePciBusId } from './gpu-match';
import type { OrtGpu } from '../../ipc/contract';
import type { EpDeviceFact } from './catalog';

/** The environment variable carrying the choice into engine processes. */
export const GPU_CHOICE_VAR = 'CRUCIBLE_GPU';

/** One GPU as ORT identifies it. */
export type GpuChoice = { pciBusId: string } | { luid: string };

/** Encodes a choice for {@link GPU_CHOICE_VAR}; null (automatic) when neither id is known. */
export function encodeGpuChoice(ids: {
  pciBusId: string | null;
  luid: string | null;
}): string | null {
  const bus = normalisePciBusId(ids.pciBusId);
  if (bus !== null) return `pci:${bus}`;
  const luid = normaliseLuid(ids.luid);
  return luid !== null ? `luid:${luid}` : null;
}

/**
 * Reads {@link GPU_CHOICE_VAR}: null when unset or empty (automatic). A value that is neither form
 * is an error naming it (a user may set the variable by hand for the CLI).
 */
export function parseGpuChoice(text: string | undefined): GpuChoice | null {
  if (text === undefined || text.trim() === '') return null;
  const m = /^(pci|luid):(.+)$/i.exec(text.trim());
  const bus = m && m[1]?.toLowerCase() === 'pci' ? normalisePciBusId(m[2]) : null;
  if (bus !== null) return { pciBusId: bus };
  const luid = m && m[1]?.toLowerCase() === 'luid' ? normaliseLuid(m[2]) : null;
  if (luid !== null) return { luid };
  throw new Error(
    `${GPU_CHOICE_VAR}='${text}' is not a GPU: give pci:<bus id> (e.g. pci:0000:01:00.0) or luid:<LUID>, or leave it unset for automatic`,
  );
}

/** The choice in words, for messages ("the GPU at PCI 0000:02:00.0"). */
export function describeGpuChoice(choice: GpuChoice): string {
  return 'pciBusId' in choice
    ? `the GPU at PCI ${choice.pciBusId}`
    : `the GPU with adapter LUID ${choice.luid}`;
}

/** Whether an EP device is on the chosen GPU. */
export function deviceIsChoice(device: Pick<EpDeviceFact, 'metadata'>, choice: GpuChoice): boolean {
  const id = deviceIdentity(device.metadata);
  return 'pciBusId' in choice ? id.pciBusId === choice.pciBusId : id.luid === choice.luid;
}

/** The GPU device of an EP on the chosen GPU, or null when that EP offers none there. */
export function deviceOnChoice(
  devices: readonly EpDeviceFact[],
  epName: string,
  choice: GpuChoice,
): EpDeviceFact | null {
  return (
    devices.find((d) => d.epName === epName && d.type === 'gpu' && deviceIsChoice(d, choice)) ??
    null
  );
}

/**
 * CUDA's `device_id` for the chosen GPU, with CUDA_DEVICE_ORDER=PCI_BUS_ID (set by the main side
 * with the choice): the chosen bus id's rank among the NVIDIA GPUs ORT lists, in bus order. Null
 * when it cannot be known: a LUID choice (Windows: ORT gives no bus id there) or a bus id no
 * NVIDIA device has.
 */
export function cudaDeviceIdFor(
  devices: readonly EpDeviceFact[],
  choice: GpuChoice,
): number | null {
  if (!('pciBusId' in choice)) return null;
  const nvidiaBuses = [
    ...new Set(
      devices
        .filter((d) => d.type === 'gpu' && d.vendorId === 0x10de)
        .map((d) => deviceIdentity(d.metadata).pciBusId)
        .filter((b): b is string => b !== null),
    ),
  ].sort();
  const at = nvidiaBuses.indexOf(choice.pciBusId);
  return at < 0 ? null : at;
}

/**
 * The GPUs behind ORT's EP devices, one per piece of hardware (several EPs list the same GPU),
 * in bus / LUID order: what Settings → GPU offers.
 */
export function ortGpus(devices: readonly EpDeviceFact[]): OrtGpu[] {
  const seen = new Map<string, OrtGpu>();
  for (const d of devices) {
    if (d.type !== 'gpu') continue;
    const id = deviceIdentity(d.metadata);
    const key = encodeGpuChoice(id);
    if (key === null || seen.has(key)) continue;
    seen.set(key, {
      name:
        d.metadata.Description ||
        d.vendor ||
        `PCI ${d.vendorId.toString(16)}:${d.deviceId.toString(16)}`,
      vendorId: d.vendorId,
      ...id,
    });
  }
  return [...seen.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, g]) => g);
}
