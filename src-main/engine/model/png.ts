/**
 * PNG files as RGBA pictures, for the CLI's picture input and output (pngjs: pure JS, no native
 * code). Its own module so only the commands that read or write pictures load pngjs.
 */
import { readFile } from 'node:fs/promises';
import { PNG } from 'pngjs';
import { AppError } from '../../shared/errors';
import { writeFileAtomic } from '../../store/atomic-file';
import { MAX_PICTURE_SIDE } from './image';
import { fsError } from './onnx-file';
import { assertRegularFile } from '../../store/regular-file';

/** A decoded picture: width × height × 4 bytes, row by row, 8 bits per channel. */
export interface RgbaPicture {
  width: number;
  height: number;
  rgba: Uint8Array;
}

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** True when a file name says PNG (`.png`, any case). */
export function isPngPath(file: string): boolean {
  return file.toLowerCase().endsWith('.png');
}

/**
 * Reads a PNG file as 8-bit RGBA (grey, palette and 16-bit pictures are converted by pngjs).
 * Errors name the file: FILE_NOT_FOUND, or INPUT_INVALID for a file that is not a readable PNG or
 * whose sides exceed MAX_PICTURE_SIDE — checked from the header before any pixel memory is
 * allocated, so a hostile header cannot ask for gigabytes.
 */
export async function readPng(file: string): Promise<RgbaPicture> {
  // Regular files only (a FIFO or /dev/zero would block or never end).
  await assertRegularFile(file);
  const bytes = await readFile(file).catch((err: unknown) => {
    throw fsError(err, file);
  });
  const bad = (why: string) =>
    new AppError('INPUT_INVALID', `${file} is not a readable PNG picture: ${why}`);
  // The signature, then the IHDR chunk first: length 13, type, width, height (big-endian).
  if (bytes.length < 33 || !bytes.subarray(0, 8).equals(SIGNATURE)) throw bad('no PNG signature');
  if (bytes.toString('latin1', 12, 16) !== 'IHDR') throw bad('no IHDR header chunk');
  const width = bytes.readUInt32BE(16);
  const height = bytes.readUInt32BE(20);
  if (width < 1 || height < 1 || width > MAX_PICTURE_SIDE || height > MAX_PICTURE_SIDE) {
    throw new AppError(
      'INPUT_INVALID',
      `${file} is ${width}×${height} pixels; the most Crucible reads is ${MAX_PICTURE_SIDE} a side`,
    );
  }
  let png: PNG;
  try {
    png = PNG.sync.read(bytes);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    // pngjs reports a file that ends mid-chunk as reads left waiting on a finished stream.
    throw bad(/finished stream/.test(message) ? 'the file is cut short' : message);
  }
  const data = png.data;
  return {
    width: png.width,
    height: png.height,
    rgba: new Uint8Array(data.buffer, data.byteOffset, data.length),
  };
}

/** Encodes an RGBA picture as PNG bytes (8-bit RGBA). */
export function encodePng(picture: RgbaPicture): Buffer {
  const png = new PNG({ width: picture.width, height: picture.height });
  png.data = Buffer.from(picture.rgba.buffer, picture.rgba.byteOffset, picture.rgba.length);
  return PNG.sync.write(png);
}

/**
 * Writes a picture as a PNG file, atomically and never over an existing file (a user's output:
 * IO_ERROR naming the file when the name is taken).
 */
export async function writePng(file: string, picture: RgbaPicture): Promise<void> {
  await writeFileAtomic(file, encodePng(picture), { overwrite: false });
}
