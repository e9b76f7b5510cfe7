/**
 * The model library as the main side reports it (models:list, models:changed), the selected model,
 * and the errors from files the user dropped or picked, kept until dismissed, until the user
 * leaves the area, or until a later drop adds a model.
 */
import { create } from 'zustand';
import type { ModelEntry } from '../../src-main/ipc/contract';
import type { AppErrorData } from '../../src-main/shared/errors';
import type { Result } from '../../src-main/shared/result';
import type { RendererApi } from '../api/types';

/** An error from adding files, with the file it concerns when that can be told. */
export interface DropError {
  id: number;
  fileName: string | null;
  error: AppErrorData;
}

export interface ModelsState {
  entries: ModelEntry[];
  /** False until models:list first answers, so the empty state does not flash. */
  loaded: boolean;
  selectedId: string | null;
  /** Files being added right now. */
  adding: number;
  dropErrors: DropError[];
  /** Set when the library could not be listed. */
  error: AppErrorData | null;
}

const initial: ModelsState = {
  entries: [],
  loaded: false,
  selectedId: null,
  adding: 0,
  dropErrors: [],
  error: null,
};

export const useModelsStore = create<ModelsState>()(() => initial);

let nextDropErrorId = 1;

/** models:list answered or models:changed arrived. The selection stays when its model does. */
export function modelsLoaded(entries: ModelEntry[]): void {
  useModelsStore.setState((state) => ({
    entries,
    loaded: true,
    error: null,
    selectedId: entries.some((e) => e.id === state.selectedId)
      ? state.selectedId
      : (entries[0]?.id ?? null),
  }));
}

/** models:list failed. */
export function modelsFailed(error: AppErrorData): void {
  useModelsStore.setState({ error, loaded: true });
}

/** The user picked a model in the list. */
export function modelSelected(id: string): void {
  useModelsStore.setState({ selectedId: id });
}

/** A model was added: it joins the list at once (models:changed may follow) and is selected. */
export function modelAdded(entry: ModelEntry): void {
  useModelsStore.setState((state) => ({
    entries: [...state.entries.filter((e) => e.id !== entry.id), entry],
    selectedId: entry.id,
  }));
}

/**
 * The answers for a drop or a pick arrived. Failures become dismissable messages; each is tied to
 * the dropped file its message names, or to the only file when one was dropped. A drop that added
 * a model clears the errors of earlier drops: their cause (no model added) is gone, and a banner
 * that outlives it contradicts the list below it. This drop's own failures stay.
 */
export function dropResultsReceived(fileNames: string[], results: Result<ModelEntry>[]): void {
  const added = results.some((r) => r.ok);
  for (const result of results) {
    if (result.ok) modelAdded(result.value);
  }
  if (added) useModelsStore.setState({ dropErrors: [] });
  const failures = results.filter((r) => !r.ok).map((r) => r.error);
  if (failures.length === 0) return;
  useModelsStore.setState((state) => ({
    dropErrors: [
      ...state.dropErrors,
      ...failures.map((error) => ({
        id: nextDropErrorId++,
        fileName: fileForError(fileNames, error),
        error,
      })),
    ],
  }));
}

/** The user closed one drop error. */
export function dropErrorDismissed(id: number): void {
  useModelsStore.setState((state) => ({
    dropErrors: state.dropErrors.filter((e) => e.id !== id),
  }));
}

/**
 * The user went to another area: errors from adding or removing files belong to the area they
 * happened in and do not follow the user (the Run area never shows a Models drop error).
 */
export function areaLeft(): void {
  if (useModelsStore.getState().dropErrors.length > 0) useModelsStore.setState({ dropErrors: [] });
}

/** Files were dropped on the window or picked: add them, then show what failed. */
export async function filesDropped(api: RendererApi, files: File[]): Promise<void> {
  if (files.length === 0) return;
  const names = files.map((f) => f.name);
  useModelsStore.setState((state) => ({ adding: state.adding + files.length }));
  try {
    dropResultsReceived(names, await api.addFiles(files));
  } catch (err) {
    // A rejected promise is a transport failure or a bug; the user still learns which files.
    const message = err instanceof Error ? err.message : String(err);
    dropResultsReceived(names, [
      {
        ok: false,
        error: { code: 'INTERNAL', message: `Could not add ${names.join(', ')}: ${message}` },
      },
    ]);
  } finally {
    useModelsStore.setState((state) => ({ adding: Math.max(0, state.adding - files.length) }));
  }
}

/**
 * The user renamed a model: the library keeps the name (across restarts) and the list follows
 * through models:changed. Resolves with the error to show, or null.
 */
export async function modelRenameRequested(
  api: RendererApi,
  id: string,
  name: string,
): Promise<AppErrorData | null> {
  const result = await api.invoke('models:rename', { id, name });
  if (!result.ok) return result.error;
  const state = useModelsStore.getState();
  modelsLoaded(state.entries.map((e) => (e.id === id ? result.value : e)));
  return null;
}

/** What removing a model takes with it, in words for the confirmation. */
export function removalText(
  entry: Pick<ModelEntry, 'name' | 'path' | 'variants'>,
  cacheEntries: readonly { sizeBytes: number }[],
): string {
  const uploaded = /[\\/]library[\\/]imported[\\/]/.test(entry.path);
  const bytes = cacheEntries.reduce((n, e) => n + e.sizeBytes, 0);
  const lines = [`Remove "${entry.name}"? This removes:`, '• its entry in the model library'];
  if (uploaded) lines.push('• the copy of the model Crucible made when it was dropped in');
  for (const v of entry.variants ?? []) {
    lines.push(`• its ${v.kind} variant (${v.path.split(/[\\/]/).pop() ?? v.path})`);
  }
  if (cacheEntries.length > 0) {
    lines.push(
      `• ${cacheEntries.length} compiled cache ${cacheEntries.length === 1 ? 'entry' : 'entries'} (${(bytes / 2 ** 20).toFixed(1)} MiB)`,
    );
  }
  if (!uploaded) lines.push(`Your own file stays where it is: ${entry.path}`);
  return lines.join('\n');
}

/**
 * The user asked to remove a model: says what goes (the entry, an uploaded copy, its precision
 * variants, the compiled cache entries of both) and asks; then removes the cache entries and the entry. A failure stops before
 * the library entry goes, so the model is never half removed (cache entries can be compiled again).
 */
export async function modelRemoveRequested(
  api: RendererApi,
  id: string,
  confirm: (text: string) => boolean = (text) => window.confirm(text),
): Promise<void> {
  const fail = (error: AppErrorData) =>
    useModelsStore.setState((state) => ({
      dropErrors: [...state.dropErrors, { id: nextDropErrorId++, fileName: null, error }],
    }));
  const entry = useModelsStore.getState().entries.find((e) => e.id === id);
  if (!entry) return;
  const cache = await api.invoke('cache:list', {});
  if (!cache.ok) return fail(cache.error);
  // The model's own cache entries and those compiled from its precision variants.
  const ids = new Set([id, ...(entry.variants ?? []).map((v) => v.id)]);
  const mine = cache.value.filter((c) => ids.has(c.modelId));
  if (!confirm(removalText(entry, mine))) return;
  for (const c of mine) {
    const cleared = await api.invoke('cache:clear', { entryId: c.id });
    if (!cleared.ok) return fail(cleared.error);
  }
  const result = await api.invoke('models:remove', { id });
  if (!result.ok) return fail(result.error);
  if (result.value.removed) {
    const state = useModelsStore.getState();
    modelsLoaded(state.entries.filter((e) => e.id !== id));
  }
}

/** Back to the first state (tests). */
export function resetModelsStore(): void {
  useModelsStore.setState(initial, true);
}

function fileForError(fileNames: string[], error: AppErrorData): string | null {
  const text = `${error.message} ${error.detail ?? ''}`;
  const named = fileNames.find((name) => text.includes(name));
  if (named !== undefined) return named;
  return fileNames.length === 1 ? (fileNames[0] ?? null) : null;
}
