/**
 * The onnxruntime-node baseline: the same cases, read, fed and compared exactly as Crucible's
 * conformance run does (cases.ts), but run through onnxruntime-node's own JS API on the CPU, each
 * in a worker process (isolated-runner.ts) so a crash cannot end the run. Also the `--compare`
 * mode that sets two reports side by side.
 *
 *   conformance-baseline DIR... [--filter REGEX] [--out FILE] [--json] [--timeout SECONDS]
 *   conformance-baseline --compare CRUCIBLE.json BASELINE.json
 */
import { readFile } from 'node:fs/promises';
import { AppError } from '../../shared/errors';
import { writeFileAtomic } from '../../store/atomic-file';
import { parseCaseArgs, type CaseArgs } from './case-args';
import { findCases, runCase } from './cases';
import type { CliIo } from '../../shared/cli-io';
import { DEFAULT_CASE_TIMEOUT_MS } from './conformance';
import { runIsolated, type FromWorker, type ToWorker, type WorkerHandle } from './isolated-runner';
import { ortJsCaseEngine } from './ort-js';
import {
  comparisonLines,
  ConformanceReportSchema,
  failureTable,
  makeReport,
  progressLine,
  summaryLine,
  type ConformanceReport,
} from './report';

export const BASELINE_USAGE = [
  'usage: conformance-baseline DIR... [--filter REGEX] [--out FILE] [--json] [--timeout SECONDS]',
  '       conformance-baseline --compare CRUCIBLE.json BASELINE.json',
].join('\n');

/** Parsed command line of a baseline run. */
export interface BaselineArgs extends CaseArgs {
  out: string | undefined;
  timeoutMs: number;
}

/** Parses a baseline run's arguments. Throws BAD_REQUEST naming the problem. */
export function parseBaselineArgs(args: readonly string[]): BaselineArgs {
  let out: string | undefined;
  const shared = parseCaseArgs(args, (name, value) => {
    if (name !== '--out') return false;
    out = value();
    return true;
  });
  return { ...shared, out, timeoutMs: shared.timeoutMs ?? DEFAULT_CASE_TIMEOUT_MS };
}

/** Runs the cases through onnxruntime-node, each in a worker from `spawn`. */
export async function runBaseline(
  dirs: string[],
  opts: {
    spawn: () => WorkerHandle;
    filter?: RegExp;
    timeoutMs?: number;
    onStart?: (total: number) => void;
    onCase?: Parameters<typeof runIsolated>[1]['onCase'];
  },
): Promise<ConformanceReport> {
  const refs = await findCases(dirs, opts.filter);
  opts.onStart?.(refs.length);
  const { cases, ortVersion } = await runIsolated(refs, {
    spawn: opts.spawn,
    timeoutMs: opts.timeoutMs ?? DEFAULT_CASE_TIMEOUT_MS,
    crashedWhat: 'onnxruntime-node',
    onCase: opts.onCase,
  });
  return makeReport('onnxruntime-node', 'cpu', ortVersion, cases);
}

/** Reads a report written by `crucible conformance --json` or by this script's --out. */
export async function readReport(file: string): Promise<ConformanceReport> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new AppError('FILE_NOT_FOUND', `cannot read ${file}`, String(err));
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new AppError('INPUT_INVALID', `${file} is not JSON (write it with --json or --out)`);
  }
  const parsed = ConformanceReportSchema.safeParse(json);
  if (!parsed.success) {
    throw new AppError(
      'INPUT_INVALID',
      `${file} is not a conformance report`,
      parsed.error.message,
    );
  }
  return parsed.data;
}

/**
 * The baseline command. Returns the exit code: 0 when the run or comparison completed, 1 when it
 * could not start, 2 for a bad command line.
 */
export async function runBaselineCli(
  args: string[],
  io: CliIo,
  spawn: () => WorkerHandle,
): Promise<number> {
  try {
    if (args[0] === '--compare') {
      const [a, b, ...rest] = args.slice(1);
      if (a === undefined || b === undefined || rest.length > 0) {
        io.err('conformance-baseline: --compare needs exactly two report files');
        io.err(BASELINE_USAGE);
        return 2;
      }
      for (const line of comparisonLines(await readReport(a), await readReport(b))) io.out(line);
      return 0;
    }
    let parsed: BaselineArgs;
    try {
      parsed = parseBaselineArgs(args);
    } catch (err) {
      io.err(`conformance-baseline: ${err instanceof Error ? err.message : String(err)}`);
      io.err(BASELINE_USAGE);
      return 2;
    }
    let total = 0;
    let done = 0;
    const report = await runBaseline(parsed.dirs, {
      spawn,
      filter: parsed.filter,
      timeoutMs: parsed.timeoutMs,
      onStart: (n) => {
        total = n;
      },
      onCase: (c) => io.err(progressLine(c, ++done, total)),
    });
    const json = JSON.stringify(report, null, 2);
    if (parsed.out) await writeFileAtomic(parsed.out, `${json}\n`);
    if (parsed.json) {
      io.out(json);
      io.err(summaryLine(report));
    } else {
      for (const line of failureTable(report)) io.out(line);
      io.out(summaryLine(report));
    }
    return 0;
  } catch (err) {
    io.err(`conformance-baseline: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
}

/**
 * The worker side: loads onnxruntime-node, says ready, then runs each case it is sent and answers
 * with the result. `send` is the channel to the parent (process.send in a forked child).
 */
export async function runBaselineWorker(
  send: (msg: FromWorker) => void,
  onMessage: (listener: (msg: ToWorker) => void) => void,
): Promise<void> {
  // ORT's own telemetry stays off here too (engine/ort/env.ts says why).
  if (process.env.CRUCIBLE_ORT_TELEMETRY !== '1') process.env.ORT_DISABLE_TELEMETRY = '1';
  const ort = await import('onnxruntime-node');
  const engine = ortJsCaseEngine(ort);
  const version =
    (ort.env.versions as Record<string, string | undefined>).node ?? ort.env.versions.common;
  // One case at a time: the parent sends the next only after this one's result.
  onMessage((msg) => {
    if (msg.type !== 'case') return;
    void runCase(msg.ref, engine, { timeoutMs: msg.timeoutMs }).then((c) =>
      send({ type: 'result', case: c }),
    );
  });
  send({ type: 'ready', ortVersion: version ?? null });
}
