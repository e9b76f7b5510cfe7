import type { ReactNode } from 'react';

/** One labelled reading in a stat grid: "Temperature  41 °C". */
export function Stat(props: { label: string; hint?: string; children: ReactNode }) {
  return (
    <div className="stat" title={props.hint}>
      <dt className="stat-label">{props.label}</dt>
      <dd className="stat-value">{props.children}</dd>
    </div>
  );
}

/** A grid of {@link Stat}s. */
export function StatGrid(props: { children: ReactNode }) {
  return <dl className="stat-grid">{props.children}</dl>;
}
