/**
 * What an input plan feeds a model, resolved on the main side without a session: the Run, Bench
 * and Compile forms check a plan before it runs (a missing or wrong file is named beside its
 * input), and a benchmark records what it was fed. The same code the engine host feeds from
 * (engine/model/input-sources.ts resolveInputs) on the model's inspected inputs, so the record
 * says what the run gets: same sources, same seeded bytes, same dims.
 */
import type { InputsFed, ModelEntry } from '../ipc/contract';
import { emptyPlan, resolveInputs, type InputPlan } from '../engine/model/input-sources';
import { AppError } from '../shared/errors';

/**
 * Resolves `plan` (the fill for whatever it leaves open) against `model`'s inputs; `dims` are the
 * request's own dims, under the plan's. INPUT_INVALID naming the file or input for a bad source;
 * MODEL_INVALID when the model was not inspected.
 */
export async function checkInputs(
  model: Pick<ModelEntry, 'path' | 'name' | 'inspection'>,
  plan: Partial<InputPlan> | undefined,
  dims: Record<string, number> = {},
): Promise<InputsFed> {
  if (!model.inspection) {
    throw new AppError('MODEL_INVALID', `${model.name} was not inspected: its inputs are unknown`);
  }
  const resolved = await resolveInputs(
    {
      path: model.path,
      inputs: model.inspection.inputs,
      pixels: model.inspection.pictureScaling ?? null,
    },
    { ...emptyPlan(), ...plan, dims: { ...dims, ...plan?.dims } },
  );
  return { fed: resolved.fed, dimChoices: resolved.choices, replay: resolved.replay };
}

/** What a named dim nothing sets is on a run from the Run area (the dims auto-compile compiles for). */
export const RUN_DEFAULT_DIM = 1;

/**
 * The dims a run from the Run area creates its session with (they pick the compiled entry too):
 * every named dim of `model` — the value typed in `dims`, else the size the plan's sources give
 * it (a file of 12 token ids sets `seq` to 12), else RUN_DEFAULT_DIM, so a plain run finds the
 * entry auto-compile made. A bad source is INPUT_INVALID as in checkInputs.
 */
export async function runDims(
  model: Pick<ModelEntry, 'path' | 'name' | 'inspection'>,
  plan: Partial<InputPlan> | undefined,
  dims: Record<string, number>,
): Promise<Record<string, number>> {
  const typed = { ...dims, ...plan?.dims };
  const open = (model.inspection?.dynamicDims ?? []).filter((d) => typed[d] === undefined);
  if (open.length === 0) return typed;
  const sourced = plan && hasSources(plan) ? (await checkInputs(model, plan, dims)).dimChoices : [];
  const out = { ...typed };
  for (const name of open) {
    const set = sourced.find((c) => c.dim === name && c.byDefault !== true);
    out[name] = set?.value ?? RUN_DEFAULT_DIM;
  }
  return out;
}

/** Whether a plan gives any input's data or shape (else only defaults would size its dims). */
function hasSources(plan: Partial<InputPlan>): boolean {
  return (
    Object.keys(plan.sources ?? {}).length > 0 ||
    Object.keys(plan.shapes ?? {}).length > 0 ||
    (plan.testData ?? null) !== null
  );
}
