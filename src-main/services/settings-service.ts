/**
 * User settings (`<userData>/stores/settings.json`, schema-checked, atomic). A damaged file is kept
 * aside and the defaults are used, and the user is told.
 */
import path from 'node:path';
import { SettingsSchema, type Settings } from '../ipc/contract';
import { JsonStore } from '../store/json-store';
import type { Handlers } from './dispatch';

const DEFAULTS: Settings = { trtRtxDir: null, autoCompile: true };

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

  /** Loads the settings; returns a notice when the file was damaged. */
  async open(): Promise<string | null> {
    const loaded = await this.store.load();
    this.value = loaded.value;
    return loaded.state === 'corrupt'
      ? `Settings were damaged (${loaded.problem}); kept as ${loaded.movedTo}, defaults in use.`
      : null;
  }

  get(): Settings {
    return this.value;
  }

  async set(patch: Partial<Settings>): Promise<Settings> {
    const next = SettingsSchema.parse({ ...this.value, ...patch });
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
