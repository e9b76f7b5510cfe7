import { useApi } from '../../common/api-context';
import { ErrorNotice } from '../../common/error-notice';
import { filesDropped, useModelsStore } from '../../state/models';
import { EmptyState } from '../../ui/empty-state';
import { AddFilesButton } from './add-files-button';
import { ModelDetail } from './model-detail';
import { ModelList } from './model-list';

/** The model library: the list on the left, the selected model's inspection on the right. */
export function ModelsArea() {
  const api = useApi();
  const entries = useModelsStore((s) => s.entries);
  const loaded = useModelsStore((s) => s.loaded);
  const selectedId = useModelsStore((s) => s.selectedId);
  const error = useModelsStore((s) => s.error);
  const selected = entries.find((e) => e.id === selectedId) ?? null;
  const addFiles = (files: File[]) => void filesDropped(api, files);
  return (
    <div className="area" data-testid="area-models">
      <div className="area-head">
        <h1>Models</h1>
        <AddFilesButton onFiles={addFiles} />
      </div>
      {error !== null && <ErrorNotice error={error} />}
      {!loaded && <p className="muted">Reading the library…</p>}
      {loaded && entries.length === 0 && (
        <EmptyState title="Drop an .onnx file anywhere on the window" testId="models-empty">
          <p>Or use “Add model…”. Pick the model’s external-data files with it if it has any.</p>
        </EmptyState>
      )}
      {entries.length > 0 && (
        <div className="master-detail">
          <ModelList entries={entries} selectedId={selectedId} />
          {selected !== null && <ModelDetail entry={selected} />}
        </div>
      )}
    </div>
  );
}
