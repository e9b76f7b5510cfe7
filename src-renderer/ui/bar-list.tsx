import { fraction } from './chart-scale';

/** One row of a {@link BarList}. */
export interface BarRow {
  key: string;
  label: string;
  value: number;
  /** The value as people read it ("12", "0.42 ms"). */
  display: string;
  title?: string;
}

/**
 * Horizontal bars with their labels and values: the ops histogram, benchmark latencies. Each bar
 * is a scaled SVG rect, so the page needs no inline styles.
 */
export function BarList(props: { rows: readonly BarRow[]; label: string; testId?: string }) {
  const max = props.rows.reduce((m, r) => Math.max(m, r.value), 0);
  return (
    <ul className="bar-list" aria-label={props.label} data-testid={props.testId}>
      {props.rows.map((row) => (
        <li key={row.key} className="bar-row" title={row.title}>
          <span className="bar-label">{row.label}</span>
          <svg
            className="bar-svg"
            viewBox="0 0 100 10"
            preserveAspectRatio="none"
            aria-hidden="true"
          >
            <rect
              className="bar-fill"
              x="0"
              y="1"
              height="8"
              width={Math.max(0.5, fraction(row.value, max) * 100)}
            />
          </svg>
          <span className="bar-value">{row.display}</span>
        </li>
      ))}
    </ul>
  );
}
