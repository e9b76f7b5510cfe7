/**
 * The model library: which models the user has, by content hash, kept in `<userData>/library/
 * library.json` (schema-checked, written atomically).
 *
 * Models added by path (Electron drop, file picker, CLI) are REFERENCED, not copied: models run to
 * gigabytes, their external-data files must stay beside them, and a copy would double the disk
 * used. Uploaded models (browser mode) arrive as bytes and are copied into
 * `<userData>/library/imported/<sha256>/<name>`. The user's own files are never modified or deleted.
 *
 * A library file that is corrupt (cut short, edited into nonsense) is moved aside and rebuilt from
 * what is still on disk: the built-in models, the imported folder, and every model path that can
 * still be read out of the damaged file. The rebuild is reported, never silent.
 */
import {
  copyFile,
  link,
  lstat,
  mkdir,
  readdir,
  readFile,
  rename,
  rm,
  stat,
} from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import {
  ModelEntrySchema,
  type ModelEntry,
  type ModelInspection,
  type ModelVariant,
  type TradeTable,
} from '../ipc/contract';
import { AppError, toErrorData } from '../shared/errors';
import { JsonStore } from '../store/json-store';
import { sha256File } from '../engine/cache/hash';
import { assertRegularFile } from '../store/regular-file';

const LibraryFileSchema = z.object({
  version: z.literal(1),
  models: z.array(ModelEntrySchema),
});

export interface ModelLibraryOptions {
  /** `<userData>/library`. */
  dir: string;
  /** Folder of built-in demo models (.onnx), registered on first start. */
  builtInDir: string | null;
  /** Reads a model's inspection (throws AppError for files that are not valid models). */
  inspect: (modelPath: string) => Promise<ModelInspection>;
  /**
   * Checks a model's external-data files are long enough for what it references (the inspection
   * only says they exist); off the main event loop, like the inspection.
   */
  checkExternalData?: (modelPath: string) => Promise<unknown>;
  /** Where the library tells about rebuilds and other things the user should know. */
  notice?: (message: string) => void;
}

/** The model library service. Call {@link ModelLibrary.open} before use. */
/**
 * A model looked up by id (`library.get(id)`, or a search of its own list), or NOT_FOUND "no
 * model with id … in the library": the one wording of a missing model, for every service.
 */
export function requireModel<T>(found: T | undefined, id: string): T {
  if (found === undefined) throw new AppError('NOT_FOUND', `no model with id ${id} in the library`);
  return found;
}

export class ModelLibrary {
  private models: ModelEntry[] = [];
  private readonly listeners = new Set<(m: ModelEntry[]) => void>();
  private readonly store: JsonStore<typeof LibraryFileSchema>;
  private writing: Promise<void> = Promise.resolve();
  /** Set when open() found a damaged library file and rebuilt it. */
  rebuiltFrom: { movedTo: string; problem: string; recovered: number } | null = null;

  constructor(private readonly opts: ModelLibraryOptions) {
    this.store = new JsonStore(path.join(opts.dir, 'library.json'), LibraryFileSchema, () => ({
      version: 1 as const,
      models: [],
    }));
  }

  /** Loads the library, rebuilding a damaged one, and registers built-in models on first start. */
  async open(): Promise<void> {
    await mkdir(this.opts.dir, { recursive: true });
    const loaded = await this.store.load();
    this.models = loaded.value.models;
    let dirty = loaded.state !== 'ok';
    // Built-ins first, so a rebuild that finds their paths in the damaged file keeps them built-in.
    if (this.opts.builtInDir) {
      for (const name of (await readdir(this.opts.builtInDir).catch(() => [])).sort()) {
        if (name.endsWith('.onnx')) {
          dirty = (await this.addQuietly(path.join(this.opts.builtInDir, name), true)) || dirty;
        }
      }
      for (const sub of ['with-external-data']) {
        const p = path.join(this.opts.builtInDir, sub, 'model.onnx');
        dirty = (await this.addQuietly(p, true)) || dirty;
      }
    }
    if (loaded.state === 'corrupt') {
      const builtIns = this.models.length;
      const salvaged = await salvagePaths(loaded.movedTo);
      const imported = await listImported(path.join(this.opts.dir, 'imported'));
      for (const p of [...salvaged, ...imported]) await this.addQuietly(p, false);
      const recovered = this.models.length - builtIns;
      this.rebuiltFrom = { movedTo: loaded.movedTo, problem: loaded.problem, recovered };
      this.opts.notice?.(
        `The model library was damaged (${loaded.problem}); it was kept as ${loaded.movedTo} and rebuilt: ${recovered} of your model(s) found again on disk, and the ${builtIns} built-in one(s).`,
      );
    }
    if (dirty) await this.persist();
  }

  list(): ModelEntry[] {
    return this.models;
  }

  /**
   * A model by id — or a precision variant by its own id, as an entry of its own (named
   * "<model> · fp16"), so runs, compiles and benchmarks take a variant like any model.
   */
  get(id: string): ModelEntry | undefined {
    const model = this.models.find((m) => m.id === id);
    if (model) return model;
    for (const parent of this.models) {
      const v = parent.variants?.find((x) => x.id === id);
      if (v) return variantEntry(parent, v);
    }
    return undefined;
  }

  /** The model a variant was made from, and the variant, by the variant's id. */
  variantOf(id: string): { parent: ModelEntry; variant: ModelVariant } | undefined {
    for (const parent of this.models) {
      const variant = parent.variants?.find((x) => x.id === id);
      if (variant) return { parent, variant };
    }
    return undefined;
  }

  /** Where variants of a model are written: `<library>/variants/<model id>/`. */
  variantsDir(modelId: string): string {
    return path.join(this.opts.dir, 'variants', modelId);
  }

  /**
   * Records a variant on its model (one per kind: a new one of the same kind replaces the
   * record; the older file stays on disk). NOT_FOUND when the model is not in the library.
   */
  async addVariant(modelId: string, variant: ModelVariant): Promise<ModelEntry> {
    const parent = requireModel(
      this.models.find((m) => m.id === modelId),
      modelId,
    );
    const updated: ModelEntry = {
      ...parent,
      variants: [...(parent.variants ?? []).filter((v) => v.kind !== variant.kind), variant],
    };
    this.models = this.models.map((m) => (m.id === modelId ? updated : m));
    await this.persist();
    return updated;
  }

  /** Keeps the last measured trade table on a variant (by the variant's id). */
  async setVariantTrade(variantId: string, trade: TradeTable): Promise<void> {
    const found = this.variantOf(variantId);
    if (!found) throw new AppError('NOT_FOUND', `no model variant with id ${variantId}`);
    const updated: ModelEntry = {
      ...found.parent,
      variants: (found.parent.variants ?? []).map((v) =>
        v.id === variantId ? { ...v, trade } : v,
      ),
    };
    this.models = this.models.map((m) => (m.id === updated.id ? updated : m));
    await this.persist();
  }

  onChange(listener: (models: ModelEntry[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Adds a model by path: an .onnx file, or a folder holding exactly one (a dropped model folder).
   * A file that is not a readable ONNX model, or whose external data is missing, is refused with a
   * clear error and the library is untouched; the same content added twice returns the existing
   * entry.
   */
  async add(modelPath: string): Promise<ModelEntry> {
    let abs = path.resolve(modelPath);
    const info = await stat(abs).catch(() => null);
    if (!info) throw new AppError('FILE_NOT_FOUND', `${abs} does not exist`);
    if (info.isDirectory()) abs = await modelInFolder(abs);
    else if (!info.isFile()) throw new AppError('MODEL_INVALID', `${abs} is not a file`);
    if (!abs.toLowerCase().endsWith('.onnx')) {
      throw new AppError('MODEL_INVALID', `${path.basename(abs)} is not an ONNX model (.onnx)`);
    }
    // The folder walk's pick is checked like a path given directly: a regular file, or refused
    // naming what it is (a FIFO there used to hang every file operation of the process).
    await assertRegularFile(abs);
    const id = await sha256File(abs);
    const existing = this.get(id);
    if (existing) return existing;
    const inspection = await this.opts.inspect(abs).catch((err: unknown) => {
      throw withoutParseOffsets(err, abs);
    });
    assertExternalDataPresent(path.basename(abs), path.dirname(abs), inspection);
    if (inspection.externalData.length > 0) await this.opts.checkExternalData?.(abs);
    const entry: ModelEntry = {
      id,
      name: uniqueName(displayName(abs, inspection), this.models),
      path: abs,
      builtIn: false,
      addedAt: Date.now(),
      inspection,
      error: null,
    };
    this.models = [...this.models, entry];
    await this.persist();
    return entry;
  }

  /**
   * Takes an uploaded model (streamed to a temp file) into imported/<sha>/. `originalName` is the
   * name the user's file had, possibly with folders ("resnet/model.onnx" from a dropped folder).
   * The model's external-data files must sit beside the temp file under their `location` names
   * (the upload route stages a drop's files together); they are linked or copied in with it.
   */
  async importUpload(tempFile: string, originalName: string): Promise<ModelEntry> {
    const fileName = path.basename(originalName);
    if (!fileName.toLowerCase().endsWith('.onnx')) {
      throw new AppError('MODEL_INVALID', `${originalName} is not an ONNX model (.onnx)`);
    }
    const id = await sha256File(tempFile);
    const existing = this.get(id);
    if (existing) return existing;
    // Inspect under the original name so errors name the user's file, not a temp path.
    const inspection = await this.opts.inspect(tempFile).catch((err: unknown) => {
      const data = toErrorData(err);
      throw new AppError(data.code, data.message.split(tempFile).join(originalName), data.detail);
    });
    assertExternalDataPresent(originalName, null, inspection);
    if (inspection.externalData.length > 0) {
      await this.opts.checkExternalData?.(tempFile).catch((err: unknown) => {
        const data = toErrorData(err);
        throw new AppError(data.code, data.message.split(tempFile).join(originalName), data.detail);
      });
    }
    const dir = path.join(this.opts.dir, 'imported', id);
    await mkdir(dir, { recursive: true });
    for (const ext of inspection.externalData) {
      // The locations were checked by the inspection to stay inside the model's folder.
      const from = path.join(path.dirname(tempFile), ext.location);
      const to = path.join(dir, ext.location);
      await mkdir(path.dirname(to), { recursive: true });
      await linkOrCopy(from, to);
    }
    // Named for people ("resnet/model.onnx" is kept as resnet.onnx), so a rebuild can tell the
    // name again; locations of external data are relative to the folder, not the file name.
    const dest = path.join(dir, `${displayName(originalName)}.onnx`);
    await rename(tempFile, dest);
    // A labels file dropped with the model comes along, so later inspections find it too.
    const labelsFile = inspection.labels?.from.match(/^(.+) beside the model$/)?.[1];
    if (labelsFile && !labelsFile.includes('/') && !labelsFile.includes('\\')) {
      await linkOrCopy(path.join(path.dirname(tempFile), labelsFile), path.join(dir, labelsFile));
    }
    const entry: ModelEntry = {
      id,
      name: uniqueName(displayName(originalName, inspection), this.models),
      path: dest,
      builtIn: false,
      addedAt: Date.now(),
      inspection: { ...inspection, fileName },
      error: null,
    };
    this.models = [...this.models, entry];
    await this.persist();
    return entry;
  }

  /**
   * Forgets a model, with what Crucible made for it: the copy of an uploaded model and its precision
   * variants (`variants/<id>/`). The user's own file is never deleted. All of it goes or none: the
   * folders are moved aside first, so a failed save puts them back and nothing is half removed.
   */
  async remove(id: string): Promise<boolean> {
    const entry = this.models.find((m) => m.id === id);
    if (!entry) return false;
    const owned = [this.uploadedCopyDir(entry), this.variantsDir(entry.id)].filter(
      (d): d is string => d !== null,
    );
    const moved: { from: string; aside: string }[] = [];
    const putBack = async () => {
      for (const m of moved.reverse()) await rename(m.aside, m.from).catch(() => undefined);
    };
    for (const from of owned) {
      const aside = path.join(path.dirname(from), `.removing-${path.basename(from)}`);
      try {
        await rename(from, aside);
        moved.push({ from, aside });
      } catch (err) {
        // Nothing there (no upload, no variant yet) is fine; anything else stops the removal.
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
        await putBack();
        throw new AppError(
          'IO_ERROR',
          `could not remove ${from}: ${(err as Error).message}; the model was kept`,
        );
      }
    }
    const before = this.models;
    this.models = this.models.filter((m) => m.id !== id);
    try {
      await this.persist();
    } catch (err) {
      this.models = before;
      await putBack();
      throw err;
    }
    for (const m of moved)
      await rm(m.aside, { recursive: true, force: true }).catch(() => undefined);
    return true;
  }

  /** The folder holding Crucible's own copy of an uploaded model (imported/<sha>/), or null. */
  uploadedCopyDir(entry: Pick<ModelEntry, 'path'>): string | null {
    const imported = path.join(this.opts.dir, 'imported');
    const dir = path.dirname(entry.path);
    return path.dirname(dir) === imported ? dir : null;
  }

  /**
   * Renames a model (kept in the library file, so across restarts). BAD_REQUEST for an empty or
   * over-long name, or one another model has; NOT_FOUND for an unknown id.
   */
  async rename(id: string, name: string): Promise<ModelEntry> {
    const entry = requireModel(
      this.models.find((m) => m.id === id),
      id,
    );
    const clean = name.replace(/\s+/g, ' ').trim();
    if (clean === '' || clean.length > 120) {
      throw new AppError('BAD_REQUEST', 'a model name must be 1 to 120 characters');
    }
    if (this.models.some((m) => m.id !== id && m.name === clean)) {
      throw new AppError('BAD_REQUEST', `another model is already called '${clean}'`);
    }
    const renamed: ModelEntry = { ...entry, name: clean };
    this.models = this.models.map((m) => (m.id === id ? renamed : m));
    await this.persist();
    return renamed;
  }

  /** Adds without throwing (start-up and rebuild): returns whether the library changed. */
  private async addQuietly(modelPath: string, builtIn: boolean): Promise<boolean> {
    const info = await lstat(modelPath).catch(() => null);
    if (!info?.isFile()) return false;
    const id = await sha256File(modelPath).catch(() => null);
    if (id === null) return false;
    if (this.get(id)) return false;
    let inspection: ModelInspection | null = null;
    let error = null;
    try {
      inspection = await this.opts.inspect(modelPath);
      assertExternalDataPresent(path.basename(modelPath), path.dirname(modelPath), inspection);
    } catch (err) {
      error = toErrorData(err);
    }
    this.models = [
      ...this.models,
      {
        id,
        // Imported models are stored under their name already (imported/<sha>/<name>.onnx).
        name:
          path.dirname(path.dirname(modelPath)) === path.join(this.opts.dir, 'imported')
            ? path.basename(modelPath, '.onnx')
            : uniqueName(displayName(modelPath, inspection), this.models),
        path: modelPath,
        builtIn,
        addedAt: Date.now(),
        inspection,
        error,
      },
    ];
    return true;
  }

  private persist(): Promise<void> {
    const snapshot = { version: 1 as const, models: this.models };
    this.writing = this.writing.then(() => this.store.save(snapshot));
    for (const l of this.listeners) l(this.models);
    return this.writing;
  }
}

/** A variant as a library entry of its own. */
function variantEntry(parent: ModelEntry, v: ModelVariant): ModelEntry {
  return {
    id: v.id,
    name: `${parent.name} · ${v.kind}`,
    path: v.path,
    builtIn: false,
    addedAt: v.createdAt,
    inspection: v.inspection,
    error: null,
  };
}

/** Model paths that can still be read out of a damaged library file. */
async function salvagePaths(damagedFile: string): Promise<string[]> {
  const text = await readFile(damagedFile, 'utf8').catch(() => '');
  const paths = new Set<string>();
  for (const m of text.matchAll(/"path"\s*:\s*("(?:[^"\\]|\\.)*")/g)) {
    try {
      paths.add(JSON.parse(m[1] as string) as string);
    } catch {
      // a path cut in the middle is not a path
    }
  }
  return [...paths];
}

/** Every model file under imported/<sha>/. */
async function listImported(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const sha of await readdir(dir).catch(() => [])) {
    for (const f of await readdir(path.join(dir, sha)).catch(() => [])) {
      if (f.toLowerCase().endsWith('.onnx')) out.push(path.join(dir, sha, f));
    }
  }
  return out;
}

// File names that say nothing about the model (most exports are model.onnx, model_quantized.onnx).
const GENERIC_FILE = /^model(?:[_-](.+))?$/i;
// Folders that say nothing either: Hugging Face repos keep models under onnx/, temp and upload dirs.
const GENERIC_FOLDER =
  /^(|\.|onnx|models?|export(ed)?|output|tmp|temp|[0-9a-f]{64}|group-[A-Za-z0-9]+)$/i;
// Graph names exporters write by default (torch.onnx, tf2onnx, keras2onnx, paddle2onnx).
const GENERIC_GRAPH =
  /^(|main_graph|torch[-_]jit([-_]export)?|graph|tf2onnx|model|keras[-_]?model|paddle[-_]?(graph|model)?|onnx[-_]?graph|[0-9a-f]{32,})$/i;

/**
 * A model's name for people: the file name without .onnx — unless the file is called model.onnx
 * (or model_quantized.onnx …), as most exported models are: then the folder's name (the one above
 * onnx/ in a Hugging Face layout), else the graph's name unless an exporter's default, else the
 * producer ("pytorch model"), with the file's suffix kept ("bert · quantized").
 */
export function displayName(
  modelPath: string,
  inspection?: Pick<ModelInspection, 'graphName' | 'producer'> | null,
): string {
  const base = path.basename(modelPath).replace(/\.onnx$/i, '');
  const generic = GENERIC_FILE.exec(base);
  if (!generic) return base;
  const suffix = generic[1] ? ` · ${generic[1]}` : '';
  let dir = path.dirname(modelPath);
  for (let i = 0; i < 2 && dir !== path.dirname(dir); i++, dir = path.dirname(dir)) {
    const folder = path.basename(dir);
    if (!GENERIC_FOLDER.test(folder) && folder !== 'imported') return `${folder}${suffix}`;
  }
  const graph = inspection?.graphName.trim() ?? '';
  if (!GENERIC_GRAPH.test(graph)) return `${graph}${suffix}`;
  const producer = inspection?.producer.name.trim() ?? '';
  if (producer !== '') return `${producer} model${suffix}`;
  return base;
}

/** `name`, or `name (2)`, `name (3)` … when another entry has it already. */
function uniqueName(name: string, taken: readonly ModelEntry[]): string {
  const names = new Set(taken.map((m) => m.name));
  if (!names.has(name)) return name;
  for (let i = 2; ; i++) if (!names.has(`${name} (${i})`)) return `${name} (${i})`;
}

/** The one .onnx file directly inside a dropped folder, or an error saying why not. */
async function modelInFolder(dir: string): Promise<string> {
  const models = (await readdir(dir)).filter((f) => f.toLowerCase().endsWith('.onnx')).sort();
  if (models.length === 1) return path.join(dir, models[0] as string);
  if (models.length === 0) {
    throw new AppError('MODEL_INVALID', `the folder ${dir} holds no ONNX model (.onnx)`);
  }
  throw new AppError(
    'BAD_REQUEST',
    `the folder ${dir} holds ${models.length} models (${models.join(', ')}): drop the .onnx files themselves`,
  );
}

/**
 * Refuses a model whose external-data files are not there: it could be listed but never run, and
 * ORT's own error at session creation says much less. `dir` is where the files were looked for
 * (null when the user never saw that folder, as for uploads).
 */
function assertExternalDataPresent(
  modelName: string,
  dir: string | null,
  inspection: ModelInspection,
): void {
  const missing = inspection.externalData.filter((e) => !e.exists).map((e) => e.location);
  if (missing.length === 0) return;
  const where = dir === null ? 'it was not added with it' : `it is not in ${dir}`;
  throw new AppError(
    'EXTERNAL_DATA_MISSING',
    missing.length === 1
      ? `${modelName} needs its external data file ${missing[0]}, but ${where}`
      : `${modelName} needs its external data files ${missing.join(', ')}, but ${where.replace('it is', 'they are').replace('it was', 'they were')}`,
  );
}

/**
 * An add-by-path error without the parse failure's byte offsets or sizes: the page can name any
 * readable `.onnx` path, and where the protobuf parse of such a file stops says something about
 * its bytes. The file name and the kind of problem stay; numbers in the problem do not.
 */
function withoutParseOffsets(err: unknown, file: string): unknown {
  if (!(err instanceof AppError) || err.code !== 'MODEL_INVALID') return err;
  const marker = 'is not an ONNX model: ';
  const at = err.message.indexOf(marker);
  const problem = at >= 0 ? err.message.slice(at + marker.length) : err.message;
  if (!/\d/.test(problem.split(file).join(''))) return new AppError(err.code, err.message);
  return new AppError(
    'MODEL_INVALID',
    `${file} is not an ONNX model: its bytes do not parse as one`,
  );
}

/** A hard link when the two paths share a file system (instant, no extra space), else a copy. */
async function linkOrCopy(from: string, to: string): Promise<void> {
  try {
    await link(from, to);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return;
    await copyFile(from, to);
  }
}
