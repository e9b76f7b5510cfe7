/**
 * Where the time goes, per operator: a session opened from the benchmarked session's spec with
 * ORT's profiling on runs a few inferences; the profile file ORT writes (Chrome-trace JSON, one
 * `<node>_kernel_time` event per node per run, one `model_run` event per run) is parsed into the
 * top operators by time, with the provider each ran on, and totals by provider and operator type.
 *
 * The profile file goes into a fresh temp folder (never the working directory) and is removed
 * once read. Warm-up runs are profiled too but left out: only node events inside the kept runs'
 * `model_run` intervals count. Times are per run (mean over the kept runs).
 *
 * On GPU providers a kernel's time is what ORT measured on the host around the node: for
 * providers that queue work (WebGPU, CUDA) that is the launch, not the GPU's execution — the
 * profile's note says so.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { BenchProfile } from '../../ipc/contract';
import { AppError } from '../../shared/errors';
import { endProfiling } from '../ort/profiling';
import { OrtValue } from '../ort/value';
import { synthesizeInputs } from '../model/synth';
import { openSession, type OpenSpec } from '../session/open-session';

/** One event of ORT's profile (the fields Crucible reads). */
export interface ProfileEvent {
  cat?: string;
  name?: string;
  ts?: number;
  dur?: number;
  args?: { op_name?: string; provider?: string };
}

/** Runs a benchmark profiles after its timed phase (after 3 unprofiled warm-up runs). */
export const PROFILE_RUNS = 20;

/** Operators listed by name; the rest are summed into one "other operators" row. */
export const TOP_OPERATORS = 12;

const KERNEL_SUFFIX = '_kernel_time';

/**
 * Parses ORT's profile events into per-run operator times. `skipRuns` model_run events (the
 * warm-up) are left out; `runMs` is the caller's own wall-clock mean of the kept runs. Every
 * figure is a mean per run, so operators, ORT's run and the wall time compare directly.
 */
export function parseOrtProfile(
  events: readonly ProfileEvent[],
  skipRuns: number,
  runMs: number,
  top = TOP_OPERATORS,
): BenchProfile {
  const runs = events
    .filter((e) => e.cat === 'Session' && e.name === 'model_run')
    .map((e) => ({ from: e.ts ?? 0, to: (e.ts ?? 0) + (e.dur ?? 0) }))
    .sort((a, b) => a.from - b.from)
    .slice(skipRuns);
  if (runs.length === 0) {
    throw new AppError('INTERNAL', 'the ORT profile holds no model_run event after the warm-up');
  }
  const inKeptRun = (ts: number) => runs.some((r) => ts >= r.from && ts <= r.to);
  const byNode = new Map<string, { opType: string; provider: string; us: number }>();
  for (const e of events) {
    if (e.cat !== 'Node' || !e.name?.endsWith(KERNEL_SUFFIX)) continue;
    if (!inKeptRun(e.ts ?? -1)) continue;
    const name = e.name.slice(0, -KERNEL_SUFFIX.length);
    const node = byNode.get(name) ?? {
      opType: e.args?.op_name ?? '?',
      provider: e.args?.provider ?? '?',
      us: 0,
    };
    node.us += e.dur ?? 0;
    byNode.set(name, node);
  }
  const perRunMs = (us: number) => us / 1000 / runs.length;
  const nodes = [...byNode.entries()]
    .map(([name, n]) => ({ name, opType: n.opType, provider: n.provider, ms: perRunMs(n.us) }))
    .sort((a, b) => b.ms - a.ms);
  const ops = nodes.slice(0, top);
  const rest = nodes.slice(top);
  if (rest.length > 0) {
    ops.push({
      name: `(${rest.length} other operators)`,
      opType: '*',
      provider: [...new Set(rest.map((r) => r.provider))].join(', '),
      ms: rest.reduce((a, r) => a + r.ms, 0),
    });
  }
  const sumBy = (key: 'provider' | 'opType') => {
    const m = new Map<string, number>();
    for (const n of nodes) m.set(n[key], (m.get(n[key]) ?? 0) + n.ms);
    return [...m.entries()].sort((a, b) => b[1] - a[1]);
  };
  return {
    runs: runs.length,
    runMs,
    ortRunMs: runs.reduce((a, r) => a + r.to - r.from, 0) / 1000 / runs.length,
    opsMs: nodes.reduce((a, n) => a + n.ms, 0),
    ops,
    byProvider: sumBy('provider').map(([provider, ms]) => ({ provider, ms })),
    byOpType: sumBy('opType').map(([opType, ms]) => ({ opType, ms })),
  };
}

/** How many runs to profile. */
export interface ProfileOptions {
  warmup: number;
  runs: number;
  /** Where the temp folder for the profile file goes (default os.tmpdir()). */
  tempDir?: string;
}

/**
 * Profiles `runs` inferences of a session opened from `spec` with profiling on (plain runs over
 * synthesized inputs, outputs left in ORT's values and released). The profile file is removed.
 */
export async function profileSpec(spec: OpenSpec, opts: ProfileOptions): Promise<BenchProfile> {
  const dir = await mkdtemp(path.join(opts.tempDir ?? os.tmpdir(), 'crucible-profile-'));
  const owned: { release(): void }[] = [];
  try {
    // Opened the one way sessions are opened (engine/session/open-session.ts), profiling on.
    const { session } = await openSession({
      ...spec,
      graphCapture: false,
      profilePrefix: path.join(dir, 'ort'),
    });
    owned.push(session);
    const host = synthesizeInputs(session.inputs, { fill: 'random', seed: 1, dims: spec.dims });
    const inputs: Record<string, OrtValue> = {};
    for (const [name, t] of Object.entries(host)) {
      inputs[name] = OrtValue.fromHost(t, name);
      owned.push(inputs[name]);
    }
    const once = async () => {
      const out = await session.runValues(inputs);
      for (const v of Object.values(out)) v.release();
    };
    for (let i = 0; i < opts.warmup; i++) await once();
    const wall: number[] = [];
    for (let i = 0; i < opts.runs; i++) {
      const t0 = performance.now();
      await once();
      wall.push(performance.now() - t0);
    }
    const file = endProfiling(session);
    // ORT names the file itself (prefix + date); it must be the one in our folder.
    const where = path.resolve(dir, file);
    if (path.dirname(where) !== dir) {
      throw new AppError('INTERNAL', `ORT wrote its profile outside the temp folder: ${file}`);
    }
    const events = JSON.parse(await readFile(where, 'utf8')) as ProfileEvent[];
    return parseOrtProfile(events, opts.warmup, wall.reduce((a, b) => a + b, 0) / wall.length);
  } finally {
    for (const o of owned.reverse()) o.release();
    await rm(dir, { recursive: true, force: true });
  }
}
