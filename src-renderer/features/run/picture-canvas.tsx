/**
 * Pictures in the page: a drop zone for picture files, decoding a dropped or picked file to RGBA,
 * and drawing RGBA on a canvas. The Run form's picture inputs, the run result and the image panel
 * share them.
 */
import { type DragEvent, useEffect, useRef, useState } from 'react';
import { fitPicture, type Picture, type SourcePicture } from '../../state/run';

/**
 * Decodes a picture file in the page (createImageBitmap: PNG, JPEG, WebP, GIF, BMP…) and reads its
 * RGBA pixels from a canvas, scaled down to fit the limit when it is larger. No colour-space
 * conversion and no premultiplied alpha, so an opaque PNG gives the bytes the CLI's PNG reader gives.
 */
export async function decodePicture(file: File): Promise<SourcePicture> {
  const bitmap = await createImageBitmap(file, {
    colorSpaceConversion: 'none',
    premultiplyAlpha: 'none',
  });
  try {
    const size = fitPicture(bitmap.width, bitmap.height);
    const canvas = document.createElement('canvas');
    canvas.width = size.width;
    canvas.height = size.height;
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    if (ctx === null) throw new Error('no 2D canvas in this page');
    ctx.drawImage(bitmap, 0, 0, size.width, size.height);
    const pixels = ctx.getImageData(0, 0, size.width, size.height);
    const scaled = size.width !== bitmap.width || size.height !== bitmap.height;
    return {
      fileName: file.name,
      width: size.width,
      height: size.height,
      rgba: pixels.data,
      scaledFrom: scaled ? { width: bitmap.width, height: bitmap.height } : null,
    };
  } finally {
    bitmap.close();
  }
}

/** Draws RGBA pixels into a canvas at their own size (CSS scales it to the column). */
export function PictureCanvas(props: { picture: Picture; testId: string; label: string }) {
  const ref = useRef<HTMLCanvasElement>(null);
  const { picture } = props;
  useEffect(() => {
    const canvas = ref.current;
    const ctx = canvas?.getContext('2d');
    if (!canvas || !ctx) return;
    canvas.width = picture.width;
    canvas.height = picture.height;
    const data = new ImageData(picture.width, picture.height);
    data.data.set(picture.rgba);
    ctx.putImageData(data, 0, 0);
  }, [picture]);
  return (
    <canvas
      ref={ref}
      role="img"
      aria-label={props.label}
      data-testid={props.testId}
      data-width={picture.width}
      data-height={picture.height}
      style={{ maxWidth: '100%', height: 'auto', imageRendering: 'pixelated', display: 'block' }}
    />
  );
}

/**
 * Picture files dropped on a zone or picked: `take` decodes the first one and hands it to
 * `onPicture`, or its name and why to `onUnreadable`; `over` is true while files are dragged over
 * the zone. Spread `handlers` on the zone (which also carries data-drop-zone, so the window-wide
 * model drop leaves its drops alone).
 */
export function usePictureFiles(
  onPicture: (picture: SourcePicture) => void,
  onUnreadable: (fileName: string, message: string) => void,
) {
  const [over, setOver] = useState(false);
  const take = (files: File[]) => {
    const file = files[0];
    if (file === undefined) return;
    void decodePicture(file).then(onPicture, (err: unknown) =>
      onUnreadable(file.name, err instanceof Error ? err.message : String(err)),
    );
  };
  const handlers = {
    onDragOver: (e: DragEvent) => {
      e.preventDefault();
      e.dataTransfer.dropEffect = 'copy';
      setOver(true);
    },
    onDragLeave: () => setOver(false),
    onDrop: (e: DragEvent) => {
      e.preventDefault();
      setOver(false);
      take(Array.from(e.dataTransfer.files));
    },
  };
  return { over, handlers, take };
}
