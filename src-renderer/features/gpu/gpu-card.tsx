import { useMemo } from 'react';
import type { GpuInfo } from '../../../src-main/ipc/contract';
import { selectProviders, useEngineStore } from '../../state/engine';
import { Card } from '../../ui/card';
import { Chip } from '../../ui/chip';
import { formatMiB, formatPct, formatReading } from '../../ui/format';
import { Meter, type MeterMark } from '../../ui/meter';
import { PROVIDER_LABELS } from '../../../src-main/ipc/providers';
import { providersOnGpu } from '../../ui/provider-device';
import { Stat, StatGrid } from '../../ui/stat';

/** Power-limit marks that the GPU reported, for the power meter. */
function powerMarks(gpu: GpuInfo): MeterMark[] {
  const { defaultW, minW, maxW } = gpu.powerLimit;
  const marks: MeterMark[] = [];
  if (minW !== null) marks.push({ at: minW, label: `min limit ${minW.toFixed(0)} W` });
  if (defaultW !== null)
    marks.push({ at: defaultW, label: `default limit ${defaultW.toFixed(0)} W` });
  if (maxW !== null) marks.push({ at: maxW, label: `max limit ${maxW.toFixed(0)} W` });
  return marks;
}

function clock(mhz: number | null, maxMHz: number | null): string {
  if (mhz === null) return '—';
  return maxMHz === null ? `${mhz} MHz` : `${mhz} / ${maxMHz} MHz`;
}

function pcie(gpu: GpuInfo): string {
  const { gen, genMax, width, widthMax } = gpu.pcie;
  if (gen === null && width === null) return '—';
  const now = `Gen ${gen ?? '?'} x${width ?? '?'}`;
  return genMax === null && widthMax === null
    ? now
    : `${now} (max Gen ${genMax ?? '?'} x${widthMax ?? '?'})`;
}

/** One GPU: identity, precisions, VRAM and power meters, and the other readings. */
export function GpuCard(props: {
  gpu: GpuInfo;
  driverVersion: string | null;
  cudaDriverVersion: string | null;
}) {
  const { gpu } = props;
  // The providers whose EP device the main side matched to this GPU (by PCI bus id, or vendor).
  const providers = useEngineStore(selectProviders);
  const usedBy = useMemo(() => providersOnGpu(providers, gpu.index), [providers, gpu.index]);
  const limit = gpu.powerLimit.enforcedW ?? gpu.powerLimit.currentW;
  const scaleMax = gpu.powerLimit.maxW ?? limit;
  return (
    <Card
      className="gpu-card"
      testId="gpu-card"
      title={gpu.name}
      subtitle={
        <>
          {gpu.architecture ?? 'Unknown architecture'}
          {gpu.computeCapability !== null && ` · compute capability ${gpu.computeCapability}`}
          {gpu.pciBusId !== null && <span className="muted"> · {gpu.pciBusId}</span>}
          {usedBy.length > 0 && (
            <span className="muted" data-testid="gpu-used-by">
              {' '}
              · used by {usedBy.map((id) => PROVIDER_LABELS[id]).join(', ')}
            </span>
          )}
        </>
      }
      actions={
        <div className="chips">
          {gpu.precisions.map((p) => (
            <Chip key={p} tone={p.startsWith('FP8') || p.startsWith('FP4') ? 'accent' : 'neutral'}>
              {p}
            </Chip>
          ))}
        </div>
      }
    >
      <div className="meters">
        <div className="meter-block">
          <div className="meter-head">
            <span>VRAM</span>
            <span className="mono">
              {formatMiB(gpu.memoryUsedMiB)} / {formatMiB(gpu.memoryTotalMiB)}
            </span>
          </div>
          <Meter
            label="VRAM used"
            value={gpu.memoryUsedMiB}
            max={gpu.memoryTotalMiB}
            testId="gpu-vram"
          />
        </div>
        <div className="meter-block">
          <div className="meter-head">
            <span>Power</span>
            <span className="mono">
              {formatReading(gpu.powerDrawW, 'W', 1)} / {formatReading(limit, 'W')} limit
            </span>
          </div>
          <Meter
            label="Power draw"
            value={gpu.powerDrawW}
            max={scaleMax}
            warnAbove={limit}
            marks={powerMarks(gpu)}
            testId="gpu-power"
          />
          <div className="meter-legend muted">
            default {formatReading(gpu.powerLimit.defaultW, 'W')} · min{' '}
            {formatReading(gpu.powerLimit.minW, 'W')} · max{' '}
            {formatReading(gpu.powerLimit.maxW, 'W')}
            <span title="Changing the power limit needs administrator rights; Crucible never changes it for you.">
              {' '}
              · read-only
            </span>
          </div>
          {gpu.powerAdvice && (
            <div className="power-advice muted" data-testid="gpu-power-advice">
              <p>{gpu.powerAdvice.summary}.</p>
              {gpu.powerAdvice.enforcedNote && <p>{gpu.powerAdvice.enforcedNote}</p>}
              <p>{gpu.powerAdvice.tradeoff}</p>
              {gpu.powerAdvice.restoreDefault && (
                <p>
                  Back to the default limit: <code>{gpu.powerAdvice.restoreDefault.command}</code>.{' '}
                  {gpu.powerAdvice.restoreDefault.note}
                </p>
              )}
            </div>
          )}
        </div>
      </div>
      <StatGrid>
        <Stat label="Driver">{props.driverVersion ?? '—'}</Stat>
        <Stat label="CUDA (driver)">{props.cudaDriverVersion ?? '—'}</Stat>
        <Stat label="Temperature">{formatReading(gpu.temperatureC, '°C')}</Stat>
        <Stat label="Fan" hint="percent of its maximum; — for passively cooled cards">
          {formatPct(gpu.fanPct)}
        </Stat>
        <Stat label="SM clock">{clock(gpu.clocks.smMHz, gpu.clocks.smMaxMHz)}</Stat>
        <Stat label="Memory clock">{clock(gpu.clocks.memMHz, gpu.clocks.memMaxMHz)}</Stat>
        <Stat label="Utilisation" hint="GPU / memory controller">
          {formatPct(gpu.utilizationGpuPct)} / {formatPct(gpu.utilizationMemPct)}
        </Stat>
        <Stat label="PCIe">{pcie(gpu)}</Stat>
        <Stat label="Performance state">{gpu.pstate ?? '—'}</Stat>
      </StatGrid>
      <div className="throttle">
        <span className="stat-label">Throttle reasons</span>{' '}
        {gpu.throttleReasons.length === 0 ? (
          <span className="muted">none</span>
        ) : (
          gpu.throttleReasons.map((r) => (
            <Chip key={r} tone={r.toLowerCase().includes('idle') ? 'neutral' : 'warn'}>
              {r}
            </Chip>
          ))
        )}
      </div>
    </Card>
  );
}
