/**
 * The parts of `crucible bench` that say how far a figure can be trusted: the verdict, the
 * conditions and energy lines, the per-operator profile, and `crucible bench --compare A.json
 * B.json` (two results → the difference of their medians with a bootstrap interval).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { BenchResultSchema, type BenchResult } from '../ipc/contract';
import { compareResults, formatComparison } from '../engine/bench/compare';
import { verdictText } from '../engine/bench/verdict';
import { AppError } from '../shared/errors';
import type { CliIo } from './io';

const ms = (v: number) => `${v < 1 ? v.toFixed(4) : v.toFixed(3)} ms`;

/** Lines for the verdict, conditions, energy, write time and profile of a result. */
export function trustLines(r: BenchResult): string[] {
  const lines: string[] = [];
  if (r.verdict) lines.push(`  verdict   ${verdictText(r.verdict)}`);
  const gpu = r.conditions?.gpu;
  if (gpu) {
    const pt = (p: typeof gpu.before) =>
      p ? `${p.temperatureC ?? '?'} °C, ${p.powerDrawW?.toFixed(1) ?? '?'} W` : '—';
    lines.push(
      `  GPU ${gpu.index} (${gpu.name}) before ${pt(gpu.before)}; after ${pt(gpu.after)}; SM clock ${gpu.smMHz ? `${gpu.smMHz.min}–${gpu.smMHz.max} MHz` : '—'}; clock-event reasons ${gpu.throttleReasons.join(', ') || 'none'} (${gpu.samples} readings)`,
    );
  }
  const host = r.conditions?.host;
  if (host) {
    const n = (v: number | null) => (v === null ? '—' : v.toFixed(2));
    lines.push(
      `  host      other processes ${n(host.otherCores)} of ${host.cores} cores busy while measuring (this process ${n(host.ownCores)}); load average ${n(host.loadAvgStart)} → ${n(host.loadAvgEnd)}`,
    );
  }
  if (r.energy) {
    const e = r.energy;
    lines.push(
      e.attributed && e.joulesPerInference !== null
        ? `  energy    ${(e.joulesPerInference * 1000).toFixed(3)} mJ/inference (${e.netW?.toFixed(1)} W above idle ${e.idleW?.toFixed(1)} W): ${e.note}`
        : `  energy    — ${e.note}`,
    );
  }
  if (r.sessionCreateMs.writeOptimized != null) {
    lines.push(
      `  writing ORT's optimized model ${ms(r.sessionCreateMs.writeOptimized)} (timed apart: not in the cold creation)`,
    );
  }
  if (r.split) {
    const sp = r.split;
    lines.push(
      `  split     H2D ${ms(sp.h2dMs)} (${sp.h2dBytes} bytes)  compute ${ms(sp.computeMs)}  D2H ${ms(sp.d2hMs)} (${sp.d2hBytes} bytes); medians of ${sp.runs}${sp.notes.length ? `; ${sp.notes.join('; ')}` : ''}`,
    );
  }
  if (r.profile) lines.push(...profileLines(r.profile));
  return lines;
}

/** The per-operator profile as a small table with bars. */
export function profileLines(p: NonNullable<BenchResult['profile']>): string[] {
  const lines = [
    `  profile   ${p.runs} runs: operators ${ms(p.opsMs)} of ORT's run ${ms(p.ortRunMs)} (${((p.opsMs / p.ortRunMs) * 100).toFixed(1)}%); wall time per call ${ms(p.runMs)}`,
  ];
  const width = Math.max(...p.ops.map((o) => o.name.length), 4);
  for (const o of p.ops) {
    const share = p.opsMs > 0 ? o.ms / p.opsMs : 0;
    lines.push(
      `    ${o.name.padEnd(width)}  ${o.opType.padEnd(18)} ${o.provider.padEnd(24)} ${ms(o.ms).padStart(11)} ${(share * 100).toFixed(1).padStart(5)}% ${'█'.repeat(Math.round(share * 30))}`,
    );
  }
  lines.push(`    by provider: ${p.byProvider.map((b) => `${b.provider} ${ms(b.ms)}`).join(', ')}`);
  return lines;
}

const ExportSchema = z.object({ version: z.literal(1), results: z.array(BenchResultSchema) });

/**
 * Reads one result from FILE (a `crucible bench --json` output) or FILE#ID (a Benchmarks export,
 * or `bench-history.json`, and the id of one of its results).
 */
export async function readResult(arg: string): Promise<BenchResult> {
  const hash = arg.lastIndexOf('#');
  const file = path.resolve(hash > 0 ? arg.slice(0, hash) : arg);
  const id = hash > 0 ? arg.slice(hash + 1) : null;
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new AppError(
      'NOT_FOUND',
      `bench --compare: cannot read ${file}: ${(err as Error).message}`,
    );
  }
  let parsed: BenchResult | z.infer<typeof ExportSchema>;
  try {
    const raw: unknown = JSON.parse(text);
    parsed =
      typeof raw === 'object' && raw !== null && 'results' in raw
        ? ExportSchema.parse(raw)
        : BenchResultSchema.parse(raw);
  } catch (err) {
    throw new AppError(
      'BAD_REQUEST',
      `bench --compare: ${file} is not a benchmark result or export (${err instanceof SyntaxError ? err.message : 'unexpected fields'})`,
    );
  }
  if (!('results' in parsed)) return parsed;
  if (id === null && parsed.results.length === 1) return parsed.results[0] as BenchResult;
  const found = id === null ? undefined : parsed.results.find((r) => r.id === id);
  if (!found) {
    throw new AppError(
      'BAD_REQUEST',
      `bench --compare: ${file} holds ${parsed.results.length} results; name one as ${path.basename(file)}#ID (${parsed.results
        .slice(0, 3)
        .map((r) => r.id)
        .join(', ')}${parsed.results.length > 3 ? ', …' : ''})`,
    );
  }
  return found;
}

/** `crucible bench --compare A B [--json]`. */
export async function compareCommand(files: string[], json: boolean, io: CliIo): Promise<number> {
  if (files.length !== 2) {
    throw new AppError('BAD_REQUEST', 'bench --compare: give exactly two result files (A and B)');
  }
  const [a, b] = await Promise.all(files.map(readResult));
  const label = (r: BenchResult, f: string) =>
    `${path.basename(f)}: ${r.modelName} · ${r.provider}${r.variant === 'compiled' ? ' (compiled)' : ''} · ${r.mode}`;
  const c = compareResults(a as BenchResult, b as BenchResult, {
    a: label(a as BenchResult, files[0] as string),
    b: label(b as BenchResult, files[1] as string),
  });
  io.out(json ? JSON.stringify(c, null, 2) : formatComparison(c));
  return 0;
}
