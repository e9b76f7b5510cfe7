import { useEffect } from 'react';
import type { BenchResult } from '../../../src-main/ipc/contract';
import { useApi } from '../../app/api-context';
import { ErrorNotice } from '../../app/error-notice';
import { benchHistoryRequested, useBenchStore } from '../../state/bench';
import { useModelsStore } from '../../state/models';
import { BarList } from '../../ui/bar-list';
import { Card } from '../../ui/card';
import { EmptyState } from '../../ui/empty-state';
import { formatAgo, formatMs, formatValue } from '../../ui/format';

/** How many results the chart compares; the table keeps them all. */
const CHART_ROWS = 12;

/** Benchmark history: a table of results and a chart of median latency. */
export function BenchArea() {
  const api = useApi();
  const results = useBenchStore((s) => s.results);
  const loaded = useBenchStore((s) => s.loaded);
  const loading = useBenchStore((s) => s.loading);
  const error = useBenchStore((s) => s.error);
  const loadedAt = useBenchStore((s) => s.loadedAt);
  const entries = useModelsStore((s) => s.entries);
  const nameOf = (id: string) => entries.find((e) => e.id === id)?.name ?? id.slice(0, 12);

  useEffect(() => {
    void benchHistoryRequested(api);
  }, [api]);

  return (
    <div className="area" data-testid="area-bench">
      <div className="area-head">
        <h1>Benchmarks</h1>
        <button
          type="button"
          className="button"
          disabled={loading}
          onClick={() => void benchHistoryRequested(api)}
        >
          {loading ? 'Refreshing…' : 'Refresh'}
        </button>
      </div>
      {error !== null && <ErrorNotice error={error} />}
      {loaded && results.length === 0 && error === null && (
        <EmptyState title="No benchmarks yet" testId="bench-empty">
          <p>
            Benchmark results (latency percentiles and throughput per model and provider) are kept
            here.
          </p>
        </EmptyState>
      )}
      {results.length > 0 && (
        <>
          <Card title="Median latency" subtitle="Lower is better">
            <BarList
              label="Median latency per result"
              testId="bench-chart"
              rows={results
                .flatMap((r) => (r.latencyMs ? [{ r, p50: r.latencyMs.p50 }] : []))
                .slice(0, CHART_ROWS)
                .map(({ r, p50 }) => ({
                  key: r.id,
                  label: `${nameOf(r.modelId)} · ${r.provider} · ${r.mode}`,
                  value: p50,
                  display: formatMs(p50),
                }))}
            />
          </Card>
          <Card title="Results">
            <BenchTable results={results} nameOf={nameOf} now={loadedAt ?? 0} />
          </Card>
        </>
      )}
    </div>
  );
}

function BenchTable(props: {
  results: readonly BenchResult[];
  nameOf: (id: string) => string;
  now: number;
}) {
  return (
    <table className="table" data-testid="bench-table">
      <thead>
        <tr>
          <th scope="col">Model</th>
          <th scope="col">Provider</th>
          <th scope="col">Mode</th>
          <th scope="col" className="num">
            p50
          </th>
          <th scope="col" className="num">
            p90
          </th>
          <th scope="col" className="num">
            p99
          </th>
          <th scope="col" className="num">
            Throughput
          </th>
          <th scope="col">When</th>
        </tr>
      </thead>
      <tbody>
        {props.results.map((r) => (
          <tr key={r.id}>
            <td>{props.nameOf(r.modelId)}</td>
            <td className="mono">{r.provider}</td>
            <td>{r.mode}</td>
            <td className="num mono">{r.latencyMs ? formatMs(r.latencyMs.p50) : '—'}</td>
            <td className="num mono">{r.latencyMs ? formatMs(r.latencyMs.p90) : '—'}</td>
            <td className="num mono">{r.latencyMs ? formatMs(r.latencyMs.p99) : '—'}</td>
            <td className="num mono">
              {r.throughput === null ? r.status : `${formatValue(Math.round(r.throughput))} /s`}
            </td>
            <td title={new Date(r.at).toLocaleString()}>{formatAgo(r.at, props.now)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
