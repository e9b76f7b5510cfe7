import { fraction } from './chart-scale';

/** A mark on a meter: a reference value such as the default power limit. */
export interface MeterMark {
  at: number;
  label: string;
}

/**
 * A horizontal bar: how much of a whole is used (VRAM, power against its limit), with optional
 * reference marks. Drawn in SVG attributes, so it needs no inline styles under the page's CSP.
 */
export function Meter(props: {
  value: number | null;
  max: number | null;
  /** Above this value the bar turns to the warning colour (e.g. the power limit). */
  warnAbove?: number | null;
  marks?: MeterMark[];
  label: string;
  testId?: string;
}) {
  const { value, max, warnAbove, marks = [], label, testId } = props;
  const width = fraction(value, max) * 100;
  const warn = value !== null && warnAbove !== undefined && warnAbove !== null && value > warnAbove;
  return (
    <svg
      className="meter"
      viewBox="0 0 100 10"
      preserveAspectRatio="none"
      role="meter"
      aria-label={label}
      aria-valuenow={value ?? undefined}
      aria-valuemin={0}
      aria-valuemax={max ?? undefined}
      data-testid={testId}
    >
      <rect className="meter-track" x="0" y="0" width="100" height="10" />
      <rect
        className={warn ? 'meter-fill meter-warn' : 'meter-fill'}
        x="0"
        y="0"
        width={width}
        height="10"
      />
      {marks.map((mark) => {
        const x = fraction(mark.at, max) * 100;
        return (
          <line
            key={mark.label}
            className="meter-mark"
            x1={x}
            x2={x}
            y1="0"
            y2="10"
            vectorEffect="non-scaling-stroke"
          >
            <title>{mark.label}</title>
          </line>
        );
      })}
    </svg>
  );
}
