import { useEffect } from 'react';
import { useApi } from '../../common/api-context';
import { ErrorNotice } from '../../common/error-notice';
import { GPU_WATCH_HZ, gpuAreaClosed, gpuAreaOpened, gpuKey, useGpuStore } from '../../state/gpu';
import { Chip } from '../../ui/chip';
import { GpuCard } from './gpu-card';
import { GpuCharts } from './gpu-charts';
import { NoGpuCard } from './no-gpu-card';

const SOURCE_WORDS = { nvml: 'NVML', 'nvidia-smi': 'nvidia-smi', none: 'none' } as const;

/** The GPU area: one card per GPU with live charts; sampling runs only while it is open. */
export function GpuArea() {
  const api = useApi();
  const snapshot = useGpuStore((s) => s.snapshot);
  const history = useGpuStore((s) => s.history);
  const watching = useGpuStore((s) => s.watching);
  const error = useGpuStore((s) => s.error);

  useEffect(() => {
    void gpuAreaOpened(api);
    return () => void gpuAreaClosed(api);
  }, [api]);

  return (
    <div className="area" data-testid="area-gpu">
      <div className="area-head">
        <h1>GPU</h1>
        {snapshot !== null && snapshot.source !== 'none' && (
          <span className="area-meta">
            <span className="muted">via {SOURCE_WORDS[snapshot.source]}</span>
            <Chip tone={watching ? 'ok' : 'neutral'} testId="gpu-live">
              {watching ? `live · ${GPU_WATCH_HZ} Hz` : 'paused'}
            </Chip>
          </span>
        )}
      </div>
      {error !== null && <ErrorNotice error={error} />}
      {snapshot === null && error === null && <p className="muted">Reading the GPU…</p>}
      {snapshot !== null && (snapshot.source === 'none' || snapshot.gpus.length === 0) && (
        <NoGpuCard reason={snapshot.reason} />
      )}
      {snapshot !== null &&
        snapshot.source !== 'none' &&
        snapshot.gpus.map((gpu) => (
          <div key={gpuKey(gpu)} className="gpu-block">
            <GpuCard
              gpu={gpu}
              driverVersion={snapshot.driverVersion}
              cudaDriverVersion={snapshot.cudaDriverVersion}
            />
            <GpuCharts gpu={gpu} samples={history[gpuKey(gpu)] ?? []} />
          </div>
        ))}
    </div>
  );
}
