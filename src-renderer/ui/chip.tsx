import type { ReactNode } from 'react';

export type Tone = 'neutral' | 'accent' | 'ok' | 'warn' | 'bad' | 'busy';

/** A short status word in a pill: a job's state, a badge, a precision. */
export function Chip(props: { tone?: Tone; title?: string; testId?: string; children: ReactNode }) {
  return (
    <span
      className={`chip chip-${props.tone ?? 'neutral'}`}
      title={props.title}
      data-testid={props.testId}
    >
      {props.children}
    </span>
  );
}
