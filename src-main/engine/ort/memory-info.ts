/**
 * Memory descriptions and allocators: OrtMemoryInfo (CPU, legacy named devices, V2 by vendor and
 * device, or an EP device's own), ORT's default CPU allocator, and the env's shared allocators (the
 * way to allocate device memory without linking CUDA).
 */
import { AppError } from '../../shared/errors';
import { ortBinding, readCString } from './api';
import type { NPtr, Ptr } from './api';
import { ortEnv } from './env';
import { NativeHandle } from './handle';
import { check } from './status';

/** OrtAllocatorType. */
export const ALLOCATOR_TYPES = { device: 0, arena: 1, readOnly: 2 } as const;
export type AllocatorType = keyof typeof ALLOCATOR_TYPES;

/** OrtMemType (legacy CreateMemoryInfo). */
export const MEM_TYPES = { cpuInput: -2, cpuOutput: -1, default: 0 } as const;
export type MemType = keyof typeof MEM_TYPES;

/** OrtMemoryInfoDeviceType. */
export const MEMORY_DEVICE_TYPES = ['cpu', 'gpu', 'fpga', 'npu'] as const;
export type MemoryDeviceType = (typeof MEMORY_DEVICE_TYPES)[number];

/** OrtDeviceMemoryType: device memory, or host memory the device can reach (pinned). */
export const DEVICE_MEMORY_TYPES = { default: 0, hostAccessible: 5 } as const;
export type DeviceMemoryType = keyof typeof DEVICE_MEMORY_TYPES;

/** Options of {@link MemoryInfo.createV2}. */
export interface MemoryInfoV2Init {
  deviceType: MemoryDeviceType;
  /** PCI vendor id, e.g. 0x10de for NVIDIA. */
  vendorId: number;
  deviceId: number;
  memType?: DeviceMemoryType;
  alignment?: number;
  allocatorType?: AllocatorType;
}

/** An OrtMemoryInfo: owned (created here) or borrowed (owned by ORT, e.g. an EP device's). */
export class MemoryInfo extends NativeHandle {
  private constructor(ptr: bigint, owned: boolean) {
    super('OrtMemoryInfo', ptr, owned ? (p) => ortBinding().api.ReleaseMemoryInfo(p) : null);
  }

  /** CreateCpuMemoryInfo. */
  static cpu(allocatorType: AllocatorType = 'arena', memType: MemType = 'default'): MemoryInfo {
    ortEnv();
    const out: [NPtr] = [null];
    check(
      ortBinding().api.CreateCpuMemoryInfo(ALLOCATOR_TYPES[allocatorType], MEM_TYPES[memType], out),
      'creating CPU memory info',
    );
    return new MemoryInfo(out[0] ?? 0n, true);
  }

  /** CreateMemoryInfo: one of ORT's fixed names ('Cpu', 'Cuda', 'CudaPinned', 'DML', ...). */
  static create(
    name: string,
    deviceId = 0,
    allocatorType: AllocatorType = 'device',
    memType: MemType = 'default',
  ): MemoryInfo {
    ortEnv();
    const out: [NPtr] = [null];
    check(
      ortBinding().api.CreateMemoryInfo(
        name,
        ALLOCATOR_TYPES[allocatorType],
        deviceId,
        MEM_TYPES[memType],
        out,
      ),
      `creating memory info '${name}'`,
    );
    return new MemoryInfo(out[0] ?? 0n, true);
  }

  /** CreateMemoryInfo_V2: any name, described by device type, vendor and device id. */
  static createV2(name: string, init: MemoryInfoV2Init): MemoryInfo {
    ortEnv();
    const deviceType = MEMORY_DEVICE_TYPES.indexOf(init.deviceType);
    if (deviceType < 0) {
      throw new AppError('BAD_REQUEST', `unknown memory device type '${init.deviceType}'`);
    }
    const out: [NPtr] = [null];
    check(
      ortBinding().api.CreateMemoryInfo_V2(
        name,
        deviceType,
        init.vendorId,
        init.deviceId,
        DEVICE_MEMORY_TYPES[init.memType ?? 'default'],
        init.alignment ?? 0,
        ALLOCATOR_TYPES[init.allocatorType ?? 'device'],
        out,
      ),
      `creating memory info '${name}'`,
    );
    return new MemoryInfo(out[0] ?? 0n, true);
  }

  /** Wraps a pointer ORT owns (release() then only forgets it). */
  static borrowed(ptr: Ptr): MemoryInfo {
    return new MemoryInfo(ptr, false);
  }

  /** MemoryInfoGetName. */
  get name(): string {
    const out: [NPtr] = [null];
    check(ortBinding().api.MemoryInfoGetName(this.ptr, out), 'reading a memory info name');
    return readCString(out[0]) ?? '';
  }

  /** MemoryInfoGetId. */
  get deviceId(): number {
    const out: [number] = [0];
    check(ortBinding().api.MemoryInfoGetId(this.ptr, out), 'reading a memory info id');
    return out[0];
  }

  /** MemoryInfoGetDeviceType. */
  get deviceType(): MemoryDeviceType {
    const out: [number] = [0];
    ortBinding().api.MemoryInfoGetDeviceType(this.ptr, out);
    return MEMORY_DEVICE_TYPES[out[0]] ?? 'cpu';
  }
}

/**
 * An OrtAllocator: borrowed (ORT's default allocator and the env's shared ones), or owned (a
 * session's, from {@link Allocator.forSession}, released with release()).
 */
export class Allocator extends NativeHandle {
  private constructor(ptr: bigint, free: ((p: bigint) => void) | null = null) {
    super('OrtAllocator', ptr, free);
  }

  /**
   * CreateAllocator: an allocator over the memory `session`'s providers registered for `memInfo`
   * (device memory the env has no shared allocator for, e.g. WebGPU's); owned.
   */
  static forSession(session: { ptr: bigint }, memInfo: MemoryInfo): Allocator {
    const out: [NPtr] = [null];
    check(
      ortBinding().api.CreateAllocator(session.ptr, memInfo.ptr, out),
      `creating a session allocator for '${memInfo.name}'`,
    );
    if (!out[0])
      throw new AppError('NOT_FOUND', `no session allocator for memory '${memInfo.name}'`);
    return new Allocator(out[0], (p) => ortBinding().api.ReleaseAllocator(p));
  }

  /** GetAllocatorWithDefaultOptions: ORT's CPU allocator. */
  static default(): Allocator {
    if (!defaultAllocator) {
      ortEnv();
      const out: [NPtr] = [null];
      check(ortBinding().api.GetAllocatorWithDefaultOptions(out), 'getting the default allocator');
      defaultAllocator = new Allocator(out[0] ?? 0n);
    }
    return defaultAllocator;
  }

  /** GetSharedAllocator: the env's allocator for `memInfo` (e.g. an EP device's memory). */
  static shared(memInfo: MemoryInfo): Allocator {
    const out: [NPtr] = [null];
    check(
      ortBinding().api.GetSharedAllocator(ortEnv().ptr, memInfo.ptr, out),
      `getting the shared allocator for '${memInfo.name}'`,
    );
    if (!out[0]) {
      throw new AppError('NOT_FOUND', `no shared allocator for memory '${memInfo.name}'`);
    }
    return new Allocator(out[0]);
  }

  /** AllocatorFree: frees memory ORT allocated with this allocator and handed over. */
  free(p: Ptr): void {
    check(ortBinding().api.AllocatorFree(this.ptr, p), 'freeing ORT-allocated memory');
  }
}

let defaultAllocator: Allocator | null = null;
let cpuInfo: MemoryInfo | null = null;

/** A process-lifetime CPU memory info for tensors over JS memory. */
export function cpuMemoryInfo(): MemoryInfo {
  cpuInfo ??= MemoryInfo.cpu('device', 'default');
  return cpuInfo;
}
