/**
 * The power limit in words: where the card's current limit sits between its own minimum, default
 * and maximum, what it is drawing, and what moving the limit trades. Also the exact command a
 * user can run to change it. Nothing here runs that command, anywhere: changing a GPU's power
 * limit needs administrator rights and is the user's decision, never the app's.
 */
import type { GpuInfo } from '../ipc/contract';
import { AppError } from '../shared/errors';

/** Where the current limit sits relative to the card's default. */
export type LimitPosition = 'default' | 'below-default' | 'above-default' | 'unknown';

/** What the UI shows next to the power gauge. */
export interface PowerExplanation {
  /** One line with the card's own numbers, e.g. "Limit 700 W = default; range 200–700 W; drawing 95 W (14% of the limit)". */
  summary: string;
  position: LimitPosition;
  /** Power draw as a percentage of the current limit, rounded; null when either is unknown. */
  drawPctOfLimit: number | null;
  /** Whether the card reports a range the limit can move in. */
  adjustable: boolean;
  /** The trade-off of moving the limit, in words for this card's situation. */
  tradeoff: string;
  /** Set when the driver enforces a different limit than the one set (another tool, the platform). */
  enforcedNote: string | null;
}

const w = (v: number): string => `${Math.round(v)} W`;

/** Explains a GPU's power limit with its own numbers. */
export function explainPowerLimit(gpu: GpuInfo): PowerExplanation {
  const { currentW, defaultW, minW, maxW, enforcedW } = gpu.powerLimit;
  const parts: string[] = [];
  let position: LimitPosition = 'unknown';

  if (currentW !== null && defaultW !== null) {
    const diff = Math.round(currentW - defaultW);
    if (diff === 0) {
      position = 'default';
      parts.push(`Limit ${w(currentW)} = default`);
    } else if (diff < 0) {
      position = 'below-default';
      parts.push(`Limit ${w(currentW)}, ${w(-diff)} below the default ${w(defaultW)}`);
    } else {
      position = 'above-default';
      parts.push(`Limit ${w(currentW)}, ${w(diff)} above the default ${w(defaultW)}`);
    }
  } else if (currentW !== null) {
    parts.push(`Limit ${w(currentW)}`);
  }
  if (minW !== null && maxW !== null) {
    let range = `range ${Math.round(minW)}–${w(maxW)}`;
    if (currentW !== null && Math.round(currentW) === Math.round(maxW) && minW < maxW) {
      range += ' (at the maximum)';
    } else if (currentW !== null && Math.round(currentW) === Math.round(minW) && minW < maxW) {
      range += ' (at the minimum)';
    }
    parts.push(range);
  }
  let drawPctOfLimit: number | null = null;
  if (gpu.powerDrawW !== null) {
    if (currentW !== null && currentW > 0) {
      drawPctOfLimit = Math.round((gpu.powerDrawW / currentW) * 100);
      parts.push(`drawing ${w(gpu.powerDrawW)} (${drawPctOfLimit}% of the limit)`);
    } else {
      parts.push(`drawing ${w(gpu.powerDrawW)}`);
    }
  }
  const summary =
    parts.length === 0 ? 'This GPU does not report its power draw or limit.' : parts.join('; ');

  const adjustable = minW !== null && maxW !== null && minW < maxW;
  const general =
    'A lower limit makes the card draw less power and run cooler and quieter, but its clocks drop under sustained load, so inference gets slower (often more inferences per joule, though). A higher limit lets clocks stay up for longer, at the cost of more power, heat and fan noise.';
  let tradeoff: string;
  if (!adjustable && minW !== null && maxW !== null) {
    tradeoff = 'This card does not allow its power limit to be changed.';
  } else if (position === 'default') {
    tradeoff = `The card runs at its factory limit. ${general} Compare benchmarks only between runs at the same limit.`;
  } else if (position === 'below-default') {
    tradeoff = `The limit is below the factory setting: expect lower sustained clocks and throughput than the same card at its default, with better efficiency. ${general}`;
  } else if (position === 'above-default') {
    tradeoff = `The limit is above the factory setting: clocks can hold higher under sustained load, at more power, heat and fan noise than the default. ${general}`;
  } else {
    tradeoff = general;
  }

  const enforcedNote =
    enforcedW !== null && currentW !== null && Math.round(enforcedW) !== Math.round(currentW)
      ? `The driver enforces ${w(enforcedW)}, not the ${w(currentW)} set for the card: another limit (the platform, a management tool, or a power brake) is lower.`
      : null;

  return { summary, position, drawPctOfLimit, adjustable, tradeoff, enforcedNote };
}

/** A command for the user to run themselves. */
export interface PowerLimitCommand {
  /** The command line, e.g. "nvidia-smi -i 0 -pl 450". */
  command: string;
  argv: string[];
  /** How to run it with the rights it needs, and what it does not do. */
  note: string;
}

/**
 * The exact command that sets GPU `gpuIndex`'s power limit to `watts` (nvidia-smi's index, the
 * same order NVML uses). When `gpu` is given, a value outside its reported range is refused with
 * the range in the message. Returns text for the UI; it never runs anything.
 */
export function powerLimitCommand(
  gpuIndex: number,
  watts: number,
  gpu?: Pick<GpuInfo, 'powerLimit'>,
  platform: NodeJS.Platform = process.platform,
): PowerLimitCommand {
  if (!Number.isInteger(gpuIndex) || gpuIndex < 0) {
    throw new AppError('BAD_REQUEST', `GPU index must be a whole number from 0; got ${gpuIndex}.`);
  }
  if (!Number.isFinite(watts) || watts <= 0) {
    throw new AppError(
      'BAD_REQUEST',
      `Power limit must be a positive number of watts; got ${watts}.`,
    );
  }
  const rounded = Math.round(watts);
  const minW = gpu?.powerLimit.minW ?? null;
  const maxW = gpu?.powerLimit.maxW ?? null;
  if (minW !== null && maxW !== null && (rounded < Math.ceil(minW) || rounded > Math.floor(maxW))) {
    throw new AppError(
      'BAD_REQUEST',
      `${rounded} W is outside this GPU's power-limit range of ${Math.round(minW)}–${Math.round(maxW)} W.`,
    );
  }
  const argv = ['nvidia-smi', '-i', String(gpuIndex), '-pl', String(rounded)];
  const command = argv.join(' ');
  const how =
    platform === 'win32'
      ? 'It needs administrator rights: run it in a Command Prompt opened with "Run as administrator".'
      : `It needs root rights: run it as root, e.g. "sudo ${command}".`;
  return {
    command,
    argv,
    note: `${how} The new limit lasts until the next reboot or driver reload. Crucible shows this command but never runs it for you.`,
  };
}

/** The power advice the contract carries on each GPU (GpuInfo.powerAdvice). */
export type PowerAdvice = NonNullable<GpuInfo['powerAdvice']>;

/**
 * A GPU's power limit for the GPU area: the explanation, and the command that restores the card's
 * default when the limit is set elsewhere and the card allows it (null otherwise).
 */
export function powerAdviceFor(
  gpu: GpuInfo,
  platform: NodeJS.Platform = process.platform,
): PowerAdvice {
  const e = explainPowerLimit(gpu);
  const { defaultW } = gpu.powerLimit;
  const offDefault = e.position === 'below-default' || e.position === 'above-default';
  let restoreDefault: PowerAdvice['restoreDefault'] = null;
  if (offDefault && e.adjustable && defaultW !== null) {
    const c = powerLimitCommand(gpu.index, defaultW, gpu, platform);
    restoreDefault = { command: c.command, note: c.note };
  }
  return { summary: e.summary, tradeoff: e.tradeoff, enforcedNote: e.enforcedNote, restoreDefault };
}

/** A snapshot with every GPU's power advice filled in (the monitor's last step). */
export function withPowerAdvice<S extends { gpus: GpuInfo[] }>(snap: S): S {
  return { ...snap, gpus: snap.gpus.map((g) => ({ ...g, powerAdvice: powerAdviceFor(g) })) };
}
