import { type JSX, useCallback, useEffect } from 'react';
import type { RendererApi } from '../api/types';
import { BenchArea } from '../features/bench/bench-area';
import { CompileArea } from '../features/compile/compile-area';
import { GpuArea } from '../features/gpu/gpu-area';
import { DropErrors } from '../features/models/drop-errors';
import { DropOverlay } from '../features/models/drop-overlay';
import { ModelsArea } from '../features/models/models-area';
import { RunArea } from '../features/run/run-area';
import { SettingsArea } from '../features/settings/settings-area';
import { areaLeft, filesDropped } from '../state/models';
import { ApiContext } from '../common/api-context';
import { ErrorBoundary } from './error-boundary';
import { Header } from './header';
import { NoticesBanner } from './notices-banner';
import { TrtRtxPanel } from './trt-rtx-panel';
import type { Area } from '../common/routes';
import { Sidebar } from './sidebar';
import { connectStores } from './sync';
import { useHashArea } from './use-hash-area';

const AREA_VIEWS: Record<Area, () => JSX.Element> = {
  gpu: GpuArea,
  models: ModelsArea,
  compile: CompileArea,
  run: RunArea,
  bench: BenchArea,
  settings: SettingsArea,
};

/** The whole renderer: header, sidebar, the area the hash names, and the window-wide drop target. */
export function App({ api }: { api: RendererApi }) {
  const area = useHashArea();
  useEffect(() => connectStores(api), [api]);
  // Drop errors belong to the area they happened in: leaving it clears them.
  useEffect(() => areaLeft, [area]);
  const onFiles = useCallback((files: File[]) => void filesDropped(api, files), [api]);
  const View = AREA_VIEWS[area];
  return (
    <ApiContext.Provider value={api}>
      <div className="app">
        <Header />
        <Sidebar current={area} />
        <main className="area-host">
          <NoticesBanner />
          <TrtRtxPanel />
          <DropErrors />
          {/* Keyed by area so a crashed view recovers by navigating away and back. */}
          <ErrorBoundary key={area}>
            <View />
          </ErrorBoundary>
        </main>
        <DropOverlay onFiles={onFiles} />
      </div>
    </ApiContext.Provider>
  );
}
