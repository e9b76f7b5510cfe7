import { useRef } from 'react';
import { useApi } from '../../common/api-context';
import { ErrorNotice } from '../../common/error-notice';
import { pictureDropped, pictureUnreadable, useRunStore } from '../../state/run';
import { Card } from '../../ui/card';
import { formatMs } from '../../ui/format';
import { PictureCanvas, usePictureFiles } from './picture-canvas';
import { variantLabel } from './run-outcome';
import { providerLabel } from '../../../src-main/ipc/providers';

/**
 * For image models: a drop zone (and a picker) for a picture, and the picture the model made
 * beside it. The zone carries data-drop-zone, so the window-wide model drop leaves its drops alone.
 */
export function ImagePanel() {
  const api = useApi();
  const image = useRunStore((s) => s.image);
  const input = useRef<HTMLInputElement>(null);
  const { over, handlers, take } = usePictureFiles(
    (picture) => pictureDropped(api, picture),
    pictureUnreadable,
  );

  return (
    <Card
      title="Picture"
      subtitle="Drop a picture to see what the model makes of it"
      testId="image-panel"
    >
      <div
        className="empty-state"
        data-drop-zone="picture"
        data-testid="image-drop"
        style={
          over ? { borderColor: 'var(--accent)', padding: '20px 16px' } : { padding: '20px 16px' }
        }
        {...handlers}
      >
        <p>Drop a picture here (PNG, JPEG, WebP…)</p>
        <button type="button" className="button" onClick={() => input.current?.click()}>
          Choose picture…
        </button>
        <input
          ref={input}
          type="file"
          accept="image/*"
          hidden
          data-testid="image-input-file"
          onChange={(e) => {
            const files = Array.from(e.currentTarget.files ?? []);
            e.currentTarget.value = '';
            take(files);
          }}
        />
      </div>
      {image.status === 'running' && (
        <p className="notice-busy" role="status">
          Running the model on {image.source?.fileName}…
        </p>
      )}
      {image.error !== null && <ErrorNotice error={image.error} testId="image-error" />}
      {image.source !== null && (
        <div
          style={{
            display: 'grid',
            gridTemplateColumns: 'repeat(auto-fit, minmax(220px, 1fr))',
            gap: 16,
            marginTop: 12,
            alignItems: 'start',
          }}
        >
          <figure style={{ margin: 0 }}>
            <PictureCanvas
              picture={image.source}
              testId="image-source"
              label="The dropped picture"
            />
            <figcaption className="note">
              {image.source.fileName}: {image.source.width}×{image.source.height}
              {image.source.scaledFrom !== null &&
                ` (scaled down from ${image.source.scaledFrom.width}×${image.source.scaledFrom.height})`}
            </figcaption>
          </figure>
          {image.result !== null && (
            <figure style={{ margin: 0 }}>
              <PictureCanvas
                picture={image.result}
                testId="image-result"
                label="The model's picture"
              />
              <figcaption className="note" data-testid="image-result-caption">
                Result: {image.result.width}×{image.result.height}, {formatMs(image.result.runMs)}{' '}
                on {providerLabel(image.result.provider)},{' '}
                <span data-testid="image-result-variant" title={image.result.entryId ?? undefined}>
                  {variantLabel(image.result.variant)}
                </span>
              </figcaption>
            </figure>
          )}
        </div>
      )}
    </Card>
  );
}
