/**
 * The fallback telemetry source: `nvidia-smi --query-gpu=… --format=csv,nounits`, run with
 * execFile (no shell, async, with a timeout) and parsed into the contract's GpuInfo.
 *
 * The command asks for a header line on purpose: the header names every column, so a field that
 * an older driver does not know (and that we therefore drop and retry without) can never shift
 * the values of the others. The parser also reads `noheader` output when told the field list.
 */
import { execFile } from 'node:child_process';
import type { GpuInfo } from '../ipc/contract';
import { AppError } from '../shared/errors';
import { architectureName, precisionsFor } from './arch';
import { decodeClockEventReasons } from './throttle';

/**
 * The fields Crucible asks nvidia-smi for, in this order. `power.draw.instant` and
 * `clocks_event_reasons.active` are newer names; on drivers that reject them
 * {@link FIELD_FALLBACKS} says what to ask for instead. The CUDA version is not a query field on
 * driver 580 (`Field "cuda_version" is not a valid field to query.`, seen on an H200 on
 * 2026-11-23), so it is read from the plain banner.
 */
export const QUERY_FIELDS: readonly string[] = [
  'index',
  'name',
  'uuid',
  'pci.bus_id',
  'compute_cap',
  'driver_version',
  'memory.total',
  'memory.used',
  'memory.free',
  'power.draw',
  'power.draw.instant',
  'power.limit',
  'power.default_limit',
  'power.min_limit',
  'power.max_limit',
  'enforced.power.limit',
  'temperature.gpu',
  'fan.speed',
  'clocks.sm',
  'clocks.max.sm',
  'clocks.mem',
  'clocks.max.mem',
  'utilization.gpu',
  'utilization.memory',
  'pcie.link.gen.current',
  'pcie.link.gen.max',
  'pcie.link.width.current',
  'pcie.link.width.max',
  'pstate',
  'clocks_event_reasons.active',
];

/**
 * When nvidia-smi answers `Field "X" is not a valid field to query.`, the field to ask for instead
 * (null: drop it). Drivers before the R535 rename know only `clocks_throttle_reasons.*`;
 * `power.draw.instant` is missing from older drivers altogether.
 */
export const FIELD_FALLBACKS: Readonly<Record<string, string | null>> = {
  'clocks_event_reasons.active': 'clocks_throttle_reasons.active',
  'power.draw.instant': null,
};

/** The argv for one query. `executable` is what execFile runs; no shell is involved. */
export function nvidiaSmiCommand(
  executable = 'nvidia-smi',
  fields: readonly string[] = QUERY_FIELDS,
): { file: string; args: string[] } {
  return { file: executable, args: [`--query-gpu=${fields.join(',')}`, '--format=csv,nounits'] };
}

/** The same command as one line to paste into a terminal (to capture fixtures on a real GPU). */
export function nvidiaSmiCommandLine(
  executable = 'nvidia-smi',
  fields: readonly string[] = QUERY_FIELDS,
): string {
  const { file, args } = nvidiaSmiCommand(executable, fields);
  return [file, ...args].join(' ');
}

// ---------------------------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------------------------

type Key =
  | 'index'
  | 'name'
  | 'uuid'
  | 'busId'
  | 'cc'
  | 'driver'
  | 'cuda'
  | 'memTotal'
  | 'memUsed'
  | 'memFree'
  | 'powerDraw'
  | 'powerInstant'
  | 'powerAverage'
  | 'limit'
  | 'limitDefault'
  | 'limitMin'
  | 'limitMax'
  | 'limitEnforced'
  | 'temp'
  | 'fan'
  | 'sm'
  | 'smMax'
  | 'mem'
  | 'memMax'
  | 'utilGpu'
  | 'utilMem'
  | 'pcieGen'
  | 'pcieGenMax'
  | 'pcieWidth'
  | 'pcieWidthMax'
  | 'pstate'
  | 'reasons';

// Query names and the names nvidia-smi prints in its header (it prints the long form, e.g. the
// query `clocks.sm` comes back as `clocks.current.sm [MHz]`).
const ALIASES: Record<string, Key> = {
  index: 'index',
  name: 'name',
  gpu_name: 'name',
  uuid: 'uuid',
  gpu_uuid: 'uuid',
  'pci.bus_id': 'busId',
  gpu_bus_id: 'busId',
  compute_cap: 'cc',
  driver_version: 'driver',
  cuda_version: 'cuda',
  'memory.total': 'memTotal',
  'memory.used': 'memUsed',
  'memory.free': 'memFree',
  'power.draw': 'powerDraw',
  'power.draw.instant': 'powerInstant',
  'power.draw.average': 'powerAverage',
  'power.limit': 'limit',
  'power.default_limit': 'limitDefault',
  'power.min_limit': 'limitMin',
  'power.max_limit': 'limitMax',
  'enforced.power.limit': 'limitEnforced',
  'temperature.gpu': 'temp',
  'fan.speed': 'fan',
  'clocks.sm': 'sm',
  'clocks.current.sm': 'sm',
  'clocks.max.sm': 'smMax',
  'clocks.mem': 'mem',
  'clocks.current.memory': 'mem',
  'clocks.max.mem': 'memMax',
  'clocks.max.memory': 'memMax',
  'utilization.gpu': 'utilGpu',
  'utilization.memory': 'utilMem',
  'pcie.link.gen.current': 'pcieGen',
  'pcie.link.gen.gpucurrent': 'pcieGen',
  'pcie.link.gen.max': 'pcieGenMax',
  'pcie.link.width.current': 'pcieWidth',
  'pcie.link.width.max': 'pcieWidthMax',
  pstate: 'pstate',
  'clocks_event_reasons.active': 'reasons',
  'clocks_throttle_reasons.active': 'reasons',
};

const NUMERIC = new Set<Key>([
  'index',
  'memTotal',
  'memUsed',
  'memFree',
  'powerDraw',
  'powerInstant',
  'powerAverage',
  'limit',
  'limitDefault',
  'limitMin',
  'limitMax',
  'limitEnforced',
  'temp',
  'fan',
  'sm',
  'smMax',
  'mem',
  'memMax',
  'utilGpu',
  'utilMem',
  'pcieGen',
  'pcieGenMax',
  'pcieWidth',
  'pcieWidthMax',
]);

// What nvidia-smi prints instead of a value: "N/A", or a bracketed word such as "[N/A]",
// "[Not Supported]", "[Unknown Error]", "[Insufficient Permissions]", "[GPU requires reset]".
const NO_VALUE = /^(?:\[.*\]|N\/A|Not Supported|Unknown Error|Unknown|Insufficient Permissions)$/i;

/** Strips " [MiB]" and similar from a header cell and lower-cases it. */
function headerName(cell: string): string {
  return cell
    .replace(/\[[^\]]*\]/g, '')
    .trim()
    .toLowerCase();
}

/** What one nvidia-smi query said: the driver, the CUDA version when it was asked, the GPUs. */
export interface NvidiaSmiReading {
  driverVersion: string | null;
  cudaDriverVersion: string | null;
  gpus: GpuInfo[];
}

function bad(message: string, detail?: string): AppError {
  return new AppError('GPU_UNAVAILABLE', message, detail);
}

function splitCsvLine(line: string): string[] {
  // nvidia-smi never quotes: values are joined with ", ". GPU names contain no commas.
  return line.split(',').map((c) => c.trim());
}

/**
 * Parses `nvidia-smi --query-gpu=… --format=csv[,noheader][,nounits]` output into GpuInfo objects,
 * with architecture and precisions from the architecture table.
 *
 * With a header line the columns are found by name; without one, `fields` (the list the query
 * asked for, in order) is required. Values that nvidia-smi cannot read become null. A line with
 * the wrong number of values, or text where a number belongs, is an AppError naming the line.
 */
export function parseNvidiaSmiCsv(
  text: string,
  opts: { fields?: readonly string[] } = {},
): NvidiaSmiReading {
  const lines = text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .map((l, i) => ({ text: l.trim(), number: i + 1 }))
    .filter((l) => l.text !== '');
  if (lines.length === 0) return { driverVersion: null, cudaDriverVersion: null, gpus: [] };

  const first = lines[0]!;
  const firstCells = splitCsvLine(first.text).map(headerName);
  const hasHeader = firstCells.some((c) => c in ALIASES) && firstCells.every((c) => !/^\d/.test(c));
  let names: string[];
  let rows = lines;
  if (hasHeader) {
    names = firstCells;
    rows = lines.slice(1);
  } else if (opts.fields) {
    names = opts.fields.map((f) => f.toLowerCase());
  } else {
    throw bad(
      `nvidia-smi output has no header line and no field list was given (line ${first.number}: "${first.text.slice(0, 80)}").`,
    );
  }
  const columns = names.map((n) => ALIASES[n] ?? null);
  if (!columns.includes('name')) {
    throw bad(
      `nvidia-smi output has no "name" column; columns were: ${names.join(', ')}.`,
      text.slice(0, 400),
    );
  }

  let driverVersion: string | null = null;
  let cudaDriverVersion: string | null = null;
  const gpus: GpuInfo[] = [];
  for (const [order, line] of rows.entries()) {
    const cells = splitCsvLine(line.text);
    if (cells.length !== columns.length) {
      throw bad(
        `nvidia-smi printed a line Crucible cannot read: line ${line.number} has ${cells.length} values, the header has ${columns.length} ("${line.text.slice(0, 80)}").`,
        line.text.slice(0, 400),
      );
    }
    const strings = new Map<Key, string | null>();
    const numbers = new Map<Key, number | null>();
    cells.forEach((cell, i) => {
      const key = columns[i];
      if (!key) return;
      const value = cell === '' || NO_VALUE.test(cell) ? null : cell;
      if (!NUMERIC.has(key)) {
        strings.set(key, value);
        return;
      }
      if (value === null) {
        numbers.set(key, null);
        return;
      }
      // Values may carry their unit ("94.64 W", "345 MHz", "0 %") when `nounits` was not used.
      const m = /^([-+]?\d+(?:\.\d+)?)(?:\s*[A-Za-z%]+)?$/.exec(value);
      if (!m) {
        throw bad(
          `nvidia-smi printed "${value}" where a number belongs (line ${line.number}, column "${names[i]}").`,
          line.text.slice(0, 400),
        );
      }
      numbers.set(key, Number(m[1]));
    });
    const num = (k: Key): number | null => numbers.get(k) ?? null;
    const str = (k: Key): string | null => strings.get(k) ?? null;

    driverVersion ??= str('driver');
    cudaDriverVersion ??= str('cuda');
    const cc = str('cc');
    const reasons = str('reasons');
    let throttleReasons: string[] = [];
    if (reasons !== null) {
      if (!/^0x[0-9a-f]+$/i.test(reasons)) {
        throw bad(
          `nvidia-smi printed "${reasons}" where a clock-event mask belongs (line ${line.number}).`,
          line.text.slice(0, 400),
        );
      }
      throttleReasons = decodeClockEventReasons(BigInt(reasons));
    }
    gpus.push({
      index: num('index') ?? order,
      name: str('name') ?? 'NVIDIA GPU',
      uuid: str('uuid'),
      pciBusId: str('busId'),
      computeCapability: cc,
      architecture: architectureName(cc),
      precisions: precisionsFor(cc),
      memoryTotalMiB: num('memTotal'),
      memoryUsedMiB: num('memUsed'),
      memoryFreeMiB: num('memFree'),
      powerDrawW: num('powerInstant') ?? num('powerDraw') ?? num('powerAverage'),
      powerLimit: {
        currentW: num('limit'),
        defaultW: num('limitDefault'),
        minW: num('limitMin'),
        maxW: num('limitMax'),
        enforcedW: num('limitEnforced'),
      },
      temperatureC: num('temp'),
      fanPct: num('fan'),
      clocks: {
        smMHz: num('sm'),
        smMaxMHz: num('smMax'),
        memMHz: num('mem'),
        memMaxMHz: num('memMax'),
      },
      utilizationGpuPct: num('utilGpu'),
      utilizationMemPct: num('utilMem'),
      pcie: {
        gen: num('pcieGen'),
        genMax: num('pcieGenMax'),
        width: num('pcieWidth'),
        widthMax: num('pcieWidthMax'),
      },
      pstate: str('pstate'),
      throttleReasons,
    });
  }
  return { driverVersion, cudaDriverVersion, gpus };
}

/** Reads "CUDA Version: 12.4" from the banner plain `nvidia-smi` prints; null when absent. */
export function parseCudaVersionFromBanner(text: string): string | null {
  return /CUDA Version:\s*(\d+\.\d+)/.exec(text)?.[1] ?? null;
}

/** The field nvidia-smi rejected, from `Field "X" is not a valid field to query.` */
export function rejectedField(output: string): string | null {
  return /Field "([^"]+)" is not a valid field to query/.exec(output)?.[1] ?? null;
}

// ---------------------------------------------------------------------------------------------
// Running it
// ---------------------------------------------------------------------------------------------

/**
 * Where to look for nvidia-smi: the explicit path, then CRUCIBLE_NVIDIA_SMI, then PATH, then on
 * Windows the two places NVIDIA drivers install it (System32 for current drivers, NVSMI for old).
 */
export function nvidiaSmiCandidates(
  explicit: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): string[] {
  if (explicit) return [explicit];
  if (env.CRUCIBLE_NVIDIA_SMI) return [env.CRUCIBLE_NVIDIA_SMI];
  if (platform !== 'win32') return ['nvidia-smi'];
  const systemRoot = env.SystemRoot ?? env.SYSTEMROOT ?? 'C:\\Windows';
  const programFiles = env.ProgramFiles ?? 'C:\\Program Files';
  return [
    'nvidia-smi.exe',
    `${systemRoot}\\System32\\nvidia-smi.exe`,
    `${programFiles}\\NVIDIA Corporation\\NVSMI\\nvidia-smi.exe`,
  ];
}

interface ExecOutcome {
  code: number | null;
  stdout: string;
  stderr: string;
  /** ENOENT / EACCES and the like: the program could not be started at all. */
  spawnError: NodeJS.ErrnoException | null;
  timedOut: boolean;
}

function run(file: string, args: string[], timeoutMs: number): Promise<ExecOutcome> {
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      { timeout: timeoutMs, windowsHide: true, maxBuffer: 4 * 1024 * 1024, encoding: 'utf8' },
      (err, stdout, stderr) => {
        if (!err) {
          resolve({ code: 0, stdout, stderr, spawnError: null, timedOut: false });
          return;
        }
        const e = err as NodeJS.ErrnoException & { killed?: boolean; code?: unknown };
        const spawnError = typeof e.code === 'string' ? e : null;
        resolve({
          code: typeof e.code === 'number' ? e.code : null,
          stdout: stdout ?? '',
          stderr: stderr ?? '',
          spawnError,
          timedOut: e.killed === true && spawnError === null,
        });
      },
    );
  });
}

/** Thrown (as an AppError) when no nvidia-smi executable exists where we looked. */
export class NvidiaSmiNotFound extends AppError {
  constructor(looked: string[]) {
    super('GPU_UNAVAILABLE', `nvidia-smi was not found (looked for ${looked.join(', ')}).`);
  }
}

/** Options for {@link NvidiaSmiSource}. */
export interface NvidiaSmiOptions {
  /** An explicit nvidia-smi path; otherwise {@link nvidiaSmiCandidates}. */
  executable?: string;
  env?: NodeJS.ProcessEnv;
  /** Per call; nvidia-smi can take a second or more when the driver is not kept loaded. */
  timeoutMs?: number;
}

/**
 * nvidia-smi as a telemetry source. Remembers which executable worked, which fields the driver
 * accepts, and the CUDA version (read once from the banner when the query cannot ask for it).
 */
export class NvidiaSmiSource {
  private readonly candidates: string[];
  private readonly timeoutMs: number;
  private executable: string | null = null;
  private fields: string[] = [...QUERY_FIELDS];
  private bannerCuda: string | null | undefined = undefined;

  constructor(opts: NvidiaSmiOptions = {}) {
    this.candidates = nvidiaSmiCandidates(opts.executable, opts.env ?? process.env);
    this.timeoutMs = opts.timeoutMs ?? 5000;
  }

  /** The executable in use once one has answered; null before. */
  get path(): string | null {
    return this.executable;
  }

  /** One reading of every GPU. Throws AppError GPU_UNAVAILABLE (or NvidiaSmiNotFound). */
  async sample(): Promise<NvidiaSmiReading> {
    for (let attempt = 0; attempt <= Object.keys(FIELD_FALLBACKS).length; attempt++) {
      const { file, outcome } = await this.exec(nvidiaSmiCommand('', this.fields).args);
      const all = `${outcome.stdout}\n${outcome.stderr}`;
      const rejected = rejectedField(all);
      if (rejected !== null) {
        if (!(rejected in FIELD_FALLBACKS) || !this.fields.includes(rejected)) {
          throw bad(`${file} rejected the query field "${rejected}".`, all.trim().slice(0, 400));
        }
        const instead = FIELD_FALLBACKS[rejected];
        this.fields = this.fields.flatMap((f) => (f !== rejected ? [f] : instead ? [instead] : []));
        continue;
      }
      if (/No devices were found/i.test(all)) {
        return { driverVersion: null, cudaDriverVersion: null, gpus: [] };
      }
      if (outcome.timedOut) {
        throw bad(`${file} did not answer within ${this.timeoutMs} ms.`);
      }
      if (outcome.code !== 0) {
        const said = all.trim().split(/\r?\n/)[0] ?? '';
        throw bad(
          `${file} failed (exit code ${outcome.code ?? 'unknown'}): ${said || 'no output'}`,
          all.trim().slice(0, 400),
        );
      }
      const reading = parseNvidiaSmiCsv(outcome.stdout, { fields: this.fields });
      if (reading.cudaDriverVersion === null && reading.gpus.length > 0) {
        reading.cudaDriverVersion = await this.cudaFromBanner();
      }
      return reading;
    }
    throw bad(`nvidia-smi kept rejecting query fields; asked for: ${this.fields.join(',')}.`);
  }

  private async cudaFromBanner(): Promise<string | null> {
    if (this.bannerCuda === undefined) {
      const { outcome } = await this.exec([]);
      this.bannerCuda = outcome.code === 0 ? parseCudaVersionFromBanner(outcome.stdout) : null;
    }
    return this.bannerCuda;
  }

  private async exec(args: string[]): Promise<{ file: string; outcome: ExecOutcome }> {
    const tried = this.executable ? [this.executable] : this.candidates;
    for (const file of tried) {
      const outcome = await run(file, args, this.timeoutMs);
      if (outcome.spawnError?.code === 'ENOENT') continue;
      if (outcome.spawnError) {
        throw bad(`${file} could not be started: ${outcome.spawnError.message}`);
      }
      this.executable = file;
      return { file, outcome };
    }
    throw new NvidiaSmiNotFound(tried);
  }
}
