/**
 * Formatters for numbers people read: sizes, durations, FLOPs, counts, tensor shapes.
 * Pure functions, so every view shows the same unit the same way.
 */
import type { Dim } from '../../src-main/ipc/contract';

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'] as const;

/** Bytes in binary units with three significant digits: 1536 → "1.50 KiB". */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return '—';
  if (bytes < 1024) return `${Math.round(bytes)} B`;
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${toSignificant(value, 3)} ${BYTE_UNITS[unit]}`;
}

/** A size given in MiB (how NVML and nvidia-smi report VRAM): 8192 → "8.00 GiB". */
export function formatMiB(mib: number | null | undefined): string {
  if (mib === null || mib === undefined) return '—';
  return formatBytes(mib * 1024 * 1024);
}

/** Milliseconds, with the precision that matters at each scale: 0.0421 → "42.1 µs", 2400 → "2.40 s". */
export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms < 0) return `-${formatMs(-ms)}`;
  if (ms < 1) return `${toSignificant(ms * 1000, 3)} µs`;
  if (ms < 1000) return `${toSignificant(ms, 3)} ms`;
  if (ms < 60_000) return `${toSignificant(ms / 1000, 3)} s`;
  const totalSeconds = Math.round(ms / 1000);
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  const ss = String(seconds).padStart(2, '0');
  if (hours > 0) return `${hours}h ${String(minutes).padStart(2, '0')}m ${ss}s`;
  return `${minutes}m ${ss}s`;
}

const SI_PREFIXES = [
  { factor: 1e15, prefix: 'P' },
  { factor: 1e12, prefix: 'T' },
  { factor: 1e9, prefix: 'G' },
  { factor: 1e6, prefix: 'M' },
  { factor: 1e3, prefix: 'k' },
] as const;

/** A value with an SI prefix and unit: (4.1e9, 'FLOP') → "4.10 GFLOP". */
export function formatSi(value: number | null | undefined, unit: string): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  const abs = Math.abs(value);
  for (const { factor, prefix } of SI_PREFIXES) {
    if (abs >= factor) return `${toSignificant(value / factor, 3)} ${prefix}${unit}`;
  }
  return `${toSignificant(value, 3)} ${unit}`;
}

/** Estimated FLOPs of one inference: 4.1e9 → "4.10 GFLOP". */
export function formatFlops(flops: number | null | undefined): string {
  return formatSi(flops, 'FLOP');
}

/** A count in short form: 25_557_032 → "25.6 M"; counts under 10 000 stay exact ("9 999"). */
export function formatCount(count: number | null | undefined): string {
  if (count === null || count === undefined || !Number.isFinite(count)) return '—';
  if (Math.abs(count) < 10_000) return groupThousands(Math.round(count));
  return formatSi(count, '').trimEnd();
}

/** An integer with thin-space thousands groups, the same in every locale: 12345 → "12 345". */
export function groupThousands(n: number): string {
  const sign = n < 0 ? '-' : '';
  const digits = String(Math.abs(Math.trunc(n)));
  return sign + digits.replace(/\B(?=(\d{3})+(?!\d))/g, '\u2009');
}

/**
 * A tensor value for a table: integers stay exact, other numbers get four significant digits,
 * very large or small magnitudes use exponent form, so columns stay short.
 */
export function formatValue(value: number | string | boolean | null | undefined): string {
  if (value === null || value === undefined) return '—';
  if (typeof value !== 'number') return String(value);
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? '∞' : '-∞';
  if (Number.isInteger(value) && Math.abs(value) < 1e9) return String(value);
  const abs = Math.abs(value);
  if (abs !== 0 && (abs < 1e-3 || abs >= 1e6)) return value.toExponential(3);
  // Through Number() so trailing zeros go: 0.52 reads better than 0.5200 in a list of values.
  return String(Number(value.toPrecision(4)));
}

/** A percentage from 0–100: 42.345 → "42%". */
export function formatPct(pct: number | null | undefined): string {
  if (pct === null || pct === undefined || !Number.isFinite(pct)) return '—';
  return `${Math.round(pct)}%`;
}

/** A reading with its unit, or a dash when the GPU did not report it: (215.4, 'W') → "215 W". */
export function formatReading(value: number | null | undefined, unit: string, digits = 0): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return `${value.toFixed(digits)} ${unit}`;
}

/** A tensor shape: fixed sizes as numbers, symbolic dims by name, unknown dims as "?". */
export function formatShape(shape: readonly (Dim | number)[] | null): string {
  if (shape === null) return 'unknown shape';
  return `[${shape.map((d) => (d === null ? '?' : String(d))).join(', ')}]`;
}

/** How long ago a timestamp was, for history lists: "just now", "5 min ago", "3 d ago", then the date. */
export function formatAgo(at: number, now: number): string {
  const seconds = Math.max(0, Math.round((now - at) / 1000));
  if (seconds < 45) return 'just now';
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 24) return `${hours} h ago`;
  const days = Math.round(hours / 24);
  if (days < 30) return `${days} d ago`;
  return new Date(at).toISOString().slice(0, 10);
}

/** A number with `digits` significant digits, without exponent form for everyday magnitudes. */
function toSignificant(value: number, digits: number): string {
  if (value === 0) return '0';
  const magnitude = Math.floor(Math.log10(Math.abs(value)));
  const decimals = Math.max(0, digits - 1 - magnitude);
  return value.toFixed(Math.min(decimals, 20));
}
