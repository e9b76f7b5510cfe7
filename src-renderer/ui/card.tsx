import type { ReactNode } from 'react';

/** A titled panel: the unit every area is built from. */
export function Card(props: {
  title?: ReactNode;
  subtitle?: ReactNode;
  actions?: ReactNode;
  className?: string;
  testId?: string;
  children: ReactNode;
}) {
  const { title, subtitle, actions, className, testId, children } = props;
  return (
    <section
      className={className === undefined ? 'card' : `card ${className}`}
      data-testid={testId}
    >
      {(title !== undefined || actions !== undefined) && (
        <header className="card-head">
          <div>
            {title !== undefined && <h2 className="card-title">{title}</h2>}
            {subtitle !== undefined && <div className="card-subtitle">{subtitle}</div>}
          </div>
          {actions !== undefined && <div className="card-actions">{actions}</div>}
        </header>
      )}
      {children}
    </section>
  );
}
