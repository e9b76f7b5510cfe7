import { ErrorNotice } from '../../common/error-notice';
import { dropErrorDismissed, useModelsStore } from '../../state/models';

/** The errors from dropped or picked files, above every area until the user dismisses them. */
export function DropErrors() {
  const errors = useModelsStore((s) => s.dropErrors);
  const adding = useModelsStore((s) => s.adding);
  if (errors.length === 0 && adding === 0) return null;
  return (
    <div className="drop-errors" data-testid="drop-errors">
      {adding > 0 && (
        <p className="notice-busy" role="status">
          Adding {adding} file{adding === 1 ? '' : 's'}…
        </p>
      )}
      {errors.map((e) => (
        <ErrorNotice
          key={e.id}
          error={e.error}
          fileName={e.fileName}
          onDismiss={() => dropErrorDismissed(e.id)}
          testId="drop-error"
        />
      ))}
    </div>
  );
}
