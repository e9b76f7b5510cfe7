/** `crucible inspect MODEL [--json] [--dim NAME=N]`. */
import type { ModelInspection, ValueInfo } from '../ipc/contract';
import { inspectModel } from '../engine/model/inspect';
import { AppError } from '../shared/errors';
import { parseCliArgs, parseDims, type CliIo } from './io';

export async function inspectCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCliArgs('inspect', args, {
    json: { type: 'boolean' },
    dim: { type: 'string', multiple: true },
  });
  if (positionals.length !== 1)
    throw new AppError('BAD_REQUEST', 'inspect: give exactly one MODEL path');
  const model = positionals[0] as string;
  const inspection = await inspectModel(model, { dims: parseDims(values.dim) });
  if (values.json) io.out(JSON.stringify(inspection, null, 2));
  else io.out(formatInspection(model, inspection));
  return 0;
}

const fmtShape = (v: ValueInfo) =>
  v.shape
    ? `[${v.shape.map((d) => (d === null ? '?' : String(d))).join(', ')}]`
    : '(unknown shape)';

/** The human-readable form. */
export function formatInspection(model: string, m: ModelInspection): string {
  const lines = [
    `${model}`,
    `  size        ${(m.sizeBytes / 1e6).toFixed(2)} MB, IR ${m.irVersion ?? '?'}, opsets ${m.opsets.map((o) => `${o.domain || 'ai.onnx'} ${o.version}`).join(', ')}`,
    `  producer    ${m.producer.name || '(none)'} ${m.producer.version}`,
    `  inputs`,
    ...m.inputs.map((i) => `    ${i.name}: ${i.dtype ?? i.kind} ${fmtShape(i)}`),
    `  outputs`,
    ...m.outputs.map((o) => `    ${o.name}: ${o.dtype ?? o.kind} ${fmtShape(o)}`),
    `  dynamic     ${m.dynamicDims.length ? m.dynamicDims.join(', ') : 'none'}`,
    `  nodes       ${m.nodeCount} (${Object.entries(m.ops)
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')})`,
    `  parameters  ${m.parameterCount.toLocaleString('en-US')} (${(m.parameterBytes / 1e6).toFixed(2)} MB in ${m.initializerCount} initializers)`,
    `  FLOPs       ${m.flops.total === null ? 'unknown' : `${(m.flops.total / 1e9).toFixed(3)} G`} — ${m.flops.note}`,
  ];
  if (m.externalData.length) {
    lines.push('  external data');
    for (const e of m.externalData) {
      lines.push(`    ${e.location}: ${e.bytes} bytes${e.exists ? '' : ' (MISSING)'}`);
    }
  }
  return lines.join('\n');
}
