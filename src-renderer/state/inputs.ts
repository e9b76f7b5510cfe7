/**
 * The inputs a Run, Bench or Compile form feeds a model, as one form shape and one plan builder,
 * so the three areas offer the same choices and send the same plan (`RunRequest.inputs`,
 * `BenchRequest.inputs`, `compile:enqueue`'s inputs: src-main/engine/model/input-sources.ts).
 * Per input a source — the fill, typed values, a file on this machine (.npy, .pb, a picture, a
 * WAV, a .txt of token ids) or a picture the page decoded — plus shapes for unnamed dims, named
 * dims, an ONNX test-data folder, fill and seed. `inputs:check` asks the main side what a plan
 * feeds (each default with why) before anything runs; its errors, and those of a run, are placed
 * beside the input whose file or name they carry.
 */
import { create } from 'zustand';
import type { InputsFed, ModelEntry, RunRequest } from '../../src-main/ipc/contract';
import type { AppErrorData } from '../../src-main/shared/errors';
import type { RendererApi } from '../api/types';

export type Fill = 'random' | 'zeros' | 'ones';

/** Where one input's data comes from, as the form offers it. */
export type SourceKind = 'fill' | 'values' | 'file' | 'picture';

/** The plan the contract takes (RunRequest.inputs = BenchRequest.inputs = compile's). */
export type InputPlan = NonNullable<RunRequest['inputs']>;
type PlanSource = NonNullable<InputPlan['sources']>[string];

/** What the three forms hold about inputs (the Run form holds these fields at its top level). */
export interface InputsForm {
  /** Values for named dims; NaN (or absent) leaves a dim to the plan's default. */
  dims: Record<string, number>;
  fill: Fill;
  seed: number;
  /** Per input, values typed in ("16000", "101, 2023, 102"). */
  values?: Record<string, string>;
  /** Per input, its shape typed in ("2x?x128"; ? leaves a dim to the plan). */
  shapes?: Record<string, string>;
  /** Per input, the path of a file on this machine. */
  files?: Record<string, string>;
  /**
   * Per input, the source chosen: a file or a picture. Otherwise (absent, 'values' or 'fill') the
   * values typed when there are some, else the fill — one field serves both.
   */
  kinds?: Record<string, SourceKind>;
  /** An ONNX test-data folder (test_data_set_0, or a case folder holding one) for every input. */
  testData?: string;
}

/** The inputs form with nothing chosen. */
export function emptyInputsForm(): InputsForm {
  return {
    dims: {},
    fill: 'random',
    seed: 1,
    values: {},
    shapes: {},
    files: {},
    kinds: {},
    testData: '',
  };
}

/**
 * The form for `model` after the user chose it: its named dims (kept where `keepDims` holds a
 * value for the same name), nothing per input (another model's inputs are not this one's), the
 * fill and seed kept.
 */
export function inputsFormFor(
  form: InputsForm,
  model: ModelEntry | null | undefined,
  defaultDim: number | null,
): InputsForm {
  const dims: Record<string, number> = {};
  for (const name of model?.inspection?.dynamicDims ?? []) {
    const had = form.dims[name];
    if (had !== undefined && Number.isFinite(had)) dims[name] = had;
    else if (defaultDim !== null) dims[name] = defaultDim;
  }
  return { ...emptyInputsForm(), fill: form.fill, seed: form.seed, dims };
}

/** The source an input gets from `form`; `hasPicture`: the page holds a picture for it. */
export function sourceKindOf(form: InputsForm, input: string, hasPicture = false): SourceKind {
  const chosen = form.kinds?.[input];
  if (chosen === 'file' || chosen === 'picture') return chosen;
  if (chosen === undefined && hasPicture) return 'picture';
  return (form.values?.[input] ?? '').trim() !== '' ? 'values' : 'fill';
}

/** One field changed: a patch merged into `form` (per-input maps merge by input). */
export interface InputsPatch {
  dims?: Record<string, number>;
  fill?: Fill;
  seed?: number;
  values?: Record<string, string>;
  shapes?: Record<string, string>;
  files?: Record<string, string>;
  kinds?: Record<string, SourceKind>;
  testData?: string;
}

/** `form` with `patch` merged in, per-input maps merged by input name. */
export function patchInputs<F extends InputsForm>(form: F, patch: InputsPatch): F {
  return {
    ...form,
    ...(patch.fill !== undefined ? { fill: patch.fill } : {}),
    ...(patch.seed !== undefined ? { seed: patch.seed } : {}),
    ...(patch.testData !== undefined ? { testData: patch.testData } : {}),
    dims: { ...form.dims, ...patch.dims },
    values: { ...form.values, ...patch.values },
    shapes: { ...form.shapes, ...patch.shapes },
    files: { ...form.files, ...patch.files },
    kinds: { ...form.kinds, ...patch.kinds },
  };
}

/** The dims a form holds that are set: whole numbers of at least 1 (an emptied field is NaN). */
export function typedDims(dims: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(dims).filter(([, v]) => Number.isInteger(v) && v > 0));
}

/** An error of the form's own, for the input it concerns. */
export interface InputsFormError {
  error: AppErrorData;
  input: string | null;
}

/**
 * The plan `form` asks for, or null when it asks for nothing beyond dims, fill and seed (then the
 * main side synthesizes every input, as it does for a plan with no sources). `pictures`: the
 * decoded pictures of inputs whose source is a picture. BAD_REQUEST naming the input for a file
 * source without a path, a picture source without a picture, or a shape that is not whole
 * numbers and ?.
 */
export function buildInputPlan(
  form: InputsForm,
  pictures: Record<string, Extract<PlanSource, { kind: 'picture' }>> = {},
): { plan: InputPlan | null } | InputsFormError {
  const sources: Record<string, PlanSource> = {};
  const names = new Set([
    ...Object.keys(form.values ?? {}),
    ...Object.keys(form.files ?? {}),
    ...Object.keys(form.kinds ?? {}),
    ...Object.keys(pictures),
  ]);
  for (const name of names) {
    const kind = sourceKindOf(form, name, pictures[name] !== undefined);
    if (kind === 'values') {
      const values = (form.values?.[name] ?? '')
        .split(/[\s,]+/)
        .map((v) => v.trim())
        .filter((v) => v !== '');
      sources[name] = { kind: 'values', values };
    } else if (kind === 'file') {
      const file = (form.files?.[name] ?? '').trim();
      if (file === '') {
        return bad(
          name,
          `Type the path of a file for "${name}" (.npy, .pb, a picture, .wav or .txt), or pick another source.`,
        );
      }
      sources[name] = { kind: 'file', path: file };
    } else if (kind === 'picture') {
      const picture = pictures[name];
      if (picture === undefined) {
        return bad(name, `Choose a picture for "${name}", or pick another source.`);
      }
      sources[name] = picture;
    }
  }
  const shapes: Record<string, (number | null)[]> = {};
  for (const [name, text] of Object.entries(form.shapes ?? {})) {
    if (text.trim() === '') continue;
    const dims = text
      .trim()
      .split(/[x×,]/)
      .map((d) => (d.trim() === '?' ? null : d.trim() === '' ? Number.NaN : Number(d)));
    if (dims.some((d) => d !== null && (!Number.isInteger(d) || d < 0))) {
      return bad(name, `The shape of "${name}" needs whole numbers (or ?) like 2x?x128.`);
    }
    shapes[name] = dims;
  }
  const dims = typedDims(form.dims);
  const testData = (form.testData ?? '').trim();
  if (Object.keys(sources).length === 0 && Object.keys(shapes).length === 0 && testData === '') {
    return { plan: null };
  }
  return {
    plan: {
      sources,
      shapes,
      dims,
      fill: form.fill,
      seed: form.seed,
      testData: testData === '' ? null : testData,
    },
  };
}

function bad(input: string, message: string): InputsFormError {
  return { error: { code: 'BAD_REQUEST', message }, input };
}

/** The plan for `inputs:check`: the form's plan, or the fill alone when it asks for nothing. */
export function planToCheck(form: InputsForm, plan: InputPlan | null): InputPlan {
  const dims = typedDims(form.dims);
  return (
    plan ?? { sources: {}, shapes: {}, dims, fill: form.fill, seed: form.seed, testData: null }
  );
}

/**
 * Which input an error from the main side (or the form) is about: the input whose file path —
 * or file name — the message carries, else the input it names in quotes ('x' or "x"); 'testData'
 * for the test-data folder; null when it names none (shown with the form, not by an input).
 */
export function inputOfError(
  error: AppErrorData | null,
  form: InputsForm,
  inputNames: readonly string[],
): string | null {
  if (error === null) return null;
  const text = `${error.message}\n${error.detail ?? ''}`;
  const testData = (form.testData ?? '').trim();
  for (const name of inputNames) {
    if (sourceKindOf(form, name) !== 'file') continue;
    const file = (form.files?.[name] ?? '').trim();
    if (file === '') continue;
    const base = file.split(/[\\/]/).pop() ?? file;
    if (text.includes(file) || (base !== '' && text.includes(base))) return name;
  }
  if (testData !== '' && text.includes(testData)) return 'testData';
  // Longest names first: 'input_ids' before 'input' when both are quoted somewhere.
  for (const name of [...inputNames].sort((a, b) => b.length - a.length)) {
    if (text.includes(`'${name}'`) || text.includes(`"${name}"`)) return name;
  }
  return null;
}

/** The last `inputs:check` of one form. */
export interface InputsCheck {
  status: 'idle' | 'checking' | 'done' | 'failed';
  /** The model and plan it was for, so a stale answer is not shown against a changed form. */
  key: string | null;
  result: InputsFed | null;
  error: AppErrorData | null;
}

/** Which form a check belongs to. */
export type InputsFormId = 'run' | 'bench' | 'compile';

const idle: InputsCheck = { status: 'idle', key: null, result: null, error: null };

export const useInputsStore = create<Record<InputsFormId, InputsCheck>>()(() => ({
  run: idle,
  bench: idle,
  compile: idle,
}));

/**
 * The user asked what a form's inputs feed (`inputs:check`): the record (sources, dims each with
 * why, the replay) or the main side's error. An answer for a plan since changed is dropped.
 */
export async function inputsCheckRequested(
  api: RendererApi,
  id: InputsFormId,
  modelId: string,
  plan: InputPlan,
): Promise<void> {
  const key = JSON.stringify([modelId, plan]);
  useInputsStore.setState({ [id]: { ...idle, status: 'checking', key } });
  // The Run form's (and a GUI compile's) open named dims follow the inputs, else 1, as the run
  // and the compile size them; a benchmark's take the plan's defaults.
  const r = await api.invoke('inputs:check', {
    modelId,
    inputs: plan,
    ...(id !== 'bench' ? { asRun: true } : {}),
  });
  if (useInputsStore.getState()[id].key !== key) return;
  useInputsStore.setState({
    [id]: r.ok
      ? { status: 'done', key, result: r.value, error: null }
      : { status: 'failed', key, result: null, error: r.error },
  });
}

/** A form's check failed before it was sent (the form's own error). */
export function inputsCheckRefused(id: InputsFormId, error: AppErrorData): void {
  useInputsStore.setState({ [id]: { ...idle, status: 'failed', error } });
}

/**
 * The user asked what a form's choices feed: the plan built from the form, checked by the main
 * side — or the form's own refusal (a shape that does not parse) without asking.
 */
export function inputsCheckOfForm(
  api: RendererApi,
  id: InputsFormId,
  modelId: string,
  form: InputsForm,
): void {
  const built = buildInputPlan(form);
  if ('error' in built) inputsCheckRefused(id, built.error);
  else void inputsCheckRequested(api, id, modelId, planToCheck(form, built.plan));
}

/** The form changed: its last check no longer says what it feeds. */
export function inputsCheckCleared(id: InputsFormId): void {
  if (useInputsStore.getState()[id].status !== 'idle') useInputsStore.setState({ [id]: idle });
}

/** Back to the first state (tests). */
export function resetInputsStore(): void {
  useInputsStore.setState({ run: idle, bench: idle, compile: idle }, true);
}
