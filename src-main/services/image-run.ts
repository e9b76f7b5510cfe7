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
 * Sessions come from the session owner (services/sessions.ts) without free-dimension overrides, so
 * one session per model and provider serves every picture size, and the model's compiled entry for
 * those (no) dims is used when there is one (the answer says which variant ran).
 */
import type { ImageData64, InvokeOutput, InvokeParsedInput, ModelEntry } from '../ipc/contract';
import { imagePortsOf, nchwToRgba, rgbaToNchw, type ImagePorts } from '../engine/model/image';
import type { EngineClient } from '../engine/host/engine-client';
import { AppError } from '../shared/errors';
import { requireModel } from './model-library';
import type { DomainHandlers, LibrarySource } from './services';
import { providerThatRan, type SessionOwner } from './sessions';

// The pixel conversions live in engine/model/image.ts (the CLI uses them too).
export { nchwToRgba, rgbaToNchw, type ImagePorts };

/** The engine as image runs use it (EngineClient implements it). */
export type ImageEngine = Pick<EngineClient, 'request'>;

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
  constructor(
    private readonly engine: ImageEngine,
    private readonly library: Pick<LibrarySource, 'get'>,
    private readonly owner: Pick<SessionOwner, 'acquire'>,
  ) {}

  /** The handlers this service answers. */
  handlers(): Pick<DomainHandlers, 'run:image'> {
    return { 'run:image': (input) => this.run(input) };
  }

  /** One picture through one image model. */
  async run(input: InvokeParsedInput<'run:image'>): Promise<InvokeOutput<'run:image'>> {
    const model = requireModel(this.library.get(input.modelId), input.modelId);
    const { width, height } = input.image;
    const ports = imagePorts(model, width, height);
    const tensor = rgbaToNchw(decodeBase64(input.image), width, height);
    const got = await this.owner.acquire(model, { provider: input.provider, dims: {} });
    let out;
    try {
      out = await this.engine.request('session.run', {
        sessionId: got.session.id,
        inputs: { [ports.input]: tensor },
        want: 'tensors',
      });
    } finally {
      got.done();
    }
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
    return {
      image,
      runMs: out.runMs,
      provider: providerThatRan(got.session),
      variant: got.session.variant,
      entryId: got.session.entryId,
    };
  }
}

function decodeBase64(image: ImageData64): Uint8Array {
  const bytes = Buffer.from(image.rgbaBase64, 'base64');
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
}
