/**
 * `crucible conformance DIR... [--provider P] [--json] [--filter REGEX] [--strict]`
 *
 * Progress goes to stderr, one line per case. stdout gets the failure table and then the summary
 * line `N passed, N failed, N skipped` as its last line; with --json stdout is the report alone
 * (valid JSON) and the summary line goes to stderr.
 */
import { PROVIDER_IDS, type ProviderId } from '../../ipc/contract';
import { AppError } from '../../shared/errors';
import type { EngineClient } from '../../engine/host/engine-client';
import { parseCaseArgs, type CaseArgs } from '../../engine/conformance/case-args';
import type { CliIo } from '../../shared/cli-io';
import { startEngine } from '../io';
import { runConformance } from '../../engine/conformance/conformance';
import { failureTable, progressLine, summaryLine } from '../../engine/conformance/report';

/** Parsed command line of the conformance command. */
export interface ConformanceArgs extends CaseArgs {
  provider: ProviderId;
  strict: boolean;
}

export const CONFORMANCE_USAGE =
  'usage: crucible conformance DIR... [--provider P] [--json] [--filter REGEX] [--strict] [--timeout SECONDS]';

/** Parses the arguments after `conformance`. Throws BAD_REQUEST naming the problem. */
export function parseConformanceArgs(args: readonly string[]): ConformanceArgs {
  let provider: ProviderId = 'cpu';
  let strict = false;
  const shared = parseCaseArgs(args, (name, value) => {
    if (name === '--strict') strict = true;
    else if (name === '--provider') {
      const p = value();
      if (!(PROVIDER_IDS as readonly string[]).includes(p)) {
        throw new AppError(
          'BAD_REQUEST',
          `unknown provider '${p}' (one of ${PROVIDER_IDS.join(', ')})`,
        );
      }
      provider = p as ProviderId;
    } else return false;
    return true;
  });
  return { ...shared, provider, strict };
}

/**
 * Runs the conformance command. Returns the exit code: 0 when the run completed (failed cases are
 * results), 1 with --strict when any case failed, 1 when the run could not start (no cases, no
 * engine), 2 for a bad command line.
 */
export async function runConformanceCli(
  args: string[],
  io: CliIo,
  engine: EngineClient,
): Promise<number> {
  let parsed: ConformanceArgs;
  try {
    parsed = parseConformanceArgs(args);
  } catch (err) {
    io.err(`crucible conformance: ${err instanceof Error ? err.message : String(err)}`);
    io.err(CONFORMANCE_USAGE);
    return 2;
  }
  let done = 0;
  let total = 0;
  try {
    const report = await runConformance(parsed.dirs, {
      provider: parsed.provider,
      engine,
      filter: parsed.filter,
      perCaseTimeoutMs: parsed.timeoutMs,
      onCase: (c) => {
        done++;
        io.err(progressLine(c, done, total || done));
      },
      onStart: (n) => {
        total = n;
      },
    });
    if (parsed.json) {
      io.out(JSON.stringify(report, null, 2));
      io.err(summaryLine(report));
    } else {
      for (const line of failureTable(report)) io.out(line);
      io.out(summaryLine(report));
    }
    return parsed.strict && report.failed > 0 ? 1 : 0;
  } catch (err) {
    io.err(`crucible conformance: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
}

/** Runs `crucible conformance` on an engine host of its own. */
export async function conformanceCommand(args: string[], io: CliIo): Promise<number> {
  const engine = await startEngine();
  try {
    return await runConformanceCli(args, io, engine);
  } finally {
    engine.close();
  }
}
