import { useEffect, useMemo, useState } from 'react';
import type {
  BenchComparison,
  BenchResult,
  BenchVerdict,
  ProviderId,
} from '../../../src-main/ipc/contract';
import { useApi } from '../../common/api-context';
import { downloadFile } from '../../common/download';
import { ErrorNotice } from '../../common/error-notice';
import { FedRecord, InputsEditor, quoteArg } from '../../common/inputs-editor';
import {
  benchCancelRequested,
  benchCompareToggled,
  benchExportRequested,
  benchFormChanged,
  benchFormProblem,
  benchInputsChanged,
  benchModelChosen,
  benchHistoryRequested,
  benchProgressFraction,
  benchProgressReceived,
  benchRunRequested,
  useBenchStore,
  type BenchForm,
  type BenchMode,
} from '../../state/bench';
import { selectProviders, useEngineStore } from '../../state/engine';
import { useModelsStore } from '../../state/models';
import {
  inputOfError,
  inputsCheckCleared,
  inputsCheckOfForm,
  sourceKindOf,
  useInputsStore,
} from '../../state/inputs';
import { bestProvider, runnableModels } from '../../state/run';
import { BarList } from '../../ui/bar-list';
import { Card } from '../../ui/card';
import { Chip, type Tone } from '../../ui/chip';
import { modelChoices, providerChoices } from '../../ui/choices';
import { EmptyState } from '../../ui/empty-state';
import { NumberField, SelectField } from '../../ui/field';
import { formatAgo, formatMs, formatValue } from '../../ui/format';
import { LineChart } from '../../ui/line-chart';
import { Meter } from '../../ui/meter';
import { latencyHistogram, modeComparison, p50History, providerComparison } from './bench-charts';
import { providerBenchModes, providerLabel } from '../../../src-main/ipc/providers';

const MODES: { value: BenchMode; label: string }[] = [
  { value: 'plain', label: 'Plain run' },
  { value: 'iobinding', label: 'IO binding' },
  { value: 'graph', label: 'CUDA graph / graph capture' },
];

const MEASURES: { value: BenchForm['by']; label: string }[] = [
  { value: 'iterations', label: 'A count of iterations' },
  { value: 'duration', label: 'A duration' },
];

/** A number typed in a field, or NaN while it is empty or not a number. */
function parseNumber(text: string): number {
  return text.trim() === '' ? Number.NaN : Number(text);
}

/**
 * The Benchmarks area: a run form, the run's progress, the results table, and charts (latency
 * distribution of the chosen result, provider-vs-provider and mode-vs-mode bars, p50 history of
 * its configuration); the history exports as CSV or JSON.
 */
export function BenchArea() {
  const api = useApi();
  const results = useBenchStore((s) => s.results);
  const loaded = useBenchStore((s) => s.loaded);
  const loading = useBenchStore((s) => s.loading);
  const error = useBenchStore((s) => s.error);
  const exportError = useBenchStore((s) => s.exportError);
  const loadedAt = useBenchStore((s) => s.loadedAt);
  const lastId = useBenchStore((s) => s.lastId);
  const entries = useModelsStore((s) => s.entries);
  const [chosenId, setChosenId] = useState<string | null>(null);
  const nameOf = (r: BenchResult) =>
    entries.find((e) => e.id === r.modelId)?.name ?? r.modelName ?? r.modelId.slice(0, 12);

  useEffect(() => {
    void benchHistoryRequested(api);
    return api.on('bench:progress', benchProgressReceived);
  }, [api]);

  const chosen =
    results.find((r) => r.id === chosenId) ??
    results.find((r) => r.id === lastId) ??
    results[0] ??
    null;

  return (
    <div className="area" data-testid="area-bench">
      <div className="area-head">
        <h1>Benchmarks</h1>
        <div className="card-actions">
          <button
            type="button"
            className="button"
            disabled={results.length === 0}
            data-testid="bench-export-csv"
            onClick={() =>
              void benchExportRequested(api, 'csv').then(
                (f) => f && downloadFile(f.fileName, f.content, f.mime),
              )
            }
          >
            Export CSV
          </button>
          <button
            type="button"
            className="button"
            disabled={results.length === 0}
            data-testid="bench-export-json"
            onClick={() =>
              void benchExportRequested(api, 'json').then(
                (f) => f && downloadFile(f.fileName, f.content, f.mime),
              )
            }
          >
            Export JSON
          </button>
          <button
            type="button"
            className="button"
            disabled={loading}
            onClick={() => void benchHistoryRequested(api)}
          >
            {loading ? 'Refreshing…' : 'Refresh'}
          </button>
        </div>
      </div>
      {error !== null && <ErrorNotice error={error} />}
      {exportError !== null && <ErrorNotice error={exportError} />}
      <BenchRunForm />
      {loaded && results.length === 0 && error === null && (
        <EmptyState title="No benchmarks yet" testId="bench-empty">
          <p>
            Run one above: latency percentiles, throughput, session creation and first inference per
            model, provider and mode are kept here.
          </p>
        </EmptyState>
      )}
      <BenchCompareCard results={results} nameOf={nameOf} />
      {chosen !== null && <BenchCharts results={results} chosen={chosen} nameOf={nameOf} />}
      {results.length > 0 && (
        <Card
          title="Results"
          subtitle="Newest first; choose a row to chart it, tick two to compare them"
        >
          <BenchTable
            results={results}
            nameOf={nameOf}
            now={loadedAt ?? 0}
            chosenId={chosen?.id ?? null}
            onChoose={setChosenId}
          />
        </Card>
      )}
    </div>
  );
}

function BenchRunForm() {
  const api = useApi();
  const form = useBenchStore((s) => s.form);
  const running = useBenchStore((s) => s.running);
  const progress = useBenchStore((s) => s.progress);
  const runError = useBenchStore((s) => s.runError);
  const check = useInputsStore((s) => s.bench);
  const entries = useModelsStore((s) => s.entries);
  const providers = useEngineStore(selectProviders);
  const models = useMemo(() => runnableModels(entries), [entries]);
  const model = models.find((m) => m.id === form.modelId);
  const names = (model?.inspection?.inputs ?? []).map((i) => i.name);
  // The run's error, else the check's, beside the input it names; the rest below the form.
  const runErrorInput = inputOfError(runError, form.inputs, names);
  const checkErrorInput = inputOfError(check.error, form.inputs, names);
  const placed = runErrorInput !== null ? runError : checkErrorInput !== null ? check.error : null;

  // Sensible choices once the lists are known; replace choices that went away.
  useEffect(() => {
    if (!models.some((m) => m.id === form.modelId) && models[0]) {
      benchModelChosen(models[0]);
    }
    if (!providers.some((p) => p.id === form.provider && p.available)) {
      const best = bestProvider(providers);
      if (best !== null) benchFormChanged({ provider: best });
    }
  }, [models, providers, form.modelId, form.provider]);

  const problem = benchFormProblem(form);
  // Only the modes the chosen provider can do: graph mode is never offered for CPU.
  const provider = form.provider;
  const modes =
    provider === null ? MODES : MODES.filter((m) => providerBenchModes(provider).includes(m.value));
  return (
    <Card title="Run a benchmark">
      <form
        className="form"
        onSubmit={(e) => {
          e.preventDefault();
          void benchRunRequested(api);
        }}
      >
        <div className="field-row">
          <SelectField
            label="Model"
            value={form.modelId}
            options={modelChoices(models)}
            onChange={(id) => {
              benchModelChosen(models.find((m) => m.id === id) ?? null);
              inputsCheckCleared('bench');
            }}
            placeholder="Choose a model"
            testId="bench-model"
          />
          <SelectField
            label="Execution provider"
            value={form.provider}
            options={providerChoices(providers)}
            onChange={(id) => benchFormChanged({ provider: id as ProviderId })}
            placeholder="Choose a provider"
            testId="bench-provider"
          />
          <SelectField
            label="Mode"
            value={form.mode}
            options={modes}
            onChange={(mode) => benchFormChanged({ mode: mode as BenchMode })}
            testId="bench-mode"
          />
        </div>
        <div className="field-row">
          <SelectField
            label="Measure"
            value={form.by}
            options={MEASURES}
            onChange={(by) => benchFormChanged({ by: by as BenchForm['by'] })}
            testId="bench-by"
          />
          {form.by === 'iterations' ? (
            <NumberField
              label="Iterations"
              min={1}
              step={1}
              value={form.iterations}
              parse={parseNumber}
              onChange={(iterations) => benchFormChanged({ iterations })}
              testId="bench-iterations"
            />
          ) : (
            <NumberField
              label="Seconds"
              min={0.1}
              step={0.1}
              value={form.durationS}
              parse={parseNumber}
              onChange={(durationS) => benchFormChanged({ durationS })}
              testId="bench-duration"
            />
          )}
          <NumberField
            label="Warm-up runs"
            min={0}
            step={1}
            value={form.warmup}
            parse={parseNumber}
            onChange={(warmup) => benchFormChanged({ warmup })}
            testId="bench-warmup"
          />
          <label className="field">
            <span>
              <input
                type="checkbox"
                checked={form.profile}
                onChange={(e) => benchFormChanged({ profile: e.target.checked })}
                data-testid="bench-profile"
              />{' '}
              Profile operators afterwards (ORT profiling)
            </span>
          </label>
        </div>
        {model?.inspection && (
          <InputsEditor
            testId="bench-inputs"
            model={model}
            form={form.inputs}
            kindOf={(input) => sourceKindOf(form.inputs, input)}
            onChange={(patch) => {
              benchInputsChanged(patch);
              inputsCheckCleared('bench');
            }}
            command="bench"
            dimsWhenEmpty="from the inputs, else 1 for a batch and 128 for the others"
            pathForFile={api.pathForFile}
            error={placed}
            errorInput={runErrorInput ?? checkErrorInput}
            check={check}
            onCheck={() => inputsCheckOfForm(api, 'bench', model.id, form.inputs)}
          />
        )}
        <div className="field-row">
          <button
            type="submit"
            className="button button-primary"
            disabled={running || problem !== null}
            title={problem ?? undefined}
            data-testid="bench-run"
          >
            {running ? 'Benchmarking…' : 'Run benchmark'}
          </button>
          {running && (
            <button
              type="button"
              className="button"
              onClick={() => void benchCancelRequested(api)}
              data-testid="bench-cancel"
            >
              Cancel
            </button>
          )}
        </div>
        {running && (
          <div className="bench-progress" data-testid="bench-progress">
            <span className="muted" data-testid="bench-progress-text">
              {progress === null
                ? 'Opening the session…'
                : progress.phase === 'session'
                  ? 'Opening the session…'
                  : `${progress.phase === 'warmup' ? 'Warm-up' : 'Timed iterations'}: ${progress.done.toLocaleString('en-US')}${progress.total === null ? '' : ` of ${progress.total.toLocaleString('en-US')}`}`}
            </span>
            {benchProgressFraction(progress) !== null && (
              <Meter
                label="Benchmark progress"
                value={benchProgressFraction(progress)}
                max={1}
                testId="bench-progress-bar"
              />
            )}
          </div>
        )}
      </form>
      {runError !== null && runErrorInput === null && (
        <ErrorNotice error={runError} testId="bench-run-error" />
      )}
    </Card>
  );
}

function BenchCharts(props: {
  results: readonly BenchResult[];
  chosen: BenchResult;
  nameOf: (r: BenchResult) => string;
}) {
  const { results, chosen, nameOf } = props;
  const path = useModelsStore((s) => s.entries.find((e) => e.id === chosen.modelId)?.path);
  const bins = latencyHistogram(chosen.samplesMs, 16);
  const providers = providerComparison(results, chosen.modelId, chosen.mode);
  const modes = modeComparison(results, chosen.modelId, chosen.provider);
  const history = p50History(results, chosen);
  const config = `${nameOf(chosen)} · ${providerLabel(chosen.provider)} · ${chosen.mode}`;
  return (
    <div className="two-columns" data-testid="bench-charts">
      <Card
        title="Latency distribution"
        subtitle={`${config}: ${chosen.samplesMs.length} of ${chosen.iterations} iterations`}
      >
        {chosen.status !== 'ok' && chosen.error !== null && (
          <ErrorNotice error={chosen.error} testId="bench-result-error" />
        )}
        <VerdictDetail r={chosen} />
        {chosen.inputs && (
          <FedRecord
            fed={chosen.inputs}
            testId="bench-fed"
            title="Inputs fed"
            command={path === undefined ? undefined : `crucible bench ${quoteArg(path)}`}
          />
        )}
        {bins.length === 0 ? (
          <p className="muted">No samples.</p>
        ) : (
          <BarList
            label="Iterations per latency bin"
            testId="bench-distribution"
            rows={bins.map((b, i) => ({
              key: String(i),
              label: b.overflow
                ? `> ${formatMs(b.from)} (to ${formatMs(b.to)})`
                : `${formatMs(b.from)} – ${formatMs(b.to)}`,
              value: b.count,
              display: formatValue(b.count),
            }))}
          />
        )}
      </Card>
      <Card title="Provider vs provider" subtitle={`${nameOf(chosen)} · ${chosen.mode} · p50`}>
        <BarList
          label="Median latency per provider"
          testId="bench-providers"
          rows={providers.map((r) => ({
            key: r.id,
            label: providerLabel(r.provider),
            value: r.latencyMs?.p50 ?? 0,
            display: formatMs(r.latencyMs?.p50),
          }))}
        />
      </Card>
      <Card
        title="Mode vs mode"
        subtitle={`${nameOf(chosen)} · ${providerLabel(chosen.provider)} · p50`}
      >
        <BarList
          label="Median latency per mode"
          testId="bench-modes"
          rows={modes.map((r) => ({
            key: r.id,
            label: r.mode,
            value: r.latencyMs?.p50 ?? 0,
            display: formatMs(r.latencyMs?.p50),
          }))}
        />
      </Card>
      {chosen.profile && <ProfileCard r={chosen} config={config} />}
      <Card title="History" subtitle={`${config}: p50 of each run, oldest left`}>
        <LineChart
          title="p50"
          values={history}
          capacity={Math.max(2, history.length)}
          format={(v) => formatMs(v)}
          testId="bench-history-chart"
        />
      </Card>
    </div>
  );
}

function BenchTable(props: {
  results: readonly BenchResult[];
  nameOf: (r: BenchResult) => string;
  now: number;
  chosenId: string | null;
  onChoose: (id: string) => void;
}) {
  const api = useApi();
  const compareIds = useBenchStore((s) => s.compareIds);
  return (
    <table className="table" data-testid="bench-table">
      <thead>
        <tr>
          <th scope="col">Compare</th>
          <th scope="col">Model</th>
          <th scope="col">Provider</th>
          <th scope="col">Mode</th>
          <th scope="col">Status</th>
          <th scope="col">Verdict</th>
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
          <th scope="col" className="num">
            Session cold / warm
          </th>
          <th scope="col" className="num">
            First run
          </th>
          <th scope="col" className="num">
            Power
          </th>
          <th scope="col" className="num">
            Energy / inference
          </th>
          <th scope="col">When</th>
        </tr>
      </thead>
      <tbody>
        {props.results.map((r) => (
          <tr
            key={r.id}
            aria-selected={r.id === props.chosenId}
            onClick={() => props.onChoose(r.id)}
          >
            <td onClick={(e) => e.stopPropagation()}>
              <input
                type="checkbox"
                aria-label={`Compare ${props.nameOf(r)} · ${providerLabel(r.provider)} · ${r.mode}`}
                checked={compareIds.includes(r.id)}
                disabled={r.samplesMs.length === 0}
                onChange={() => void benchCompareToggled(api, r.id)}
                data-testid="bench-compare-pick"
              />
              {compareIds.indexOf(r.id) >= 0 && (
                <span className="muted"> {compareIds.indexOf(r.id) === 0 ? 'A' : 'B'}</span>
              )}
            </td>
            <td>{props.nameOf(r)}</td>
            <td className="mono" data-testid="bench-row-provider" title={r.entryId ?? undefined}>
              {providerLabel(r.provider)}
              {r.variant === 'compiled' ? ' · compiled' : ''}
            </td>
            <td>{r.mode}</td>
            <td title={r.error?.message}>{r.status}</td>
            <td>
              <VerdictChip verdict={r.verdict} />
            </td>
            <td className="num mono">{formatMs(r.latencyMs?.p50)}</td>
            <td className="num mono">{formatMs(r.latencyMs?.p90)}</td>
            <td className="num mono">{formatMs(r.latencyMs?.p99)}</td>
            <td className="num mono">
              {r.throughput === null ? '—' : `${formatValue(Math.round(r.throughput))} /s`}
            </td>
            <td className="num mono">
              {formatMs(r.sessionCreateMs.cold)} / {formatMs(r.sessionCreateMs.warm)}
            </td>
            <td className="num mono">{formatMs(r.firstInferenceMs)}</td>
            <td
              className="num mono"
              title={
                r.power
                  ? `${r.power.inferencesPerJoule.toFixed(2)} inferences per joule`
                  : undefined
              }
            >
              {r.power ? `${r.power.avgW.toFixed(0)} W` : '—'}
            </td>
            <td className="num mono" title={r.energy?.note}>
              {r.energy?.joulesPerInference != null
                ? `${(r.energy.joulesPerInference * 1000).toFixed(3)} mJ`
                : r.energy && r.provider === 'cpu'
                  ? 'not attributed'
                  : '—'}
            </td>
            <td title={new Date(r.at).toLocaleString()}>{formatAgo(r.at, props.now)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

const VERDICT_TONES: Record<BenchVerdict['state'], Tone> = {
  valid: 'ok',
  noisy: 'warn',
  throttled: 'bad',
};

/** valid / noisy / throttled, with the reasons on hover; '—' for results older than verdicts. */
function VerdictChip(props: { verdict: BenchVerdict | undefined | null }) {
  const v = props.verdict;
  if (!v) return <span className="muted">—</span>;
  return (
    <Chip
      tone={VERDICT_TONES[v.state]}
      title={v.reasons.join('\n') || 'valid'}
      testId="bench-verdict-chip"
    >
      {v.state}
    </Chip>
  );
}

/** The chosen result's verdict with every reason, and what the machine was doing. */
function VerdictDetail(props: { r: BenchResult }) {
  const { r } = props;
  if (!r.verdict) return null;
  const gpu = r.conditions?.gpu;
  const host = r.conditions?.host;
  return (
    <div className="form" data-testid="bench-verdict">
      <p>
        <VerdictChip verdict={r.verdict} />{' '}
        {r.verdict.reasons.length === 0
          ? `enough iterations for ${r.verdict.percentile}, spread within bounds, nothing else running`
          : null}
      </p>
      {r.verdict.reasons.length > 0 && (
        <ul>
          {r.verdict.reasons.map((reason) => (
            <li key={reason}>{reason}</li>
          ))}
        </ul>
      )}
      {gpu && (
        <p className="muted">
          GPU {gpu.index} ({gpu.name}): {gpu.before?.temperatureC ?? '?'} →{' '}
          {gpu.after?.temperatureC ?? '?'} °C, {gpu.before?.powerDrawW?.toFixed(0) ?? '?'} →{' '}
          {gpu.after?.powerDrawW?.toFixed(0) ?? '?'} W, SM clock{' '}
          {gpu.smMHz ? `${gpu.smMHz.min}–${gpu.smMHz.max} MHz` : '—'}, clock-event reasons{' '}
          {gpu.throttleReasons.join(', ') || 'none'}
        </p>
      )}
      {host && host.otherCores !== null && (
        <p className="muted">
          Other processes kept {host.otherCores.toFixed(2)} of {host.cores} cores busy while
          measuring
        </p>
      )}
      {r.energy && <p className="muted">Energy: {r.energy.note}</p>}
      {r.tflops && (
        <p className="muted" title={r.tflops.peakSource} data-testid="bench-tflops">
          Achieved {r.tflops.achieved.toPrecision(3)} TFLOP/s
          {r.tflops.peak !== null
            ? ` of ${r.tflops.peak} (${((r.tflops.achieved / r.tflops.peak) * 100).toFixed(2)}%, ${r.tflops.peakWhat ?? ''})`
            : ` (${r.tflops.peakWhat ?? 'no peak'})`}
        </p>
      )}
      {r.sessionCreateMs.writeOptimized != null && (
        <p className="muted">
          Writing ORT&apos;s optimized model took {formatMs(r.sessionCreateMs.writeOptimized)} (not
          in the cold creation)
        </p>
      )}
      {r.split && (
        <p data-testid="bench-split">
          H2D {formatMs(r.split.h2dMs)} · compute {formatMs(r.split.computeMs)} · D2H{' '}
          {formatMs(r.split.d2hMs)} (medians of {r.split.runs})
        </p>
      )}
    </div>
  );
}

/** Top operators by time (ORT profiling) of the chosen result, as bars. */
function ProfileCard(props: { r: BenchResult; config: string }) {
  const p = props.r.profile;
  if (!p) return null;
  return (
    <Card
      title="Where the time goes"
      subtitle={`${props.config}: operators ${formatMs(p.opsMs)} of ORT's run ${formatMs(p.ortRunMs)} (mean of ${p.runs} profiled runs)`}
    >
      <BarList
        label="Time per operator per run"
        testId="bench-profile-chart"
        rows={p.ops.map((o) => ({
          key: o.name,
          label: `${o.name} · ${o.opType} · ${providerLabel(o.provider)}`,
          value: o.ms,
          display: formatMs(o.ms),
        }))}
      />
      <p className="muted">
        By provider:{' '}
        {p.byProvider.map((b) => `${providerLabel(b.provider)} ${formatMs(b.ms)}`).join(', ')}
      </p>
    </Card>
  );
}

/** Two ticked results: B − A with its 95% bootstrap interval, or "within noise". */
function BenchCompareCard(props: {
  results: readonly BenchResult[];
  nameOf: (r: BenchResult) => string;
}) {
  const compareIds = useBenchStore((s) => s.compareIds);
  const comparison = useBenchStore((s) => s.comparison);
  const compareError = useBenchStore((s) => s.compareError);
  if (compareIds.length === 0) return null;
  const label = (id: string | undefined) => {
    const r = props.results.find((x) => x.id === id);
    return r ? `${props.nameOf(r)} · ${providerLabel(r.provider)} · ${r.mode}` : '?';
  };
  return (
    <Card
      title="Compare"
      subtitle={`A: ${label(compareIds[0])}${compareIds.length === 2 ? ` — B: ${label(compareIds[1])}` : ' — tick a second result'}`}
      testId="bench-compare"
    >
      {compareError !== null && <ErrorNotice error={compareError} />}
      {comparison !== null && <ComparisonView c={comparison} />}
    </Card>
  );
}

function ComparisonView(props: { c: BenchComparison }) {
  const { c } = props;
  const sign = (v: number) => (v > 0 ? '+' : '');
  return (
    <div className="form" data-testid="bench-compare-result">
      <BarList
        label="Median latency"
        rows={[
          {
            key: 'a',
            label: `A (${c.a.samples} samples)`,
            value: c.a.p50Ms,
            display: formatMs(c.a.p50Ms),
          },
          {
            key: 'b',
            label: `B (${c.b.samples} samples)`,
            value: c.b.p50Ms,
            display: formatMs(c.b.p50Ms),
          },
        ]}
      />
      <p data-testid="bench-compare-diff">
        B − A: {sign(c.diffMs)}
        {formatMs(c.diffMs)} ({sign(c.diffRel)}
        {(c.diffRel * 100).toFixed(1)}%)
        {c.ci95Ms && (
          <>
            , 95% interval {formatMs(c.ci95Ms[0])} to {formatMs(c.ci95Ms[1])} (bootstrap of medians,{' '}
            {c.resamples} resamples)
          </>
        )}
      </p>
      <p>
        <Chip
          tone={c.ci95Ms === null ? 'neutral' : c.withinNoise ? 'neutral' : 'accent'}
          testId="bench-compare-noise"
        >
          {c.ci95Ms === null
            ? 'too few samples'
            : c.withinNoise
              ? 'within noise'
              : c.diffMs < 0
                ? 'B faster beyond noise'
                : 'B slower beyond noise'}
        </Chip>
      </p>
      {c.notes.length > 0 && (
        <ul className="muted">
          {c.notes.map((n) => (
            <li key={n}>{n}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
