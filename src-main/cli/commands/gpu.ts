/**
 * `crucible gpu [--json] [--watch] [--hz N] [--count N]`: the machine's NVIDIA GPUs as a readable
 * table (or the no-GPU line with its reason), the GpuSnapshot as JSON, or one line per sample.
 * No GPU is not an error: it prints why and exits 0.
 */
import { parseArgs } from 'node:util';
import type { GpuInfo, GpuSnapshot } from '../../ipc/contract';
import { AppError } from '../../shared/errors';
import type { CliIo } from '../../shared/cli-io';
import { trtRtxSupport } from '../../gpu/arch';
import { clampHz, createGpuMonitor } from '../../gpu/monitor';
import type { GpuMonitor } from '../../gpu/monitor';
import { explainPowerLimit } from '../../gpu/power';

const USAGE = `usage: crucible gpu [--json] [--watch] [--hz N] [--count N]

  --json       print the snapshot as JSON (with --watch: one JSON object per line)
  --watch      print one line per sample until --count samples or Ctrl-C
  --hz N       samples per second while watching, 1-4 (default 1)
  --count N    stop after N samples (implies --watch)`;

const dash = '–';
const num = (v: number | null, unit = ''): string =>
  v === null ? dash : `${Number.isInteger(v) ? v : v.toFixed(1)}${unit}`;

function sourceLabel(s: GpuSnapshot): string {
  return s.source === 'nvml' ? 'NVML' : s.source;
}

/** The readable table for one snapshot, as lines. */
export function formatSnapshot(s: GpuSnapshot): string[] {
  if (s.source === 'none') return [s.reason ?? 'No NVIDIA GPU found.'];
  const lines: string[] = [];
  for (const g of s.gpus) {
    const arch = g.architecture
      ? `${g.architecture} (compute ${g.computeCapability ?? dash})`
      : `compute ${g.computeCapability ?? dash}`;
    lines.push(`GPU ${g.index}  ${g.name}  ${arch}${g.pciBusId ? `  ${g.pciBusId}` : ''}`);
    const row = (label: string, value: string): void => {
      lines.push(`  ${label.padEnd(12)} ${value}`);
    };
    row('memory', `${num(g.memoryUsedMiB)} / ${num(g.memoryTotalMiB)} MiB used`);
    row('power', explainPowerLimit(g).summary);
    row('temperature', num(g.temperatureC, ' °C'));
    row(
      'clocks',
      `SM ${num(g.clocks.smMHz)} / ${num(g.clocks.smMaxMHz)} MHz, memory ${num(g.clocks.memMHz)} / ${num(g.clocks.memMaxMHz)} MHz`,
    );
    row(
      'utilization',
      `GPU ${num(g.utilizationGpuPct, ' %')}, memory ${num(g.utilizationMemPct, ' %')}`,
    );
    if (g.pcie.gen !== null || g.pcie.width !== null) {
      row(
        'PCIe',
        `gen ${num(g.pcie.gen)} x${num(g.pcie.width)} (max gen ${num(g.pcie.genMax)} x${num(g.pcie.widthMax)})`,
      );
    }
    row(
      'state',
      `${g.pstate ?? dash}; clocks held back by: ${g.throttleReasons.length ? g.throttleReasons.join(', ') : 'nothing'}`,
    );
    row('precisions', g.precisions.length ? g.precisions.join(' ') : dash);
    const trt = trtRtxSupport(g.computeCapability);
    row('TensorRT RTX', trt.supported ? 'supported' : `not supported: ${trt.reason ?? ''}`);
  }
  lines.push(
    `driver ${s.driverVersion ?? dash}, CUDA ${s.cudaDriverVersion ?? dash} (read through ${sourceLabel(s)})`,
  );
  return lines;
}

function gpuBrief(g: GpuInfo): string {
  const power = `${num(g.powerDrawW === null ? null : Math.round(g.powerDrawW))}/${num(g.powerLimit.currentW === null ? null : Math.round(g.powerLimit.currentW))} W`;
  return `GPU${g.index} ${power} ${num(g.temperatureC, '°C')} SM ${num(g.clocks.smMHz)} MHz util ${num(g.utilizationGpuPct, '%')} mem ${num(g.memoryUsedMiB)}/${num(g.memoryTotalMiB)} MiB${g.throttleReasons.length ? ` [${g.throttleReasons.join(',')}]` : ''}`;
}

/** One line for one sample while watching. */
export function formatSampleLine(s: GpuSnapshot): string {
  const t = new Date(s.sampledAt).toTimeString().slice(0, 8);
  if (s.source === 'none') return `${t}  ${s.reason ?? 'No NVIDIA GPU found.'}`;
  return `${t}  ${s.gpus.map(gpuBrief).join('  |  ')}`;
}

function positiveInt(option: string, v: string | undefined): number | null {
  if (v === undefined) return null;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n <= 0) {
    throw new AppError('BAD_REQUEST', `gpu: ${option} expects a positive whole number, got '${v}'`);
  }
  return n;
}

/**
 * Runs `crucible gpu` with `args` (after the word gpu). Uses `monitor` when given (and leaves it
 * open), otherwise creates one and closes it. Resolves with the exit code; bad options throw
 * AppError BAD_REQUEST for the CLI's one-line error.
 */
export async function runGpuCli(args: string[], io: CliIo, monitor?: GpuMonitor): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        json: { type: 'boolean' },
        watch: { type: 'boolean' },
        hz: { type: 'string' },
        count: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    throw new AppError('BAD_REQUEST', `gpu: ${(err as Error).message.split('\n')[0]}`);
  }
  const v = parsed.values;
  if (v.help) {
    io.out(USAGE);
    return 0;
  }
  const hzRaw = v.hz === undefined ? null : Number(v.hz);
  if (hzRaw !== null && (!Number.isFinite(hzRaw) || hzRaw < 1 || hzRaw > 4)) {
    throw new AppError('BAD_REQUEST', `gpu: --hz must be between 1 and 4, got '${v.hz}'`);
  }
  const count = positiveInt('--count', v.count);
  const watching = v.watch === true || count !== null || hzRaw !== null;

  const own = monitor === undefined;
  const m = monitor ?? createGpuMonitor();
  try {
    if (!watching) {
      const snap = await m.snapshot();
      if (v.json) io.out(JSON.stringify(snap, null, 2));
      else for (const line of formatSnapshot(snap)) io.out(line);
      return 0;
    }
    await new Promise<void>((resolve) => {
      let seen = 0;
      let done = false;
      const finish = (): void => {
        if (done) return;
        done = true;
        stop();
        process.off('SIGINT', finish);
        resolve();
      };
      const stop = m.watch(clampHz(hzRaw ?? 1), (snap) => {
        if (done) return;
        io.out(v.json ? JSON.stringify(snap) : formatSampleLine(snap));
        seen++;
        if (count !== null && seen >= count) finish();
      });
      process.once('SIGINT', finish);
    });
    return 0;
  } finally {
    if (own) m.close();
  }
}
