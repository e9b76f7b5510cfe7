// Installing TensorRT-RTX from an archive, and what a missing or foreign library gets told: the
// header checks here, and ORT's own refusal through the real compile worker (dist/, built by the
// test setup) registering the file in a throwaway process.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { nodeWorkerSpawner, probeEpLibrary } from '../compile/runner';
import { installTrtRtxFromArchive } from './install';
import { registerTrtRtx, trtRtxLibraryName } from './trt-rtx';

const worker = path.resolve(__dirname, '../../../dist/engine/compile-worker.js');
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'crucible-trt-'));

/** A zip of stored entries (what a wheel is, compression aside). */
function zip(files: Record<string, Buffer>): Buffer {
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const [name, data] of Object.entries(files)) {
    const n = Buffer.from(name);
    const crc = zlib.crc32(data);
    const loc = Buffer.alloc(30);
    loc.writeUInt32LE(0x04034b50, 0);
    loc.writeUInt32LE(crc, 14);
    loc.writeUInt32LE(data.length, 18);
    loc.writeUInt32LE(data.length, 22);
    loc.writeUInt16LE(n.length, 26);
    const cen = Buffer.alloc(46);
    cen.writeUInt32LE(0x02014b50, 0);
    cen.writeUInt32LE(crc, 16);
    cen.writeUInt32LE(data.length, 20);
    cen.writeUInt32LE(data.length, 24);
    cen.writeUInt16LE(n.length, 28);
    cen.writeUInt32LE(offset, 42);
    locals.push(loc, n, data);
    central.push(cen, n);
    offset += 30 + n.length + data.length;
  }
  const cd = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(files).length, 8);
  end.writeUInt16LE(Object.keys(files).length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

/** An ELF header for a machine type (62 = x86-64, 183 = aarch64) and nothing loadable behind it. */
function elf(machine: number): Buffer {
  const b = Buffer.alloc(64);
  b.writeUInt32BE(0x7f454c46, 0);
  b[4] = 2;
  b[5] = 1;
  b.writeUInt16LE(3, 16);
  b.writeUInt16LE(machine, 18);
  return b;
}

function pe(): Buffer {
  const b = Buffer.alloc(256);
  b.write('MZ', 0, 'latin1');
  b.writeUInt32LE(128, 60);
  b.write('PE\0\0', 128, 'latin1');
  b.writeUInt16LE(0x8664, 132);
  return b;
}

function archive(
  files: Record<string, Buffer>,
  name = 'onnxruntime_ep_nv_tensorrt_rtx-0.4.0-py3-none-manylinux_2_28_x86_64.whl',
): string {
  const file = path.join(tmp(), name);
  fs.writeFileSync(file, zip(files));
  return file;
}

const linux = trtRtxLibraryName('linux');
const windows = trtRtxLibraryName('win32');
const onLinuxX64 = process.platform === 'linux' && process.arch === 'x64';

describe.runIf(onLinuxX64)('TensorRT-RTX install from an archive', () => {
  it('unpacks every shared library of the wheel into providers/trt-rtx/<version>/', async () => {
    const root = tmp();
    const metadata = Buffer.from(
      'Metadata-Version: 2.1\nName: onnxruntime-ep-nv-tensorrt-rtx\nVersion: 0.4.0\n',
    );
    const got = await installTrtRtxFromArchive(
      archive({
        'onnxruntime_ep_nv_tensorrt_rtx-0.4.0.dist-info/METADATA': metadata,
        [`onnxruntime_ep_nv_tensorrt_rtx/${linux}`]: elf(62),
        'onnxruntime_ep_nv_tensorrt_rtx.libs/libtensorrt_rtx.so.1': elf(62),
        'onnxruntime_ep_nv_tensorrt_rtx/__init__.py': Buffer.from(''),
      }),
      root,
    );
    expect(got.dir).toBe(path.join(root, '0.4.0'));
    expect(got.files).toEqual([linux, 'libtensorrt_rtx.so.1']);
    expect(fs.readdirSync(root)).toEqual(['0.4.0']);
  });

  it.each<[string, Record<string, Buffer>, RegExp]>([
    [
      'the Windows wheel',
      { [`pkg/${windows}`]: pe() },
      /holds the Windows TensorRT-RTX library .*this machine needs libonnxruntime/,
    ],
    [
      'no EP library',
      { 'pkg/readme.txt': Buffer.from('hi') },
      /holds no TensorRT-RTX provider library/,
    ],
    ['an arm64 build', { [`pkg/${linux}`]: elf(183) }, /built for arm64; this machine is x64/],
    [
      'a file that is no library',
      { [`pkg/${linux}`]: Buffer.from('not a library at all') },
      /is not a shared library/,
    ],
  ])('refuses %s with a clear message and leaves nothing behind', async (_what, files, message) => {
    const root = tmp();
    await expect(installTrtRtxFromArchive(archive(files), root)).rejects.toThrow(message);
    expect(fs.readdirSync(root)).toEqual([]);
  });

  it('refuses a file that is not a zip', async () => {
    const file = path.join(tmp(), 'x.whl');
    fs.writeFileSync(file, 'plain text');
    await expect(installTrtRtxFromArchive(file, tmp())).rejects.toThrow(
      /is not a zip archive \(NVIDIA's TensorRT-RTX wheel/,
    );
  });
});

describe.runIf(onLinuxX64)('registering a missing or foreign TensorRT-RTX library', () => {
  it('a folder without the library says where it looked', async () => {
    const dir = tmp();
    expect(await registerTrtRtx({ CRUCIBLE_TRT_RTX_DIR: dir })).toEqual({
      registered: false,
      reason: `the TensorRT-RTX provider library was not found: CRUCIBLE_TRT_RTX_DIR points at ${dir}, which has no ${linux}`,
    });
    expect(await registerTrtRtx({})).toMatchObject({
      registered: false,
      reason: expect.stringMatching(/not installed/),
    });
  });

  it('a Windows DLL under the Linux name is named as such before the loader sees it', async () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, linux), pe());
    const got = await registerTrtRtx({ CRUCIBLE_TRT_RTX_SETTING: dir });
    expect(got).toMatchObject({
      registered: false,
      reason: expect.stringMatching(
        /from Settings cannot be used: .* is a Windows library; this machine runs Linux/,
      ),
    });
  });

  it('ORT refuses a library that is not an EP plugin, and the process that tried survives to say so', async () => {
    const dir = tmp();
    const file = path.join(dir, linux);
    fs.writeFileSync(file, elf(62)); // right header, nothing loadable
    const got = await probeEpLibrary(
      nodeWorkerSpawner(worker),
      file,
      'NvTensorRTRTXExecutionProvider',
    );
    expect(got.registered).toBe(false);
    expect(got.reason).toMatch(
      new RegExp(`^${file} could not be registered: registering execution provider library`),
    );
  });

  it('a real shared library that is not an EP (no CreateEpFactories) is refused by ORT', async () => {
    const dir = tmp();
    const file = path.join(dir, linux);
    fs.copyFileSync('/lib/x86_64-linux-gnu/libz.so.1', file);
    const got = await probeEpLibrary(
      nodeWorkerSpawner(worker),
      file,
      'NvTensorRTRTXExecutionProvider',
    );
    expect(got).toMatchObject({ registered: false, devices: 0 });
    expect(got.reason).toMatch(/could not be registered/);
  });
});
