/**
 * `crucible bench --loop MODEL [--provider P] [--steps N] [--warmup N] [--feed OUTPUT=INPUT ...]
 * [--modes host,device,graph] [--dim NAME=N ...] [--json]`: the loop benchmark
 * (engine/bench/loop.ts) in the engine host — the model run N times with outputs fed back as
 * inputs, host round-trips vs device-resident vs graph replay, copy time per step and the ratios.
 * Exit 0 when every mode asked for ran or is unsupported by the provider, 3 when one failed.
 */

import { requireAvailableProvider } from '../ipc/providers';
import type { LoopFigures } from '../engine/bench/loop';
import { LOOP_MODES, type LoopMode } from '../engine/bench/loop-modes';
import { checkExternalData } from '../engine/model/inspect';
import { composeHeadless } from '../services/headless';
import { AppError } from '../shared/errors';
import { type CliIo, oneModelPath, parseCliArgs, parseDims, providerArg } from './io';

function count(option: string, v: string, min: number): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < min) {
    throw new AppError(
      'BAD_REQUEST',
      `bench --loop: ${option} must be an integer >= ${min}, got '${v}'`,
    );
  }
  return n;
}

/** Runs `crucible bench --loop` (args without `--loop`). */
export async function loopCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCliArgs('bench --loop', args, {
    provider: { type: 'string', default: 'cpu' },
    steps: { type: 'string', default: '100' },
    warmup: { type: 'string', default: '5' },
    feed: { type: 'string', multiple: true },
    modes: { type: 'string', default: LOOP_MODES.join(',') },
    dim: { type: 'string', multiple: true },
    json: { type: 'boolean' },
  });
  const modelPath = oneModelPath('bench --loop', positionals);
  const provider = providerArg('bench --loop', values.provider);
  const modes = (values.modes ?? '').split(',').map((m) => m.trim()) as LoopMode[];
  for (const m of modes) {
    if (!LOOP_MODES.includes(m)) {
      throw new AppError(
        'BAD_REQUEST',
        `bench --loop: --modes takes ${LOOP_MODES.join(', ')}, got '${m}'`,
      );
    }
  }
  const feed: Record<string, string> = {};
  for (const f of values.feed ?? []) {
    const eq = f.indexOf('=');
    if (eq <= 0 || eq === f.length - 1) {
      throw new AppError('BAD_REQUEST', `bench --loop: --feed takes OUTPUT=INPUT, got '${f}'`);
    }
    feed[f.slice(0, eq)] = f.slice(eq + 1);
  }
  await checkExternalData(modelPath);
  const headless = await composeHeadless();
  try {
    requireAvailableProvider(headless.engine.status().providers, provider);
    const steps = count('--steps', values.steps ?? '100', 1);
    const r = await headless.engine.request(
      'session.loop',
      {
        modelPath,
        provider: provider,
        dims: parseDims(values.dim),
        steps,
        warmup: count('--warmup', values.warmup ?? '5', 0),
        feed: Object.keys(feed).length > 0 ? feed : undefined,
        modes,
      },
      { timeoutMs: 30 * 60_000 },
    );
    const out = { model: modelPath, ortVersion: headless.engine.status().ortVersion, ...r };
    io.out(values.json ? JSON.stringify(out, null, 2) : formatLoop(out));
    return r.modes.some((m) => m.status === 'failed') ? 3 : 0;
  } finally {
    headless.close();
  }
}

const ms = (v: number | null) => (v === null ? '—' : `${v < 1 ? v.toFixed(4) : v.toFixed(3)} ms`);
const x = (v: number | null) => (v === null ? '—' : `${v.toFixed(2)}×`);

/** The loop benchmark as lines for people. */
export function formatLoop(r: LoopFigures & { model?: string }): string {
  const lines = [
    `${r.model ?? ''} · ${r.provider} · loop: ${r.feeds.map((f) => `${f.output} → ${f.input}`).join(', ')}${r.constantInputs.length ? `; kept: ${r.constantInputs.join(', ')}` : ''}`,
  ];
  for (const m of r.modes) {
    if (m.status !== 'ok') {
      lines.push(`  ${m.mode.padEnd(7)} ${m.status}: ${m.error?.message ?? ''}`);
      continue;
    }
    const split =
      m.d2hMsPerStep !== null && m.h2dMsPerStep !== null
        ? ` (device→host ${ms(m.d2hMsPerStep)}, host→device ${ms(m.h2dMsPerStep)})`
        : '';
    lines.push(
      `  ${m.mode.padEnd(7)} step ${ms(m.stepMs)}  copy per step ${ms(m.copyMsPerStep)}${split}, ${m.bytesPerStep} bytes moved, ${m.steps} steps`,
    );
  }
  lines.push(
    `  copy time host ÷ device-resident ${x(r.copyRatio)}; step time host ÷ device ${x(r.stepRatioHostVsDevice)} (host round-trip costs ${ms(r.hostOverheadMsPerStep)} per step); device ÷ graph ${x(r.stepRatioDeviceVsGraph)}`,
  );
  for (const m of r.modes) for (const n of m.notes) lines.push(`  note (${m.mode}): ${n}`);
  for (const n of r.notes) lines.push(`  note: ${n}`);
  return lines.join('\n');
}
