/**
 * The compile cache on disk. Entries are built in a temp folder (<root>/.tmp/) and renamed into
 * place whole, so a crash, a kill or a full disk never leaves a half entry that looks whole. Every
 * entry is checked before it is trusted — meta.json's own checksum, each file's size and sha256,
 * the folder it sits in, and the machine it was built for — without creating a session.
 */
import { randomBytes } from 'node:crypto';
import { lstat, mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { ProviderId } from '../../ipc/contract';
import { AppError } from '../../shared/errors';
import type { ModelCompatibility } from '../ort/compatibility';
import { RUNTIME_CACHE_DIR } from '../providers/options';
import { writeFileAtomic } from '../../store/atomic-file';
import { sha256File } from './hash';
import { entryId, safeSegment, type CacheKey, type MachineFacts } from './key';
import { META_FILE, MetaSchema, metaChecksum, sealMeta, type FileRecord, type Meta } from './meta';

const TMP = '.tmp';
const TRASH = '.trash';
const DEPTH = 6;

/** What the machine is now, per provider: the facts an entry must match, or why none can. */
export type MachineFor = (provider: ProviderId) => MachineFacts | { unavailable: string };

/**
 * Asks the entry's provider whether its compiled model fits this machine's devices (ORT's
 * GetModelCompatibilityForEpDevices, through the engine host). Asked after the key matched.
 */
export type CompatibilityFor = (entry: {
  provider: ProviderId;
  modelPath: string;
  kind: Meta['kind'];
}) => Promise<{ answer: ModelCompatibility; askedEp: string | null }>;

/**
 * Folders inside an entry that belong to the EP, not to the passport: TensorRT-RTX's runtime cache
 * grows whenever the EP JIT-compiles kernels for a new shape or after loading on another start, so
 * it is neither hashed at sealing nor checked (an older passport that listed its files is read the
 * same way). The EP-context model and its engine stay hashed.
 */
export const EP_OWNED_DIRS: readonly string[] = [RUNTIME_CACHE_DIR];

function epOwned(name: string): boolean {
  return EP_OWNED_DIRS.some((d) => name === d || name.startsWith(`${d}/`));
}

/** One entry after checking. */
export interface CheckedEntry {
  id: string;
  dir: string;
  /** The passport, when it could be read and its checksum holds. */
  meta: Meta | null;
  state: 'valid' | 'stale' | 'corrupt';
  reason: string | null;
  /**
   * The provider's own answer (GetModelCompatibilityForEpDevices) when it was asked: a valid entry
   * may still be `prefer-recompilation` (it runs; a fresh compile would be faster).
   */
  compatibility?: ModelCompatibility;
  sizeBytes: number;
}

/** What a finished compile hands over for its entry (files and checksum are added here). */
export type NewMeta = Omit<Meta, 'files' | 'sizeBytes' | 'checksum'>;

/** The compile cache rooted at `<userData>/cache`. */
export class CompileCache {
  constructor(readonly root: string) {}

  /** Removes temp and trash folders left by a crash. Call at start-up, before any job runs. */
  async sweep(): Promise<number> {
    let removed = 0;
    for (const sub of [TMP, TRASH]) {
      const dir = path.join(this.root, sub);
      for (const name of await listDir(dir)) {
        await rm(path.join(dir, name), { recursive: true, force: true });
        removed++;
      }
    }
    return removed;
  }

  /** A fresh, empty temp folder for one job's output. */
  async createTemp(label: string): Promise<string> {
    const dir = path.join(
      this.root,
      TMP,
      `${safeSegment(label)}-${randomBytes(4).toString('hex')}`,
    );
    await mkdir(dir, { recursive: true });
    return dir;
  }

  /** Removes a job's temp folder (cancelled, failed or killed). */
  async removeTemp(dir: string): Promise<void> {
    if (path.dirname(dir) !== path.join(this.root, TMP)) {
      throw new Error(`${dir} is not a compile-cache temp folder`);
    }
    await rm(dir, { recursive: true, force: true });
  }

  /** Temp folders that exist now (tests check that a cancelled job left none). */
  async tempFolders(): Promise<string[]> {
    return listDir(path.join(this.root, TMP));
  }

  /** The folder of an entry id, refusing ids that are not exactly an entry path. */
  dirOf(id: string): string {
    const parts = id.split('/');
    if (parts.length !== DEPTH || parts.some((p) => p !== safeSegment(p) || p === '..')) {
      throw new AppError('BAD_REQUEST', `'${id}' is not a compile-cache entry id`);
    }
    return path.join(this.root, ...parts);
  }

  /** Ids of every entry folder on disk (whatever state it is in). */
  async ids(): Promise<string[]> {
    const out: string[] = [];
    const walk = async (dir: string, rel: string[]): Promise<void> => {
      if (rel.length === DEPTH) {
        out.push(rel.join('/'));
        return;
      }
      for (const name of await listDir(dir)) {
        if (rel.length === 0 && (name === TMP || name === TRASH)) continue;
        const full = path.join(dir, name);
        if ((await lstat(full)).isDirectory()) await walk(full, [...rel, name]);
      }
    };
    await walk(this.root, []);
    return out.sort();
  }

  /**
   * Checks one entry. `deep` hashes every file (at start-up and before use); without it only sizes
   * are compared (cheap listing).
   */
  async check(
    id: string,
    machineFor: MachineFor,
    deep = true,
    compatibilityFor?: CompatibilityFor,
  ): Promise<CheckedEntry> {
    const dir = this.dirOf(id);
    const sizeBytes = await folderSize(dir);
    const corrupt = (reason: string, meta: Meta | null = null): CheckedEntry => ({
      id,
      dir,
      meta,
      state: 'corrupt',
      reason,
      sizeBytes,
    });
    let text: string;
    try {
      text = await readFile(path.join(dir, META_FILE), 'utf8');
    } catch {
      return corrupt('meta.json is missing');
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      return corrupt('meta.json is not valid JSON (damaged)');
    }
    const parsed = MetaSchema.safeParse(raw);
    if (!parsed.success) {
      return corrupt(
        `meta.json does not match its schema (${parsed.error.issues[0]?.path.join('.') ?? ''}: ${parsed.error.issues[0]?.message ?? 'invalid'})`,
      );
    }
    const meta = parsed.data;
    if (metaChecksum(meta) !== meta.checksum) {
      return corrupt('meta.json was edited or damaged (its checksum does not match)');
    }
    if (entryId(meta.key) !== id) {
      return corrupt('the entry sits in a folder that does not match its meta.json key', meta);
    }
    for (const f of meta.files) {
      if (epOwned(f.name)) continue;
      const problem = await fileProblem(dir, f, deep);
      if (problem) return corrupt(problem, meta);
    }
    const machine = machineFor(meta.key.provider);
    const stale = (reason: string): CheckedEntry => ({
      id,
      dir,
      meta,
      state: 'stale',
      reason,
      sizeBytes,
    });
    if ('unavailable' in machine) return stale(machine.unavailable);
    const k = meta.key;
    if (k.gpu !== machine.gpu) {
      return stale(
        k.provider === 'cpu'
          ? 'built for another CPU'
          : `GPU changed: built for ${k.gpu}, this machine has ${machine.gpu}`,
      );
    }
    if (k.driver !== machine.driver) {
      return stale(
        k.provider === 'cpu'
          ? 'built for another CPU'
          : `driver updated from ${k.driver} to ${machine.driver}`,
      );
    }
    if (k.ortVersion !== machine.ortVersion) {
      return stale(`ONNX Runtime changed from ${k.ortVersion} to ${machine.ortVersion}`);
    }
    if (k.epVersion !== machine.epVersion) {
      return stale(
        `the provider library changed (built with ${k.epVersion ?? 'none'}, now ${machine.epVersion ?? 'none'})`,
      );
    }
    if (!compatibilityFor) return { id, dir, meta, state: 'valid', reason: null, sizeBytes };
    let said: Awaited<ReturnType<CompatibilityFor>>;
    try {
      said = await compatibilityFor({
        provider: k.provider,
        modelPath: path.join(dir, ...meta.artifact.split('/')),
        kind: meta.kind,
      });
    } catch {
      // Not being able to ask (the engine is restarting) says nothing against the entry: the key
      // matched, and loading it would still fail clearly if the EP disagreed.
      return { id, dir, meta, state: 'valid', reason: null, sizeBytes };
    }
    if (said.answer === 'unsupported') {
      return {
        ...stale(
          `${said.askedEp ?? k.provider} says this compiled model does not fit this machine's GPU or driver any more`,
        ),
        compatibility: said.answer,
      };
    }
    return { id, dir, meta, state: 'valid', reason: null, sizeBytes, compatibility: said.answer };
  }

  /** Every entry, checked (and put to its provider when `compatibilityFor` is given). */
  async list(
    machineFor: MachineFor,
    deep = true,
    compatibilityFor?: CompatibilityFor,
  ): Promise<CheckedEntry[]> {
    const out: CheckedEntry[] = [];
    for (const id of await this.ids()) {
      out.push(await this.check(id, machineFor, deep, compatibilityFor));
    }
    return out;
  }

  /** The entry for a key when it exists and is valid (deep-checked); else null. */
  async findValid(
    key: CacheKey,
    machineFor: MachineFor,
    compatibilityFor?: CompatibilityFor,
  ): Promise<CheckedEntry | null> {
    const id = entryId(key);
    try {
      await stat(this.dirOf(id));
    } catch {
      return null;
    }
    const checked = await this.check(id, machineFor, true, compatibilityFor);
    return checked.state === 'valid' ? checked : null;
  }

  /**
   * Seals a finished temp folder as the entry for `meta.key`: hashes its files, writes meta.json
   * last, then renames the folder into place (an older entry at that key is moved aside first and
   * removed after). The temp folder is gone afterwards, whatever happens.
   */
  async commit(tempDir: string, partial: NewMeta): Promise<CheckedEntry> {
    try {
      const files = await hashFolder(tempDir);
      const meta = sealMeta({
        ...partial,
        files,
        sizeBytes: files.reduce((n, f) => n + f.bytes, 0),
      });
      await writeFileAtomic(path.join(tempDir, META_FILE), JSON.stringify(meta, null, 2) + '\n');
      const id = entryId(meta.key);
      const dir = this.dirOf(id);
      await mkdir(path.dirname(dir), { recursive: true });
      let trash: string | null = null;
      if (await exists(dir)) {
        trash = path.join(this.root, TRASH, randomBytes(6).toString('hex'));
        await mkdir(path.dirname(trash), { recursive: true });
        await rename(dir, trash);
      }
      await rename(tempDir, dir);
      if (trash) await rm(trash, { recursive: true, force: true });
      return { id, dir, meta, state: 'valid', reason: null, sizeBytes: await folderSize(dir) };
    } finally {
      await rm(tempDir, { recursive: true, force: true });
    }
  }

  /** Removes one entry (or every entry and leftover); says how many and how many bytes. */
  async clear(id?: string): Promise<{ removed: number; freedBytes: number }> {
    const ids = id === undefined ? await this.ids() : [id];
    let freedBytes = 0;
    let removed = 0;
    for (const i of ids) {
      const dir = this.dirOf(i);
      if (!(await exists(dir))) continue;
      freedBytes += await folderSize(dir);
      await rm(dir, { recursive: true, force: true });
      await pruneEmptyParents(path.dirname(dir), this.root);
      removed++;
    }
    return { removed, freedBytes };
  }
}

async function listDir(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

async function exists(p: string): Promise<boolean> {
  try {
    await lstat(p);
    return true;
  } catch {
    return false;
  }
}

/** Total bytes of the regular files under a folder. */
export async function folderSize(dir: string): Promise<number> {
  let total = 0;
  for (const name of await listDir(dir)) {
    const full = path.join(dir, name);
    const st = await lstat(full);
    if (st.isDirectory()) total += await folderSize(full);
    else if (st.isFile()) total += st.size;
  }
  return total;
}

/** Size and sha256 of every regular file under a folder, '/'-separated names, sorted. */
async function hashFolder(dir: string, prefix = ''): Promise<FileRecord[]> {
  const out: FileRecord[] = [];
  for (const name of (await listDir(dir)).sort()) {
    const full = path.join(dir, name);
    const st = await lstat(full);
    const rel = prefix ? `${prefix}/${name}` : name;
    if (st.isDirectory()) {
      if (!epOwned(rel)) out.push(...(await hashFolder(full, rel)));
    } else if (st.isFile() && rel !== META_FILE && !epOwned(rel)) {
      out.push({ name: rel, bytes: st.size, sha256: await sha256File(full) });
    }
  }
  return out;
}

async function fileProblem(dir: string, f: FileRecord, deep: boolean): Promise<string | null> {
  if (f.name.split('/').some((p) => p === '..' || p === '')) {
    return `meta.json names a file outside the entry (${f.name})`;
  }
  const full = path.join(dir, ...f.name.split('/'));
  let size: number;
  try {
    size = (await stat(full)).size;
  } catch {
    return `${f.name} is missing`;
  }
  if (size < f.bytes) return `${f.name} is truncated (${size} of ${f.bytes} bytes)`;
  if (size > f.bytes) return `${f.name} changed size (${size} bytes, expected ${f.bytes})`;
  if (deep && (await sha256File(full)) !== f.sha256) {
    return `${f.name} is damaged (its sha256 does not match)`;
  }
  return null;
}

async function pruneEmptyParents(dir: string, root: string): Promise<void> {
  let d = dir;
  while (d.startsWith(root) && d !== root) {
    if ((await listDir(d)).length > 0) return;
    await rm(d, { recursive: true, force: true });
    d = path.dirname(d);
  }
}
