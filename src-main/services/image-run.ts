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
} from '../ipc/contract';
import { imagePortsOf, nchwToRgba, rgbaToNchw, type ImagePorts } from '../engine/model/image';
import type { EngineClient } from '../engine/host/engine-client';
import { AppError } from '../shared/errors';
import type { DomainHandlers, LibrarySource } from './services';

// The pixel conversions live in engine/model/image.ts (the CLI uses them too).
export { nchwToRgba, rgbaToNchw, type ImagePorts };

/** Sessions kept alive for image runs (each holds a model's weights in the engine host). */
const MAX_SESSIONS = 4;

/** The engine as image runs use it (EngineClient implements it). */
export type ImageEngine = Pick<EngineClient, 'request' | 'status' | 'onChange'>;

/**
 * Checks that a model is image-like and that a picture of `width` × `height` fits it. Throws
 * INPUT_INVALID naming the model and the shapes it has otherwise (engine/model/image.ts).
 */
export function imagePorts(model: ModelEntry, width?: number, height?: number): ImagePorts {
  if (model.inspection === null) {
    throw new AppError(
      'MODEL_INVALID',
      `${model.name} could not be read: ${model.error?.message ?? 'no inspection'}`,
    );
  }
  return imagePortsOf(model.name, model.inspection, width, height);
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
