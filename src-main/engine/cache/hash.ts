/**
 * Content hashes for the compile cache: streamed sha256 of files (models and engines can be
 * gigabytes, so never read whole), and stable hashes of JSON values (key order never matters).
 */
import { createHash } from 'node:crypto';
import { hashRegularFile } from '../../store/regular-file';

/**
 * sha256 of a file, streamed; hex: the one file hash of the app (the library's model ids, the
 * cache's sealed files, the GPU bundle's stamp). Regular files only, read up to their size at open
 * time and cancellable (a model's external-data entry can name a FIFO or a device; models can be
 * gigabytes): store/regular-file.ts.
 */
export async function sha256File(file: string, signal?: AbortSignal): Promise<string> {
  return hashRegularFile(file, signal);
}

/** sha256 of a string; hex. */
export function sha256Text(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** JSON with object keys sorted at every depth, so equal values always serialise the same. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortDeep(value));
}

function sortDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortDeep);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([k, v]) => [k, sortDeep(v)]),
    );
  }
  return value;
}

/** A plugin EP library's version as the cache keys it: a short hash of the file's content. */
export async function libraryVersion(file: string): Promise<string> {
  return `sha256-${(await sha256File(file)).slice(0, 12)}`;
}
