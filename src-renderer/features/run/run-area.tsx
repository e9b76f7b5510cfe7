import { useEffect, useMemo, useRef } from 'react';
import { useApi } from '../../common/api-context';
import { selectProviders, useEngineStore } from '../../state/engine';
import { useModelsStore } from '../../state/models';
import {
  bestProvider,
  isImageModel,
  runModelChosen,
  runProviderChosen,
  runnableModels,
  useRunStore,
} from '../../state/run';
import { settingsAreaOpened, useSettingsStore } from '../../state/settings';
import { EmptyState } from '../../ui/empty-state';
import { ImagePanel } from './image-panel';
import { RunForm } from './run-form';
import { RunOutcome } from './run-outcome';

/**
 * The Run area: pick a model and a provider, run once, read the outputs; for an image model, drop
 * a picture and see the one it makes.
 */
export function RunArea() {
  const entries = useModelsStore((s) => s.entries);
  const selectedId = useModelsStore((s) => s.selectedId);
  const loaded = useModelsStore((s) => s.loaded);
  const providers = useEngineStore(selectProviders);
  const form = useRunStore((s) => s.form);
  const models = useMemo(() => runnableModels(entries), [entries]);
  const chosen = models.find((m) => m.id === form.modelId) ?? null;

  // Fill in sensible choices once the lists are known, and replace choices that went away
  // (a removed model, a provider that became unavailable after an engine restart).
  useEffect(() => {
    if (!models.some((m) => m.id === form.modelId)) {
      const preferred = models.find((m) => m.id === selectedId) ?? models[0] ?? null;
      if (preferred !== null || form.modelId !== null) runModelChosen(preferred);
    }
    if (!providers.some((p) => p.id === form.provider && p.available)) {
      const best = bestProvider(providers);
      if (best !== null) runProviderChosen(best);
    }
  }, [models, providers, form.modelId, form.provider, selectedId]);

  // A model the user chose a provider for (the offer of a faster compiled session, kept in
  // Settings) starts on it when it is chosen here and that provider is available.
  const api = useApi();
  const preferredProviders = useSettingsStore((s) => s.settings?.preferredProviders);
  const settingsRead = useSettingsStore((s) => s.settings !== null);
  useEffect(() => {
    if (!settingsRead) void settingsAreaOpened(api);
  }, [api, settingsRead]);
  const appliedFor = useRef<string | null>(null);
  useEffect(() => {
    const id = form.modelId;
    if (id === null || appliedFor.current === id || preferredProviders === undefined) return;
    appliedFor.current = id;
    const preferred = preferredProviders[id];
    if (preferred && providers.some((p) => p.id === preferred && p.available)) {
      runProviderChosen(preferred);
    }
  }, [form.modelId, preferredProviders, providers]);

  return (
    <div className="area" data-testid="area-run">
      <div className="area-head">
        <h1>Run</h1>
      </div>
      {loaded && models.length === 0 ? (
        <EmptyState title="No model to run yet" testId="run-empty">
          <p>Drop an .onnx file anywhere on the window, then come back here.</p>
        </EmptyState>
      ) : (
        <>
          <div className="run-layout">
            <RunForm models={models} providers={providers} />
            <RunOutcome formModel={chosen} />
          </div>
          {isImageModel(chosen) && <ImagePanel />}
        </>
      )}
    </div>
  );
}
