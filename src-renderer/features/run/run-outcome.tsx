import type { ModelEntry, TensorSummary } from '../../../src-main/ipc/contract';
import { FedRecord, quoteArg } from '../../common/inputs-editor';
import { inputOfError } from '../../state/inputs';
import { downloadFile } from '../../common/download';
import { ErrorNotice } from '../../common/error-notice';
import { withLabels } from '../../../src-main/ipc/labels';
import { useModelsStore } from '../../state/models';
import { runOutputsSaveRequested, runProviderChosen, useRunStore } from '../../state/run';
import { preferredProviderChosen } from '../../state/settings';
import { useApi } from '../../common/api-context';
import { Card } from '../../ui/card';
import { formatMs, formatShape, formatValue } from '../../ui/format';
import { Stat, StatGrid } from '../../ui/stat';
import { PIXEL_SCALING_LABELS } from '../../../src-main/ipc/image-model';
import type { MaskOverlay } from '../../state/mask-overlay';
import type { FedPicture } from '../../state/run';
import { PictureCanvas } from './picture-canvas';
import { providerLabel } from '../../../src-main/ipc/providers';

/**
 * The last run: its error inline (unless it names an input: the form shows it beside that input),
 * or its timings, what it was fed, and a summary of every output. `formModel`: the form's model.
 */
export function RunOutcome(props: { formModel?: ModelEntry | null }) {
  const status = useRunStore((s) => s.status);
  const result = useRunStore((s) => s.result);
  const error = useRunStore((s) => s.error);
  const form = useRunStore((s) => s.form);
  const names = (props.formModel?.inspection?.inputs ?? []).map((i) => i.name);
  const byInput = inputOfError(error, form, names);
  const saveError = useRunStore((s) => s.saveError);
  const fed = useRunStore((s) => s.fed);
  const overlays = useRunStore((s) => s.overlays);
  // The model that made this result (by id: a rename shows at once), and its class labels.
  const model = useModelsStore((s) => s.entries.find((e) => e.id === result?.modelId));
  const labels = model?.inspection?.labels?.names ?? null;
  const api = useApi();
  if (status === 'idle') {
    return <p className="muted run-hint">Outputs appear here after a run.</p>;
  }
  return (
    <div className="run-outcome" data-testid="run-outcome" aria-busy={status === 'running'}>
      {status === 'running' && (
        <p className="notice-busy" role="status">
          Running…
        </p>
      )}
      {error !== null && byInput === null && <ErrorNotice error={error} testId="run-error" />}
      {error !== null && byInput !== null && (
        <p className="muted" data-testid="run-error-by-input">
          The run did not start: see the message by input{' '}
          {byInput === 'testData' ? 'the test-data folder' : `"${byInput}"`} in the form.
        </p>
      )}
      {result !== null && (
        <>
          <Card title="Timing" testId="run-timing">
            <StatGrid>
              <Stat label="Model">
                <span data-testid="run-result-model">{model?.name ?? result.modelId}</span>
              </Stat>
              <Stat
                label="Provider"
                hint={
                  result.auto
                    ? `Auto: ONNX Runtime's ${result.auto.policy} policy picked ${providerLabel(result.auto.ep)}`
                    : undefined
                }
              >
                <span data-testid="run-provider-ran">
                  {providerLabel(result.provider)}
                  {result.auto
                    ? ` (Auto: ONNX Runtime picked ${providerLabel(result.auto.ep)})`
                    : ''}
                </span>
              </Stat>
              <Stat
                label="Variant"
                hint="What ran: the original model, or its compiled entry from the compile cache for this provider and dims"
              >
                <span data-testid="run-variant" title={result.entryId ?? undefined}>
                  {variantLabel(result.variant)}
                </span>
              </Stat>
              {result.dims && Object.keys(result.dims).length > 0 && (
                <Stat
                  label="Dims"
                  hint="The named dims the session was opened with: typed, sized by the inputs, else 1 (a compiled entry is used only for the dims it was compiled for)"
                >
                  <span className="mono" data-testid="run-dims-ran">
                    {Object.entries(result.dims)
                      .map(([name, v]) => `${name}=${v}`)
                      .join(' ')}
                  </span>
                </Stat>
              )}
              <Stat label="Session" hint="Creating the session (loading and optimising the model)">
                {/* 0: this run reused an open session; no creation to time. */}
                {result.sessionMs > 0 ? formatMs(result.sessionMs) : 'already open'}
              </Stat>
              <Stat label="Run" hint="One inference">
                {formatMs(result.runMs)}
              </Stat>
            </StatGrid>
          </Card>
          {result.offer && (
            <p className="run-offer" data-testid="run-offer" role="status">
              {result.offer.message} —{' '}
              <button
                type="button"
                className="button"
                data-testid="run-offer-use"
                onClick={() => {
                  const { provider } = result.offer ?? {};
                  if (!provider) return;
                  // The form moves to it now; Settings keeps the choice for this model.
                  runProviderChosen(provider);
                  void preferredProviderChosen(api, result.modelId, provider);
                }}
              >
                use it
              </button>
            </p>
          )}
          {result.outputs.length > 0 && (
            <p className="run-save">
              <button
                type="button"
                className="button"
                data-testid="run-save-outputs"
                title="Each output of this run as a NumPy .npy file"
                onClick={() =>
                  void runOutputsSaveRequested(api, model?.name ?? result.modelId).then((files) =>
                    files.forEach((f) =>
                      downloadFile(f.fileName, f.bytes, 'application/octet-stream'),
                    ),
                  )
                }
              >
                Save outputs (.npy)
              </button>
            </p>
          )}
          {saveError !== null && <ErrorNotice error={saveError} testId="run-save-error" />}
          {result.inputs && (
            <Card title="Inputs fed" testId="run-fed">
              <FedRecord
                fed={result.inputs}
                testId="run-fed-record"
                title="Per input"
                command={model ? `crucible run ${quoteArg(model.path)}` : undefined}
              />
            </Card>
          )}
          {fed.length > 0 ? (
            // The picture that went in beside what the model made of it (a labelled top-k).
            <div className="run-picture-result">
              <div>
                {fed.map((f) => (
                  <FedPictureCard key={f.input} fed={f} />
                ))}
              </div>
              <div className="run-outcome">
                {result.outputs.map((o) => (
                  <OutputCard key={o.name} output={withLabels(o, labels)} />
                ))}
              </div>
            </div>
          ) : (
            result.outputs.map((o) => <OutputCard key={o.name} output={withLabels(o, labels)} />)
          )}
          {overlays.status !== 'idle' && fed[0] !== undefined && (
            <Card
              title="Masks over the picture"
              subtitle={`Outputs at the picture's ${fed[0].picture.width}×${fed[0].picture.height}, drawn over ${fed[0].fileName}`}
              testId="run-overlays"
            >
              {overlays.status === 'loading' && (
                <p className="notice-busy" role="status">
                  Drawing the masks…
                </p>
              )}
              {overlays.error !== null && (
                <ErrorNotice error={overlays.error} testId="run-overlay-error" />
              )}
              <div className="run-overlays">
                {overlays.items.map((o) => (
                  <OverlayFigure key={o.output} overlay={o} />
                ))}
              </div>
            </Card>
          )}
        </>
      )}
    </div>
  );
}

/** "original" or "compiled (from the compile cache)": what the session was opened from. */
export function variantLabel(variant: 'original' | 'compiled'): string {
  return variant === 'compiled' ? 'compiled (compile cache)' : 'original';
}

/** The picture a run was fed, as the model got it, and how it was made from the one chosen. */
function FedPictureCard({ fed }: { fed: FedPicture }) {
  const resized =
    fed.chosen.width !== fed.picture.width || fed.chosen.height !== fed.picture.height;
  return (
    <Card
      title="Picture in"
      subtitle={<span className="mono">{fed.input}</span>}
      testId="run-fed-picture"
    >
      <PictureCanvas
        picture={fed.picture}
        testId="run-fed-canvas"
        label={`The picture ${fed.input} got`}
      />
      <p className="note" data-testid="run-fed-caption">
        {fed.fileName}: {fed.picture.width}×{fed.picture.height}
        {resized && ` (resized from ${fed.chosen.width}×${fed.chosen.height})`}
        {fed.scaledFrom !== null &&
          ` (the page scaled it down from ${fed.scaledFrom.width}×${fed.scaledFrom.height} first)`}
      </p>
      <p className="note" data-testid="run-fed-pixels">
        Pixels {PIXEL_SCALING_LABELS[fed.pixels]}
        {fed.pixelsFrom === null ? ' (your choice)' : ` (${fed.pixelsFrom})`}
      </p>
    </Card>
  );
}

/** One output drawn over the picture, with its legend (classes by share, or the heat range). */
function OverlayFigure({ overlay }: { overlay: MaskOverlay }) {
  const what =
    overlay.kind === 'heat'
      ? 'heat'
      : overlay.kind === 'classes'
        ? 'the class with the highest score at each pixel'
        : 'the class index at each pixel';
  return (
    <figure className="run-overlay" data-testid="run-overlay" data-output={overlay.output}>
      <PictureCanvas
        picture={overlay}
        testId="run-overlay-canvas"
        label={`${overlay.output} over the picture`}
      />
      <figcaption className="note">
        <span className="mono">{overlay.output}</span>: {what}
        {overlay.range !== null &&
          `, ${formatValue(overlay.range.min)} (clear) to ${formatValue(overlay.range.max)} (hot)`}
      </figcaption>
      {overlay.classes.length > 0 && (
        <ul className="mask-legend" data-testid="run-overlay-legend">
          {overlay.classes.slice(0, 12).map((c) => (
            <li key={c.index} data-testid="run-overlay-class">
              <svg className="mask-swatch" width="10" height="10" aria-hidden="true">
                <rect width="10" height="10" fill={`rgb(${c.colour.join(',')})`} />
              </svg>
              {c.label ?? `class ${c.index}`} {formatPercent(c.share)}
            </li>
          ))}
          {overlay.classes.length > 12 && <li>and {overlay.classes.length - 12} more</li>}
        </ul>
      )}
    </figure>
  );
}

/** A share as people read it: 42%, 0.4%, <0.1%. */
function formatPercent(share: number): string {
  const p = share * 100;
  if (p > 0 && p < 0.1) return '<0.1%';
  return `${p >= 10 || p === 0 ? p.toFixed(0) : p.toFixed(1)}%`;
}

function OutputCard({ output }: { output: TensorSummary }) {
  const labeled = output.topk?.some((t) => t.label !== undefined) ?? false;
  return (
    <Card
      title={<span className="mono">{output.name}</span>}
      subtitle={
        <span className="mono">
          {output.dtype} {formatShape(output.shape)}
        </span>
      }
      testId="run-output"
    >
      {output.stats !== null && (
        <StatGrid>
          <Stat label="Min">{formatValue(output.stats.min)}</Stat>
          <Stat label="Max">{formatValue(output.stats.max)}</Stat>
          <Stat label="Mean">{formatValue(output.stats.mean)}</Stat>
          <Stat label="Std">{formatValue(output.stats.std)}</Stat>
          {output.stats.nan > 0 && <Stat label="NaN">{output.stats.nan}</Stat>}
        </StatGrid>
      )}
      <p className="first-values">
        <span className="stat-label">First values</span>{' '}
        <span className="mono">
          {output.first.length === 0 ? '—' : output.first.map(formatValue).join(', ')}
        </span>
      </p>
      {output.topk !== null && output.topk.length > 0 && (
        <table className="table table-compact" data-testid="run-topk">
          <caption>Top {output.topk.length}</caption>
          <thead>
            <tr>
              <th scope="col">Rank</th>
              <th scope="col">Index</th>
              {labeled && <th scope="col">Label</th>}
              <th scope="col">Value</th>
            </tr>
          </thead>
          <tbody>
            {output.topk.map((t, rank) => (
              <tr key={t.index}>
                <td>{rank + 1}</td>
                <td className="mono">{t.index}</td>
                {labeled && <td data-testid="run-topk-label">{t.label ?? '—'}</td>}
                <td className="mono">{formatValue(t.value)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Card>
  );
}
