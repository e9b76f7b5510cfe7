import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GpuInfoSchema } from '../ipc/contract';
import { AppError } from '../shared/errors';
import {
  NvidiaSmiNotFound,
  NvidiaSmiSource,
  QUERY_FIELDS,
  nvidiaSmiCandidates,
  nvidiaSmiCommand,
  nvidiaSmiCommandLine,
  parseCudaVersionFromBanner,
  parseNvidiaSmiCsv,
  rejectedField,
} from './nvidia-smi';
import { FIXTURE_DIR, writeFakeNvidiaSmi } from './test-support';

interface FixtureCase {
  file: string;
  /** Only for `noheader` captures: the field list of the command that printed it. */
  fields?: readonly string[];
  driverVersion: string;
  gpus: Array<{ name: string; computeCapability: string; architecture: string }>;
}

// Real captures (see fixtures/README.md). A new capture is one line here.
const FIXTURES: FixtureCase[] = [
  {
    file: 'h200-query-gpu.csv',
    driverVersion: '580.159.04',
    gpus: [{ name: 'NVIDIA H200', computeCapability: '9.0', architecture: 'Hopper' }],
  },
  {
    file: 'h200-fan-query-gpu.csv',
    driverVersion: '580.159.04',
    gpus: [{ name: 'NVIDIA H200', computeCapability: '9.0', architecture: 'Hopper' }],
  },
  {
    file: 'h200x2-query-gpu.csv',
    driverVersion: '580.159.04',
    gpus: [
      { name: 'NVIDIA H200', computeCapability: '9.0', architecture: 'Hopper' },
      { name: 'NVIDIA H200', computeCapability: '9.0', architecture: 'Hopper' },
    ],
  },
];

describe('parseNvidiaSmiCsv on real captures', () => {
  it.each(FIXTURES)('$file', (fx) => {
    const text = readFileSync(join(FIXTURE_DIR, fx.file), 'utf8');
    const reading = parseNvidiaSmiCsv(text, fx.fields ? { fields: fx.fields } : {});
    expect(reading.driverVersion).toBe(fx.driverVersion);
    expect(reading.gpus.map((g) => g.name)).toEqual(fx.gpus.map((g) => g.name));
    reading.gpus.forEach((gpu, i) => {
      const want = fx.gpus[i]!;
      expect(GpuInfoSchema.parse(gpu)).toEqual(gpu);
      expect(gpu.computeCapability).toBe(want.computeCapability);
      expect(gpu.architecture).toBe(want.architecture);
      expect(gpu.precisions.length).toBeGreaterThan(0);
      // Whatever a card reports, its limits must sit in the order nvidia-smi defines them.
      const { minW, defaultW, maxW, currentW } = gpu.powerLimit;
      if (minW !== null && maxW !== null) expect(minW).toBeLessThanOrEqual(maxW);
      if (defaultW !== null && maxW !== null) expect(defaultW).toBeLessThanOrEqual(maxW);
      if (currentW !== null && minW !== null) expect(currentW).toBeGreaterThanOrEqual(minW);
      if (gpu.memoryUsedMiB !== null && gpu.memoryTotalMiB !== null) {
        expect(gpu.memoryUsedMiB).toBeLessThanOrEqual(gpu.memoryTotalMiB);
      }
    });
  });

  it("reads both GPUs of the two-H200 capture taken with the app's own query", () => {
    const text = readFileSync(join(FIXTURE_DIR, 'h200x2-query-gpu.csv'), 'utf8');
    const [a, b] = parseNvidiaSmiCsv(text).gpus;
    expect(a).toMatchObject({
      index: 0,
      pciBusId: '00000000:00:06.0',
      memoryTotalMiB: 143771,
      powerLimit: { currentW: 700, defaultW: 700, minW: 200, maxW: 700, enforcedW: 700 },
      clocks: { smMHz: 375, smMaxMHz: 1980, memMHz: 3201, memMaxMHz: 3201 },
      pcie: { gen: 5, genMax: 5, width: 16, widthMax: 16 },
      pstate: 'P0',
      throttleReasons: ['gpu_idle'],
    });
    expect(b).toMatchObject({ index: 1, pciBusId: '00000000:00:07.0', temperatureC: 38 });
    expect(
      parseCudaVersionFromBanner(readFileSync(join(FIXTURE_DIR, 'h200x2-banner.txt'), 'utf8')),
    ).toBe('13.0');
  });

  it('reads a real [N/A] (an H200 has no fan) as null, next to real values', () => {
    const text = readFileSync(join(FIXTURE_DIR, 'h200-fan-query-gpu.csv'), 'utf8');
    const gpu = parseNvidiaSmiCsv(text).gpus[0]!;
    expect(text).toContain('[N/A]');
    expect(gpu.fanPct).toBeNull();
    expect(gpu).toMatchObject({ temperatureC: 43, powerDrawW: 79.72, clocks: { smMHz: 450 } });
  });

  it('reads every value of the H200 capture, units stripped', () => {
    const text = readFileSync(join(FIXTURE_DIR, 'h200-query-gpu.csv'), 'utf8');
    const gpu = parseNvidiaSmiCsv(text).gpus[0]!;
    expect(gpu).toEqual({
      index: 0,
      name: 'NVIDIA H200',
      uuid: 'GPU-00a83c8a-3d7a-b69b-ad8c-43c229bf9958',
      pciBusId: '00000000:00:06.0',
      computeCapability: '9.0',
      architecture: 'Hopper',
      precisions: ['FP16', 'BF16', 'TF32', 'INT8', 'FP8'],
      memoryTotalMiB: 143771,
      memoryUsedMiB: 0,
      memoryFreeMiB: null,
      powerDrawW: 94.64,
      powerLimit: { currentW: 700, defaultW: 700, minW: 200, maxW: 700, enforcedW: null },
      temperatureC: 38,
      fanPct: null,
      clocks: { smMHz: 345, smMaxMHz: 1980, memMHz: null, memMaxMHz: null },
      utilizationGpuPct: 0,
      utilizationMemPct: null,
      pcie: { gen: null, genMax: null, width: null, widthMax: null },
      pstate: 'P0',
      throttleReasons: [],
    });
  });
});

// Synthetic inputs below: shaped like nvidia-smi output, written by hand to cover what the real
// captures do not (several GPUs, unreadable values, broken lines).
const HEADER =
  'index, name, compute_cap, driver_version, power.draw [W], power.draw.instant [W], power.limit [W], temperature.gpu, pstate, clocks_event_reasons.active';

describe('parseNvidiaSmiCsv edge cases (synthetic)', () => {
  it('turns every kind of unreadable value into null', () => {
    const text = `${HEADER}\n0, NVIDIA GeForce RTX 4090, 8.9, 580.1, [N/A], N/A, [Not Supported], [Unknown Error], [N/A], [N/A]\n`;
    const gpu = parseNvidiaSmiCsv(text).gpus[0]!;
    expect(gpu.powerDrawW).toBeNull();
    expect(gpu.powerLimit.currentW).toBeNull();
    expect(gpu.temperatureC).toBeNull();
    expect(gpu.pstate).toBeNull();
    expect(gpu.throttleReasons).toEqual([]);
    expect(gpu.architecture).toBe('Ada Lovelace');
  });

  it('prefers power.draw.instant and decodes the clock-event mask, one GPU per line', () => {
    const text = [
      HEADER,
      '0, NVIDIA GeForce RTX 5090, 12.0, 580.1, 300.5, 310.25, 575.00, 61, P2, 0x0000000000000004',
      '1, NVIDIA GeForce RTX 3060, 8.6, 580.1, 20.00, [N/A], 170.00, 40, P8, 0x0000000000000001',
    ].join('\r\n');
    const { gpus } = parseNvidiaSmiCsv(text);
    expect(gpus.map((g) => [g.index, g.powerDrawW, g.throttleReasons])).toEqual([
      [0, 310.25, ['sw_power_cap']],
      [1, 20, ['gpu_idle']],
    ]);
    expect(gpus[0]!.precisions).toContain('FP4');
  });

  it('reads noheader,nounits output when given the field list', () => {
    const fields = ['index', 'name', 'compute_cap', 'memory.total', 'power.draw'];
    const { gpus } = parseNvidiaSmiCsv('0, NVIDIA H200, 9.0, 143771, 94.64\n', { fields });
    expect(gpus[0]).toMatchObject({
      name: 'NVIDIA H200',
      memoryTotalMiB: 143771,
      powerDrawW: 94.64,
    });
  });

  it('reads a fan speed as a number (with or without its unit)', () => {
    const text =
      'index, name, fan.speed [%]\n0, NVIDIA GeForce RTX 4090, 30\n1, NVIDIA GeForce RTX 4090, 45 %\n';
    expect(parseNvidiaSmiCsv(text).gpus.map((g) => g.fanPct)).toEqual([30, 45]);
  });

  it('needs a field list for headerless output', () => {
    expect(() => parseNvidiaSmiCsv('0, NVIDIA H200, 9.0\n')).toThrow(/no header line/);
  });

  it.each([
    ['a line with too few values', `${HEADER}\n0, NVIDIA H200, 9.0\n`, /line 2 has 3 values/],
    [
      'text where a number belongs',
      `${HEADER}\n0, NVIDIA H200, 9.0, 580.1, lots, 1, 700, 38, P0, 0x0\n`,
      /"lots" where a number belongs \(line 2, column "power.draw"\)/,
    ],
    [
      'a driver message instead of a row',
      `${HEADER}\nUnable to determine the device handle for GPU0000:01:00.0: Unknown Error\n`,
      /line 2 has 1 values, the header has 10 \("Unable to determine/,
    ],
    ['output without a name column', 'index, pstate\n0, P0\n', /no "name" column/],
  ])('reports %s as an AppError', (_what, text, message) => {
    let caught: unknown;
    try {
      parseNvidiaSmiCsv(text);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(AppError);
    expect((caught as AppError).code).toBe('GPU_UNAVAILABLE');
    expect((caught as AppError).message).toMatch(message);
  });

  it('returns no GPUs for empty output', () => {
    expect(parseNvidiaSmiCsv('\n').gpus).toEqual([]);
  });
});

describe('command and helpers', () => {
  it('runs nvidia-smi with the query fields and a header, no shell', () => {
    const { file, args } = nvidiaSmiCommand();
    expect(file).toBe('nvidia-smi');
    expect(args).toEqual([`--query-gpu=${QUERY_FIELDS.join(',')}`, '--format=csv,nounits']);
    expect(nvidiaSmiCommandLine()).toBe(`nvidia-smi ${args.join(' ')}`);
  });

  it('asks for everything GpuInfo holds', () => {
    for (const f of [
      'power.limit',
      'power.min_limit',
      'enforced.power.limit',
      'pcie.link.width.max',
    ]) {
      expect(QUERY_FIELDS).toContain(f);
    }
  });

  it('reads the CUDA version from the banner and the rejected field from the error', () => {
    expect(
      parseCudaVersionFromBanner(
        '| NVIDIA-SMI 580.159.04   Driver Version: 580.159.04   CUDA Version: 13.0     |',
      ),
    ).toBe('13.0');
    expect(parseCudaVersionFromBanner('nothing here')).toBeNull();
    expect(rejectedField('Field "cuda_version" is not a valid field to query.\n')).toBe(
      'cuda_version',
    );
  });

  it('looks in the places NVIDIA installs nvidia-smi', () => {
    expect(nvidiaSmiCandidates('/x/smi', { CRUCIBLE_NVIDIA_SMI: '/y' }, 'linux')).toEqual([
      '/x/smi',
    ]);
    expect(nvidiaSmiCandidates(undefined, { CRUCIBLE_NVIDIA_SMI: '/y' }, 'linux')).toEqual(['/y']);
    expect(nvidiaSmiCandidates(undefined, {}, 'linux')).toEqual(['nvidia-smi']);
    expect(nvidiaSmiCandidates(undefined, { SystemRoot: 'D:\\Win' }, 'win32')).toEqual([
      'nvidia-smi.exe',
      'D:\\Win\\System32\\nvidia-smi.exe',
      'C:\\Program Files\\NVIDIA Corporation\\NVSMI\\nvidia-smi.exe',
    ]);
  });
});

// Stand-in executables (Node scripts) for the ways a real nvidia-smi behaves that the source must
// handle; the one that answers prints the real fixture.
const tmp = mkdtempSync(join(tmpdir(), 'crucible-smi-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function fakeSmi(name: string, body: string): string {
  const path = join(tmp, name);
  writeFileSync(path, `#!/usr/bin/env node\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

// Skipped on Windows, and why: the stand-in nvidia-smi is a `#!/usr/bin/env node` script, and
// Windows' execFile runs only real executables (a .cmd would need a shell, which the monitor never
// starts). Where Windows looks for nvidia-smi is table-tested with nvidiaSmiCandidates('win32').
describe.skipIf(process.platform === 'win32')('NvidiaSmiSource with a stand-in executable', () => {
  const fixture = join(FIXTURE_DIR, 'h200-query-gpu.csv');

  it('drops fields the driver rejects, then reads the CUDA version from the banner', async () => {
    const log = join(tmp, 'calls.log');
    const exe = writeFakeNvidiaSmi(tmp, 'smi-old-driver', {
      fixture,
      log,
      reject: ['cuda_version', 'power.draw.instant', 'clocks_event_reasons.active'],
    });
    const calls = (): string[][] =>
      readFileSync(log, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as string[]);
    const source = new NvidiaSmiSource({ executable: exe });
    const reading = await source.sample();
    expect(reading.gpus[0]!.name).toBe('NVIDIA H200');
    expect(reading.cudaDriverVersion).toBe('13.0');
    const lastQuery = calls()
      .filter((c) => c.length > 0)
      .at(-1)![0]!;
    expect(lastQuery).toContain('clocks_throttle_reasons.active');
    expect(lastQuery).not.toContain('power.draw.instant');
    // A second sample reuses what it learnt: one query, no banner.
    const before = calls().length;
    await source.sample();
    expect(calls().length).toBe(before + 1);
  });

  it('reports a driver failure with nvidia-smi’s own words', async () => {
    const exe = fakeSmi(
      'smi-no-driver',
      `console.log("NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running.");
process.exit(9);`,
    );
    await expect(new NvidiaSmiSource({ executable: exe }).sample()).rejects.toThrow(
      /exit code 9\): NVIDIA-SMI has failed because it couldn't communicate/,
    );
  });

  it('treats "No devices were found" as zero GPUs', async () => {
    const exe = fakeSmi('smi-none', `console.log('No devices were found'); process.exit(6);`);
    expect((await new NvidiaSmiSource({ executable: exe }).sample()).gpus).toEqual([]);
  });

  it('gives up on a hung nvidia-smi after its timeout', async () => {
    const exe = fakeSmi('smi-hang', `setTimeout(() => {}, 60000);`);
    await expect(new NvidiaSmiSource({ executable: exe, timeoutMs: 300 }).sample()).rejects.toThrow(
      /did not answer within 300 ms/,
    );
  });

  it('says where it looked when nvidia-smi does not exist', async () => {
    const missing = join(tmp, 'no-such-nvidia-smi');
    await expect(new NvidiaSmiSource({ executable: missing }).sample()).rejects.toBeInstanceOf(
      NvidiaSmiNotFound,
    );
  });
});

describe('fixtures/README.md', () => {
  it('shows the exact command the app runs', () => {
    const readme = readFileSync(join(FIXTURE_DIR, 'README.md'), 'utf8');
    expect(readme).toContain(nvidiaSmiCommandLine());
  });
});
