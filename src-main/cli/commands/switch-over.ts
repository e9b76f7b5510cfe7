/**
 * `crucible switch-over MODEL [--provider P] [--dim NAME=N ...] [--json]`: the app's switch-over
 * through the one session owner, without a window (services/headless.ts): one run of the original
 * model, a compile into the app's compile cache, then the next run — which moves to the compiled
 * session (opened and warmed when the compile finished) and measures both. Prints the two runs'
 * variants and the switch-over figures. Exit 0 when the run after the compile used the compiled
 * session, 3 when it did not (the compile failed, or left nothing to switch to), 2 for bad input.
 */
import path from 'node:path';
import { CompileOptionsSchema } from '../../ipc/contract';
import { checkExternalData, inspectModel } from '../../engine/model/inspect';
import { composeHeadless } from '../../services/headless';
import { runDims } from '../../services/inputs-check';
import { type CliIo, oneModelPath, parseCliArgs, parseDims, providerArg } from '../io';

/** Runs `crucible switch-over`: parses, calls the headless use-cases, prints. */
export async function switchOverCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCliArgs('switch-over', args, {
    provider: { type: 'string', default: 'cpu' },
    dim: { type: 'string', multiple: true },
    json: { type: 'boolean' },
  });
  const modelPath = oneModelPath('switch-over', positionals);
  const provider = providerArg('switch-over', values.provider);
  const given = parseDims(values.dim);
  const inspection = await inspectModel(modelPath, { dims: given });
  await checkExternalData(modelPath);

  const headless = await composeHeadless();
  try {
    const model = await headless.model(modelPath, inspection);
    // As the app does: a named dim not given is 1 for the runs and the compile alike, so the run
    // after the compile finds the entry (services/inputs-check.ts runDims).
    const dims = await runDims(model, undefined, given);
    const req = { provider: provider, dims };
    const before = await headless.runSynth(model, req);
    const job = await headless.compileOnce(model, provider, CompileOptionsSchema.parse({ dims }));
    const after = await headless.runSynth(model, req);
    const next = await headless.runSynth(model, req);
    const out = {
      model: modelPath,
      provider: provider,
      before,
      compile: job,
      after,
      next,
      switchOver: headless.switches()[0] ?? null,
    };
    if (values.json) io.out(JSON.stringify(out, null, 2));
    else {
      const ms = (v: number) => `${v.toFixed(3)} ms`;
      io.out(
        [
          `${path.basename(modelPath)} · ${provider}`,
          `  before: ${before.variant}, session ${ms(before.sessionMs)}, run ${ms(before.runMs)}`,
          `  compile: ${job.state}${job.error ? ` (${job.error.message})` : ''}, entry ${job.cacheEntryId ?? '—'}, ${ms(job.elapsedMs)}`,
          `  after:  ${after.variant}, session ${ms(after.sessionMs)}, run ${ms(after.runMs)}`,
          `  next:   ${next.variant}, session ${ms(next.sessionMs)}, run ${ms(next.runMs)}`,
          `  switch-over: ${out.switchOver?.message ?? 'none'}`,
        ].join('\n'),
      );
    }
    return after.variant === 'compiled' ? 0 : 3;
  } finally {
    headless.close();
  }
}
