/**
 * Is this file a shared library this process can load? Read from its header (ELF / PE / Mach-O
 * magic and machine type), so the wrong platform or CPU gets a plain message before the loader
 * gives a cryptic one.
 */
import { openRegularFile } from '../../store/regular-file';

/** "Windows", "Linux", "macOS". */
export function platformLabel(p: NodeJS.Platform | 'unknown'): string {
  return p === 'win32' ? 'Windows' : p === 'linux' ? 'Linux' : p === 'darwin' ? 'macOS' : p;
}

/**
 * Why a file cannot be this machine's shared library, from its header (ELF / PE / Mach-O magic and
 * machine type); null when it looks right. Catches the wrong platform or CPU before the loader
 * gives a cryptic error.
 */
export async function sharedLibraryProblem(
  file: string,
  platform: NodeJS.Platform = process.platform,
  arch: string = process.arch,
): Promise<string | null> {
  const head = Buffer.alloc(4096);
  let n: number;
  try {
    // Regular files only: a FIFO named like the library would block the open (regular-file.ts).
    const { handle: fh } = await openRegularFile(file);
    try {
      n = (await fh.read(head, 0, head.length, 0)).bytesRead;
    } finally {
      await fh.close();
    }
  } catch (err) {
    return `${file} cannot be read (${(err as Error).message})`;
  }
  let kind: { os: NodeJS.Platform | 'unknown'; arch: string } | null = null;
  if (n >= 20 && head.readUInt32BE(0) === 0x7f454c46) {
    const machine = head.readUInt16LE(18);
    kind = {
      os: 'linux',
      arch: machine === 62 ? 'x64' : machine === 183 ? 'arm64' : `machine ${machine}`,
    };
  } else if (n >= 64 && head.toString('latin1', 0, 2) === 'MZ') {
    const pe = head.readUInt32LE(60);
    if (pe + 6 <= n && head.toString('latin1', pe, pe + 4) === 'PE\0\0') {
      const machine = head.readUInt16LE(pe + 4);
      kind = {
        os: 'win32',
        arch:
          machine === 0x8664
            ? 'x64'
            : machine === 0xaa64
              ? 'arm64'
              : `machine 0x${machine.toString(16)}`,
      };
    } else kind = { os: 'win32', arch: 'unknown' };
  } else if (n >= 4 && [0xcffaedfe, 0xcafebabe].includes(head.readUInt32BE(0))) {
    kind = { os: 'darwin', arch: 'unknown' };
  }
  if (kind === null) return `${file} is not a shared library (no ELF, PE or Mach-O header)`;
  if (kind.os !== platform) {
    return `${file} is a ${platformLabel(kind.os)} library; this machine runs ${platformLabel(platform)}`;
  }
  if (kind.arch !== 'unknown' && kind.arch !== arch) {
    return `${file} is built for ${kind.arch}; this machine is ${arch}`;
  }
  return null;
}
