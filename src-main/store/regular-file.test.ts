// Only regular files are read: a FIFO, a device, a socket or a folder is refused at once with an
// error naming it — never opened in a way that blocks, never read without end — and hashing stops
// at the size the file had and on cancel. Each case runs under a watchdog, so a regression fails
// the test instead of hanging the run.
import { execFileSync } from 'node:child_process';
import { mkdtemp, symlink, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  assertRegularFile,
  hashRegularFile,
  openRegularFile,
  readRegularFile,
} from './regular-file';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'crucible-regular-'));
});

/** Settles `p`, or fails after `ms` (a FIFO open that blocks would never settle). */
function within<T>(p: Promise<T>, ms = 3000): Promise<T> {
  return Promise.race([
    p,
    new Promise<T>((_, reject) =>
      setTimeout(() => reject(new Error(`still blocked after ${ms} ms`)), ms).unref(),
    ),
  ]);
}

const posix = process.platform !== 'win32';

describe.skipIf(!posix)('regular files only', () => {
  it('refuses a FIFO at once, naming it (opening one for reading blocks until a writer comes)', async () => {
    const fifo = path.join(dir, 'x.onnx');
    execFileSync('mkfifo', [fifo]);
    for (const op of [
      () => openRegularFile(fifo),
      () => hashRegularFile(fifo),
      () => readRegularFile(fifo, 1 << 20, () => new Error('big')),
      () => assertRegularFile(fifo),
    ]) {
      await expect(within<unknown>(op())).rejects.toMatchObject({
        code: 'BAD_REQUEST',
        message: `${fifo} is a named pipe (FIFO), not a regular file: it cannot be read`,
      });
    }
  });

  it('refuses a device, also behind a link (/dev/zero would hash forever)', async () => {
    const link = path.join(dir, 'zero.onnx');
    await symlink('/dev/zero', link);
    await expect(within(hashRegularFile(link))).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringContaining('is a device'),
    });
    await expect(within(hashRegularFile('/dev/zero'))).rejects.toMatchObject({
      message: expect.stringContaining('/dev/zero is a device'),
    });
  });

  it('refuses a socket and a folder', async () => {
    const sock = path.join(dir, 's.onnx');
    const server = net.createServer().listen(sock);
    await new Promise((r) => server.once('listening', r));
    await expect(within(hashRegularFile(sock))).rejects.toMatchObject({
      message: expect.stringContaining('is a socket'),
    });
    server.close();
    await expect(within(hashRegularFile(dir))).rejects.toMatchObject({
      message: expect.stringContaining('is a folder'),
    });
  });

  it('reads a regular file, and one behind a link the user made (Hugging Face caches are links)', async () => {
    const file = path.join(dir, 'm.bin');
    await writeFile(file, 'hello');
    const link = path.join(dir, 'link.bin');
    await symlink(file, link);
    const expected = '2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824';
    expect(await hashRegularFile(file)).toBe(expected);
    expect(await hashRegularFile(link)).toBe(expected);
    expect((await readRegularFile(link, 100, () => new Error('big'))).toString()).toBe('hello');
    await expect(readRegularFile(file, 4, (n) => new Error(`too big: ${n}`))).rejects.toThrow(
      'too big: 5',
    );
  });

  it('stops hashing when cancelled', async () => {
    const file = path.join(dir, 'big.bin');
    await writeFile(file, Buffer.alloc(8 << 20));
    const ac = new AbortController();
    ac.abort();
    await expect(hashRegularFile(file, ac.signal)).rejects.toMatchObject({ code: 'CANCELLED' });
  });

  it('names a missing file FILE_NOT_FOUND', async () => {
    await expect(hashRegularFile(path.join(dir, 'nope.onnx'))).rejects.toMatchObject({
      code: 'FILE_NOT_FOUND',
    });
  });
});
