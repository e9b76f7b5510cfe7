import { noticeDismissed, useNoticesStore } from '../state/notices';

/**
 * The main side's notices (a damaged library rebuilt, the engine failing to start), above every
 * area until the user dismisses each. Warnings are alerts; info notices are polite status lines.
 */
export function NoticesBanner() {
  const notices = useNoticesStore((s) => s.notices);
  if (notices.length === 0) return null;
  return (
    <div className="app-notices" data-testid="app-notices">
      {notices.map((n) => (
        <div
          key={n.id}
          className={`app-notice app-notice-${n.level}`}
          role={n.level === 'warning' ? 'alert' : 'status'}
          data-testid="app-notice"
          data-level={n.level}
          title={new Date(n.at).toLocaleString()}
        >
          <p className="app-notice-message">{n.message}</p>
          <button
            type="button"
            className="icon-button"
            aria-label="Dismiss"
            onClick={() => noticeDismissed(n.id)}
          >
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
