/**
 * ORT's log lines back out of a child process's stderr. The engine host's env logs through ORT's
 * own sink (engine/ort/env.ts, logSink 'stderr': no ORT thread may call into JS there), which
 * writes one line per record:
 *
 *   [colour]2026-12-07 00:22:47.821903749 [W:onnxruntime:crucible, file.cc:308 Function] text[end]
 *
 * (ORT's ostream_sink.cc: ISO timestamp — nanoseconds on Linux, fewer digits on Windows —, severity
 * letter V/I/W/E/F, category, log id, code location, message; warnings and worse wrapped in ANSI
 * colours). The parent (EngineClient) reads the host's stderr through {@link OrtLogLineParser}:
 * records become the same {@link LogLine}s the host used to send as `log` messages, and every other
 * line (Node's own warnings, a crash report) is passed on unchanged, so nothing the user saw is
 * lost.
 *
 * A message may span lines. A coloured record ends at its colour reset; an uncoloured one takes
 * the non-record lines that follow it in the same chunk (ORT writes a record in one write, so its
 * lines arrive together) and ends with the chunk.
 */
import type { LogLine } from './protocol';

const SEVERITY: Record<string, number> = { V: 0, I: 1, W: 2, E: 3, F: 4 };

// The colour escape ORT puts around warnings, errors and fatal records (ESC is what is matched).
// eslint-disable-next-line no-control-regex -- the ANSI escape character is ORT's colour marker
const COLOUR = /^\x1b\[[0-9;]*m/;
const COLOUR_END = '\x1b[m';
const HEADER =
  // eslint-disable-next-line no-control-regex -- the ANSI escape character is ORT's colour marker
  /^(\x1b\[[0-9;]*m)?\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(?:\.\d+)? \[([VIWEF]):([^:\]]*):(.*?), [^\]]*\] /;

/** One record being read: its line so far, and whether it waits for a colour reset to end. */
interface Open {
  line: LogLine;
  coloured: boolean;
}

/** Reads one ORT record's first line; null when `text` is not one. */
export function parseOrtLogLine(text: string): { line: LogLine; coloured: boolean } | null {
  const m = HEADER.exec(text);
  if (!m) return null;
  return {
    line: {
      severity: SEVERITY[m[2] as string] ?? 4,
      category: m[3] as string,
      logid: m[4] as string,
      message: text.slice(m[0].length),
    },
    coloured: COLOUR.test(text),
  };
}

/** Splits a stream of text into ORT log records and everything else (see the file comment). */
export class OrtLogLineParser {
  #partial = '';
  #open: Open | null = null;

  constructor(
    private readonly onRecord: (line: LogLine) => void,
    private readonly onOther: (text: string) => void,
  ) {}

  /** Feeds one chunk of the stream. */
  write(chunk: string): void {
    const lines = (this.#partial + chunk).split('\n');
    this.#partial = lines.pop() ?? '';
    for (const raw of lines) this.#line(raw.endsWith('\r') ? raw.slice(0, -1) : raw);
    // An uncoloured record ends with the write that carried it.
    if (this.#open && !this.#open.coloured) this.#flush();
  }

  /** The stream ended: what is left is emitted as it stands. */
  end(): void {
    if (this.#partial) this.#line(this.#partial);
    this.#partial = '';
    this.#flush();
  }

  #line(text: string): void {
    const record = parseOrtLogLine(text);
    if (record) {
      this.#flush();
      this.#open = record;
    } else if (this.#open) {
      this.#open.line.message += `\n${text}`;
    } else {
      this.onOther(`${text}\n`);
      return;
    }
    const open = this.#open;
    if (open.coloured && open.line.message.endsWith(COLOUR_END)) {
      open.line.message = open.line.message.slice(0, -COLOUR_END.length);
      this.#flush();
    }
  }

  #flush(): void {
    const open = this.#open;
    this.#open = null;
    if (open) this.onRecord(open.line);
  }
}
