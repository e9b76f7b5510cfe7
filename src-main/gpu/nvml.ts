/**
 * NVML (the NVIDIA Management Library that ships with the driver) through koffi: the primary
 * telemetry source. Declarations are written from NVIDIA's nvml.h (API version 13); only the
 * read-only queries listed here are bound. No nvmlDeviceSet* function is declared or called:
 * Crucible never changes a GPU's settings by itself.
 *
 * Every NVML call runs through koffi's async path (a worker thread), because nvmlInit can take
 * a second on a GPU without persistence mode and the main process's event loop must not wait.
 * A query the GPU or driver refuses (NOT_SUPPORTED, NO_PERMISSION, …) becomes null in the
 * snapshot; only failing to load or initialise NVML fails the whole source.
 */
import koffi from '../native/koffi-setup';
import type { LibraryHandle, TypeObject } from 'koffi';
import type { GpuInfo } from '../ipc/contract';
import { AppError } from '../shared/errors';
import { architectureName, precisionsFor } from './arch';
import { decodeClockEventReasons } from './throttle';

type NativeFn = ReturnType<LibraryHandle['func']>;
type Spec = string | TypeObject | ReturnType<typeof koffi.out>;

/** nvmlReturn_t values Crucible tells apart (nvml.h). */
export const NVML_RETURN = {
  SUCCESS: 0,
  UNINITIALIZED: 1,
  INVALID_ARGUMENT: 2,
  NOT_SUPPORTED: 3,
  NO_PERMISSION: 4,
  NOT_FOUND: 6,
  INSUFFICIENT_SIZE: 7,
  DRIVER_NOT_LOADED: 9,
  LIBRARY_NOT_FOUND: 12,
  FUNCTION_NOT_FOUND: 13,
  GPU_IS_LOST: 15,
  UNKNOWN: 999,
} as const;

// Buffer sizes from nvml.h (NVML_DEVICE_NAME_V2_BUFFER_SIZE, NVML_DEVICE_UUID_V2_BUFFER_SIZE,
// NVML_SYSTEM_DRIVER_VERSION_BUFFER_SIZE, NVML_DEVICE_PCI_BUS_ID_BUFFER_V2_SIZE and _SIZE).
const NAME_SIZE = 96;
const UUID_SIZE = 96;
const DRIVER_VERSION_SIZE = 80;
const PCI_BUS_ID_LEGACY_SIZE = 16;
const PCI_BUS_ID_SIZE = 32;

// nvmlTemperatureSensors_t, nvmlClockType_t, nvmlPstates_t.
const NVML_TEMPERATURE_GPU = 0;
const NVML_CLOCK_SM = 1;
const NVML_CLOCK_MEM = 2;
const NVML_PSTATE_UNKNOWN = 32;

/** Formats nvmlSystemGetCudaDriverVersion_v2's integer (12040) the way nvidia-smi does ("12.4"). */
export function formatCudaDriverVersion(v: number): string {
  return `${Math.floor(v / 1000)}.${Math.floor((v % 1000) / 10)}`;
}

/** nvmlPstates_t → "P0".."P15"; null for NVML_PSTATE_UNKNOWN or anything out of range. */
export function pstateName(v: number): string | null {
  return v >= 0 && v <= 15 && v !== NVML_PSTATE_UNKNOWN ? `P${v}` : null;
}

/**
 * Where to look for the NVML library, in order: the explicit path, CRUCIBLE_NVML_PATH, then the
 * driver's usual places. On Windows only absolute paths, so a stray nvml.dll elsewhere on the DLL
 * search path cannot win; on Linux the plain soname first (the loader's cache knows the driver's
 * copy), then container and distro folders, and WSL's driver folder.
 */
export function nvmlLibraryCandidates(
  explicit: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  arch: string = process.arch,
): string[] {
  if (explicit) return [explicit];
  if (env.CRUCIBLE_NVML_PATH) return [env.CRUCIBLE_NVML_PATH];
  if (platform === 'win32') {
    const systemRoot = env.SystemRoot ?? env.SYSTEMROOT ?? 'C:\\Windows';
    const programFiles = env.ProgramFiles ?? 'C:\\Program Files';
    return [
      `${systemRoot}\\System32\\nvml.dll`,
      `${programFiles}\\NVIDIA Corporation\\NVSMI\\nvml.dll`,
    ];
  }
  const triplet = arch === 'arm64' ? 'aarch64-linux-gnu' : 'x86_64-linux-gnu';
  return [
    'libnvidia-ml.so.1',
    '/usr/local/nvidia/lib64/libnvidia-ml.so.1',
    `/usr/lib/${triplet}/libnvidia-ml.so.1`,
    '/usr/lib64/libnvidia-ml.so.1',
    '/usr/lib/wsl/lib/libnvidia-ml.so.1',
  ];
}

/** The library's file name on this platform, for messages. */
export function nvmlLibraryName(platform: NodeJS.Platform = process.platform): string {
  return platform === 'win32' ? 'nvml.dll' : 'libnvidia-ml.so.1';
}

interface Types {
  pciInfo: TypeObject;
  memory: TypeObject;
  utilization: TypeObject;
  outUint: ReturnType<typeof koffi.out>;
  outInt: ReturnType<typeof koffi.out>;
  outUint64: ReturnType<typeof koffi.out>;
  outDevice: ReturnType<typeof koffi.out>;
  outPci: ReturnType<typeof koffi.out>;
  outMemory: ReturnType<typeof koffi.out>;
  outUtilization: ReturnType<typeof koffi.out>;
}

let types: Types | null = null;

// Anonymous koffi types, made once: named ones would collide with any other module's names.
function nvmlTypes(): Types {
  if (types) return types;
  const pciInfo = koffi.struct({
    busIdLegacy: koffi.array('char', PCI_BUS_ID_LEGACY_SIZE),
    domain: 'unsigned int',
    bus: 'unsigned int',
    device: 'unsigned int',
    pciDeviceId: 'unsigned int',
    pciSubSystemId: 'unsigned int',
    busId: koffi.array('char', PCI_BUS_ID_SIZE),
  });
  const memory = koffi.struct({
    total: 'unsigned long long',
    free: 'unsigned long long',
    used: 'unsigned long long',
  });
  const utilization = koffi.struct({ gpu: 'unsigned int', memory: 'unsigned int' });
  types = {
    pciInfo,
    memory,
    utilization,
    outUint: koffi.out(koffi.pointer('unsigned int')),
    outInt: koffi.out(koffi.pointer('int')),
    outUint64: koffi.out(koffi.pointer('unsigned long long')),
    outDevice: koffi.out(koffi.pointer('void *')),
    outPci: koffi.out(koffi.pointer(pciInfo)),
    outMemory: koffi.out(koffi.pointer(memory)),
    outUtilization: koffi.out(koffi.pointer(utilization)),
  };
  return types;
}

interface Bindings {
  init: NativeFn;
  shutdown: NativeFn;
  errorString: NativeFn;
  getCount: NativeFn;
  getHandleByIndex: NativeFn;
  driverVersion: NativeFn | null;
  cudaDriverVersion: NativeFn | null;
  name: NativeFn | null;
  uuid: NativeFn | null;
  pciInfo: NativeFn | null;
  computeCapability: NativeFn | null;
  memoryInfo: NativeFn | null;
  powerUsage: NativeFn | null;
  powerLimit: NativeFn | null;
  powerDefaultLimit: NativeFn | null;
  powerConstraints: NativeFn | null;
  enforcedPowerLimit: NativeFn | null;
  temperature: NativeFn | null;
  fanSpeed: NativeFn | null;
  clockInfo: NativeFn | null;
  maxClockInfo: NativeFn | null;
  utilization: NativeFn | null;
  pcieGen: NativeFn | null;
  pcieGenMax: NativeFn | null;
  pcieWidth: NativeFn | null;
  pcieWidthMax: NativeFn | null;
  performanceState: NativeFn | null;
  eventReasons: NativeFn | null;
  totalEnergy: NativeFn | null;
}

function bind(lib: LibraryHandle): Bindings {
  const t = nvmlTypes();
  const dev = 'void *';
  const req = (name: string, args: Spec[]): NativeFn => lib.func(name, 'int', args);
  // Older drivers lack some entry points; a missing one means that field stays null.
  const opt = (name: string, args: Spec[]): NativeFn | null => {
    try {
      return lib.func(name, 'int', args);
    } catch {
      return null;
    }
  };
  return {
    init: req('nvmlInit_v2', []),
    shutdown: req('nvmlShutdown', []),
    errorString: lib.func('nvmlErrorString', 'const char *', ['int']),
    getCount: req('nvmlDeviceGetCount_v2', [t.outUint]),
    getHandleByIndex: req('nvmlDeviceGetHandleByIndex_v2', ['unsigned int', t.outDevice]),
    driverVersion: opt('nvmlSystemGetDriverVersion', ['void *', 'unsigned int']),
    cudaDriverVersion: opt('nvmlSystemGetCudaDriverVersion_v2', [t.outInt]),
    name: opt('nvmlDeviceGetName', [dev, 'void *', 'unsigned int']),
    uuid: opt('nvmlDeviceGetUUID', [dev, 'void *', 'unsigned int']),
    pciInfo: opt('nvmlDeviceGetPciInfo_v3', [dev, t.outPci]),
    computeCapability: opt('nvmlDeviceGetCudaComputeCapability', [dev, t.outInt, t.outInt]),
    memoryInfo: opt('nvmlDeviceGetMemoryInfo', [dev, t.outMemory]),
    powerUsage: opt('nvmlDeviceGetPowerUsage', [dev, t.outUint]),
    powerLimit: opt('nvmlDeviceGetPowerManagementLimit', [dev, t.outUint]),
    powerDefaultLimit: opt('nvmlDeviceGetPowerManagementDefaultLimit', [dev, t.outUint]),
    powerConstraints: opt('nvmlDeviceGetPowerManagementLimitConstraints', [
      dev,
      t.outUint,
      t.outUint,
    ]),
    enforcedPowerLimit: opt('nvmlDeviceGetEnforcedPowerLimit', [dev, t.outUint]),
    temperature: opt('nvmlDeviceGetTemperature', [dev, 'int', t.outUint]),
    // NOT_SUPPORTED on passively cooled cards (an H200 has no fan of its own).
    fanSpeed: opt('nvmlDeviceGetFanSpeed', [dev, t.outUint]),
    clockInfo: opt('nvmlDeviceGetClockInfo', [dev, 'int', t.outUint]),
    maxClockInfo: opt('nvmlDeviceGetMaxClockInfo', [dev, 'int', t.outUint]),
    utilization: opt('nvmlDeviceGetUtilizationRates', [dev, t.outUtilization]),
    pcieGen: opt('nvmlDeviceGetCurrPcieLinkGeneration', [dev, t.outUint]),
    pcieGenMax: opt('nvmlDeviceGetMaxPcieLinkGeneration', [dev, t.outUint]),
    pcieWidth: opt('nvmlDeviceGetCurrPcieLinkWidth', [dev, t.outUint]),
    pcieWidthMax: opt('nvmlDeviceGetMaxPcieLinkWidth', [dev, t.outUint]),
    performanceState: opt('nvmlDeviceGetPerformanceState', [dev, t.outInt]),
    // Renamed in R535; the old name is kept by newer drivers but marked deprecated.
    eventReasons:
      opt('nvmlDeviceGetCurrentClocksEventReasons', [dev, t.outUint64]) ??
      opt('nvmlDeviceGetCurrentClocksThrottleReasons', [dev, t.outUint64]),
    // Millijoules since the driver loaded; Volta and newer (NOT_SUPPORTED before).
    totalEnergy: opt('nvmlDeviceGetTotalEnergyConsumption', [dev, t.outUint64]),
  };
}

function callAsync(fn: NativeFn, args: unknown[]): Promise<number> {
  return new Promise((resolve, reject) => {
    fn.async(...args, (err: unknown, rc: number) => (err ? reject(err) : resolve(rc)));
  });
}

function cString(buf: Buffer): string {
  const end = buf.indexOf(0);
  return buf.toString('utf8', 0, end < 0 ? buf.length : end);
}

function toNumber(v: unknown): number {
  return typeof v === 'bigint' ? Number(v) : Number(v);
}

/** The parts of a GPU that do not change while the app runs, read once per device. */
interface StaticInfo {
  name: string;
  uuid: string | null;
  pciBusId: string | null;
  computeCapability: string | null;
  defaultW: number | null;
  minW: number | null;
  maxW: number | null;
  smMaxMHz: number | null;
  memMaxMHz: number | null;
  genMax: number | null;
  widthMax: number | null;
}

/** What one NVML reading holds. */
export interface NvmlReading {
  driverVersion: string | null;
  cudaDriverVersion: string | null;
  gpus: GpuInfo[];
}

/** Options for {@link openNvml}. */
export interface NvmlOptions {
  /** An explicit library path; otherwise {@link nvmlLibraryCandidates}. */
  libraryPath?: string;
  env?: NodeJS.ProcessEnv;
}

/** An initialised NVML: read snapshots with {@link NvmlSource.sample}, then {@link NvmlSource.close}. */
export class NvmlSource {
  private readonly statics = new Map<number, StaticInfo>();
  private readonly handles = new Map<number, bigint>();
  private system: { driver: string | null; cuda: string | null } | null = null;
  private closed = false;

  /** @internal use {@link openNvml} */
  constructor(
    /** The library file that was loaded. */
    readonly path: string,
    private readonly fns: Bindings,
  ) {}

  /** NVML's own words for a return code. */
  errorString(rc: number): string {
    const s = this.fns.errorString(rc) as string | null;
    return s ?? `NVML error ${rc}`;
  }

  /** One reading of every GPU NVML sees. Throws AppError when NVML cannot even count them. */
  async sample(): Promise<NvmlReading> {
    if (this.closed) throw new Error('NVML source used after close()');
    const countOut = [0];
    const rc = await callAsync(this.fns.getCount, [countOut]);
    if (rc !== NVML_RETURN.SUCCESS) {
      throw new AppError(
        'GPU_UNAVAILABLE',
        `NVML could not count the GPUs: ${this.errorString(rc)}.`,
        `nvmlDeviceGetCount_v2 returned ${rc} (${this.path})`,
      );
    }
    const count = toNumber(countOut[0]);
    this.system ??= await this.readSystem();
    const gpus = await Promise.all(
      Array.from({ length: count }, (_, index) => this.readDevice(index)),
    );
    return {
      driverVersion: this.system.driver,
      cudaDriverVersion: this.system.cuda,
      gpus,
    };
  }

  /** Shuts NVML down (NVML counts init/shutdown pairs, so other users in the process are safe). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.fns.shutdown();
  }

  private async readSystem(): Promise<{ driver: string | null; cuda: string | null }> {
    let driver: string | null = null;
    if (this.fns.driverVersion) {
      const buf = Buffer.alloc(DRIVER_VERSION_SIZE);
      if ((await callAsync(this.fns.driverVersion, [buf, buf.length])) === 0) driver = cString(buf);
    }
    const cudaInt = await this.intOut(this.fns.cudaDriverVersion, []);
    return { driver, cuda: cudaInt === null ? null : formatCudaDriverVersion(cudaInt) };
  }

  private async handle(index: number): Promise<bigint | null> {
    const known = this.handles.get(index);
    if (known !== undefined) return known;
    const out: unknown[] = [null];
    const rc = await callAsync(this.fns.getHandleByIndex, [index, out]);
    if (rc !== NVML_RETURN.SUCCESS) return null;
    const h = BigInt(out[0] as bigint | number);
    this.handles.set(index, h);
    return h;
  }

  private async uintOut(fn: NativeFn | null, args: unknown[]): Promise<number | null> {
    if (!fn) return null;
    const out = [0];
    return (await callAsync(fn, [...args, out])) === 0 ? toNumber(out[0]) : null;
  }

  private async intOut(fn: NativeFn | null, args: unknown[]): Promise<number | null> {
    return this.uintOut(fn, args);
  }

  private async stringOut(fn: NativeFn | null, dev: bigint, size: number): Promise<string | null> {
    if (!fn) return null;
    const buf = Buffer.alloc(size);
    return (await callAsync(fn, [dev, buf, size])) === 0 ? cString(buf) : null;
  }

  private async structOut<T>(fn: NativeFn | null, dev: bigint): Promise<T | null> {
    if (!fn) return null;
    const out = {};
    return (await callAsync(fn, [dev, out])) === 0 ? (out as T) : null;
  }

  private async readStatic(index: number, dev: bigint): Promise<StaticInfo> {
    const known = this.statics.get(index);
    if (known) return known;
    const f = this.fns;
    const major = [0];
    const minor = [0];
    const minOut = [0];
    const maxOut = [0];
    const [name, uuid, pci, ccRc, defaultMw, limitsRc, smMax, memMax, genMax, widthMax] =
      await Promise.all([
        this.stringOut(f.name, dev, NAME_SIZE),
        this.stringOut(f.uuid, dev, UUID_SIZE),
        this.structOut<{ busId: string }>(f.pciInfo, dev),
        f.computeCapability ? callAsync(f.computeCapability, [dev, major, minor]) : null,
        this.uintOut(f.powerDefaultLimit, [dev]),
        f.powerConstraints ? callAsync(f.powerConstraints, [dev, minOut, maxOut]) : null,
        this.uintOut(f.maxClockInfo, [dev, NVML_CLOCK_SM]),
        this.uintOut(f.maxClockInfo, [dev, NVML_CLOCK_MEM]),
        this.uintOut(f.pcieGenMax, [dev]),
        this.uintOut(f.pcieWidthMax, [dev]),
      ]);
    const info: StaticInfo = {
      name: name ?? `NVIDIA GPU ${index}`,
      uuid,
      pciBusId: pci ? pci.busId : null,
      computeCapability: ccRc === 0 ? `${toNumber(major[0])}.${toNumber(minor[0])}` : null,
      defaultW: milliwattsToWatts(defaultMw),
      minW: limitsRc === 0 ? milliwattsToWatts(toNumber(minOut[0])) : null,
      maxW: limitsRc === 0 ? milliwattsToWatts(toNumber(maxOut[0])) : null,
      smMaxMHz: smMax,
      memMaxMHz: memMax,
      genMax,
      widthMax,
    };
    this.statics.set(index, info);
    return info;
  }

  private async readDevice(index: number): Promise<GpuInfo> {
    const dev = await this.handle(index);
    if (dev === null) return unreadableGpu(index);
    const f = this.fns;
    const [
      s,
      mem,
      powerMw,
      limitMw,
      enforcedMw,
      temp,
      fan,
      sm,
      memClock,
      util,
      gen,
      width,
      pstate,
      mask,
      energy,
    ] = await Promise.all([
      this.readStatic(index, dev),
      this.structOut<{ total: unknown; free: unknown; used: unknown }>(f.memoryInfo, dev),
      this.uintOut(f.powerUsage, [dev]),
      this.uintOut(f.powerLimit, [dev]),
      this.uintOut(f.enforcedPowerLimit, [dev]),
      this.uintOut(f.temperature, [dev, NVML_TEMPERATURE_GPU]),
      this.uintOut(f.fanSpeed, [dev]),
      this.uintOut(f.clockInfo, [dev, NVML_CLOCK_SM]),
      this.uintOut(f.clockInfo, [dev, NVML_CLOCK_MEM]),
      this.structOut<{ gpu: number; memory: number }>(f.utilization, dev),
      this.uintOut(f.pcieGen, [dev]),
      this.uintOut(f.pcieWidth, [dev]),
      this.intOut(f.performanceState, [dev]),
      this.maskOut(f.eventReasons, dev),
      this.maskOut(f.totalEnergy, dev),
    ]);
    // Whole MiB rounded down, as nvidia-smi prints them, so both sources show the same numbers.
    const mib = (v: unknown): number => Math.floor(toNumber(v) / (1024 * 1024));
    return {
      index,
      name: s.name,
      uuid: s.uuid,
      pciBusId: s.pciBusId,
      computeCapability: s.computeCapability,
      architecture: architectureName(s.computeCapability),
      precisions: precisionsFor(s.computeCapability),
      memoryTotalMiB: mem ? mib(mem.total) : null,
      memoryUsedMiB: mem ? mib(mem.used) : null,
      memoryFreeMiB: mem ? mib(mem.free) : null,
      powerDrawW: milliwattsToWatts(powerMw),
      powerLimit: {
        currentW: milliwattsToWatts(limitMw),
        defaultW: s.defaultW,
        minW: s.minW,
        maxW: s.maxW,
        enforcedW: milliwattsToWatts(enforcedMw),
      },
      temperatureC: temp,
      fanPct: fan,
      clocks: { smMHz: sm, smMaxMHz: s.smMaxMHz, memMHz: memClock, memMaxMHz: s.memMaxMHz },
      utilizationGpuPct: util ? util.gpu : null,
      utilizationMemPct: util ? util.memory : null,
      pcie: { gen, genMax: s.genMax, width, widthMax: s.widthMax },
      pstate: pstate === null ? null : pstateName(pstate),
      throttleReasons: mask === null ? [] : decodeClockEventReasons(mask),
      totalEnergyMJ: energy === null ? null : Number(energy),
    };
  }

  private async maskOut(fn: NativeFn | null, dev: bigint): Promise<bigint | null> {
    if (!fn) return null;
    const out: unknown[] = [0];
    return (await callAsync(fn, [dev, out])) === 0 ? BigInt(out[0] as bigint | number) : null;
  }
}

function milliwattsToWatts(mw: number | null): number | null {
  return mw === null ? null : mw / 1000;
}

function unreadableGpu(index: number): GpuInfo {
  return {
    index,
    name: `NVIDIA GPU ${index} (NVML cannot open it)`,
    uuid: null,
    pciBusId: null,
    computeCapability: null,
    architecture: null,
    precisions: [],
    memoryTotalMiB: null,
    memoryUsedMiB: null,
    memoryFreeMiB: null,
    powerDrawW: null,
    powerLimit: { currentW: null, defaultW: null, minW: null, maxW: null, enforcedW: null },
    temperatureC: null,
    fanPct: null,
    clocks: { smMHz: null, smMaxMHz: null, memMHz: null, memMaxMHz: null },
    utilizationGpuPct: null,
    utilizationMemPct: null,
    pcie: { gen: null, genMax: null, width: null, widthMax: null },
    pstate: null,
    throttleReasons: [],
  };
}

/**
 * Loads NVML from the first candidate that loads, binds it and initialises it. Throws AppError
 * GPU_UNAVAILABLE with a reason a user can act on when the library is missing or will not start.
 */
export async function openNvml(opts: NvmlOptions = {}): Promise<NvmlSource> {
  const candidates = nvmlLibraryCandidates(opts.libraryPath, opts.env ?? process.env);
  const failures: string[] = [];
  for (const path of candidates) {
    let lib: LibraryHandle;
    try {
      lib = koffi.load(path);
    } catch (err) {
      failures.push(`${path}: ${err instanceof Error ? err.message : String(err)}`);
      continue;
    }
    let fns: Bindings;
    try {
      fns = bind(lib);
    } catch (err) {
      throw new AppError(
        'GPU_UNAVAILABLE',
        `The NVML library at ${path} lacks a function Crucible needs; the NVIDIA driver may be too old.`,
        err instanceof Error ? err.message : String(err),
      );
    }
    const rc = await callAsync(fns.init, []);
    if (rc !== NVML_RETURN.SUCCESS) {
      const said = (fns.errorString(rc) as string | null) ?? `error ${rc}`;
      throw new AppError(
        'GPU_UNAVAILABLE',
        `NVML (${path}) could not start: ${said}.`,
        `nvmlInit_v2 returned ${rc}`,
      );
    }
    return new NvmlSource(path, fns);
  }
  throw new AppError(
    'GPU_UNAVAILABLE',
    `The NVIDIA driver's NVML library (${nvmlLibraryName()}) could not be loaded.`,
    failures.join('\n'),
  );
}
