/**
 * The Settings area's state: the settings (settings:get when the area opens), the TensorRT-RTX
 * folder field and its save (settings:set; the main side restarts the engine host when the folder
 * changes, and the provider's new status arrives as engine:changed in the engine store), and the
 * install from a local archive (providers:install-trt-rtx), with each call's error kept to show.
 */
import { create } from 'zustand';
import type { InvokeOutput, ProviderId, Settings } from '../../src-main/ipc/contract';
import type { AppErrorData } from '../../src-main/shared/errors';
import type { RendererApi } from '../api/types';

/** What providers:install-trt-rtx answered. */
export type TrtRtxInstallResult = InvokeOutput<'providers:install-trt-rtx'>;

export interface SettingsState {
  /** The settings as the main side holds them; null until read. */
  settings: Settings | null;
  /** settings:get failed. */
  loadError: AppErrorData | null;
  /** The folder field as typed. */
  dirDraft: string;
  saving: boolean;
  /** The last save failed. */
  saveError: AppErrorData | null;
  /** The archive path field as typed. */
  archiveDraft: string;
  installing: boolean;
  installResult: TrtRtxInstallResult | null;
  installError: AppErrorData | null;
}

const initial: SettingsState = {
  settings: null,
  loadError: null,
  dirDraft: '',
  saving: false,
  saveError: null,
  archiveDraft: '',
  installing: false,
  installResult: null,
  installError: null,
};

export const useSettingsStore = create<SettingsState>()(() => initial);

/** settings:get (or settings:set) answered: the field follows what the main side holds. */
export function settingsLoaded(settings: Settings): void {
  useSettingsStore.setState({ settings, loadError: null, dirDraft: settings.trtRtxDir ?? '' });
}

/** The Settings area opened: read the settings. */
export async function settingsAreaOpened(api: RendererApi): Promise<void> {
  const r = await api.invoke('settings:get', {});
  if (r.ok) settingsLoaded(r.value);
  else useSettingsStore.setState({ loadError: r.error });
}

/** The user typed in the TensorRT-RTX folder field. */
export function trtRtxDirTyped(text: string): void {
  useSettingsStore.setState({ dirDraft: text, saveError: null });
}

/** The folder to save for a field's text: trimmed, and an empty field means "no folder". */
export function dirFromDraft(text: string): string | null {
  const t = text.trim();
  return t === '' ? null : t;
}

/**
 * The user saved the folder field (an empty field clears the setting). Nothing is sent when it
 * equals what is saved: the main side restarts the engine only on a change anyway.
 */
export async function trtRtxDirSaved(api: RendererApi): Promise<void> {
  const { dirDraft, settings, saving } = useSettingsStore.getState();
  if (saving) return;
  const dir = dirFromDraft(dirDraft);
  if (settings !== null && settings.trtRtxDir === dir) return;
  useSettingsStore.setState({ saving: true, saveError: null });
  const r = await api.invoke('settings:set', { trtRtxDir: dir });
  useSettingsStore.setState({ saving: false });
  if (r.ok) settingsLoaded(r.value);
  else useSettingsStore.setState({ saveError: r.error });
}

/**
 * The user chose a model's provider from the Run area's offer (or forgot it in Settings: null).
 * Kept on the main side as `preferredProviders`, so the Run area starts that model on it and the
 * Settings area lists it. Reads the settings first when they were not read yet, so the other
 * models' choices stay.
 */
export async function preferredProviderChosen(
  api: RendererApi,
  modelId: string,
  provider: ProviderId | null,
): Promise<void> {
  if (useSettingsStore.getState().settings === null) await settingsAreaOpened(api);
  const current = useSettingsStore.getState().settings?.preferredProviders ?? {};
  const next = { ...current };
  if (provider === null) delete next[modelId];
  else next[modelId] = provider;
  useSettingsStore.setState({ saveError: null });
  const r = await api.invoke('settings:set', { preferredProviders: next });
  if (r.ok) settingsLoaded(r.value);
  else useSettingsStore.setState({ saveError: r.error });
}

/** The user typed in the archive path field. */
export function trtRtxArchiveTyped(text: string): void {
  useSettingsStore.setState({ archiveDraft: text, installError: null });
}

/**
 * The user asked to install from the archive. A successful install points Settings at the new
 * folder on the main side, so the settings are read again after it.
 */
export async function trtRtxInstallRequested(api: RendererApi): Promise<void> {
  const { archiveDraft, installing } = useSettingsStore.getState();
  const archivePath = archiveDraft.trim();
  if (installing || archivePath === '') return;
  useSettingsStore.setState({ installing: true, installError: null, installResult: null });
  const r = await api.invoke('providers:install-trt-rtx', { archivePath });
  useSettingsStore.setState({ installing: false });
  if (!r.ok) {
    useSettingsStore.setState({ installError: r.error });
    return;
  }
  useSettingsStore.setState({ installResult: r.value });
  if (r.value.registered) await settingsAreaOpened(api);
}

/** The user dismissed the install's error or result. */
export function trtRtxInstallDismissed(): void {
  useSettingsStore.setState({ installError: null, installResult: null });
}

/** Back to the first state (tests). */
export function resetSettingsStore(): void {
  useSettingsStore.setState(initial, true);
}
