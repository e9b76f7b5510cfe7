/**
 * How a session reaches a provider in this process: by name (providers built into ORT), ORT's CUDA
 * V2 options (CUDA), or through the EP device of a registered plugin library (TensorRT-RTX), the
 * NVIDIA device when there is a choice. Used by engine/session/open-session.ts only.
 */
import type { ProviderId } from '../../ipc/contract';
import { AppError } from '../../shared/errors';
import { getEpDevices, type EpDevice, type ProviderByName, type SessionOptions } from '../ort';
import { PROVIDERS, TRT_RTX_NO_DEVICE_REASON, pickDevice, type EpDeviceFact } from './catalog';

/** What the catalog needs to know of an EP device ORT listed. */
export function epDeviceFact(d: EpDevice): EpDeviceFact {
  return {
    epName: d.epName,
    type: d.device.type,
    vendorId: d.device.vendorId,
    deviceId: d.device.deviceId,
    vendor: d.device.vendor,
    metadata: d.device.metadata,
  };
}

/**
 * How a session reaches the provider: by name, ORT's CUDA V2 options (CUDA is not appended by
 * name), or through a plugin's EP devices.
 */
export type ProviderAttach =
  { byName: ProviderByName | null } | { cuda: true } | { devices: EpDevice[] };

/** How to attach a provider in this process; PROVIDER_UNAVAILABLE with the reason when it can't be. */
export function attachFor(provider: ProviderId, epName: string | null): ProviderAttach {
  const spec = PROVIDERS[provider];
  if (provider === 'cuda') return { cuda: true };
  if (spec.appendName !== null || provider === 'cpu') {
    return { byName: spec.appendName ? { name: spec.appendName } : null };
  }
  const name = epName ?? spec.ortName;
  const all = getEpDevices();
  const facts = all.map(epDeviceFact);
  const chosen = pickDevice(facts, name);
  const device = chosen ? all[facts.indexOf(chosen)] : undefined;
  if (!device) {
    throw new AppError('PROVIDER_UNAVAILABLE', `${spec.ortName}: ${TRT_RTX_NO_DEVICE_REASON}`);
  }
  return { devices: [device] };
}

/** Appends a provider to session options as {@link attachFor} decides. */
export function appendProvider(
  so: SessionOptions,
  attach: ProviderAttach,
  options: Record<string, string>,
): void {
  if ('devices' in attach) so.appendEpDevices(attach.devices, options);
  else if ('cuda' in attach) so.appendCuda(options);
  else if (attach.byName) so.appendExecutionProvider(attach.byName.name, options);
}
