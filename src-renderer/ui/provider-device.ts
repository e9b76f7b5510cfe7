/**
 * Words for the GPU an execution provider will use, from the engine status (the main side has
 * already matched ORT's EP device to the GPU monitor's GPU: ProviderStatus.device.gpu). Pure.
 */
import type { ProviderId, ProviderStatus } from '../../src-main/ipc/contract';
import { PROVIDER_LABELS } from '../../src-main/ipc/providers';

/**
 * "WebGPU will use NVIDIA GeForce RTX 4070 Laptop GPU (PCI 0000:01:00.0)" when the device was
 * matched to a GPU; ORT's own description of the device (vendor, PCI ids, bus id or LUID) when not;
 * null when the provider has no device (CPU, or unavailable before any device was found).
 */
export function providerDeviceText(p: ProviderStatus): string | null {
  const d = p.device;
  if (d === null) return null;
  const who = PROVIDER_LABELS[p.id];
  if (d.gpu !== null) {
    return d.gpu.pciBusId !== null
      ? `${who} will use ${d.gpu.name} (PCI ${d.gpu.pciBusId})`
      : `${who} will use ${d.gpu.name}`;
  }
  const where = [
    `PCI ${hex4(d.vendorId)}:${hex4(d.deviceId)}`,
    d.pciBusId !== null ? `bus ${d.pciBusId}` : null,
    d.luid !== null ? `LUID ${d.luid}` : null,
  ].filter((x): x is string => x !== null);
  const name = d.name.startsWith('PCI ') ? 'a GPU' : d.name;
  return `${who} will use ${name} (${where.join(', ')})`;
}

/** The available providers whose device is the GPU with this index, in the engine's order. */
export function providersOnGpu(
  providers: readonly ProviderStatus[],
  gpuIndex: number,
): ProviderId[] {
  return providers.filter((p) => p.available && p.device?.gpu?.index === gpuIndex).map((p) => p.id);
}

function hex4(n: number): string {
  return n.toString(16).padStart(4, '0');
}
