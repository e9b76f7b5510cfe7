/** `crucible inspect MODEL [--json] [--dim NAME=N]`. */
import type { ModelInspection, PrecisionSummary, ValueInfo } from '../../ipc/contract';
import { inspectModel } from '../../engine/model/inspect';
import { AppError } from '../../shared/errors';
import { parseCliArgs, parseDims, type CliIo } from '../io';

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
  if (m.precision) lines.push(...formatPrecision(m.precision));
  if (m.externalData.length) {
    lines.push('  external data');
    for (const e of m.externalData) {
      lines.push(`    ${e.location}: ${e.bytes} bytes${e.exists ? '' : ' (MISSING)'}`);
    }
  }
  return lines.join('\n');
}

const pct = (part: number, whole: number) =>
  whole > 0 ? `${((100 * part) / whole).toFixed(part === whole ? 0 : 1)}%` : '—';

/** The precision lines: weights and compute by precision, ops per precision, Casts. */
export function formatPrecision(p: PrecisionSummary): string[] {
  const weightBytes = p.weights.reduce((s, w) => s + w.bytes, 0);
  const flops = p.compute.reduce((s, c) => s + c.flops, 0);
  const nodes = p.compute.reduce((s, c) => s + c.nodes, 0);
  const lines = [
    `  precision   ${p.headline}`,
    `    weights   ${
      p.weights
        .map((w) => `${w.dtype} ${pct(w.bytes, weightBytes)} (${w.count.toLocaleString('en-US')})`)
        .join(', ') || 'none'
    }`,
    `    compute   ${p.compute
      .map((c) =>
        flops > 0 && c.flops > 0
          ? `${c.precision} ${pct(c.flops, flops)} of FLOPs, ${c.nodes} nodes`
          : flops > 0
            ? `${c.precision} ${c.nodes} nodes`
            : `${c.precision} ${pct(c.nodes, nodes)} of nodes`,
      )
      .join('; ')}`,
  ];
  const byPrecision = new Map<string, string[]>();
  for (const o of p.ops.filter((x) => x.precision !== 'cast')) {
    byPrecision.set(o.precision, [...(byPrecision.get(o.precision) ?? []), `${o.op} ${o.count}`]);
  }
  for (const [precision, ops] of byPrecision) {
    lines.push(
      `    ${precision.padEnd(9)} ${ops.slice(0, 12).join(', ')}${ops.length > 12 ? ', …' : ''}`,
    );
  }
  for (const c of p.casts) {
    const at = Object.entries(c.at)
      .map(([where, n]) => `${n} at ${where === 'inside' ? 'inside' : `the ${where}`}`)
      .join(', ');
    lines.push(`    cast      ${c.from} → ${c.to} ×${c.count} (${at}; ${c.nodes.join(', ')})`);
  }
  return lines;
}
