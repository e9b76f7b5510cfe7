/**
 * A small schema-checked JSON store: one file, read whole, written atomically. A file that does not
 * parse or does not match its schema is never trusted and never silently emptied: it is moved
 * aside as `<name>.corrupt-<time>` (the user's data stays on disk) and the caller is told, so it can
 * rebuild what it can and say so.
 */
import { mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { z } from 'zod';
import { AppError } from '../shared/errors';
import { writeFileAtomic } from './atomic-file';

export type LoadOutcome<T> =
  | { state: 'missing'; value: T }
  | { state: 'ok'; value: T }
  | { state: 'corrupt'; value: T; movedTo: string; problem: string };

/** A JSON file checked against a zod schema on every read and write. */
export class JsonStore<S extends z.ZodType> {
  constructor(
    readonly file: string,
    private readonly schema: S,
    private readonly empty: () => z.output<S>,
  ) {}

  /** Reads the store; a corrupt file is moved aside and reported, never deleted. */
  async load(): Promise<LoadOutcome<z.output<S>>> {
    await this.sweepTemps();
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        return { state: 'missing', value: this.empty() };
      }
      throw new AppError('IO_ERROR', `cannot read ${this.file}: ${(err as Error).message}`);
    }
    let problem: string;
    try {
      const parsed = this.schema.safeParse(JSON.parse(text));
      if (parsed.success) return { state: 'ok', value: parsed.data };
      problem = `does not match its schema (${parsed.error.issues[0]?.message ?? 'invalid'})`;
    } catch (err) {
      problem = `is not valid JSON (${(err as Error).message})`;
    }
    const movedTo = `${this.file}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    await rename(this.file, movedTo);
    return { state: 'corrupt', value: this.empty(), movedTo, problem: `${this.file} ${problem}` };
  }

  /**
   * Removes temp files a killed write left beside the store (`.<name>.<pid>.<hex>.tmp`, the
   * pattern of writeFileAtomic). They are ours, never the user's, and never the store itself.
   */
  private async sweepTemps(): Promise<void> {
    const dir = path.dirname(this.file);
    const prefix = `.${path.basename(this.file)}.`;
    for (const name of await readdir(dir).catch(() => [] as string[])) {
      if (name.startsWith(prefix) && name.endsWith('.tmp')) {
        await rm(path.join(dir, name), { force: true });
      }
    }
  }

  /** Validates and writes the whole store atomically. */
  async save(value: z.output<S>): Promise<void> {
    const checked = this.schema.parse(value);
    await mkdir(path.dirname(this.file), { recursive: true });
    await writeFileAtomic(this.file, JSON.stringify(checked, null, 2) + '\n');
  }
}
