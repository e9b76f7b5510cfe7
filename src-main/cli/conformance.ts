/** `crucible conformance DIR... [--provider P] [--filter REGEX] [--json]`. */
import { runConformanceCli } from '../engine/conformance/cli';
import { startEngine, type CliIo } from './io';

export async function conformanceCommand(args: string[], io: CliIo): Promise<number> {
  const engine = await startEngine();
  try {
    return await runConformanceCli(args, io, engine);
  } finally {
    engine.close();
  }
}
