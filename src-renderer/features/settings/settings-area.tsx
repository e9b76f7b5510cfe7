import { useEffect, useState } from 'react';
import type { GpuInfo, InvokeInput, OrtGpu, ProviderStatus } from '../../../src-main/ipc/contract';
import type { AppErrorData } from '../../../src-main/shared/errors';
import { useApi } from '../../common/api-context';
import { ErrorNotice } from '../../common/error-notice';
import { selectProviders, useEngineStore } from '../../state/engine';
import { useGpuStore } from '../../state/gpu';
import { gpuOptions, gpuValue } from '../../state/gpu-choice';
import { useModelsStore } from '../../state/models';
import {
  preferredProviderChosen,
  settingsAreaOpened,
  settingsLoaded,
  trtRtxArchiveTyped,
  trtRtxDirSaved,
  trtRtxDirTyped,
  trtRtxInstallDismissed,
  trtRtxInstallRequested,
  useSettingsStore,
} from '../../state/settings';
import { Card } from '../../ui/card';
import { Chip } from '../../ui/chip';
import { PROVIDER_LABELS } from '../../../src-main/ipc/providers';
import { providerDeviceText } from '../../ui/provider-device';

/**
 * The Settings area: where TensorRT-RTX comes from (a folder, or an install from a local
 * archive), its provider's status as the engine reports it, and every provider's device.
 */
export function SettingsArea() {
  const api = useApi();
  const loadError = useSettingsStore((s) => s.loadError);
  useEffect(() => {
    void settingsAreaOpened(api);
  }, [api]);
  return (
    <div className="area" data-testid="area-settings">
      <div className="area-head">
        <h1>Settings</h1>
      </div>
      {loadError !== null && <ErrorNotice error={loadError} testId="settings-error" />}
      <AutoCompileCard />
      <GpuCard />
      <TrtRtxCard />
      <PrivacyCard />
      <PreferredProvidersCard />
      <ProvidersCard />
    </div>
  );
}

/**
 * Saving one settings change: the card is disabled while it saves, the stored settings are
 * replaced by what the main side answers, and a refusal (a bad value) is kept to show.
 */
function useSettingSaver() {
  const api = useApi();
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<AppErrorData | null>(null);
  const save = (patch: InvokeInput<'settings:set'>) => {
    setSaving(true);
    setError(null);
    void api.invoke('settings:set', patch).then((r) => {
      setSaving(false);
      if (r.ok) settingsLoaded(r.value);
      else setError(r.error);
    });
  };
  return { saving, error, save };
}

/** The autoCompile setting: models the user adds compile in the background (services/auto-compile.ts). */
function AutoCompileCard() {
  const settings = useSettingsStore((s) => s.settings);
  const { saving, error, save } = useSettingSaver();
  return (
    <Card
      title="Background compiles"
      subtitle="A model you add runs at once, and compiles for the best provider here (TensorRT-RTX, WebGPU, DirectML, else an optimised CPU model); the next run switches to it."
      testId="settings-auto-compile"
    >
      <label className="field">
        <span>
          <input
            type="checkbox"
            checked={settings?.autoCompile ?? false}
            disabled={settings === null || saving}
            onChange={(e) => {
              save({ autoCompile: e.target.checked });
            }}
            data-testid="auto-compile"
          />{' '}
          Compile models I add in the background
        </span>
      </label>
      <label className="field">
        <span>Stop a compile that runs longer than</span>
        <input
          type="number"
          min={1}
          max={1440}
          step={1}
          key={settings?.compileDeadlineMinutes ?? 'none'}
          defaultValue={settings?.compileDeadlineMinutes ?? 30}
          disabled={settings === null || saving}
          onBlur={(e) => {
            const minutes = Number(e.target.value);
            if (minutes === settings?.compileDeadlineMinutes) return;
            save({ compileDeadlineMinutes: minutes });
          }}
          data-testid="compile-deadline"
        />{' '}
        minutes
      </label>
      {error !== null && <ErrorNotice error={error} testId="auto-compile-error" />}
    </Card>
  );
}

const NO_GPUS: OrtGpu[] = [];
const NO_MONITOR_GPUS: GpuInfo[] = [];

/**
 * The GPU every GPU provider uses, on machines with more than one (by ORT's PCI bus id or LUID):
 * Automatic picks the NVIDIA GPU; a choice restarts the engine so sessions reopen there.
 */
function GpuCard() {
  const settings = useSettingsStore((s) => s.settings);
  // Selectors return the store's own arrays (a fresh [] each call would re-render for ever).
  const ortGpus = useEngineStore((s) => s.status?.gpus) ?? NO_GPUS;
  const monitorGpus = useGpuStore((s) => s.snapshot?.gpus) ?? NO_MONITOR_GPUS;
  const { saving, error, save } = useSettingSaver();
  const options = gpuOptions(ortGpus, monitorGpus, settings?.gpu);
  const chosen = gpuValue(settings?.gpu ?? null);
  return (
    <Card
      title="GPU"
      subtitle="The GPU that WebGPU, DirectML, CUDA and TensorRT for RTX run on, when this PC has more than one. Changing it restarts the engine."
      testId="settings-gpu"
    >
      <label className="field">
        <span>Run GPU providers on</span>
        <select
          value={chosen}
          disabled={settings === null || saving}
          onChange={(e) => {
            const picked = options.find((o) => o.value === e.target.value);
            if (picked) save({ gpu: picked.gpu });
          }}
          data-testid="gpu-choice"
        >
          {options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      </label>
      {ortGpus.length === 0 && (
        <p className="muted" data-testid="gpu-choice-none">
          ONNX Runtime sees no GPU here, so GPU providers have none to run on.
        </p>
      )}
      {error !== null && <ErrorNotice error={error} testId="gpu-choice-error" />}
    </Card>
  );
}

/** ONNX Runtime's own telemetry: off unless the user turns it on (docs/SECURITY.md). */
function PrivacyCard() {
  const settings = useSettingsStore((s) => s.settings);
  const { saving, error, save } = useSettingSaver();
  return (
    <Card
      title="Privacy"
      subtitle="Crucible sends nothing anywhere. ONNX Runtime has usage telemetry of its own (to Microsoft); it stays off unless you turn it on here (the engine restarts to apply it)."
      testId="settings-privacy"
    >
      <label className="field">
        <span>
          <input
            type="checkbox"
            checked={settings?.ortTelemetry ?? false}
            disabled={settings === null || saving}
            onChange={(e) => {
              save({ ortTelemetry: e.target.checked });
            }}
            data-testid="ort-telemetry"
          />{' '}
          Let ONNX Runtime send its usage telemetry
        </span>
      </label>
      {error !== null && <ErrorNotice error={error} testId="ort-telemetry-error" />}
    </Card>
  );
}

function TrtRtxCard() {
  const api = useApi();
  const settings = useSettingsStore((s) => s.settings);
  const dirDraft = useSettingsStore((s) => s.dirDraft);
  const saving = useSettingsStore((s) => s.saving);
  const saveError = useSettingsStore((s) => s.saveError);
  const archiveDraft = useSettingsStore((s) => s.archiveDraft);
  const installing = useSettingsStore((s) => s.installing);
  const installResult = useSettingsStore((s) => s.installResult);
  const installError = useSettingsStore((s) => s.installError);
  const engineState = useEngineStore((s) => s.status?.state ?? null);
  const provider = useEngineStore(selectProviders).find((p) => p.id === 'nv-tensorrt-rtx');
  const device = provider ? providerDeviceText(provider) : null;
  return (
    <Card
      title={PROVIDER_LABELS['nv-tensorrt-rtx']}
      subtitle="NVIDIA's execution provider library, looked for in the installer's folder, then the folder below, then CRUCIBLE_TRT_RTX_DIR."
      testId="settings-trt-rtx"
      actions={<ProviderChip provider={provider} engineState={engineState} />}
    >
      <div className="form">
        <div className="field" data-testid="trt-rtx-status">
          <span className="field-label">Provider status</span>
          {engineState !== 'ready' && engineState !== null && (
            <span className="muted" data-testid="trt-rtx-engine-state">
              The engine is {engineState}; the status below is from before.
            </span>
          )}
          {provider === undefined && <span className="muted">Waiting for the engine…</span>}
          {provider !== undefined && !provider.available && (
            <span data-testid="trt-rtx-reason">{provider.reason ?? 'not available here'}</span>
          )}
          {provider?.available === true && <span>Ready.</span>}
          {device !== null && (
            <span className="muted" data-testid="trt-rtx-device">
              {device}
            </span>
          )}
        </div>
        <div className="field">
          <span className="field-label">Folder in use</span>
          <span className="mono" data-testid="trt-rtx-dir-current">
            {settings === null ? '…' : (settings.trtRtxDir ?? 'none chosen')}
          </span>
        </div>
        <form
          className="fieldset"
          onSubmit={(e) => {
            e.preventDefault();
            void trtRtxDirSaved(api);
          }}
        >
          <span className="field-label">Choose a folder</span>
          <label className="field">
            <span className="field-label">
              Folder holding the library (empty: none); the engine restarts when it changes
            </span>
            <input
              type="text"
              className="mono"
              value={dirDraft}
              placeholder="/path/to/tensorrt-rtx"
              spellCheck={false}
              onChange={(e) => trtRtxDirTyped(e.target.value)}
              data-testid="trt-rtx-dir"
            />
          </label>
          <div>
            <button
              type="submit"
              className="button button-primary"
              disabled={saving || settings === null}
              data-testid="trt-rtx-dir-save"
            >
              {saving ? 'Saving…' : 'Use this folder'}
            </button>
          </div>
          {saveError !== null && <ErrorNotice error={saveError} testId="trt-rtx-dir-error" />}
        </form>
        <form
          className="fieldset"
          onSubmit={(e) => {
            e.preventDefault();
            void trtRtxInstallRequested(api);
          }}
        >
          <span className="field-label">Install from an archive</span>
          <label className="field">
            <span className="field-label">
              Archive on this machine (NVIDIA&apos;s TensorRT-RTX wheel, .whl, is a zip)
            </span>
            <input
              type="text"
              className="mono"
              value={archiveDraft}
              placeholder="/path/to/onnxruntime_ep_nv_tensorrt_rtx.whl"
              spellCheck={false}
              onChange={(e) => trtRtxArchiveTyped(e.target.value)}
              data-testid="trt-rtx-archive"
            />
          </label>
          <div>
            <button
              type="submit"
              className="button"
              disabled={installing || archiveDraft.trim() === ''}
              data-testid="trt-rtx-install"
            >
              {installing ? 'Installing…' : 'Install from archive…'}
            </button>
          </div>
          {installError !== null && (
            <ErrorNotice
              error={installError}
              onDismiss={trtRtxInstallDismissed}
              testId="trt-rtx-install-error"
            />
          )}
          {installResult !== null && (
            <div className="field" data-testid="trt-rtx-install-result">
              <span className="field-label">Installed into</span>
              <span className="mono">{installResult.dir}</span>
              <span>
                <Chip tone={installResult.registered ? 'ok' : 'bad'}>
                  {installResult.registered ? 'accepted by ONNX Runtime' : 'not accepted'}
                </Chip>{' '}
                {installResult.reason ??
                  (installResult.registered ? 'Settings now point at this folder.' : '')}
              </span>
            </div>
          )}
        </form>
      </div>
    </Card>
  );
}

function ProviderChip(props: { provider: ProviderStatus | undefined; engineState: string | null }) {
  if (props.engineState === 'restarting' || props.engineState === 'starting') {
    return <Chip tone="busy">engine {props.engineState}</Chip>;
  }
  if (props.provider === undefined) return <Chip>unknown</Chip>;
  return props.provider.available ? (
    <Chip tone="ok" testId="trt-rtx-chip">
      available
    </Chip>
  ) : (
    <Chip tone="warn" testId="trt-rtx-chip">
      not available
    </Chip>
  );
}

/**
 * The providers the user chose per model from the Run area's offer of a faster compiled session:
 * the Run area starts those models on them. Each can be forgotten here.
 */
function PreferredProvidersCard() {
  const api = useApi();
  const preferred = useSettingsStore((s) => s.settings?.preferredProviders);
  const models = useModelsStore((s) => s.entries);
  const rows = Object.entries(preferred ?? {});
  return (
    <Card
      title="Preferred providers"
      subtitle="Chosen in the Run area when a compiled session on another provider was faster; the Run area starts these models on them."
      testId="settings-preferred"
    >
      {rows.length === 0 ? (
        <p className="muted">None chosen.</p>
      ) : (
        <ul className="provider-reasons">
          {rows.map(([modelId, provider]) => (
            <li key={modelId} data-testid="settings-preferred-row">
              {models.find((m) => m.id === modelId)?.name ?? modelId.slice(0, 12)}:{' '}
              <span className="mono">{PROVIDER_LABELS[provider]}</span>{' '}
              <button
                type="button"
                className="button"
                onClick={() => void preferredProviderChosen(api, modelId, null)}
                data-testid="settings-preferred-forget"
              >
                Forget
              </button>
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}

/** Every provider: available or why not, and the GPU it will use. */
function ProvidersCard() {
  const providers = useEngineStore(selectProviders);
  return (
    <Card title="Execution providers" testId="settings-providers">
      <ul className="provider-reasons">
        {providers.map((p) => (
          <li key={p.id} data-testid={`settings-provider-${p.id}`}>
            <span className="mono">{PROVIDER_LABELS[p.id]}</span>:{' '}
            {p.available
              ? (providerDeviceText(p) ?? 'available')
              : (p.reason ?? 'not available here')}
          </li>
        ))}
      </ul>
    </Card>
  );
}
