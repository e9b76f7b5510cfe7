/**
 * The Run area: the form (model, provider, symbolic dims, fill, seed) and the last run's outcome.
 * runRequested sends run:execute; an answer that arrives after a newer request started is dropped.
 * An input that takes a picture can be fed one (any model, a classifier too): it goes in the
 * request's input plan, the result keeps the picture as the model got it, and outputs that are
 * masks of it are drawn over it (mask-overlay.ts).
 * For image models, the picture the user dropped and the picture the model made (run:image).
 */
import { create } from 'zustand';
import type {
  ModelEntry,
  ProviderId,
  ProviderStatus,
  RunRequest,
  RunResult,
  SessionVariant,
} from '../../src-main/ipc/contract';
import {
  isImageModel as isImageInspection,
  pictureFeedSize,
  pictureInputProblem,
  type PixelScaling,
  resizeRgba,
} from '../../src-main/ipc/image-model';
import { firstAvailable, RUN_PREFERENCE } from '../../src-main/ipc/providers';
import type { AppErrorData } from '../../src-main/shared/errors';
import type { RendererApi } from '../api/types';
import {
  buildInputPlan,
  emptyInputsForm,
  type Fill,
  type InputsForm,
  type InputsPatch,
  inputsCheckCleared,
  patchInputs,
  sourceKindOf,
  typedDims,
} from './inputs';
import { drawMaskOverlay, type MaskOverlay, maskKind, npyValues } from './mask-overlay';

export type { Fill } from './inputs';

/**
 * The run form: model and provider, and the inputs (state/inputs.ts, the same fields the Bench
 * and Compile forms hold) — the same input plan the CLI's --input/--value/--shape take
 * (engine/model/input-sources.ts). Dims are required here (NaN while a field is not a number):
 * they also pick the compiled session.
 */
export interface RunForm extends InputsForm {
  modelId: string | null;
  /** A provider, or 'auto' (ONNX Runtime's EP selection policy picks). */
  provider: ProviderId | 'auto' | null;
  /** Per input that takes a picture (ipc/image-model.ts pictureInputProblem), the one chosen. */
  pictures?: Record<string, InputPicture>;
}

/** A picture chosen for one input, and how its pixels become values. */
export interface InputPicture {
  picture: SourcePicture;
  pixels: PixelScaling;
  /** Why this scaling: null when the user chose it, else where the default came from. */
  pixelsFrom: string | null;
}

/** What one picture input got in the run that made the result, shown beside it. */
export interface FedPicture {
  input: string;
  fileName: string;
  /** The picture as the model got it: resized as the main side resizes (ipc/image-model.ts). */
  picture: Picture;
  /** The picture as chosen (after the page's own scale-down, if any). */
  chosen: { width: number; height: number };
  scaledFrom: { width: number; height: number } | null;
  pixels: PixelScaling;
  pixelsFrom: string | null;
}

/** Outputs of the last run drawn as masks over its picture (state/mask-overlay.ts). */
export interface OverlaysState {
  status: 'idle' | 'loading' | 'done' | 'failed';
  items: MaskOverlay[];
  error: AppErrorData | null;
}

/** A picture as RGBA bytes, the form both sides of an image run take in the page. */
export interface Picture {
  width: number;
  height: number;
  rgba: Uint8ClampedArray;
}

/** The dropped picture, as decoded (and scaled down when it was larger than the limit). */
export interface SourcePicture extends Picture {
  fileName: string;
  /** The picture's own size when it was scaled down to fit MAX_PICTURE_SIDE. */
  scaledFrom: { width: number; height: number } | null;
}

export interface ImageRunState {
  status: 'idle' | 'running' | 'done' | 'failed';
  source: SourcePicture | null;
  result:
    | (Picture & {
        runMs: number;
        provider: ProviderId;
        /** What ran: the original model or its compile-cache entry (run:image says). */
        variant: SessionVariant;
        entryId: string | null;
      })
    | null;
  error: AppErrorData | null;
  seq: number;
}

export interface RunState {
  form: RunForm;
  image: ImageRunState;
  status: 'idle' | 'running' | 'done' | 'failed';
  result: RunResult | null;
  /** What sized the result's dims (sizingKey of its request): the Compile area uses them while it holds. */
  resultSizing: string | null;
  error: AppErrorData | null;
  /** Why "Save outputs (.npy)" failed (the result stays shown); null after a save or a new run. */
  saveError: AppErrorData | null;
  /** A picture chosen for an input that the page could not read; null after a good one. */
  pictureError: AppErrorData | null;
  /** The pictures the last result's run was fed (empty when none). */
  fed: FedPicture[];
  overlays: OverlaysState;
  /** Bumped by every request; answers for older ones are ignored. */
  requestSeq: number;
}

const initialForm: RunForm = {
  modelId: null,
  provider: null,
  ...emptyInputsForm(),
  pictures: {},
};
const initialImage: ImageRunState = {
  status: 'idle',
  source: null,
  result: null,
  error: null,
  seq: 0,
};
const initial: RunState = {
  form: initialForm,
  image: initialImage,
  status: 'idle',
  result: null,
  resultSizing: null,
  error: null,
  saveError: null,
  pictureError: null,
  fed: [],
  overlays: { status: 'idle', items: [], error: null },
  requestSeq: 0,
};

export const useRunStore = create<RunState>()(() => initial);

/** The provider to offer first (RUN_PREFERENCE, ipc/providers), or null when none is available. */
export function bestProvider(providers: readonly ProviderStatus[]): ProviderId | null {
  return firstAvailable(RUN_PREFERENCE, providers);
}

/** Models that can run: read without error and inspected. */
export function runnableModels(entries: readonly ModelEntry[]): ModelEntry[] {
  // A model's precision variants (an fp16 copy) run, compile and benchmark under their own ids,
  // named as the main side's library names them.
  const withVariants = entries.flatMap((e) => [
    e,
    ...(e.variants ?? []).map((v): ModelEntry => ({
      id: v.id,
      name: `${e.name} · ${v.kind}`,
      path: v.path,
      builtIn: false,
      addedAt: v.createdAt,
      inspection: v.inspection,
      error: null,
    })),
  ]);
  return withVariants.filter((e) => e.error === null && e.inspection !== null);
}

/**
 * The user chose a model: its symbolic dims get fields, keeping values typed for same-named dims
 * (a field left empty is sized by the inputs, else 1, on the main side); another model's result
 * goes.
 */
export function runModelChosen(model: ModelEntry | null): void {
  if (model?.id !== useRunStore.getState().form.modelId) inputsCheckCleared('run');
  useRunStore.setState((state) => {
    const dims: Record<string, number> = {};
    for (const name of model?.inspection?.dynamicDims ?? []) {
      const typed = state.form.dims[name];
      if (typed !== undefined && Number.isFinite(typed)) dims[name] = typed;
    }
    const same = model?.id === state.form.modelId;
    return {
      form: {
        ...state.form,
        modelId: model?.id ?? null,
        dims,
        values: same ? state.form.values : {},
        shapes: same ? state.form.shapes : {},
        files: same ? state.form.files : {},
        kinds: same ? state.form.kinds : {},
        testData: same ? state.form.testData : '',
        pictures: same ? state.form.pictures : {},
      },
      image: same ? state.image : { ...initialImage, seq: state.image.seq + 1 },
      // The result beside the form is the form's model's: another model's outputs (and the
      // picture it was fed) would read as this one's. A run still under way is dropped too.
      ...(same
        ? {}
        : {
            status: 'idle' as const,
            result: null,
            error: null,
            saveError: null,
            fed: [],
            overlays: initial.overlays,
            requestSeq: state.requestSeq + 1,
          }),
    };
  });
}

/** The user changed the inputs part of the form (a source, a file path, a shape, a dim …). */
export function runInputsChanged(patch: InputsPatch): void {
  useRunStore.setState((state) => ({ form: patchInputs(state.form, patch) }));
}

/** The user typed values for an input (empty: back to the fill). */
export function runValuesChanged(input: string, text: string): void {
  useRunStore.setState((state) => ({
    form: { ...state.form, values: { ...state.form.values, [input]: text } },
  }));
}

/**
 * The user chose a picture for an input that takes one: it replaces typed values, and the input's
 * named sides (a symbolic height and width) take the picture's size, so it goes in as it is unless
 * the user sets them. The scaling is the model's metadata default, else [0, 1].
 */
export function runPictureChosen(model: ModelEntry, input: string, picture: SourcePicture): void {
  const vi = model.inspection?.inputs.find((i) => i.name === input);
  if (!vi || pictureInputProblem(vi) !== null) return;
  const meta = model.inspection?.pictureScaling ?? null;
  useRunStore.setState((state) => {
    const dims = { ...state.form.dims };
    const [, , h, w] = vi.shape ?? [];
    if (typeof h === 'string') dims[h] = picture.height;
    if (typeof w === 'string') dims[w] = picture.width;
    const kept = state.form.pictures?.[input];
    return {
      pictureError: null,
      form: {
        ...state.form,
        dims,
        values: { ...state.form.values, [input]: '' },
        kinds: { ...state.form.kinds, [input]: 'picture' },
        pictures: {
          ...state.form.pictures,
          [input]: {
            picture,
            // A scaling the user chose for this input stays for the next picture.
            pixels: kept && kept.pixelsFrom === null ? kept.pixels : (meta?.scaling ?? 'unit'),
            pixelsFrom:
              kept && kept.pixelsFrom === null
                ? null
                : (meta?.from ?? "the default: the model's metadata does not say"),
          },
        },
      },
    };
  });
}

/** The user took the picture away from an input: it gets the fill (or typed values) again. */
export function runPictureCleared(input: string): void {
  useRunStore.setState((state) => {
    const pictures = { ...state.form.pictures };
    delete pictures[input];
    const kinds = { ...state.form.kinds };
    if (kinds[input] === 'picture') delete kinds[input];
    return { form: { ...state.form, pictures, kinds } };
  });
}

/** The user chose how an input's picture is scaled. */
export function runPixelsChosen(input: string, pixels: PixelScaling): void {
  useRunStore.setState((state) => {
    const chosen = state.form.pictures?.[input];
    if (!chosen) return {};
    return {
      form: {
        ...state.form,
        pictures: { ...state.form.pictures, [input]: { ...chosen, pixels, pixelsFrom: null } },
      },
    };
  });
}

/** A file chosen for an input was not a picture the page can read. */
export function runPictureUnreadable(fileName: string, why: string): void {
  useRunStore.setState({
    pictureError: {
      code: 'INPUT_INVALID',
      message: `${fileName} is not a picture this page can read (${why})`,
    },
  });
}

/** The user typed a shape for an input with unnamed dims. */
export function runShapeChanged(input: string, text: string): void {
  useRunStore.setState((state) => ({
    form: { ...state.form, shapes: { ...state.form.shapes, [input]: text } },
  }));
}

/** The user chose a provider. */
export function runProviderChosen(provider: ProviderId | 'auto'): void {
  useRunStore.setState((state) => ({ form: { ...state.form, provider } }));
}

/** The user typed a value for a symbolic dim. */
export function runDimChanged(name: string, value: number): void {
  useRunStore.setState((state) => ({
    form: { ...state.form, dims: { ...state.form.dims, [name]: value } },
  }));
}

/** The user chose how inputs are filled. */
export function runFillChosen(fill: Fill): void {
  useRunStore.setState((state) => ({ form: { ...state.form, fill } }));
}

/** The user typed a seed. */
export function runSeedChanged(seed: number): void {
  useRunStore.setState((state) => ({ form: { ...state.form, seed } }));
}

/**
 * Checks the form and builds the request, or says what is missing in words for the form's own
 * error line (BAD_REQUEST, the same code the main side would answer with).
 */
export function buildRunRequest(form: RunForm): { request: RunRequest } | { error: AppErrorData } {
  if (form.modelId === null) {
    return { error: { code: 'BAD_REQUEST', message: 'Choose a model to run.' } };
  }
  if (form.provider === null) {
    return { error: { code: 'BAD_REQUEST', message: 'Choose an execution provider.' } };
  }
  const dims: Record<string, number> = {};
  for (const [name, value] of Object.entries(form.dims)) {
    // An empty field: the main side sizes the dim from the inputs, else 1.
    if (Number.isNaN(value)) continue;
    dims[name] = value;
    if (!Number.isInteger(value) || value < 1) {
      return {
        error: {
          code: 'BAD_REQUEST',
          message: `Dimension "${name}" needs a whole number of at least 1.`,
        },
      };
    }
  }
  if (!Number.isInteger(form.seed)) {
    return { error: { code: 'BAD_REQUEST', message: 'The seed must be a whole number.' } };
  }
  const pictures: Parameters<typeof buildInputPlan>[1] = {};
  for (const [name, chosen] of Object.entries(form.pictures ?? {})) {
    const { picture } = chosen;
    pictures[name] = {
      kind: 'picture',
      fileName: picture.fileName,
      width: picture.width,
      height: picture.height,
      rgbaBase64: bytesToBase64(picture.rgba),
      pixels: chosen.pixels,
    };
  }
  const built = buildInputPlan(form, pictures);
  if ('error' in built) return { error: built.error };
  return {
    request: {
      modelId: form.modelId,
      provider: form.provider,
      dims,
      fill: form.fill,
      seed: form.seed,
      ...(built.plan ? { inputs: built.plan } : {}),
    },
  };
}

/**
 * The pictures a run of `form` feeds `model`, as the model gets them: each resized to the size
 * the main side resizes it to (pictureFeedSize, resizeRgba: the same code).
 */
export function fedPictures(form: RunForm, model: ModelEntry | null | undefined): FedPicture[] {
  const out: FedPicture[] = [];
  for (const [input, chosen] of Object.entries(form.pictures ?? {})) {
    const vi = model?.inspection?.inputs.find((i) => i.name === input);
    // A picture kept while the input's source is another one is not fed.
    if (!vi || sourceKindOf(form, input, true) !== 'picture') continue;
    const { picture } = chosen;
    const typed = form.shapes?.[input]?.trim();
    const shape = typed
      ? typed.split(/[x×,]/).map((d) => (/^\d+$/.test(d.trim()) ? Number(d) : null))
      : undefined;
    // An emptied dim field (NaN) is sized on the main side: the picture's own side, as there.
    const size = pictureFeedSize(vi, picture, typedDims(form.dims), shape);
    const same = size.width === picture.width && size.height === picture.height;
    out.push({
      input,
      fileName: picture.fileName,
      picture: {
        ...size,
        rgba: same
          ? picture.rgba
          : new Uint8ClampedArray(resizeRgba(picture, size.width, size.height)),
      },
      chosen: { width: picture.width, height: picture.height },
      scaledFrom: picture.scaledFrom,
      pixels: chosen.pixels,
      pixelsFrom: chosen.pixelsFrom,
    });
  }
  return out;
}

/**
 * The user pressed Run. `model` is the form's model (its inspection says how pictures go in);
 * after a run fed a picture, outputs that are masks of it are drawn over it (overlaysFor).
 */
export async function runRequested(api: RendererApi, model?: ModelEntry | null): Promise<void> {
  const form = useRunStore.getState().form;
  const built = buildRunRequest(form);
  if ('error' in built) {
    useRunStore.setState({ status: 'failed', error: built.error, result: null });
    return;
  }
  const fed = fedPictures(form, model);
  const seq = useRunStore.getState().requestSeq + 1;
  useRunStore.setState({
    status: 'running',
    error: null,
    saveError: null,
    requestSeq: seq,
    overlays: initial.overlays,
  });
  const result = await api.invoke('run:execute', built.request);
  if (useRunStore.getState().requestSeq !== seq) return;
  if (!result.ok) {
    useRunStore.setState({ status: 'failed', error: result.error, result: null, fed: [] });
    return;
  }
  useRunStore.setState({
    status: 'done',
    result: result.value,
    resultSizing: sizingKey(built.request),
    error: null,
    fed,
  });
  const labels = model?.inspection?.labels?.names ?? null;
  await overlaysFor(api, seq, result.value, fed[0] ?? null, labels);
}

/**
 * Draws the outputs of `result` that are masks of the picture `base` (maskKind) over it, from the
 * run's kept outputs (run:outputs). A refusal (outputs too large to hand over) is shown instead.
 */
async function overlaysFor(
  api: RendererApi,
  seq: number,
  result: RunResult,
  base: FedPicture | null,
  labels: readonly string[] | null,
): Promise<void> {
  if (base === null) return;
  const masks = result.outputs.flatMap((o) => {
    const kind = maskKind(o.dtype, o.shape, base.picture, labels?.length ?? null);
    return kind === null ? [] : [{ name: o.name, dtype: o.dtype, kind }];
  });
  if (masks.length === 0) return;
  useRunStore.setState({ overlays: { status: 'loading', items: [], error: null } });
  const got = await api.invoke('run:outputs', { modelId: result.modelId });
  if (useRunStore.getState().requestSeq !== seq) return;
  if (!got.ok) {
    useRunStore.setState({ overlays: { status: 'failed', items: [], error: got.error } });
    return;
  }
  try {
    const items = masks.flatMap((m) => {
      const file = got.value.find((o) => o.name === m.name);
      if (!file) return [];
      const values = npyValues(base64ToBytes(file.npyBase64), m.dtype);
      return [drawMaskOverlay(m.name, m.kind, values, base.picture, labels)];
    });
    useRunStore.setState({ overlays: { status: 'done', items, error: null } });
  } catch (err) {
    useRunStore.setState({
      overlays: {
        status: 'failed',
        items: [],
        error: {
          code: 'INTERNAL',
          message: `the mask could not be drawn: ${err instanceof Error ? err.message : String(err)}`,
        },
      },
    });
  }
}

/** A file the page offers as a download. */
export interface NpyDownload {
  fileName: string;
  bytes: Uint8Array<ArrayBuffer>;
}

/**
 * The files for "Save outputs (.npy)": one per output, named `<model>-<output>.npy` with anything a
 * file name cannot hold replaced by `_` (output names such as `logits:0` or `out/probs`).
 */
export function npyDownloads(
  modelName: string,
  outputs: { name: string; npyBase64: string }[],
): NpyDownload[] {
  const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^\.+/, '_');
  const stem = safe(modelName.replace(/\.onnx$/i, ''));
  return outputs.map((o) => ({
    fileName: `${stem}-${safe(o.name)}.npy`,
    bytes: Uint8Array.from(atob(o.npyBase64), (c) => c.charCodeAt(0)),
  }));
}

/**
 * The user asked to save the last result's outputs: resolves with the files to offer (the view
 * downloads them), or with none and the reason in `saveError`.
 */
export async function runOutputsSaveRequested(
  api: RendererApi,
  modelName: string,
): Promise<NpyDownload[]> {
  const result = useRunStore.getState().result;
  if (result === null) return [];
  useRunStore.setState({ saveError: null });
  const r = await api.invoke('run:outputs', { modelId: result.modelId });
  if (!r.ok) {
    useRunStore.setState({ saveError: r.error });
    return [];
  }
  return npyDownloads(modelName, r.value);
}

/**
 * Pictures are scaled down to at most this many pixels a side before they cross to the main side:
 * a picture travels as base64 RGBA in one message (browser mode caps messages at 8 MiB), and an
 * upscaler's output is four times the input.
 */
export const MAX_PICTURE_SIDE = 1024;

/** The size a picture is shown to the model at: its own, or scaled to fit `max` a side. */
export function fitPicture(
  width: number,
  height: number,
  max = MAX_PICTURE_SIDE,
): { width: number; height: number } {
  const scale = Math.min(1, max / Math.max(width, height));
  return {
    width: Math.max(1, Math.round(width * scale)),
    height: Math.max(1, Math.round(height * scale)),
  };
}

/**
 * True for models the user can drop a picture on, decided by the same code as the main side's
 * check (src-main/ipc/image-model.ts), which also says why not.
 */
export function isImageModel(entry: ModelEntry | null | undefined): boolean {
  return isImageInspection(entry?.inspection);
}

/** Bytes → base64, in chunks (String.fromCharCode on megabytes at once overflows the stack). */
export function bytesToBase64(bytes: Uint8Array | Uint8ClampedArray): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

/** base64 → bytes. */
export function base64ToBytes(text: string): Uint8ClampedArray {
  const binary = atob(text);
  const out = new Uint8ClampedArray(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

/** The dropped picture could not be read (not a picture, or a format the page cannot decode). */
export function pictureUnreadable(fileName: string, why: string): void {
  useRunStore.setState((state) => ({
    image: {
      ...initialImage,
      seq: state.image.seq + 1,
      status: 'failed',
      error: {
        code: 'INPUT_INVALID',
        message: `${fileName} is not a picture this page can read (${why})`,
      },
    },
  }));
}

/**
 * A picture was dropped on an image model: run it with the form's model and provider and keep
 * both pictures. An answer for an older picture is dropped.
 */
export async function pictureDropped(api: RendererApi, source: SourcePicture): Promise<void> {
  const { modelId, provider } = useRunStore.getState().form;
  const seq = useRunStore.getState().image.seq + 1;
  if (modelId === null || provider === null) {
    useRunStore.setState({
      image: {
        ...initialImage,
        seq,
        source,
        status: 'failed',
        error: { code: 'BAD_REQUEST', message: 'Choose an image model and a provider first.' },
      },
    });
    return;
  }
  useRunStore.setState({ image: { ...initialImage, seq, source, status: 'running' } });
  const result = await api.invoke('run:image', {
    modelId,
    provider,
    image: { width: source.width, height: source.height, rgbaBase64: bytesToBase64(source.rgba) },
  });
  if (useRunStore.getState().image.seq !== seq) return;
  useRunStore.setState((state) => ({
    image: result.ok
      ? {
          ...state.image,
          status: 'done',
          error: null,
          result: {
            width: result.value.image.width,
            height: result.value.image.height,
            rgba: base64ToBytes(result.value.image.rgbaBase64),
            runMs: result.value.runMs,
            provider: result.value.provider,
            variant: result.value.variant,
            entryId: result.value.entryId,
          },
        }
      : { ...state.image, status: 'failed', error: result.error, result: null },
  }));
}

/**
 * What decides a run request's dims: the model, the dims typed and the inputs' shapes (files,
 * values, shapes, pictures by size — not pixels, fill or seed). Two requests with the same key
 * open sessions with the same dims.
 */
export function sizingKey(request: RunRequest): string {
  const plan = request.inputs;
  return JSON.stringify([
    request.modelId,
    request.dims,
    plan
      ? [
          plan.dims,
          plan.shapes,
          plan.testData,
          Object.entries(plan.sources ?? {}).map(([name, src]) =>
            src.kind === 'picture' ? [name, src.kind, src.width, src.height] : [name, src],
          ),
        ]
      : null,
  ]);
}

/** Back to the first state (tests). */
export function resetRunStore(): void {
  useRunStore.setState(initial, true);
}
