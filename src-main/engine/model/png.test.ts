import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { encodePng, isPngPath, readPng, writePng } from './png';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'crucible-png-'));
});

const message = (p: Promise<unknown>) =>
  p.then(
    () => 'no error',
    (e: Error) => e.message,
  );

describe('PNG files', () => {
  it('round-trips RGBA bytes exactly', async () => {
    const rgba = new Uint8Array(3 * 2 * 4).map((_, i) => (i * 29) % 256);
    const file = path.join(dir, 'round.png');
    await writePng(file, { width: 3, height: 2, rgba });
    const back = await readPng(file);
    expect([back.width, back.height]).toEqual([3, 2]);
    expect([...back.rgba]).toEqual([...rgba]);
  });

  it('reads a greyscale PNG as RGBA', async () => {
    const png = new PNG({ width: 2, height: 1 });
    png.data.set([10, 10, 10, 255, 240, 240, 240, 255]);
    const file = path.join(dir, 'grey.png');
    await writeFile(file, PNG.sync.write(png, { colorType: 0 }));
    expect([...(await readPng(file)).rgba]).toEqual([10, 10, 10, 255, 240, 240, 240, 255]);
  });

  it('never replaces a file', async () => {
    const file = path.join(dir, 'taken.png');
    await writeFile(file, 'mine');
    expect(await message(writePng(file, { width: 1, height: 1, rgba: new Uint8Array(4) }))).toBe(
      `${file} already exists; not replacing it`,
    );
    expect(await readFile(file, 'utf8')).toBe('mine');
  });

  const good = () => encodePng({ width: 8, height: 8, rgba: new Uint8Array(256).fill(7) });
  it.each<[string, () => Buffer, RegExp]>([
    ['text', () => Buffer.from('hello, this is plainly text and long enough'), /no PNG signature/],
    ['cut', () => good().subarray(0, good().length - 20), /cut short/],
    [
      'huge',
      () => {
        // Only the IHDR sides change: the CRC no longer matches, but the size check comes first.
        const bytes = good();
        bytes.writeUInt32BE(100_000, 16);
        bytes.writeUInt32BE(100_000, 20);
        return bytes;
      },
      /100000×100000 pixels; the most Crucible reads is 8192 a side/,
    ],
  ])('refuses a %s file, naming it', async (name, bytes, problem) => {
    const file = path.join(dir, `${name}.png`);
    await writeFile(file, bytes());
    const text = await message(readPng(file));
    expect(text).toContain(file);
    expect(text).toMatch(problem);
  });

  it('a missing file is FILE_NOT_FOUND', async () => {
    const file = path.join(dir, 'nope.png');
    await expect(readPng(file)).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
  });

  it('knows PNG names', () => {
    expect([isPngPath('a.png'), isPngPath('B.PNG'), isPngPath('a.npy'), isPngPath('png')]).toEqual([
      true,
      true,
      false,
      false,
    ]);
  });
});
