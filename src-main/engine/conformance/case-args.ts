/**
 * The command-line options both conformance commands share (`crucible conformance` in cli.ts and
 * the onnxruntime-node baseline in baseline-run.ts), parsed once so the two read DIRs, `--json`,
 * `--filter` and `--timeout` the same way and refuse the same mistakes with the same messages.
 */
import { AppError } from '../../shared/errors';

/** What every conformance command line holds. */
export interface CaseArgs {
  dirs: string[];
  json: boolean;
  filter: RegExp | undefined;
  /** From `--timeout SECONDS`; undefined when not given (each command picks its default). */
  timeoutMs: number | undefined;
}

/**
 * Parses `args` into the shared options. `option` sees each other `-…` argument first, with
 * `value()` to take the argument after it, and returns true when it handled it; an option that
 * neither knows is refused. Throws BAD_REQUEST naming the problem.
 */
export function parseCaseArgs(
  args: readonly string[],
  option: (name: string, value: () => string) => boolean = () => false,
): CaseArgs {
  const parsed: CaseArgs = { dirs: [], json: false, filter: undefined, timeoutMs: undefined };
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    const value = (): string => {
      const v = args[++i];
      if (v === undefined) throw new AppError('BAD_REQUEST', `${a} needs a value`);
      return v;
    };
    if (a === '--json') parsed.json = true;
    else if (a === '--filter') {
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
    } else if (a === '--timeout') {
      const s = Number(value());
      if (!Number.isFinite(s) || s <= 0)
        throw new AppError('BAD_REQUEST', '--timeout needs a positive number of seconds');
      parsed.timeoutMs = s * 1000;
    } else if (!a.startsWith('-')) parsed.dirs.push(a);
    else if (!option(a, value)) throw new AppError('BAD_REQUEST', `unknown option ${a}`);
  }
  if (parsed.dirs.length === 0)
    throw new AppError('BAD_REQUEST', 'give at least one test case folder');
  return parsed;
}
