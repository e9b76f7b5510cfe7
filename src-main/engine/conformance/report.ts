/**
 * The conformance report: its shape (the same for Crucible's engine and the onnxruntime-node
 * baseline, so the two can be compared), the summary line, the failure table, and the comparison
 * of two reports case by case.
 */
import path from 'node:path';
import { z } from 'zod';

/** What happened to one case. */
export type CaseStatus = 'passed' | 'failed' | 'skipped';

/** One test case's outcome. `reason` says why it failed or was skipped (null when it passed). */
export interface ConformanceCase {
  name: string;
  dir: string;
  status: CaseStatus;
  reason: string | null;
  ms: number;
}

/** A whole run. */
export interface ConformanceReport {
  /** Which code ran the cases: Crucible's engine host, or onnxruntime-node's JS API. */
  engine: 'crucible' | 'onnxruntime-node';
  provider: string;
  ortVersion: string | null;
  passed: number;
  failed: number;
  skipped: number;
  cases: ConformanceCase[];
}

const CaseSchema = z.object({
  name: z.string(),
  dir: z.string(),
  status: z.enum(['passed', 'failed', 'skipped']),
  reason: z.string().nullable(),
  ms: z.number(),
});

/** Schema of a report read back from a file (the --compare mode). */
export const ConformanceReportSchema = z.object({
  engine: z.enum(['crucible', 'onnxruntime-node']),
  provider: z.string(),
  ortVersion: z.string().nullable(),
  passed: z.number(),
  failed: z.number(),
  skipped: z.number(),
  cases: z.array(CaseSchema),
});

/** Builds a report from its cases (the counts are derived, never kept apart). */
export function makeReport(
  engine: ConformanceReport['engine'],
  provider: string,
  ortVersion: string | null,
  cases: ConformanceCase[],
): ConformanceReport {
  const count = (s: CaseStatus) => cases.filter((c) => c.status === s).length;
  return {
    engine,
    provider,
    ortVersion,
    passed: count('passed'),
    failed: count('failed'),
    skipped: count('skipped'),
    cases,
  };
}

/** The line every run ends with: `N passed, N failed, N skipped`. */
export function summaryLine(r: Pick<ConformanceReport, 'passed' | 'failed' | 'skipped'>): string {
  return `${r.passed} passed, ${r.failed} failed, ${r.skipped} skipped`;
}

/** One short progress line for a finished case (stderr). */
export function progressLine(c: ConformanceCase, done: number, total: number): string {
  const head = `[${done}/${total}] ${c.status.padEnd(7)} ${c.name} (${Math.round(c.ms)} ms)`;
  return c.reason ? `${head}: ${oneLine(c.reason, 160)}` : head;
}

/** The failed cases (then the skipped ones) as a plain-text table, one case per line. */
export function failureTable(r: ConformanceReport): string[] {
  const lines: string[] = [];
  const failed = r.cases.filter((c) => c.status === 'failed');
  const skipped = r.cases.filter((c) => c.status === 'skipped');
  const width = Math.max(4, ...[...failed, ...skipped].map((c) => c.name.length));
  if (failed.length > 0) {
    lines.push(`failed (${failed.length}):`);
    for (const c of failed)
      lines.push(`  ${c.name.padEnd(width)}  ${oneLine(c.reason ?? '', 400)}`);
  }
  if (skipped.length > 0) {
    lines.push(`skipped (${skipped.length}):`);
    for (const c of skipped)
      lines.push(`  ${c.name.padEnd(width)}  ${oneLine(c.reason ?? '', 400)}`);
  }
  return lines;
}

/** A case whose outcome differs between two reports (or that only one of them has). */
export interface CaseDifference {
  name: string;
  dir: string;
  a: { status: CaseStatus; reason: string | null } | null;
  b: { status: CaseStatus; reason: string | null } | null;
}

/**
 * The cases whose status differs between two reports, matched by their resolved folder, in the
 * order of `a` then the cases only `b` has.
 */
export function diffReports(a: ConformanceReport, b: ConformanceReport): CaseDifference[] {
  const key = (c: ConformanceCase) => path.resolve(c.dir);
  const inB = new Map(b.cases.map((c) => [key(c), c]));
  const seen = new Set<string>();
  const out: CaseDifference[] = [];
  for (const ca of a.cases) {
    const k = key(ca);
    seen.add(k);
    const cb = inB.get(k);
    if (!cb || cb.status !== ca.status) {
      out.push({
        name: ca.name,
        dir: ca.dir,
        a: { status: ca.status, reason: ca.reason },
        b: cb ? { status: cb.status, reason: cb.reason } : null,
      });
    }
  }
  for (const cb of b.cases) {
    if (!seen.has(key(cb)))
      out.push({
        name: cb.name,
        dir: cb.dir,
        a: null,
        b: { status: cb.status, reason: cb.reason },
      });
  }
  return out;
}

/** The comparison of two reports for people: both counts, then every differing case with both reasons. */
export function comparisonLines(a: ConformanceReport, b: ConformanceReport): string[] {
  const label = (r: ConformanceReport) =>
    `${r.engine} (${r.provider}, ORT ${r.ortVersion ?? 'unknown'})`;
  const la = label(a);
  const lb = label(b);
  const diffs = diffReports(a, b);
  const side = (s: CaseDifference['a']) =>
    s ? `${s.status}${s.reason ? `: ${oneLine(s.reason, 300)}` : ''}` : 'not run';
  const lines = [
    `A ${la}: ${summaryLine(a)}`,
    `B ${lb}: ${summaryLine(b)}`,
    `${diffs.length} cases differ`,
  ];
  for (const d of diffs) {
    lines.push(`${d.name}`);
    lines.push(`  A ${side(d.a)}`);
    lines.push(`  B ${side(d.b)}`);
  }
  return lines;
}

/** Collapses whitespace and cuts long text for one-line output. */
export function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}
