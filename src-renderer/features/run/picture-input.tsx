/**
 * The Run form's picture source for one input that takes a picture (float32 [1|N, 3, H, W]): a
 * picture dropped on the row or picked, its scaling ([0, 1], ImageNet mean/std, [0, 255], [-1, 1];
 * the model's metadata default first), and a way back to the fill. The row carries data-drop-zone,
 * so the window-wide model drop leaves its drops alone.
 */
import { useRef } from 'react';
import type { ModelEntry } from '../../../src-main/ipc/contract';
import {
  PIXEL_SCALING_LABELS,
  PIXEL_SCALINGS,
  type PixelScaling,
} from '../../../src-main/ipc/image-model';
import {
  type InputPicture,
  runPictureChosen,
  runPictureCleared,
  runPictureUnreadable,
  runPixelsChosen,
} from '../../state/run';
import { PictureCanvas, usePictureFiles } from './picture-canvas';

/** The picture controls of one input row. */
export function PictureInput(props: {
  model: ModelEntry;
  input: string;
  chosen: InputPicture | undefined;
}) {
  const { model, input, chosen } = props;
  const file = useRef<HTMLInputElement>(null);
  const { over, handlers, take } = usePictureFiles(
    (picture) => runPictureChosen(model, input, picture),
    runPictureUnreadable,
  );
  return (
    <div
      className={over ? 'run-picture run-picture-over' : 'run-picture'}
      data-drop-zone="picture"
      data-testid={`run-picture-${input}`}
      {...handlers}
    >
      {chosen ? (
        <>
          <PictureCanvas
            picture={chosen.picture}
            testId={`run-picture-thumb-${input}`}
            label={`The picture for ${input}`}
          />
          <span className="run-picture-name" title={chosen.picture.fileName}>
            {chosen.picture.fileName}{' '}
            <span className="muted">
              {chosen.picture.width}×{chosen.picture.height}
            </span>
          </span>
          <label className="run-picture-pixels">
            <span className="muted">pixels</span>{' '}
            <select
              value={chosen.pixels}
              data-testid={`run-pixels-${input}`}
              title={chosen.pixelsFrom === null ? 'Your choice' : `Default: ${chosen.pixelsFrom}`}
              onChange={(e) => runPixelsChosen(input, e.target.value as PixelScaling)}
            >
              {PIXEL_SCALINGS.map((s) => (
                <option key={s} value={s}>
                  {PIXEL_SCALING_LABELS[s]}
                </option>
              ))}
            </select>
          </label>
          <button
            type="button"
            className="button"
            data-testid={`run-picture-clear-${input}`}
            title="Feed this input from the fill or typed values again"
            onClick={() => runPictureCleared(input)}
          >
            No picture
          </button>
        </>
      ) : (
        <>
          <button
            type="button"
            className="button"
            data-testid={`run-picture-pick-${input}`}
            onClick={() => file.current?.click()}
          >
            Picture…
          </button>
          <span className="muted">or drop one here</span>
        </>
      )}
      <input
        ref={file}
        type="file"
        accept="image/*"
        hidden
        data-testid={`run-picture-file-${input}`}
        onChange={(e) => {
          const files = Array.from(e.currentTarget.files ?? []);
          e.currentTarget.value = '';
          take(files);
        }}
      />
    </div>
  );
}
