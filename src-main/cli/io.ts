/** The CLI's output channels and argument parsing, shared by every command. */
import path from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { appFiles } from '../app-files/app-files';
import { EngineClient, nodeChildSpawner } from '../engine/host/engine-client';
import { ProviderIdSchema, type ProviderId } from '../ipc/contract';
import { AppError } from '../shared/errors';

export type { CliIo } from '../shared/cli-io';

/** node:util parseArgs, with its errors turned into one clear BAD_REQUEST line. */
export function parseCliArgs<T extends NonNullable<ParseArgsConfig['options']>>(
  command: string,
  args: string[],
  options: T,
): ReturnType<
  typeof parseArgs<{ args: string[]; options: T; allowPositionals: true; strict: true }>
> {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new AppError('BAD_REQUEST', `${command}: ${(err as Error).message.split('\n')[0]}`);
  }
}

/** The one MODEL positional of `command`, as an absolute path; BAD_REQUEST otherwise. */
export function oneModelPath(command: string, positionals: readonly string[]): string {
  if (positionals.length !== 1) {
    throw new AppError('BAD_REQUEST', `${command}: give exactly one MODEL path`);
  }
  return path.resolve(positionals[0] as string);
}

/** A --provider value of `command`; BAD_REQUEST naming the known ones otherwise. */
export function providerArg(command: string, value: string | undefined): ProviderId {
  const parsed = ProviderIdSchema.safeParse(value);
  if (!parsed.success) {
    throw new AppError(
      'BAD_REQUEST',
      `${command}: unknown provider '${value}' (${ProviderIdSchema.options.join(', ')})`,
    );
  }
  return parsed.data;
}

/** Parses repeated NAME=VALUE options. */
export function keyValues(option: string, values: string[] | undefined): [string, string][] {
  return (values ?? []).map((v) => {
    const eq = v.indexOf('=');
    if (eq <= 0) throw new AppError('BAD_REQUEST', `${option} expects NAME=VALUE, got '${v}'`);
    return [v.slice(0, eq), v.slice(eq + 1)];
  });
}

/** Parses repeated --dim NAME=N options. */
export function parseDims(values: string[] | undefined): Record<string, number> {
  const dims: Record<string, number> = {};
  for (const [name, v] of keyValues('--dim', values)) {
    const n = Number(v);
    if (!Number.isSafeInteger(n) || n <= 0) {
      throw new AppError(
        'BAD_REQUEST',
        `--dim ${name}=${v}: a dimension must be a positive integer`,
      );
    }
    dims[name] = n;
  }
  return dims;
}

/** Starts an engine host child process for this CLI run. */
export async function startEngine(): Promise<EngineClient> {
  const engine = new EngineClient(nodeChildSpawner(appFiles().engineHostScript), {
    maxCrashesPerMinute: 1_000,
  });
  await engine.start();
  return engine;
}
