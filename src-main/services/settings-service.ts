/**
 * User settings (`<userData>/stores/settings.json`, schema-checked, atomic). A damaged file is kept
 * aside and the defaults are used, and the user is told.
 *
 * Settings are input like any other: the schema bounds every field (contract.ts), and the
 * TensorRT-RTX folder must be an absolute path to an existing folder when it is set. A stored value
 * that no longer holds (the folder was removed, the file was edited) is reported and ignored — the
 * default is used — so a bad setting can never stop the engine from starting. Whether the folder
 * holds a usable plugin library is checked where it is used (engine/providers/trt-rtx.ts: present,
 * a regular file, this platform's and CPU's library), before anything is loaded.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { SettingsSchema, type Settings } from '../ipc/contract';
import { AppError } from '../shared/errors';
import { JsonStore } from '../store/json-store';
import type { Handlers } from './dispatch';

const DEFAULTS: Settings = {
  trtRtxDir: null,
  autoCompile: true,
  compileDeadlineMinutes: 30,
  ortTelemetry: false,
};

/** A path shown in a message: long ones cut, so a refusal cannot be made into a flood. */
function shown(p: string): string {
  return JSON.stringify(p.length > 120 ? `${p.slice(0, 120)}…` : p);
}

/** Why `dir` cannot be the TensorRT-RTX folder, or null when it can. */
export async function trtRtxDirProblem(dir: string): Promise<string | null> {
  if (!path.isAbsolute(dir)) return `${shown(dir)} is not an absolute path`;
  const info = await stat(dir).catch(() => null);
  if (!info) return `${shown(dir)} does not exist`;
  if (!info.isDirectory()) return `${shown(dir)} is not a folder`;
  return null;
}

/** The settings store and its two channels. */
export class SettingsService {
  private value: Settings = DEFAULTS;
  private readonly store: JsonStore<typeof SettingsSchema>;
  private readonly listeners = new Set<(s: Settings) => void>();

  constructor(storesDir: string) {
    this.store = new JsonStore(path.join(storesDir, 'settings.json'), SettingsSchema, () => ({
      ...DEFAULTS,
    }));
  }

  /** Loads the settings; returns a notice when the file was damaged or a value is ignored. */
  async open(): Promise<string | null> {
    const loaded = await this.store.load();
    this.value = loaded.value;
    if (loaded.state === 'corrupt') {
      return `Settings were damaged (${loaded.problem}); kept as ${loaded.movedTo}, defaults in use.`;
    }
    const dir = this.value.trtRtxDir;
    const problem = dir === null ? null : await trtRtxDirProblem(dir);
    if (problem) {
      // Ignored, not erased: the file keeps it until the user chooses another folder.
      this.value = { ...this.value, trtRtxDir: null };
      return `The TensorRT-RTX folder in Settings is ignored: ${problem}. Choose it again in Settings.`;
    }
    return null;
  }

  get(): Settings {
    return this.value;
  }

  /** Changes some settings; BAD_REQUEST naming the problem when a value cannot be used. */
  async set(patch: Partial<Settings>): Promise<Settings> {
    const parsed = SettingsSchema.safeParse({ ...this.value, ...patch });
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new AppError(
        'BAD_REQUEST',
        `Settings: ${issue?.path.join('.') ?? 'a value'} ${issue?.message ?? 'is invalid'}`,
      );
    }
    const next = parsed.data;
    if (patch.trtRtxDir) {
      const problem = await trtRtxDirProblem(patch.trtRtxDir);
      if (problem) throw new AppError('BAD_REQUEST', `TensorRT-RTX folder: ${problem}`);
    }
    await this.store.save(next);
    this.value = next;
    for (const l of this.listeners) l(next);
    return next;
  }

  onChange(listener: (s: Settings) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  handlers(): Pick<Handlers, 'settings:get' | 'settings:set'> {
    return {
      'settings:get': async () => this.get(),
      'settings:set': async (input) => this.set(input),
    };
  }
}
