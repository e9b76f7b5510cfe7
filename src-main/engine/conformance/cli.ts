/**
 * `crucible conformance DIR... [--provider P] [--json] [--filter REGEX] [--strict]`
 *
 * Progress goes to stderr, one line per case. stdout gets the failure table and then the summary
 * line `N passed, N failed, N skipped` as its last line; with --json stdout is the report alone
 * (valid JSON) and the summary line goes to stderr.
 */
import { PROVIDER_IDS, type ProviderId } from '../../ipc/contract';
import { AppError } from '../../shared/errors';
import type { EngineClient } from '../host/engine-client';
import { runConformance } from './conformance';
import { failureTable, progressLine, summaryLine } from './report';

/** Where the CLI writes. */
export interface CliIo {
  out(s: string): void;
  err(s: string): void;
}

/** Parsed command line of the conformance command. */
export interface ConformanceArgs {
  dirs: string[];
  provider: ProviderId;
  json: boolean;
  strict: boolean;
  filter: RegExp | undefined;
  timeoutMs: number | undefined;
}

export const CONFORMANCE_USAGE =
  'usage: crucible conformance DIR... [--provider P] [--json] [--filter REGEX] [--strict] [--timeout SECONDS]';

/** Parses the arguments after `conformance`. Throws BAD_REQUEST naming the problem. */
export function parseConformanceArgs(args: readonly string[]): ConformanceArgs {
  const parsed: ConformanceArgs = {
    dirs: [],
    provider: 'cpu',
    json: false,
    strict: false,
    filter: undefined,
    timeoutMs: undefined,
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    const value = (): string => {
      const v = args[++i];
      if (v === undefined) throw new AppError('BAD_REQUEST', `${a} needs a value`);
      return v;
    };
    switch (a) {
      case '--json':
        parsed.json = true;
        break;
      case '--strict':
        parsed.strict = true;
        break;
      case '--provider': {
        const p = value();
        if (!(PROVIDER_IDS as readonly string[]).includes(p)) {
          throw new AppError(
            'BAD_REQUEST',
            `unknown provider '${p}' (one of ${PROVIDER_IDS.join(', ')})`,
          );
        }
        parsed.provider = p as ProviderId;
        break;
      }
      case '--filter': {
        const src = value();
        try {
          parsed.filter = new RegExp(src);
        } catch (err) {
          throw new AppError(
            'BAD_REQUEST',
            `--filter '${src}' is not a valid regular expression`,
            String(err),
          );
        }
        break;
      }
      case '--timeout': {
        const s = Number(value());
        if (!Number.isFinite(s) || s <= 0)
          throw new AppError('BAD_REQUEST', '--timeout needs a positive number of seconds');
        parsed.timeoutMs = s * 1000;
        break;
      }
      default:
        if (a.startsWith('-')) throw new AppError('BAD_REQUEST', `unknown option ${a}`);
        parsed.dirs.push(a);
    }
  }
  if (parsed.dirs.length === 0)
    throw new AppError('BAD_REQUEST', 'give at least one test case folder');
  return parsed;
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
