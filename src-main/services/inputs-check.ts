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
