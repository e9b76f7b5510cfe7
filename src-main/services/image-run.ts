/**
 * Image runs (`run:image`): the user drops a picture on an image model and sees the picture it
 * makes. The picture arrives as RGBA bytes, becomes an NCHW float32 tensor [1, 3, H, W] in [0, 1],
 * runs in the engine host like every other inference, and the output [1, C, H', W'] (C = 1, 3 or 4)
 * goes back as RGBA.
 *
 * A model counts as an image model when its one tensor input is float32 [1 or batch, 3, H, W]
 * and an output is float32 rank 4 with 1, 3 or 4 channels; anything else is refused with the
 * shapes it has, before a session is made. Fixed H and W must match the picture (no silent resize:
 * the user should see what the model saw).
 *
 * Sessions are made without free-dimension overrides, so one session per model and provider serves
 * every picture size; the few most recent are kept, older ones released.
 */
import type {
  EngineStatus,
  ImageData64,
  InvokeOutput,
  InvokeParsedInput,
  ModelEntry,
  ProviderId,
  ValueInfo,
} from '../ipc/contract';
import type { HostTensor } from '../engine/tensor';
import type { EngineClient } from '../engine/host/engine-client';
import { AppError } from '../shared/errors';
import type { DomainHandlers, LibrarySource } from './services';

/** The contract's ImageSchema caps each side at this. */
const MAX_SIDE = 8192;
/** Sessions kept alive for image runs (each holds a model's weights in the engine host). */
const MAX_SESSIONS = 4;

/** The engine as image runs use it (EngineClient implements it). */
export type ImageEngine = Pick<EngineClient, 'request' | 'status' | 'onChange'>;

/** Which input and output of a model carry the picture. */
export interface ImagePorts {
  input: string;
  output: string;
}

/**
 * Checks that a model is image-like and that a picture of `width` × `height` fits it. Throws
 * INPUT_INVALID naming the model and the shapes it has otherwise.
 */
export function imagePorts(model: ModelEntry, width?: number, height?: number): ImagePorts {
  const insp = model.inspection;
  if (insp === null) {
    throw new AppError(
      'MODEL_INVALID',
      `${model.name} could not be read: ${model.error?.message ?? 'no inspection'}`,
    );
  }
  const notImage = (why: string) =>
    new AppError(
      'INPUT_INVALID',
      `${model.name} is not an image model: ${why}; a picture needs one float32 input [1, 3, height, width]`,
    );
  if (insp.inputs.length !== 1) {
    throw notImage(
      `it has ${insp.inputs.length} inputs (${insp.inputs.map((i) => i.name).join(', ')})`,
    );
  }
  const input = insp.inputs[0] as ValueInfo;
  const shape = input.shape;
  if (
    input.kind !== 'tensor' ||
    input.dtype !== 'float32' ||
    shape === null ||
    shape.length !== 4
  ) {
    throw notImage(`its input ${input.name} is ${describe(input)}`);
  }
  const [n, c, h, w] = shape;
  if ((typeof n === 'number' && n !== 1) || c !== 3) {
    throw notImage(`its input ${input.name} is ${describe(input)}`);
  }
  if (width !== undefined && height !== undefined) {
    if ((typeof h === 'number' && h !== height) || (typeof w === 'number' && w !== width)) {
      throw new AppError(
        'INPUT_INVALID',
        `${model.name} takes pictures of ${String(w)}×${String(h)} pixels; this one is ${width}×${height}`,
      );
    }
  }
  const output = insp.outputs.find(
    (o) =>
      o.kind === 'tensor' &&
      o.dtype === 'float32' &&
      (o.shape === null ||
        (o.shape.length === 4 &&
          (typeof o.shape[1] !== 'number' || [1, 3, 4].includes(o.shape[1])))),
  );
  if (output === undefined) {
    throw notImage(
      `no output is a float32 picture [1, 1|3|4, height, width] (${insp.outputs.map(describe).join('; ')})`,
    );
  }
  return { input: input.name, output: output.name };
}

function describe(v: ValueInfo): string {
  if (v.kind !== 'tensor') return `a ${v.kind}`;
  const dims =
    v.shape === null ? 'of unknown shape' : `[${v.shape.map((d) => d ?? '?').join(', ')}]`;
  return `${v.dtype ?? 'unknown type'} ${dims}`;
}

/** RGBA bytes (alpha dropped) → NCHW float32 [1, 3, height, width] in [0, 1]. */
export function rgbaToNchw(rgba: Uint8Array, width: number, height: number): HostTensor {
  const plane = width * height;
  if (rgba.length !== plane * 4) {
    throw new AppError(
      'INPUT_INVALID',
      `a ${width}×${height} picture needs ${plane * 4} RGBA bytes, got ${rgba.length}`,
    );
  }
  const data = new Float32Array(plane * 3);
  for (let i = 0; i < plane; i++) {
    data[i] = (rgba[i * 4] as number) / 255;
    data[plane + i] = (rgba[i * 4 + 1] as number) / 255;
    data[2 * plane + i] = (rgba[i * 4 + 2] as number) / 255;
  }
  return { dtype: 'float32', dims: [1, 3, height, width], data };
}

/**
 * NCHW float32 [1, C, H, W] (C = 1 grey, 3 RGB, 4 RGBA) → RGBA bytes. Values are clamped to
 * [0, 1] and rounded; NaN becomes 0, so a broken model shows black rather than failing.
 */
export function nchwToRgba(
  t: HostTensor,
  outputName: string,
): { width: number; height: number; rgba: Uint8Array } {
  const [n, c, height, width] = t.dims;
  if (
    t.dtype !== 'float32' ||
    t.dims.length !== 4 ||
    n !== 1 ||
    c === undefined ||
    ![1, 3, 4].includes(c)
  ) {
    throw new AppError(
      'INPUT_INVALID',
      `output ${outputName} is ${t.dtype} [${t.dims.join(', ')}], not a picture [1, 1|3|4, height, width]`,
    );
  }
  const w = width as number;
  const h = height as number;
  if (w < 1 || h < 1 || w > MAX_SIDE || h > MAX_SIDE) {
    throw new AppError(
      'INPUT_INVALID',
      `the result picture would be ${w}×${h} pixels; the most Crucible shows is ${MAX_SIDE} a side (try a smaller picture)`,
    );
  }
  const data = t.data as Float32Array;
  const plane = w * h;
  const rgba = new Uint8Array(plane * 4);
  const byte = (v: number) => (v > 0 ? (v < 1 ? Math.round(v * 255) : 255) : 0);
  for (let i = 0; i < plane; i++) {
    const r = byte(data[i] as number);
    rgba[i * 4] = r;
    rgba[i * 4 + 1] = c === 1 ? r : byte(data[plane + i] as number);
    rgba[i * 4 + 2] = c === 1 ? r : byte(data[2 * plane + i] as number);
    rgba[i * 4 + 3] = c === 4 ? byte(data[3 * plane + i] as number) : 255;
  }
  return { width: w, height: h, rgba };
}

/** Runs image models on pictures through the engine host. */
export class ImageRunService {
  private readonly sessions = new Map<string, Promise<string>>();
  private nextSession = 1;

  constructor(
    private readonly engine: ImageEngine,
    private readonly library: Pick<LibrarySource, 'get'>,
  ) {
    // Sessions live in the host process: when it restarts they are gone.
    engine.onChange((s: EngineStatus) => {
      if (s.state !== 'ready') this.sessions.clear();
    });
  }

  /** The handlers this service answers. */
  handlers(): Pick<DomainHandlers, 'run:image'> {
    return { 'run:image': (input) => this.run(input) };
  }

  /** One picture through one image model. */
  async run(input: InvokeParsedInput<'run:image'>): Promise<InvokeOutput<'run:image'>> {
    const model = this.library.get(input.modelId);
    if (!model) throw new AppError('NOT_FOUND', `no model with id ${input.modelId} in the library`);
    const { width, height } = input.image;
    const ports = imagePorts(model, width, height);
    const provider = this.engine.status().providers.find((p) => p.id === input.provider);
    if (provider && !provider.available) {
      throw new AppError(
        'PROVIDER_UNAVAILABLE',
        `${provider.ortName} is not available here: ${provider.reason ?? 'unknown reason'}`,
      );
    }
    const tensor = rgbaToNchw(decodeBase64(input.image), width, height);
    const sessionId = await this.session(model, input.provider);
    const out = await this.engine.request('session.run', {
      sessionId,
      inputs: { [ports.input]: tensor },
      want: 'tensors',
    });
    const result = out.tensors?.[ports.output];
    if (result === undefined) {
      throw new AppError('INTERNAL', `the engine returned no output ${ports.output}`);
    }
    const picture = nchwToRgba(result, ports.output);
    const image: ImageData64 = {
      width: picture.width,
      height: picture.height,
      rgbaBase64: Buffer.from(
        picture.rgba.buffer,
        picture.rgba.byteOffset,
        picture.rgba.length,
      ).toString('base64'),
    };
    return { image, runMs: out.runMs, provider: input.provider };
  }

  /** The session for a model and provider, made on first use; the oldest beyond the limit go. */
  private async session(model: ModelEntry, provider: ProviderId): Promise<string> {
    const key = `${model.id}|${provider}`;
    let pending = this.sessions.get(key);
    if (pending) {
      // Most recently used last.
      this.sessions.delete(key);
      this.sessions.set(key, pending);
      return pending;
    }
    const sessionId = `image-${this.nextSession++}`;
    pending = this.engine
      .request('session.create', {
        sessionId,
        modelPath: model.path,
        provider,
      })
      .then(() => sessionId);
    this.sessions.set(key, pending);
    pending.catch(() => this.sessions.delete(key));
    while (this.sessions.size > MAX_SESSIONS) {
      const [oldKey, old] = this.sessions.entries().next().value as [string, Promise<string>];
      this.sessions.delete(oldKey);
      void old
        .then((id) => this.engine.request('session.release', { sessionId: id }))
        .catch(() => undefined);
    }
    return pending;
  }
}

function decodeBase64(image: ImageData64): Uint8Array {
  const bytes = Buffer.from(image.rgbaBase64, 'base64');
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
}
