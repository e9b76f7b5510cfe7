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
  return (await sizeRunDims(model, plan, dims)).dims;
}

/** {@link runDims}, with the names it gave RUN_DEFAULT_DIM because nothing set them. */
export async function sizeRunDims(
  model: Pick<ModelEntry, 'path' | 'name' | 'inspection'>,
  plan: Partial<InputPlan> | undefined,
  dims: Record<string, number>,
): Promise<{ dims: Record<string, number>; defaulted: string[] }> {
  const typed = { ...dims, ...plan?.dims };
  const open = (model.inspection?.dynamicDims ?? []).filter((d) => typed[d] === undefined);
  if (open.length === 0) return { dims: typed, defaulted: [] };
  const sourced = plan && hasSources(plan) ? (await checkInputs(model, plan, dims)).dimChoices : [];
  const out = { ...typed };
  const defaulted: string[] = [];
  for (const name of open) {
    const set = sourced.find((c) => c.dim === name && c.byDefault !== true);
    if (set) out[name] = set.value;
    else {
      out[name] = RUN_DEFAULT_DIM;
      defaulted.push(name);
    }
  }
  return { dims: out, defaulted };
}

/**
 * What a plan feeds a run from the Run area (or a GUI compile): checkInputs at the dims
 * {@link runDims} gives, each dim it defaulted said as such (not as if it had been typed).
 */
export async function checkInputsAsRun(
  model: Pick<ModelEntry, 'path' | 'name' | 'inspection'>,
  plan: Partial<InputPlan>,
): Promise<InputsFed> {
  const sized = await sizeRunDims(model, plan, plan.dims ?? {});
  const fed = await checkInputs(model, plan, sized.dims);
  return {
    ...fed,
    dimChoices: fed.dimChoices.map((c) =>
      typeof c.dim === 'string' && sized.defaulted.includes(c.dim)
        ? {
            ...c,
            why: `'${c.dim}' has no value and no input sets it; ${RUN_DEFAULT_DIM} on a run, the size auto-compile compiles for`,
            byDefault: true as const,
          }
        : c,
    ),
  };
}

/** Whether a plan gives any input's data or shape (else only defaults would size its dims). */
function hasSources(plan: Partial<InputPlan>): boolean {
  return (
    Object.keys(plan.sources ?? {}).length > 0 ||
    Object.keys(plan.shapes ?? {}).length > 0 ||
    (plan.testData ?? null) !== null
  );
}
