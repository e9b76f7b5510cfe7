import { useEffect } from 'react';
import type { ProviderStatus, Settings } from '../../src-main/ipc/contract';
import { PROVIDER_LABELS } from '../../src-main/ipc/providers';
import { useApi } from '../common/api-context';
import { hashForArea } from '../common/routes';
import { selectProviders, useEngineStore } from '../state/engine';
import { settingsLoaded, useSettingsStore } from '../state/settings';

/** What the first-run TensorRT for RTX panel says, or null when it has nothing to say. */
export interface TrtRtxPanelContent {
  /** The RTX GPU that could run TensorRT for RTX. */
  gpu: string;
  /** The providers models run on now, by label, fastest first (the engine's order). */
  now: string[];
}

/**
 * The panel is for a machine whose GPU and driver fit TensorRT for RTX and where only NVIDIA's
 * plugin is missing (the main side's verdict, `trtRtx.state === 'plugin-missing'`), until the user
 * dismisses it once (remembered in settings).
 */
export function trtRtxPanelContent(
  providers: readonly ProviderStatus[],
  settings: Settings | null,
): TrtRtxPanelContent | null {
  if (settings === null || settings.trtRtxPanelDismissed === true) return null;
  const trt = providers.find((p) => p.id === 'nv-tensorrt-rtx');
  if (trt?.trtRtx?.state !== 'plugin-missing' || trt.trtRtx.gpu === null) return null;
  const order = ['cuda', 'dml', 'webgpu', 'cpu'] as const;
  const now = order
    .filter((id) => providers.some((p) => p.id === id && p.available))
    .map((id) => PROVIDER_LABELS[id]);
  return { gpu: trt.trtRtx.gpu, now };
}

/**
 * First run on an RTX PC without TensorRT for RTX: what runs now, what the plugin adds, where to
 * get it; one dismiss, remembered in settings (`trtRtxPanelDismissed`).
 */
export function TrtRtxPanel() {
  const api = useApi();
  const settings = useSettingsStore((s) => s.settings);
  const providers = useEngineStore(selectProviders);
  useEffect(() => {
    if (settings !== null) return;
    void api.invoke('settings:get', {}).then((r) => {
      if (r.ok) settingsLoaded(r.value);
    });
  }, [api, settings]);
  const content = trtRtxPanelContent(providers, settings);
  if (content === null) return null;
  const dismiss = () =>
    void api.invoke('settings:set', { trtRtxPanelDismissed: true }).then((r) => {
      if (r.ok) settingsLoaded(r.value);
    });
  return (
    <div className="app-notices">
      <div
        className="app-notice app-notice-info"
        role="region"
        aria-label="TensorRT for RTX"
        data-testid="trt-rtx-panel"
      >
        <div className="app-notice-message">
          <p>
            <strong>Your {content.gpu} can run TensorRT for RTX.</strong>
          </p>
          <p data-testid="trt-rtx-panel-now">
            Now: models run on {content.now.length > 0 ? content.now.join(', ') : 'no provider yet'}
            .
          </p>
          <p>
            With NVIDIA&apos;s TensorRT for RTX plugin: each model is compiled for this GPU in the
            background and kept in the compile cache, so later starts load the compiled engine; the
            Benchmarks area shows what it gains on your models.
          </p>
          <p>
            Get it: NVIDIA&apos;s onnxruntime-ep-nv-tensorrt-rtx wheel for this system (pypi.org;
            Windows x64, and Linux x86-64 since the plugin&apos;s v0.3.0), then{' '}
            <a href={hashForArea('settings')}>Settings → {PROVIDER_LABELS['nv-tensorrt-rtx']}</a> →
            Install from file.
          </p>
        </div>
        <button
          type="button"
          className="icon-button"
          aria-label="Dismiss"
          onClick={dismiss}
          data-testid="trt-rtx-panel-dismiss"
        >
          ×
        </button>
      </div>
    </div>
  );
}
