/**
 * How a session reaches a provider in this process: by name (providers built into ORT), ORT's CUDA
 * V2 options (CUDA), or through the EP device of a registered plugin library (TensorRT-RTX), the
 * NVIDIA device when there is a choice. When the user chose a GPU (Settings → GPU, carried in
 * CRUCIBLE_GPU: gpu-choice.ts), every GPU provider goes to that GPU's EP device — WebGPU and
 * DirectML too, through SessionOptionsAppendExecutionProvider_V2 instead of by name — and CUDA gets
 * its `device_id`; a provider with no device on the chosen GPU is unavailable, saying so. Used by
 * engine/session/open-session.ts only.
 */
import type { ProviderId } from '../../ipc/contract';
import { AppError } from '../../shared/errors';
import { getEpDevices, type EpDevice, type ProviderByName, type SessionOptions } from '../ort';
import { PROVIDERS, TRT_RTX_NO_DEVICE_REASON, pickDevice, type EpDeviceFact } from './catalog';
import {
  cudaDeviceIdFor,
  describeGpuChoice,
  deviceOnChoice,
  GPU_CHOICE_VAR,
  parseGpuChoice,
  type GpuChoice,
} from './gpu-choice';

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
  | { byName: ProviderByName | null }
  | { cuda: true; deviceId: number | null }
  | { devices: EpDevice[] };

/** The GPU chosen for this process (CRUCIBLE_GPU), or null for automatic. */
export function gpuChoiceOfProcess(): GpuChoice | null {
  try {
    return parseGpuChoice(process.env[GPU_CHOICE_VAR]);
  } catch (err) {
    throw new AppError('BAD_REQUEST', (err as Error).message);
  }
}

/**
 * How to attach a provider in this process; PROVIDER_UNAVAILABLE with the reason when it can't be.
 * `choice` is the GPU the user chose (default: this process's CRUCIBLE_GPU).
 */
export function attachFor(
  provider: ProviderId,
  epName: string | null,
  choice: GpuChoice | null = gpuChoiceOfProcess(),
): ProviderAttach {
  const spec = PROVIDERS[provider];
  if (provider === 'cpu') return { byName: null };
  if (provider === 'cuda') {
    if (choice === null) return { cuda: true, deviceId: null };
    const deviceId = cudaDeviceIdFor(getEpDevices().map(epDeviceFact), choice);
    if (deviceId === null) {
      throw new AppError(
        'PROVIDER_UNAVAILABLE',
        `CUDA cannot be placed on ${describeGpuChoice(choice)}: ORT lists no NVIDIA GPU with that PCI bus id here${'luid' in choice ? ' (on Windows ORT gives adapters a LUID, not a bus id)' : ''}; choose Automatic in Settings → GPU`,
      );
    }
    return { cuda: true, deviceId };
  }
  if (spec.appendName !== null && choice === null) return { byName: { name: spec.appendName } };
  const name = spec.appendName !== null ? spec.ortName : (epName ?? spec.ortName);
  const all = getEpDevices();
  const facts = all.map(epDeviceFact);
  const chosen = choice ? deviceOnChoice(facts, name, choice) : pickDevice(facts, name);
  const device = chosen ? all[facts.indexOf(chosen)] : undefined;
  if (!device) {
    throw new AppError(
      'PROVIDER_UNAVAILABLE',
      choice
        ? `${spec.ortName} has no device on ${describeGpuChoice(choice)} (the GPU chosen in Settings → GPU); choose another GPU or Automatic`
        : `${spec.ortName}: ${TRT_RTX_NO_DEVICE_REASON}`,
    );
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
  else if ('cuda' in attach) {
    so.appendCuda(
      attach.deviceId === null ? options : { ...options, device_id: String(attach.deviceId) },
    );
  } else if (attach.byName) so.appendExecutionProvider(attach.byName.name, options);
}
