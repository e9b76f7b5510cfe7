import type { ModelEntry } from '../../../src-main/ipc/contract';
import { modelSelected } from '../../state/models';
import { Chip } from '../../ui/chip';
import { formatBytes } from '../../ui/format';
import { CompileStatusChips } from './compile-status-chips';
import { defaultOpset, inputsSummary } from './model-summary';

/** The library as a list: one row per model, the selected one marked. */
export function ModelList(props: { entries: readonly ModelEntry[]; selectedId: string | null }) {
  return (
    <ul className="model-list" data-testid="model-list">
      {props.entries.map((entry) => {
        const inspection = entry.inspection;
        const opset = inspection === null ? null : defaultOpset(inspection);
        const selected = entry.id === props.selectedId;
        return (
          <li key={entry.id}>
            <button
              type="button"
              className={selected ? 'model-row selected' : 'model-row'}
              aria-pressed={selected}
              onClick={() => modelSelected(entry.id)}
              data-testid="model-row"
              data-model-id={entry.id}
            >
              <span className="model-row-head">
                <span className="model-name">{entry.name}</span>
                {entry.builtIn && <Chip tone="accent">built-in</Chip>}
                {entry.error !== null && <Chip tone="bad">error</Chip>}
                <CompileStatusChips modelId={entry.id} />
              </span>
              {inspection !== null && (
                <span className="model-row-meta">
                  {formatBytes(inspection.sizeBytes)}
                  {opset !== null && ` · opset ${opset}`}
                </span>
              )}
              {inspection !== null && (
                <span className="model-row-inputs mono">{inputsSummary(inspection.inputs)}</span>
              )}
              {entry.error !== null && (
                <span className="model-row-error">{entry.error.message}</span>
              )}
            </button>
          </li>
        );
      })}
    </ul>
  );
}
