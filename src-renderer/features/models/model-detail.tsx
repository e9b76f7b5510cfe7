import { useState } from 'react';
import type { ModelEntry, ModelInspection } from '../../../src-main/ipc/contract';
import type { AppErrorData } from '../../../src-main/shared/errors';
import { useApi } from '../../common/api-context';
import { ErrorNotice } from '../../common/error-notice';
import { hashForArea } from '../../common/routes';
import { modelRemoveRequested, modelRenameRequested } from '../../state/models';
import { runModelChosen } from '../../state/run';
import { BarList } from '../../ui/bar-list';
import { Card } from '../../ui/card';
import { Chip } from '../../ui/chip';
import { formatBytes, formatCount, formatFlops, groupThousands } from '../../ui/format';
import { Stat, StatGrid } from '../../ui/stat';
import { opsHistogram } from './model-summary';
import { PrecisionPanel } from './precision-panel';
import { ValueTable } from './value-table';

/** The selected model in full: facts, inputs and outputs, ops, FLOPs, external data. */
export function ModelDetail(props: { entry: ModelEntry }) {
  // Keyed by model: another model selected starts with no half-done rename of the last one.
  return <ModelDetailView key={props.entry.id} entry={props.entry} />;
}

function ModelDetailView(props: { entry: ModelEntry }) {
  const { entry } = props;
  const api = useApi();
  const runnable = entry.error === null && entry.inspection !== null;
  const [renaming, setRenaming] = useState<string | null>(null);
  const [renameError, setRenameError] = useState<AppErrorData | null>(null);
  const saveName = async (name: string) => {
    const error = await modelRenameRequested(api, entry.id, name);
    setRenameError(error);
    if (error === null) setRenaming(null);
  };
  return (
    <Card
      className="model-detail"
      testId="model-detail"
      title={
        renaming === null ? (
          entry.name
        ) : (
          <form
            className="rename-form"
            onSubmit={(e) => {
              e.preventDefault();
              void saveName(renaming);
            }}
          >
            <input
              aria-label="Model name"
              data-testid="rename-input"
              value={renaming}
              maxLength={120}
              autoFocus
              onChange={(e) => setRenaming(e.target.value)}
            />
            <button type="submit" className="button button-primary" data-testid="rename-save">
              Save
            </button>
            <button
              type="button"
              className="button"
              onClick={() => {
                setRenaming(null);
                setRenameError(null);
              }}
            >
              Cancel
            </button>
          </form>
        )
      }
      subtitle={
        <span className="mono path" title={entry.path}>
          {entry.path}
        </span>
      }
      actions={
        <>
          {runnable && (
            <a
              className="button button-primary"
              href={hashForArea('run')}
              onClick={() => runModelChosen(entry)}
            >
              Run…
            </a>
          )}
          {renaming === null && (
            <button
              type="button"
              className="button"
              data-testid="rename-model"
              onClick={() => setRenaming(entry.name)}
            >
              Rename
            </button>
          )}
          {!entry.builtIn && (
            <button
              type="button"
              className="button"
              onClick={() => void modelRemoveRequested(api, entry.id)}
            >
              Remove
            </button>
          )}
        </>
      }
    >
      {renameError !== null && <ErrorNotice error={renameError} />}
      {entry.error !== null && <ErrorNotice error={entry.error} />}
      {entry.inspection !== null && <InspectionView inspection={entry.inspection} />}
      {entry.inspection !== null && <PrecisionPanel entry={entry} />}
    </Card>
  );
}

function InspectionView({ inspection }: { inspection: ModelInspection }) {
  const ops = opsHistogram(inspection.ops);
  const flopsByOp = opsHistogram(inspection.flops.byOp, 8);
  return (
    <div className="inspection">
      <StatGrid>
        <Stat label="File size">{formatBytes(inspection.sizeBytes)}</Stat>
        <Stat label="Opsets">
          {inspection.opsets
            .map((o) => `${o.domain === '' ? 'ai.onnx' : o.domain} ${o.version}`)
            .join(', ') || '—'}
        </Stat>
        <Stat label="IR version">{inspection.irVersion ?? '—'}</Stat>
        <Stat label="Producer">
          {inspection.producer.name === ''
            ? '—'
            : `${inspection.producer.name} ${inspection.producer.version}`}
        </Stat>
        <Stat label="Graph">{inspection.graphName || '—'}</Stat>
        <Stat label="Labels">
          <span data-testid="model-labels" title={inspection.labels?.from}>
            {inspection.labels
              ? `${groupThousands(inspection.labels.names.length)} from ${inspection.labels.from}`
              : '—'}
          </span>
        </Stat>
        <Stat label="Nodes">{groupThousands(inspection.nodeCount)}</Stat>
        <Stat
          label="Parameters"
          hint={`${groupThousands(inspection.parameterCount)} in ${inspection.initializerCount} initializers`}
        >
          {formatCount(inspection.parameterCount)} · {formatBytes(inspection.parameterBytes)}
        </Stat>
        <Stat label="Estimated compute" hint={inspection.flops.note}>
          {formatFlops(inspection.flops.total)} per inference
        </Stat>
      </StatGrid>
      <p className="note">{inspection.flops.note}</p>
      {inspection.dynamicDims.length > 0 && (
        <p className="note">
          Dynamic dimensions:{' '}
          {inspection.dynamicDims.map((d) => (
            <mark key={d} className="dim-dynamic">
              {d}
            </mark>
          ))}{' '}
          — you choose their values when you run the model.
        </p>
      )}
      <div className="two-columns">
        <ValueTable values={inspection.inputs} caption="Inputs" testId="model-inputs" />
        <ValueTable values={inspection.outputs} caption="Outputs" testId="model-outputs" />
      </div>
      <div className="two-columns">
        <section>
          <h3 className="section-title">
            Operators ({groupThousands(inspection.nodeCount)} node
            {inspection.nodeCount === 1 ? '' : 's'})
          </h3>
          <BarList
            label="Operator counts"
            testId="ops-histogram"
            rows={ops.map((r) => ({
              key: r.op,
              label: r.op,
              value: r.count,
              display: String(r.count),
            }))}
          />
        </section>
        {flopsByOp.length > 0 && (
          <section>
            <h3 className="section-title">Compute by operator</h3>
            <BarList
              label="Estimated FLOPs by operator"
              rows={flopsByOp.map((r) => ({
                key: r.op,
                label: r.op,
                value: r.count,
                display: formatFlops(r.count),
              }))}
            />
          </section>
        )}
      </div>
      {inspection.externalData.length > 0 && (
        <section>
          <h3 className="section-title">External data</h3>
          <ul className="plain-list" data-testid="external-data">
            {inspection.externalData.map((f) => (
              <li key={f.location}>
                <span className="mono">{f.location}</span>{' '}
                <span className="muted">{formatBytes(f.bytes)}</span>{' '}
                {!f.exists && <Chip tone="bad">missing</Chip>}
              </li>
            ))}
          </ul>
        </section>
      )}
    </div>
  );
}
