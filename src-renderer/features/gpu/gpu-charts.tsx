import type { GpuInfo } from '../../../src-main/ipc/contract';
import { GPU_HISTORY, type GpuSample } from '../../state/gpu';
import { formatMiB, formatPct, formatReading } from '../../ui/format';
import { LineChart } from '../../ui/line-chart';

/** The live charts of one GPU over its last readings. */
export function GpuCharts(props: { gpu: GpuInfo; samples: readonly GpuSample[] }) {
  const { gpu, samples } = props;
  const limit = samples[samples.length - 1]?.powerLimitW ?? null;
  return (
    <div className="chart-grid" data-testid="gpu-charts">
      <LineChart
        title="Power"
        values={samples.map((s) => s.powerW)}
        capacity={GPU_HISTORY}
        format={(v) => formatReading(v, 'W')}
        limit={limit}
        limitLabel={limit === null ? undefined : `limit ${limit.toFixed(0)} W`}
        testId="chart-power"
      />
      <LineChart
        title="Utilisation"
        values={samples.map((s) => s.utilPct)}
        capacity={GPU_HISTORY}
        format={formatPct}
        fixedMax={100}
        testId="chart-util"
      />
      <LineChart
        title="VRAM"
        values={samples.map((s) => s.memUsedMiB)}
        capacity={GPU_HISTORY}
        format={formatMiB}
        fixedMax={gpu.memoryTotalMiB ?? undefined}
        testId="chart-vram"
      />
      <LineChart
        title="Temperature"
        values={samples.map((s) => s.tempC)}
        capacity={GPU_HISTORY}
        format={(v) => formatReading(v, '°C')}
        fixedMax={100}
        testId="chart-temp"
      />
      <LineChart
        title="SM clock"
        values={samples.map((s) => s.smMHz)}
        capacity={GPU_HISTORY}
        format={(v) => formatReading(v, 'MHz')}
        fixedMax={gpu.clocks.smMaxMHz ?? undefined}
        testId="chart-sm-clock"
      />
    </div>
  );
}
