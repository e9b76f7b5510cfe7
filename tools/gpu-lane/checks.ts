/**
 * Named checks and the lane report: each check passes, fails or is skipped with a reason, and the
 * report renders as report.json (for tools) and summary.md (for people and docs/gpu-results.md).
 */
import { AppError } from '../../src-main/shared/errors';

export type CheckStatus = 'pass' | 'fail' | 'skip';

/** The part of the lane a check belongs to (the brief's a–e). */
export type CheckGroup = 'telemetry' | 'conformance' | 'models' | 'timing' | 'environment';

/** One named check's outcome. */
export interface CheckResult {
  name: string;
  group: CheckGroup;
  status: CheckStatus;
  /** Why it passed, failed or was skipped, in one line. */
  reason: string;
  /** Wall time of the check. */
  ms: number;
  /** Figures behind the verdict (compared values, error sizes, per-case outcomes). */
  data?: unknown;
}

/** What a check body returns: a verdict, or a plain value that means pass with that reason. */
export interface CheckVerdict {
  status: CheckStatus;
  reason: string;
  data?: unknown;
}

/** Shorthands for check bodies. */
export const pass = (reason: string, data?: unknown): CheckVerdict => ({
  status: 'pass',
  reason,
  data,
});
export const fail = (reason: string, data?: unknown): CheckVerdict => ({
  status: 'fail',
  reason,
  data,
});
export const skip = (reason: string, data?: unknown): CheckVerdict => ({
  status: 'skip',
  reason,
  data,
});

/**
 * Runs one check body. An exception is a failure with its message (an AppError's message is
 * written for people; anything else is shown with its type so a bug is not mistaken for a GPU
 * problem), never the end of the lane: the remaining checks still run.
 */
export async function runCheck(
  name: string,
  group: CheckGroup,
  body: () => Promise<CheckVerdict> | CheckVerdict,
  now: () => number = () => performance.now(),
): Promise<CheckResult> {
  const started = now();
  let verdict: CheckVerdict;
  try {
    verdict = await body();
  } catch (err) {
    const reason =
      err instanceof AppError
        ? `${err.code}: ${err.message}`
        : err instanceof Error
          ? `${err.name}: ${err.message}`
          : String(err);
    verdict = { status: 'fail', reason };
  }
  const result: CheckResult = {
    name,
    group,
    status: verdict.status,
    reason: verdict.reason,
    ms: Math.round((now() - started) * 10) / 10,
  };
  if (verdict.data !== undefined) result.data = verdict.data;
  return result;
}

/** Counts per status. */
export interface Totals {
  pass: number;
  fail: number;
  skip: number;
}

/** Counts the outcomes. The lane is green when nothing failed and at least one check passed. */
export function totals(checks: readonly CheckResult[]): Totals & { ok: boolean } {
  const t: Totals = { pass: 0, fail: 0, skip: 0 };
  for (const c of checks) t[c.status]++;
  return { ...t, ok: t.fail === 0 && t.pass > 0 };
}

/** Latency of one model on one provider. */
export interface TimingRow {
  model: string;
  dims: Record<string, number>;
  provider: string;
  warmup: number;
  runs: number;
  medianMs: number;
  p90Ms: number;
  minMs: number;
  /** Session creation time as the engine reported it. */
  createMs: number;
}

/** Facts about the machine and the build, recorded with every run. */
export interface EnvironmentFacts {
  date: string;
  commit: string | null;
  hostname: string;
  platform: string;
  nodeVersion: string;
  gpu: string | null;
  driverVersion: string | null;
  cudaDriverVersion: string | null;
  ortVersion: string | null;
  ortLibraryPath: string | null;
  /** Providers as the engine host reported them in its hello. */
  providers: { id: string; available: boolean; reason: string | null; device: string | null }[];
}

/** The whole run, as written to report.json. */
export interface LaneReport {
  version: 1;
  startedAt: string;
  finishedAt: string;
  environment: EnvironmentFacts;
  totals: Totals & { ok: boolean };
  checks: CheckResult[];
  timings: TimingRow[];
}

const GROUP_TITLES: Record<CheckGroup, string> = {
  environment: 'Environment',
  telemetry: 'Telemetry (NVML vs nvidia-smi)',
  conformance: 'ONNX conformance subset',
  models: 'Demo models, outputs against CPU',
  timing: 'Timing',
};

const ICON: Record<CheckStatus, string> = { pass: 'PASS', fail: 'FAIL', skip: 'SKIP' };

/** Escapes text for one Markdown table cell. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function fmtMs(ms: number): string {
  return ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(3);
}

function dimsText(dims: Record<string, number>): string {
  const parts = Object.entries(dims).map(([k, v]) => `${k}=${v}`);
  return parts.length ? parts.join(', ') : 'static';
}

/**
 * The timing rows as pairs of the provider under test and CPU: one line per model and dims, with
 * the CPU median over the GPU median as the speed-up (above 1: the GPU is faster).
 */
export function timingComparison(rows: readonly TimingRow[]): {
  model: string;
  dims: Record<string, number>;
  cpu: TimingRow | null;
  gpu: TimingRow | null;
  speedup: number | null;
}[] {
  type Pair = {
    model: string;
    dims: Record<string, number>;
    cpu: TimingRow | null;
    gpu: TimingRow | null;
  };
  const byKey = new Map<string, Pair>();
  for (const row of rows) {
    const key = `${row.model}\u0000${dimsText(row.dims)}`;
    const entry = byKey.get(key) ?? { model: row.model, dims: row.dims, cpu: null, gpu: null };
    if (row.provider === 'cpu') entry.cpu = row;
    else entry.gpu = row;
    byKey.set(key, entry);
  }
  return [...byKey.values()].map((e) => ({
    ...e,
    speedup: e.cpu && e.gpu && e.gpu.medianMs > 0 ? e.cpu.medianMs / e.gpu.medianMs : null,
  }));
}

/**
 * summary.md: the run in the section format of docs/gpu-results.md (date, GPU, driver, commit,
 * totals, every check with its reason, WebGPU vs CPU figures), ready to paste there.
 */
export function renderSummary(report: LaneReport): string {
  const env = report.environment;
  const t = report.totals;
  const lines: string[] = [];
  lines.push(
    `## ${env.date.slice(0, 10)} — ${env.gpu ?? 'no GPU'} — ${t.ok ? 'passed' : 'FAILED'}`,
  );
  lines.push('');
  lines.push(`- Date: ${env.date}`);
  lines.push(`- GPU: ${env.gpu ?? 'none'}`);
  lines.push(
    `- Driver: ${env.driverVersion ?? 'unknown'} (CUDA ${env.cudaDriverVersion ?? 'unknown'})`,
  );
  lines.push(
    `- ONNX Runtime: ${env.ortVersion ?? 'not loaded'}${env.ortLibraryPath ? ` (${env.ortLibraryPath})` : ''}`,
  );
  const providers = env.providers
    .map(
      (p) =>
        `${p.id} ${p.available ? 'available' : `unavailable (${p.reason ?? 'no reason given'})`}${p.device ? ` on ${p.device}` : ''}`,
    )
    .join('; ');
  lines.push(`- Providers: ${providers || 'none reported'}`);
  lines.push(`- Commit: ${env.commit ?? 'unknown'}`);
  lines.push(`- Host: ${env.hostname}, ${env.platform}, Node ${env.nodeVersion}`);
  lines.push(`- Checks: ${t.pass} passed, ${t.fail} failed, ${t.skip} skipped`);
  lines.push('');
  for (const group of Object.keys(GROUP_TITLES) as CheckGroup[]) {
    const checks = report.checks.filter((c) => c.group === group);
    if (checks.length === 0) continue;
    lines.push(`### ${GROUP_TITLES[group]}`);
    lines.push('');
    lines.push('| Check | Result | Reason |');
    lines.push('| --- | --- | --- |');
    for (const c of checks)
      lines.push(`| ${cell(c.name)} | ${ICON[c.status]} | ${cell(c.reason)} |`);
    lines.push('');
  }
  const pairs = timingComparison(report.timings);
  if (pairs.length > 0) {
    const any = report.timings[0];
    const gpuName = report.timings.find((r) => r.provider !== 'cpu')?.provider ?? 'GPU';
    lines.push(`### ${gpuName} vs CPU latency`);
    lines.push('');
    if (any) {
      lines.push(
        `Median and p90 of ${any.runs} runs after ${any.warmup} warm-up runs, in ms: the engine's own run time, outputs copied back to host memory (so the GPU had finished).`,
      );
    }
    lines.push('');
    lines.push(
      `| Model | Dims | CPU median | CPU p90 | ${gpuName} median | ${gpuName} p90 | Speed-up |`,
    );
    lines.push('| --- | --- | --- | --- | --- | --- | --- |');
    for (const p of pairs) {
      const c = p.cpu;
      const g = p.gpu;
      lines.push(
        `| ${cell(p.model)} | ${cell(dimsText(p.dims))} | ${c ? fmtMs(c.medianMs) : '–'} | ${c ? fmtMs(c.p90Ms) : '–'} | ${g ? fmtMs(g.medianMs) : '–'} | ${g ? fmtMs(g.p90Ms) : '–'} | ${p.speedup === null ? '–' : `${p.speedup.toFixed(2)}x`} |`,
      );
    }
    lines.push('');
  }
  return lines.join('\n');
}
