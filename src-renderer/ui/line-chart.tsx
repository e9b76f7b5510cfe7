import { linePath, linearScale, yDomain } from './chart-scale';

const WIDTH = 240;
const HEIGHT = 64;

/**
 * A small live chart of one reading: the newest value on the right, the last `capacity` values
 * across, an optional dashed reference line (the power limit). The numbers sit in HTML beside it,
 * so the SVG can stretch to any width without distorting text.
 */
export function LineChart(props: {
  title: string;
  values: readonly (number | null)[];
  capacity: number;
  format: (value: number | null) => string;
  fixedMax?: number;
  limit?: number | null;
  limitLabel?: string;
  testId?: string;
}) {
  const { title, values, capacity, format, fixedMax, limit = null, limitLabel, testId } = props;
  const domain = yDomain(values, fixedMax === undefined ? { include: [limit] } : { fixedMax });
  const y = linearScale(domain, [HEIGHT - 2, 2]);
  const offset = capacity - values.length;
  const x = linearScale([0, Math.max(1, capacity - 1)], [0, WIDTH]);
  const path = linePath(values, (i) => x(i + offset), y);
  const latest = values[values.length - 1] ?? null;
  return (
    <figure className="line-chart" data-testid={testId}>
      <figcaption className="chart-caption">
        <span className="chart-title">{title}</span>
        <span className="chart-latest">{format(latest)}</span>
      </figcaption>
      <svg
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        preserveAspectRatio="none"
        role="img"
        aria-label={`${title}: ${format(latest)}`}
      >
        <line
          className="chart-grid"
          x1="0"
          x2={WIDTH}
          y1={y(domain[1] / 2)}
          y2={y(domain[1] / 2)}
          vectorEffect="non-scaling-stroke"
        />
        {limit !== null && (
          <line
            className="chart-limit"
            x1="0"
            x2={WIDTH}
            y1={y(limit)}
            y2={y(limit)}
            vectorEffect="non-scaling-stroke"
          >
            <title>{limitLabel ?? 'limit'}</title>
          </line>
        )}
        {path !== '' && <path className="chart-line" d={path} vectorEffect="non-scaling-stroke" />}
      </svg>
      <div className="chart-axis">
        <span>0</span>
        <span>
          {format(domain[1])}
          {limit !== null && limitLabel !== undefined && ` · ${limitLabel}`}
        </span>
      </div>
    </figure>
  );
}
