/**
 * A small zip reader for installing NVIDIA's TensorRT-RTX wheel (a .whl is a zip): lists the
 * central directory and streams one entry out through zlib (stored or deflated), checking its size
 * and CRC-32. Reads with file handles and streams, so a 200 MB wheel never blocks the event loop or
 * sits whole in memory. Zip64 archives (over 4 GiB or 65,535 entries) are refused by name.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { Readable, Transform } from 'node:stream';
import zlib from 'node:zlib';
import { AppError } from '../../shared/errors';
import { assertRegularFile } from '../../store/regular-file';

/** One file in the archive. */
export interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
  crc32: number;
  localHeaderOffset: number;
}

const EOCD = 0x06054b50;
const CEN = 0x02014b50;
const LOC = 0x04034b50;

/** The archive's entries (directories left out). */
export async function listZip(file: string): Promise<ZipEntry[]> {
  // A FIFO or a device named as the archive would block the open or never end.
  const size = await assertRegularFile(file);
  const fh = await open(file, 'r');
  try {
    const tailLen = Math.min(size, 22 + 65_535);
    const tail = Buffer.alloc(tailLen);
    await fh.read(tail, 0, tailLen, size - tailLen);
    let eocd = -1;
    for (let i = tailLen - 22; i >= 0; i--) {
      if (tail.readUInt32LE(i) === EOCD) {
        eocd = i;
        break;
      }
    }
    if (eocd < 0) throw new AppError('BAD_REQUEST', `${file} is not a zip archive`);
    const count = tail.readUInt16LE(eocd + 10);
    const cdSize = tail.readUInt32LE(eocd + 12);
    const cdOffset = tail.readUInt32LE(eocd + 16);
    if (count === 0xffff || cdOffset === 0xffffffff || cdSize === 0xffffffff) {
      throw new AppError('UNSUPPORTED', `${file} is a zip64 archive, which Crucible cannot read`);
    }
    if (cdOffset + cdSize > size)
      throw new AppError('BAD_REQUEST', `${file} is a damaged zip archive`);
    const cd = Buffer.alloc(cdSize);
    await fh.read(cd, 0, cdSize, cdOffset);
    const entries: ZipEntry[] = [];
    let p = 0;
    for (let n = 0; n < count; n++) {
      if (p + 46 > cd.length || cd.readUInt32LE(p) !== CEN) {
        throw new AppError('BAD_REQUEST', `${file} is a damaged zip archive (central directory)`);
      }
      const method = cd.readUInt16LE(p + 10);
      const crc32 = cd.readUInt32LE(p + 16);
      const compressedSize = cd.readUInt32LE(p + 20);
      const uncompressed = cd.readUInt32LE(p + 24);
      const nameLen = cd.readUInt16LE(p + 28);
      const extraLen = cd.readUInt16LE(p + 30);
      const commentLen = cd.readUInt16LE(p + 32);
      const localHeaderOffset = cd.readUInt32LE(p + 42);
      const name = cd.toString('utf8', p + 46, p + 46 + nameLen);
      if (compressedSize === 0xffffffff || uncompressed === 0xffffffff) {
        throw new AppError(
          'UNSUPPORTED',
          `${file}: ${name} needs zip64, which Crucible cannot read`,
        );
      }
      if (!name.endsWith('/')) {
        entries.push({
          name,
          method,
          compressedSize,
          size: uncompressed,
          crc32,
          localHeaderOffset,
        });
      }
      p += 46 + nameLen + extraLen + commentLen;
    }
    return entries;
  } finally {
    await fh.close();
  }
}

/** Streams one entry to `dest`, checking its size and CRC-32. */
export async function extractZipEntry(file: string, entry: ZipEntry, dest: string): Promise<void> {
  const fh = await open(file, 'r');
  let dataStart: number;
  try {
    const loc = Buffer.alloc(30);
    await fh.read(loc, 0, 30, entry.localHeaderOffset);
    if (loc.readUInt32LE(0) !== LOC) {
      throw new AppError('BAD_REQUEST', `${file}: ${entry.name} has a damaged header`);
    }
    dataStart = entry.localHeaderOffset + 30 + loc.readUInt16LE(26) + loc.readUInt16LE(28);
  } finally {
    await fh.close();
  }
  if (entry.method !== 0 && entry.method !== 8) {
    throw new AppError(
      'UNSUPPORTED',
      `${file}: ${entry.name} uses zip compression method ${entry.method} (only stored and deflate are read)`,
    );
  }
  let crc = 0;
  let bytes = 0;
  const check = new Transform({
    transform(chunk: Buffer, _enc, done) {
      crc = zlib.crc32(chunk, crc);
      bytes += chunk.length;
      done(null, chunk);
    },
  });
  const source =
    entry.compressedSize === 0
      ? Readable.from([])
      : createReadStream(file, { start: dataStart, end: dataStart + entry.compressedSize - 1 });
  try {
    if (entry.method === 8) {
      await pipeline(source, zlib.createInflateRaw(), check, createWriteStream(dest));
    } else {
      await pipeline(source, check, createWriteStream(dest));
    }
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw new AppError(
      'BAD_REQUEST',
      `${file}: ${entry.name} could not be unpacked: ${(err as Error).message}`,
    );
  }
  if (bytes !== entry.size || crc >>> 0 !== entry.crc32 >>> 0) {
    throw new AppError(
      'BAD_REQUEST',
      `${file}: ${entry.name} is damaged (size or CRC-32 mismatch)`,
    );
  }
}
