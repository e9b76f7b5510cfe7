import { useEffect, useState } from 'react';
import type {
  ModelEntry,
  ModelVariant,
  PrecisionSummary,
  ProviderId,
  TradeTable,
} from '../../../src-main/ipc/contract';
import { PROVIDER_LABELS } from '../../../src-main/ipc/providers';
import type { AppErrorData } from '../../../src-main/shared/errors';
import { useApi } from '../../common/api-context';
import { ErrorNotice } from '../../common/error-notice';
import { useEngineStore } from '../../state/engine';
import { gpuSampleReceived, useGpuStore } from '../../state/gpu';
import { BarList } from '../../ui/bar-list';
import { Chip } from '../../ui/chip';
import { formatBytes, formatFlops } from '../../ui/format';

/** The ops a dynamic int8 variant quantizes by default (engine/model/int8.ts; Conv on request). */
const INT8_OPS = new Set(['MatMul', 'Gemm']);

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

const PCT = (part: number, whole: number) =>
  whole > 0 ? `${Math.round((100 * part) / whole)}%` : '—';

/** Weights and compute by precision, as two small bar charts. */
function PrecisionCharts({ p }: { p: PrecisionSummary }) {
  const weightBytes = p.weights.reduce((s, w) => s + w.bytes, 0);
  const flops = p.compute.reduce((s, c) => s + c.flops, 0);
  const nodes = p.compute.reduce((s, c) => s + c.nodes, 0);
  return (
    <div className="two-columns">
      <section>
        <h4 className="section-title">Weights by type</h4>
        <BarList
          label="Weights by stored type"
          testId="precision-weights"
          rows={p.weights.map((w) => ({
            key: w.dtype,
            label: w.dtype,
            value: w.bytes,
            display: PCT(w.bytes, weightBytes),
            title: `${formatBytes(w.bytes)}, ${w.count} values`,
          }))}
        />
      </section>
      <section>
        <h4 className="section-title">Compute by precision</h4>
        <BarList
          label="Compute by precision"
          testId="precision-compute"
          rows={p.compute.map((c) => ({
            key: c.precision,
            label: c.precision,
            value: flops > 0 ? c.flops : c.nodes,
            display: flops > 0 ? PCT(c.flops, flops) : `${PCT(c.nodes, nodes)} of nodes`,
            title: `${flops > 0 ? `${formatFlops(c.flops)}, ` : ''}${c.nodes} nodes: ${p.ops
              .filter((o) => o.precision === c.precision)
              .map((o) => `${o.op} ×${o.count}`)
              .join(', ')}`,
          }))}
        />
      </section>
    </div>
  );
}

/** What the GPUs here run fast, from the architecture table; or why there is no GPU. */
function GpuSupport() {
  const api = useApi();
  const snapshot = useGpuStore((s) => s.snapshot);
  useEffect(() => {
    if (snapshot !== null) return;
    void api.invoke('gpu:snapshot', {}).then((r) => {
      if (r.ok) gpuSampleReceived(r.value);
    });
  }, [api, snapshot]);
  if (snapshot === null) return <p className="muted">Reading the GPU…</p>;
  if (snapshot.gpus.length === 0) {
    return (
      <p className="note" data-testid="precision-gpu">
        {snapshot.reason ?? 'No NVIDIA GPU here.'} A float16 variant is for a GPU; on the CPU it is
        usually no faster (measure the trade to see).
      </p>
    );
  }
  return (
    <ul className="plain-list" data-testid="precision-gpu">
      {snapshot.gpus.map((g) => (
        <li key={g.uuid ?? g.index}>
          {g.name}: Tensor Cores run{' '}
          {g.precisions.length > 0 ? g.precisions.join(', ') : 'no precision the table knows'}
        </li>
      ))}
    </ul>
  );
}

const ms = (v: number | null) => (v === null ? '—' : `${v < 1 ? v.toFixed(3) : v.toFixed(2)} ms`);

/** The measured trade: precision × provider → error, latency, energy, verdict. */
export function TradeTableView({ table }: { table: TradeTable }) {
  return (
    <table className="table table-compact trade-table" data-testid="trade-table">
      <caption>
        Original against variant, {table.sets} seeded input set{table.sets === 1 ? '' : 's'},
        measured {new Date(table.measuredAt).toLocaleString()}
      </caption>
      <thead>
        <tr>
          <th scope="col">Provider</th>
          <th scope="col">Precision</th>
          <th scope="col">p50</th>
          <th scope="col">J / inference</th>
          <th scope="col">Max abs error</th>
          <th scope="col">Cosine</th>
          <th scope="col">Top-1</th>
          <th scope="col">Verdict</th>
        </tr>
      </thead>
      <tbody>
        {table.rows.map((r) => (
          <tr key={`${r.provider}-${r.precision}`}>
            <td>{PROVIDER_LABELS[r.provider] ?? r.provider}</td>
            <td>{r.precision}</td>
            <td className="mono">{ms(r.p50Ms)}</td>
            <td className="mono">
              {r.joulesPerInference === null ? '—' : r.joulesPerInference.toPrecision(3)}
            </td>
            <td className="mono">{r.error ? r.error.maxAbs.toExponential(2) : '—'}</td>
            <td className="mono">{r.error ? r.error.cosine.toFixed(5) : '—'}</td>
            <td className="mono">
              {r.error?.topk ? `${r.error.topk.top1}/${r.error.topk.rows}` : '—'}
            </td>
            <td>{r.problem ?? r.verdict}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

type VariantOf<K extends ModelVariant['kind']> = Extract<ModelVariant, { kind: K }>;

/** What the float16 converter did: nodes and tensors converted, ops kept float32, clamping. */
function Fp16ReportView({ model, variant }: { model: ModelEntry; variant: VariantOf<'fp16'> }) {
  const r = variant.report;
  return (
    <>
      <p className="note">
        {formatBytes(variant.inspection?.sizeBytes ?? 0)} (the original:{' '}
        {formatBytes(model.inspection?.sizeBytes ?? 0)}); {r.convertedNodes} nodes and{' '}
        {r.tensorsConverted} tensors converted, {r.castsInserted} Casts added; inputs and outputs{' '}
        {variant.options.keepIoTypes ? 'stay float32' : 'are float16'}. It is in the Run, Compile
        and Benchmark lists as “{model.name} · {variant.kind}”.
      </p>
      {r.blocked.length > 0 && (
        <ul className="plain-list" data-testid="precision-blocked">
          {r.blocked.map((b) => (
            <li key={b.op}>
              <span className="mono">{b.op}</span> ×{b.count} stays float32: {b.reason}
            </li>
          ))}
        </ul>
      )}
      {r.clamped.length > 0 && (
        <ul className="plain-list" data-testid="precision-clamped">
          {r.clamped.map((c) => (
            <li key={c.tensor}>
              <span className="mono">{c.tensor}</span>: {c.overflow} value(s) beyond ±65504 and{' '}
              {c.underflow} below 2⁻²⁴ clamped
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

/** What the dynamic int8 quantizer did: ops quantized, ops left float32 and why, providers. */
function Int8ReportView({ model, variant }: { model: ModelEntry; variant: VariantOf<'int8'> }) {
  const r = variant.report;
  return (
    <>
      <p className="note">
        {formatBytes(variant.inspection?.sizeBytes ?? 0)} (the original:{' '}
        {formatBytes(model.inspection?.sizeBytes ?? 0)});{' '}
        {r.quantized.map((q) => `${q.op} ×${q.count}`).join(', ')} quantized:{' '}
        {plural(r.tensorsQuantized, 'weight')} ({r.valuesQuantized.toLocaleString('en-US')} values)
        stored as int8 per output channel, {plural(r.activationsQuantized, 'activation')} quantized
        to uint8 at run time; inputs and outputs stay float32. It is in the Run, Compile and
        Benchmark lists as “{model.name} · {variant.kind}”.
      </p>
      {r.left.length > 0 && (
        <ul className="plain-list" data-testid="precision-left">
          {r.left.map((l) => (
            <li key={`${l.op}-${l.reason}`}>
              <span className="mono">{l.op}</span> ×{l.count} stays float32: {l.reason}
            </li>
          ))}
        </ul>
      )}
      <p className="note">
        ONNX Runtime’s CPU provider runs MatMulInteger, ConvInteger and DynamicQuantizeLinear; a GPU
        provider without them leaves those nodes to the CPU (a compile on it says how many), so
        measure the trade there before using it.
      </p>
    </>
  );
}

function VariantView({ model, variant }: { model: ModelEntry; variant: ModelVariant }) {
  const api = useApi();
  const providers = useEngineStore((s) => s.status?.providers ?? []);
  const [measuring, setMeasuring] = useState(false);
  const [error, setError] = useState<AppErrorData | null>(null);
  const available = providers.filter((p) => p.available).map((p) => p.id as ProviderId);
  const measure = async () => {
    setMeasuring(true);
    setError(null);
    const res = await api.invoke('precision:compare', {
      modelId: model.id,
      kind: variant.kind,
      providers: available.length > 0 ? available : ['cpu'],
      sets: 4,
      iterations: 100,
      dims: {},
    });
    setMeasuring(false);
    if (!res.ok) setError(res.error);
  };
  return (
    <section data-testid="precision-variant">
      <h4 className="section-title">
        {model.name} · {variant.kind}{' '}
        <Chip tone="ok">{variant.inspection?.precision?.headline ?? variant.kind}</Chip>
      </h4>
      {variant.kind === 'fp16' ? (
        <Fp16ReportView model={model} variant={variant} />
      ) : (
        <Int8ReportView model={model} variant={variant} />
      )}
      <button type="button" className="button" disabled={measuring} onClick={() => void measure()}>
        {measuring ? 'Measuring…' : variant.trade ? 'Measure again' : 'Measure the trade'}
      </button>
      {error && <ErrorNotice error={error} />}
      {variant.trade && <TradeTableView table={variant.trade} />}
    </section>
  );
}

/**
 * The model's precision: what it computes in (weights and compute by precision, Casts), what the
 * GPU runs fast, float16 and dynamic int8 variants made on request with their progress, and the
 * measured trade of each.
 */
export function PrecisionPanel({ entry }: { entry: ModelEntry }) {
  const api = useApi();
  const [progress, setProgress] = useState<string | null>(null);
  const [error, setError] = useState<AppErrorData | null>(null);
  useEffect(
    () =>
      api.on('precision:progress', (p) => {
        if (p.modelId !== entry.id) return;
        setProgress(p.phase === 'done' || p.phase === 'failed' ? null : p.message);
      }),
    [api, entry.id],
  );
  const p = entry.inspection?.precision;
  const variants = entry.variants ?? [];
  const has = (kind: ModelVariant['kind']) => variants.some((v) => v.kind === kind);
  const convert = async (to: ModelVariant['kind']) => {
    setError(null);
    setProgress(to === 'fp16' ? 'Converting to float16…' : 'Quantizing to dynamic int8…');
    const res = await api.invoke('precision:convert', {
      modelId: entry.id,
      to,
      keepIoTypes: true,
      block: [],
    });
    setProgress(null);
    if (!res.ok) setError(res.error);
  };
  const floatWeights = p?.weights.some((w) => w.dtype === 'float32') ?? false;
  // Offered where the model has what dynamic int8 quantizes by default.
  const int8Able =
    floatWeights && (p?.ops.some((o) => INT8_OPS.has(o.op) && o.precision === 'fp32') ?? false);
  // The variants the model can have and does not have yet, each with what it does.
  const offers = [
    {
      kind: 'fp16' as const,
      able: floatWeights,
      label: 'Make FP16 variant',
      note: 'Weights and compute in float16, inputs and outputs kept float32; written beside the library, your file is not touched.',
    },
    {
      kind: 'int8' as const,
      able: int8Able,
      label: 'Make INT8 variant',
      note: 'MatMul and Gemm weights in int8 per output channel, activations quantized at run time, the rest and the inputs and outputs float32; your file is not touched.',
    },
  ].filter((o) => o.able && !has(o.kind));
  const casts = p?.casts ?? [];
  return (
    <section className="precision-panel" data-testid="precision-panel">
      <h3 className="section-title">
        Precision: <span data-testid="precision-headline">{p?.headline ?? 'unknown'}</span>
      </h3>
      {p && <PrecisionCharts p={p} />}
      {casts.length > 0 && (
        <p className="note">
          Casts:{' '}
          {casts
            .map(
              (c) =>
                `${c.from} → ${c.to} ×${c.count} (${Object.entries(c.at)
                  .map(([w, n]) => `${n} ${w === 'inside' ? 'inside' : `at the ${w}`}`)
                  .join(', ')})`,
            )
            .join('; ')}
        </p>
      )}
      <h4 className="section-title">What this machine’s GPU runs fast</h4>
      <GpuSupport />
      {variants.map((v) => (
        <VariantView key={v.kind} model={entry} variant={v} />
      ))}
      {offers.length > 0 && (
        <ul className="plain-list">
          {offers.map((o) => (
            <li key={o.kind}>
              <button
                type="button"
                className={o.kind === 'fp16' ? 'button button-primary' : 'button'}
                disabled={progress !== null}
                onClick={() => void convert(o.kind)}
              >
                {o.label}
              </button>{' '}
              <span className="muted">{o.note}</span>
            </li>
          ))}
        </ul>
      )}
      {progress && (
        <p className="notice-busy" role="status" data-testid="precision-progress">
          {progress}
        </p>
      )}
      {error && <ErrorNotice error={error} />}
    </section>
  );
}
