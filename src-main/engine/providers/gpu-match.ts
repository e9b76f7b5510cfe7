/**
 * Which GPU an EP device is: ORT's hardware-device metadata (`pci_bus_id` on Linux, `LUID` on
 * Windows; shared/ref/onnxruntime-native.md) against the GPU monitor's snapshot (NVML or
 * nvidia-smi, which print bus ids as "00000000:01:00.0" while ORT's sysfs read gives
 * "0000:01:00.0"). Pure, so every format and machine shape is table-tested without a GPU.
 *
 * NVML has no LUID, and ORT's Windows discovery gives no PCI bus id, so on Windows an NVIDIA device
 * is matched to the snapshot's GPU only when the snapshot has exactly one (the usual RTX PC, with
 * or without an integrated GPU, which NVML never lists).
 */
import type { GpuInfo, ProviderStatus } from '../../ipc/contract';

/** The GPU a provider's device was matched to (ProviderStatus.device.gpu). */
export type GpuMatch = NonNullable<NonNullable<ProviderStatus['device']>['gpu']>;

const NVIDIA = 0x10de;

/**
 * A PCI bus id in one form, "dddd:bb:dd.f" in lower case (domain at least four hex digits), from
 * any of "00000000:01:00.0" (NVML, nvidia-smi), "0000:01:00.0" (sysfs, ORT on Linux) or "01:00.0"
 * (no domain: domain 0). Null for anything else.
 */
export function normalisePciBusId(text: string | null | undefined): string | null {
  if (typeof text !== 'string') return null;
  const m = /^(?:([0-9a-f]{1,8}):)?([0-9a-f]{1,2}):([0-9a-f]{1,2})\.([0-7])$/.exec(
    text.trim().toLowerCase(),
  );
  if (!m) return null;
  const [, domain, bus, dev, fn] = m as unknown as [
    string,
    string | undefined,
    string,
    string,
    string,
  ];
  const hex = (s: string, width: number) => parseInt(s, 16).toString(16).padStart(width, '0');
  return `${hex(domain ?? '0', 4)}:${hex(bus, 2)}:${hex(dev, 2)}.${fn}`;
}

/**
 * A Windows adapter LUID as one string: ORT prints it as the decimal value of (high << 32 | low);
 * a hex form ("0x…") is read too. Leading zeros go; anything else is kept as ORT gave it.
 */
export function normaliseLuid(text: string | null | undefined): string | null {
  if (typeof text !== 'string') return null;
  const t = text.trim();
  if (t === '') return null;
  if (/^\d+$/.test(t) || /^0x[0-9a-f]+$/i.test(t)) return BigInt(t).toString();
  return t;
}

/** A metadata value by key, ignoring case (ORT's keys are `pci_bus_id` and `LUID`). */
function metadataValue(metadata: Record<string, string>, key: string): string | undefined {
  const wanted = key.toLowerCase();
  for (const [k, v] of Object.entries(metadata)) if (k.toLowerCase() === wanted) return v;
  return undefined;
}

/** The bus id and LUID of an EP device's hardware, from ORT's metadata (each null when absent). */
export function deviceIdentity(metadata: Record<string, string>): {
  pciBusId: string | null;
  luid: string | null;
} {
  return {
    pciBusId: normalisePciBusId(metadataValue(metadata, 'pci_bus_id')),
    luid: normaliseLuid(metadataValue(metadata, 'LUID')),
  };
}

/**
 * The snapshot GPU an EP device is. A device with a bus id matches only the GPU with that bus id
 * (an integrated GPU has a bus id too, and must never borrow the NVIDIA card's name); a device
 * without one matches when it is NVIDIA's and the snapshot has exactly one GPU. Otherwise null.
 */
export function matchGpu(
  device: { vendorId: number; pciBusId: string | null },
  gpus: readonly Pick<GpuInfo, 'index' | 'name' | 'pciBusId'>[],
): GpuMatch | null {
  const wanted = normalisePciBusId(device.pciBusId);
  if (wanted !== null) {
    const g = gpus.find((x) => normalisePciBusId(x.pciBusId) === wanted);
    return g ? { index: g.index, name: g.name, pciBusId: wanted, matchedBy: 'pci-bus-id' } : null;
  }
  const only = gpus.length === 1 ? gpus[0] : undefined;
  if (device.vendorId !== NVIDIA || only === undefined) return null;
  return {
    index: only.index,
    name: only.name,
    pciBusId: normalisePciBusId(only.pciBusId),
    matchedBy: 'vendor',
  };
}

/** The providers with each device's GPU matched against the snapshot's GPUs. */
export function withMatchedGpus(
  providers: readonly ProviderStatus[],
  gpus: readonly Pick<GpuInfo, 'index' | 'name' | 'pciBusId'>[],
): ProviderStatus[] {
  return providers.map((p) =>
    p.device ? { ...p, device: { ...p.device, gpu: matchGpu(p.device, gpus) } } : p,
  );
}
