/**
 * Every external command the GPU lane runs, in one list, so a test can prove the lane only reads:
 * the lane runs on a borrowed GPU host and must leave its power limit, clocks, persistence, ECC,
 * compute and MIG modes exactly as it found them.
 */
import { nvidiaSmiCommand } from '../../src-main/gpu/nvidia-smi';

/** One external command: what execFile runs (no shell), why, and where its output is kept. */
export interface LaneCommand {
  id: 'nvidia-smi-query' | 'nvidia-smi-q' | 'nvidia-smi-banner';
  /** The check's name in the report. */
  title: string;
  file: string;
  args: string[];
  /** File in the out dir that keeps the raw output. */
  saveAs: string;
  purpose: string;
}

/** The commands of one lane run, with `nvidiaSmi` as the executable. */
export function laneCommands(nvidiaSmi = 'nvidia-smi'): LaneCommand[] {
  const query = nvidiaSmiCommand(nvidiaSmi);
  return [
    {
      id: 'nvidia-smi-query',
      title: 'nvidia-smi --query-gpu (the fallback source query)',
      file: query.file,
      args: query.args,
      saveAs: 'nvidia-smi-query.csv',
      purpose: "the same query Crucible's nvidia-smi source asks, to compare against NVML",
    },
    {
      id: 'nvidia-smi-q',
      title: 'nvidia-smi -q',
      file: nvidiaSmi,
      args: ['-q'],
      saveAs: 'nvidia-smi-q.txt',
      purpose: 'the full read-only device report, kept for the record',
    },
    {
      id: 'nvidia-smi-banner',
      title: 'nvidia-smi (plain header)',
      file: nvidiaSmi,
      args: [],
      saveAs: 'nvidia-smi.txt',
      purpose: 'the plain header (driver and CUDA version as nvidia-smi prints them)',
    },
  ];
}

/**
 * nvidia-smi options that change the GPU or the driver's state (short and long forms). From
 * `nvidia-smi -h`: power limit, clock locks and application clocks, persistence, reset, ECC,
 * compute mode, MIG, driver model, accounting, auto boost, GPU operation mode.
 */
export const SETTING_FLAGS: readonly string[] = [
  '-pl',
  '--power-limit',
  '-lgc',
  '--lock-gpu-clocks',
  '-rgc',
  '--reset-gpu-clocks',
  '-lmc',
  '--lock-memory-clocks',
  '-rmc',
  '--reset-memory-clocks',
  '-ac',
  '--applications-clocks',
  '-rac',
  '--reset-applications-clocks',
  '-pm',
  '--persistence-mode',
  '-r',
  '--gpu-reset',
  '-e',
  '--ecc-config',
  '-p',
  '--reset-ecc-errors',
  '-c',
  '--compute-mode',
  '-mig',
  '--multi-instance-gpu',
  '-dm',
  '--driver-model',
  '-fdm',
  '--force-driver-model',
  '-am',
  '--accounting-mode',
  '-caa',
  '--clear-accounting-pids',
  '--auto-boost-default',
  '--auto-boost-permission',
  '--gom',
  '-cc',
  '--cuda-clocks',
];

/** nvidia-smi subcommands that can change state (`nvidia-smi mig -cgi …`, `nvidia-smi drain …`). */
const SETTING_SUBCOMMANDS = new Set(['mig', 'drain', 'clocks', 'vgpu', 'nvlink', 'conf-compute']);

/**
 * The setting flags and subcommands present in an argv, matched as whole options (`-pl`,
 * `-pl=300`, `--power-limit=300`), never as substrings of read-only ones (`--query-gpu=power.limit`).
 */
export function settingFlagsIn(args: readonly string[]): string[] {
  const found: string[] = [];
  args.forEach((arg, i) => {
    const option = arg.split('=')[0] ?? arg;
    if (SETTING_FLAGS.includes(option)) found.push(option);
    else if (i === 0 && SETTING_SUBCOMMANDS.has(arg)) found.push(arg);
  });
  return found;
}
