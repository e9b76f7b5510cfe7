/**
 * `crucible compare-variants MODEL [--kind fp16|int8] [--provider P,...] [--sets N]
 * [--iterations N] [--dim NAME=N] [--json]`: one of the model's variants (made by `crucible
 * convert`; the newest unless --kind says) against the model on each provider — the same seeded inputs through both (max abs / rel error, lowest cosine, top-1 /
 * top-5 agreement for classifiers) and a benchmark of each (p50 / p90 latency, energy on a GPU) —
 * as one table with a verdict per provider. The table is kept on the variant in the library (the
 * app's Precision panel shows it).
 */
import path from 'node:path';
import { PrecisionVariantKindSchema, type ProviderId, type TradeTable } from '../../ipc/contract';
import { composeHeadless } from '../../services/headless';
import { tradeModel } from '../../services/precision-service';
import { AppError } from '../../shared/errors';
import { openCliLibrary } from './convert';
import { type CliIo, oneModelPath, parseCliArgs, parseDims, providerArg } from '../io';

/** The usage lines of `crucible compare-variants`. */
export const COMPARE_VARIANTS_USAGE = `compare-variants MODEL [--kind fp16|int8] [--provider P,...] [--sets N]
                 [--iterations N] [--dim NAME=N ...] [--json]
      the model's variant (the newest, or --kind) against the model per provider: error over N seeded input
      sets (default 8), latency (benchmark, default 200 iterations), energy on a GPU, verdict`;

function positiveInt(option: string, v: string, max: number): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 1 || n > max) {
    throw new AppError('BAD_REQUEST', `compare-variants: ${option} must be 1…${max}, got '${v}'`);
  }
  return n;
}

/** Runs `crucible compare-variants`. */
export async function compareVariantsCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCliArgs('compare-variants', args, {
    kind: { type: 'string' },
    provider: { type: 'string', multiple: true },
    sets: { type: 'string', default: '8' },
    iterations: { type: 'string', default: '200' },
    dim: { type: 'string', multiple: true },
    json: { type: 'boolean' },
  });
  const modelPath = oneModelPath('compare-variants', positionals);
  const providers: ProviderId[] = (values.provider ?? ['cpu'])
    .flatMap((x) => x.split(','))
    .map((p) => providerArg('compare-variants', p));
  const sets = positiveInt('--sets', values.sets, 64);
  const iterations = positiveInt('--iterations', values.iterations, 10_000);
  const dims = parseDims(values.dim);

  const library = await openCliLibrary();
  const model = await library.add(modelPath);
  let kind = null;
  if (values.kind !== undefined) {
    const parsed = PrecisionVariantKindSchema.safeParse(values.kind);
    if (!parsed.success) {
      throw new AppError(
        'BAD_REQUEST',
        `compare-variants: --kind must be ${PrecisionVariantKindSchema.options.join(' or ')}, got '${values.kind}'`,
      );
    }
    kind = parsed.data;
  }
  // Without --kind, the variant made last: what `crucible convert` just wrote.
  const variant = [...(model.variants ?? [])]
    .filter((v) => kind === null || v.kind === kind)
    .sort((a, b) => b.createdAt - a.createdAt)[0];
  if (!variant) {
    const want = kind ?? 'fp16|int8';
    throw new AppError(
      'NOT_FOUND',
      `${model.path} has no ${kind ?? ''}${kind ? ' ' : ''}variant in the library yet: run crucible convert ${positionals[0]} --to ${want} first`,
    );
  }
  const original = tradeModel(model);
  const made = tradeModel(library.get(variant.id) ?? model);

  const headless = await composeHeadless();
  try {
    const table = await headless.trade(original, made, variant.kind, {
      providers,
      sets,
      iterations,
      dims,
      onProgress: (m) => io.err(m),
    });
    await library.setVariantTrade(variant.id, table);
    if (values.json) {
      io.out(JSON.stringify({ model: model.path, variant: variant.path, ...table }, null, 2));
    } else {
      io.out(formatTrade(`${model.path} vs ${path.basename(variant.path)}`, table));
    }
    return table.rows.some((r) => r.problem !== null) ? 3 : 0;
  } finally {
    headless.close();
  }
}

const ms = (v: number | null) => (v === null ? '—' : v < 1 ? v.toFixed(4) : v.toFixed(3));
const sci = (v: number) => (v === 0 ? '0' : v.toExponential(2));

/** The trade table for people: precision × provider → error, latency, energy, verdict. */
export function formatTrade(title: string, t: TradeTable): string {
  const head = [
    'provider',
    'precision',
    'p50 ms',
    'p90 ms',
    'J/inf',
    'max abs',
    'max rel',
    'cosine',
    'top-1',
    'top-5',
  ];
  const body = t.rows.map((r) => [
    r.provider,
    r.precision,
    ms(r.p50Ms),
    ms(r.p90Ms),
    r.joulesPerInference === null ? '—' : r.joulesPerInference.toPrecision(3),
    r.error ? sci(r.error.maxAbs) : '—',
    r.error ? sci(r.error.maxRel) : '—',
    r.error ? r.error.cosine.toFixed(6) : '—',
    r.error?.topk ? `${r.error.topk.top1}/${r.error.topk.rows}` : '—',
    r.error?.topk ? `${r.error.topk.top5}/${r.error.topk.rows}` : '—',
  ]);
  const widths = head.map((h, i) =>
    Math.max(h.length, ...body.map((row) => (row[i] as string).length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] as number))
      .join('  ')
      .trimEnd();
  const out = [
    title,
    `  ${t.sets} seeded input set(s)${
      Object.keys(t.dims).length
        ? `, dims ${Object.entries(t.dims)
            .map(([k, v]) => `${k}=${v}`)
            .join(' ')}`
        : ''
    }`,
    '',
    line(head),
    ...body.map(line),
    '',
  ];
  for (const r of t.rows) {
    if (r.precision === 'original' && r.problem === null) continue;
    out.push(`${r.provider} ${r.precision}: ${r.problem ?? r.verdict}`);
  }
  return out.join('\n');
}
