import type { ValueInfo } from '../../../src-main/ipc/contract';
import { isDynamicDim } from './model-summary';

/** A shape with each dynamic dim marked, so the user sees at once what they decide at run time. */
export function ShapeView(props: { shape: ValueInfo['shape'] }) {
  if (props.shape === null) return <span className="muted">unknown</span>;
  return (
    <span className="shape mono">
      [
      {props.shape.map((dim, i) => (
        <span key={i}>
          {i > 0 && ', '}
          {isDynamicDim(dim) ? (
            <mark className="dim-dynamic" title="Dynamic: set at run time">
              {dim ?? '?'}
            </mark>
          ) : (
            dim
          )}
        </span>
      ))}
      ]
    </span>
  );
}

/** A model's inputs or outputs: name, element type, shape. */
export function ValueTable(props: {
  values: readonly ValueInfo[];
  caption: string;
  testId?: string;
}) {
  if (props.values.length === 0) return <p className="muted">No {props.caption.toLowerCase()}.</p>;
  return (
    <table className="table" data-testid={props.testId}>
      <caption>{props.caption}</caption>
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Type</th>
          <th scope="col">Shape</th>
        </tr>
      </thead>
      <tbody>
        {props.values.map((v) => (
          <tr key={v.name}>
            <td className="mono">{v.name}</td>
            <td className="mono">{v.kind === 'tensor' ? (v.dtype ?? '?') : v.kind}</td>
            <td>
              <ShapeView shape={v.shape} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
