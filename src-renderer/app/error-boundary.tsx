import { Component, type ErrorInfo, type ReactNode } from 'react';
import { ERROR_MESSAGES } from '../common/error-messages';

interface State {
  error: Error | null;
}

/**
 * Catches a bug thrown while rendering an area, so one broken view does not blank the window:
 * it shows the generic message, the error's own text, and a way to try again.
 */
export class ErrorBoundary extends Component<{ children: ReactNode }, State> {
  override state: State = { error: null };

  static getDerivedStateFromError(error: unknown): State {
    return { error: error instanceof Error ? error : new Error(String(error)) };
  }

  override componentDidCatch(error: Error, info: ErrorInfo): void {
    console.error('Crucible view crashed', error, info.componentStack);
  }

  override render(): ReactNode {
    const { error } = this.state;
    if (error === null) return this.props.children;
    return (
      <div className="error-notice" role="alert" data-testid="error-boundary">
        <div className="error-body">
          <p className="error-title">{ERROR_MESSAGES.INTERNAL.title}</p>
          <p className="error-message">{error.message}</p>
          <p className="error-action">{ERROR_MESSAGES.INTERNAL.action}</p>
          {error.stack !== undefined && (
            <details className="error-detail">
              <summary>Details</summary>
              <pre>{error.stack}</pre>
            </details>
          )}
          <button type="button" className="button" onClick={() => this.setState({ error: null })}>
            Try again
          </button>
        </div>
      </div>
    );
  }
}
