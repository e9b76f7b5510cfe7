import type { ReactNode } from 'react';

/** What an area says when it has nothing to show yet, and how to get something there. */
export function EmptyState(props: { title: string; testId?: string; children?: ReactNode }) {
  return (
    <div className="empty-state" data-testid={props.testId}>
      <p className="empty-title">{props.title}</p>
      {props.children !== undefined && <div className="empty-body">{props.children}</div>}
    </div>
  );
}
