import type { AppErrorData } from '../../src-main/shared/errors';
import { describeError } from './error-messages';

/**
 * An expected error, explained: the table's headline and action, the main side's message (which
 * names the file or provider), and the detail folded away. Dismissable when given onDismiss.
 */
export function ErrorNotice(props: {
  error: AppErrorData;
  /** The file the error concerns, when the caller knows it. */
  fileName?: string | null;
  onDismiss?: () => void;
  testId?: string;
}) {
  const { error, fileName, onDismiss, testId } = props;
  const text = describeError(error);
  return (
    <div
      className="error-notice"
      role="alert"
      data-testid={testId ?? 'error-notice'}
      data-code={error.code}
    >
      <div className="error-body">
        <p className="error-title">
          {fileName !== undefined && fileName !== null && (
            <span className="error-file">{fileName}: </span>
          )}
          {text.title}
        </p>
        <p className="error-message">{text.message}</p>
        <p className="error-action">{text.action}</p>
        {text.detail !== null && (
          <details className="error-detail">
            <summary>Details</summary>
            <pre>{text.detail}</pre>
          </details>
        )}
      </div>
      {onDismiss !== undefined && (
        <button type="button" className="icon-button" aria-label="Dismiss" onClick={onDismiss}>
          ×
        </button>
      )}
    </div>
  );
}
