/**
 * Connects the stores to the main side for the app's lifetime: the first reads (app:info,
 * app:notices, engine:status, models:list, compile:list) and the push channels. Area-specific reads (GPU
 * sampling, benchmark history) start and stop with their areas instead.
 */
import type { RendererApi } from '../api/types';
import {
  compileJobsFailed,
  compileJobsLoaded,
  compileProgressReceived,
  connectCompile,
} from '../state/compile';
import { appInfoLoaded, engineLoadFailed, engineStatusChanged } from '../state/engine';
import { gpuSampleReceived } from '../state/gpu';
import { modelsFailed, modelsLoaded } from '../state/models';
import { noticeReceived, noticesLoaded } from '../state/notices';

/** Subscribes to every push channel and reads the initial state; returns the unsubscribe. */
export function connectStores(api: RendererApi): () => void {
  const unsubscribes = [
    api.on('app:notice', noticeReceived),
    api.on('engine:changed', engineStatusChanged),
    api.on('models:changed', modelsLoaded),
    api.on('compile:progress', compileProgressReceived),
    api.on('gpu:sample', gpuSampleReceived),
    // Status chips and switch-overs (compile pipeline).
    connectCompile(api),
  ];
  let closed = false;
  // Answers that arrive after disconnecting (React's strict-mode remount, tests) are dropped.
  const whileOpen =
    <T>(action: (value: T) => void) =>
    (value: T) => {
      if (!closed) action(value);
    };

  void api.invoke('app:info', {}).then((r) => {
    if (r.ok) whileOpen(appInfoLoaded)(r.value);
    else whileOpen(engineLoadFailed)(r.error);
  });
  // Notices are extras: if they cannot be read, the rest of the app still works (nothing to show).
  void api.invoke('app:notices', {}).then((r) => {
    if (r.ok) whileOpen(noticesLoaded)(r.value);
  });
  void api.invoke('engine:status', {}).then((r) => {
    if (r.ok) whileOpen(engineStatusChanged)(r.value);
    else whileOpen(engineLoadFailed)(r.error);
  });
  void api.invoke('models:list', {}).then((r) => {
    if (r.ok) whileOpen(modelsLoaded)(r.value);
    else whileOpen(modelsFailed)(r.error);
  });
  void api.invoke('compile:list', {}).then((r) => {
    if (r.ok) whileOpen(compileJobsLoaded)(r.value);
    else whileOpen(compileJobsFailed)(r.error);
  });

  return () => {
    closed = true;
    for (const unsubscribe of unsubscribes) unsubscribe();
  };
}
