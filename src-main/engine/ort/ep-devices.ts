/**
 * Execution-provider libraries and devices: register / unregister a plugin EP library (e.g. the
 * TensorRT-RTX EP), enumerate the env's EP devices with their hardware, and list the providers
 * compiled into this ORT build.
 *
 * EP device pointers belong to the env and stay valid until their library is unregistered; an
 * EpDevice read before an unregister throws when used afterwards.
 */
import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../../shared/errors';
import { callAsync, ortBinding, readCString, readPointers } from './api';
import type { NPtr, Ptr } from './api';
import { ortEnv } from './env';
import { DEVICE_MEMORY_TYPES, MemoryInfo } from './memory-info';
import type { DeviceMemoryType } from './memory-info';
import { check } from './status';

/** OrtHardwareDeviceType names. */
export const HARDWARE_DEVICE_TYPES = ['cpu', 'gpu', 'npu'] as const;
export type HardwareDeviceType = (typeof HARDWARE_DEVICE_TYPES)[number] | 'unknown';

/** The hardware an EP device runs on (OrtHardwareDevice). */
export interface HardwareDevice {
  type: HardwareDeviceType;
  /** PCI vendor id (0x10de for NVIDIA). */
  vendorId: number;
  /** PCI device id. */
  deviceId: number;
  vendor: string;
  /** ORT's discovery metadata: LUID, Discrete, pci_bus_id, ... */
  metadata: Record<string, string>;
}

// Bumped by every unregister: EP device pointers from before may dangle.
let generation = 0;

/** One OrtEpDevice: an execution provider paired with a hardware device. */
export class EpDevice {
  readonly epName: string;
  readonly epVendor: string;
  readonly epMetadata: Record<string, string>;
  readonly epOptions: Record<string, string>;
  readonly device: HardwareDevice;
  readonly #ptr: Ptr;
  readonly #generation: number;

  /** Reads everything about `ptr` at once (internal: use {@link getEpDevices}). */
  constructor(ptr: Ptr) {
    const { api } = ortBinding();
    this.#ptr = ptr;
    this.#generation = generation;
    this.epName = api.EpDevice_EpName(ptr) ?? '';
    this.epVendor = api.EpDevice_EpVendor(ptr) ?? '';
    this.epMetadata = readKeyValuePairs(api.EpDevice_EpMetadata(ptr));
    this.epOptions = readKeyValuePairs(api.EpDevice_EpOptions(ptr));
    const hw = api.EpDevice_Device(ptr);
    this.device = hw
      ? {
          type: HARDWARE_DEVICE_TYPES[api.HardwareDevice_Type(hw)] ?? 'unknown',
          vendorId: api.HardwareDevice_VendorId(hw),
          deviceId: api.HardwareDevice_DeviceId(hw),
          vendor: api.HardwareDevice_Vendor(hw) ?? '',
          metadata: readKeyValuePairs(api.HardwareDevice_Metadata(hw)),
        }
      : { type: 'unknown', vendorId: 0, deviceId: 0, vendor: '', metadata: {} };
  }

  /** The OrtEpDevice pointer; throws once an EP library was unregistered since it was read. */
  get ptr(): Ptr {
    if (this.#generation !== generation) {
      throw new Error(
        `EP device ${this.epName} was read before an EP library was unregistered; read it again`,
      );
    }
    return this.#ptr;
  }

  /**
   * EpDevice_MemoryInfo: the EP's memory description for `kind` (borrowed), or null when the EP
   * uses plain CPU memory.
   */
  memoryInfo(kind: DeviceMemoryType = 'default'): MemoryInfo | null {
    const p = ortBinding().api.EpDevice_MemoryInfo(this.ptr, DEVICE_MEMORY_TYPES[kind]);
    return p ? MemoryInfo.borrowed(p) : null;
  }
}

/** GetKeyValuePairs on a borrowed OrtKeyValuePairs (NULL → {}). */
export function readKeyValuePairs(kvps: NPtr): Record<string, string> {
  if (!kvps) return {};
  const keys: [NPtr] = [null];
  const values: [NPtr] = [null];
  const n: [number] = [0];
  ortBinding().api.GetKeyValuePairs(kvps, keys, values, n);
  const k = readPointers(keys[0], n[0]);
  const v = readPointers(values[0], n[0]);
  const out: Record<string, string> = {};
  k.forEach((kp, i) => {
    const key = readCString(kp);
    if (key !== null) out[key] = readCString(v[i] ?? null) ?? '';
  });
  return out;
}

/** GetEpDevices: every EP device the env knows (CPU's included). */
export function getEpDevices(): EpDevice[] {
  const env = ortEnv();
  const arr: [NPtr] = [null];
  const n: [number] = [0];
  check(ortBinding().api.GetEpDevices(env.ptr, arr, n), 'listing EP devices');
  return readPointers(arr[0], n[0])
    .filter((p): p is Ptr => p !== null)
    .map((p) => new EpDevice(p));
}

/**
 * RegisterExecutionProviderLibrary (on a worker thread: loading an EP library can load CUDA).
 * `registrationName` is the EP's name afterwards for plugin EPs: filter EP devices on it.
 * Fails with FILE_NOT_FOUND for a missing file and PROVIDER_UNAVAILABLE when ORT refuses it.
 */
export async function registerExecutionProviderLibrary(
  registrationName: string,
  libraryPath: string,
): Promise<void> {
  const env = ortEnv();
  const file = path.resolve(libraryPath);
  if (!fs.existsSync(file)) {
    throw new AppError('FILE_NOT_FOUND', `execution provider library not found: ${file}`);
  }
  const status = await callAsync(
    ortBinding().api.RegisterExecutionProviderLibrary,
    env.ptr,
    registrationName,
    file,
  );
  check(
    status,
    `registering execution provider library '${registrationName}' from ${file}`,
    'PROVIDER_UNAVAILABLE',
  );
}

/**
 * UnregisterExecutionProviderLibrary. Only safe once no session uses the EP. EpDevice objects read
 * before this call stop working.
 */
export function unregisterExecutionProviderLibrary(registrationName: string): void {
  const env = ortEnv();
  generation++;
  check(
    ortBinding().api.UnregisterExecutionProviderLibrary(env.ptr, registrationName),
    `unregistering execution provider library '${registrationName}'`,
  );
}

/** GetAvailableProviders: the providers compiled into this ORT build, e.g. CPUExecutionProvider. */
export function getAvailableProviders(): string[] {
  ortEnv();
  const { api } = ortBinding();
  const arr: [NPtr] = [null];
  const n: [number] = [0];
  check(api.GetAvailableProviders(arr, n), 'listing available providers');
  if (!arr[0]) return [];
  try {
    return readPointers(arr[0], n[0]).map((p) => readCString(p) ?? '');
  } finally {
    check(api.ReleaseAvailableProviders(arr[0], n[0]), 'releasing the provider list');
  }
}
