// ORT's default-sink lines on the engine host's stderr, read back into log records; everything
// else on that stream passes through unchanged.
import { describe, expect, it } from 'vitest';
import type { LogLine } from './protocol';
import { OrtLogLineParser, parseOrtLogLine } from './ort-log-lines';

const TS = '2026-12-07 00:22:47.821903749';
const warn = (msg: string) =>
  `\x1b[0;93m${TS} [W:onnxruntime:crucible, graph.cc:1234 InitializeStateFromModelFileGraphProto] ${msg}\x1b[m\n`;
const info = (msg: string) =>
  `${TS} [I:onnxruntime:, inference_session.cc:764 TraceSessionOptions] ${msg}\n`;

function collect(chunks: string[]): { records: LogLine[]; other: string } {
  const records: LogLine[] = [];
  let other = '';
  const parser = new OrtLogLineParser(
    (l) => records.push(l),
    (t) => (other += t),
  );
  for (const c of chunks) parser.write(c);
  parser.end();
  return { records, other };
}

describe('parseOrtLogLine', () => {
  it.each<[string, string, number, string, string]>([
    ['V', 'onnxruntime', 0, 'crucible', 'verbose text'],
    ['I', 'onnxruntime', 1, '', 'Session Options { execution_mode:0 }'],
    ['E', 'onnxruntime', 3, 'my-session', 'an error: with colons, and commas'],
    ['F', 'VLOG1', 4, 'x', 'fatal'],
  ])('severity %s', (letter, category, severity, logid, message) => {
    const text = `${TS} [${letter}:${category}:${logid}, file.cc:12 operator()] ${message}`;
    expect(parseOrtLogLine(text)?.line).toEqual({ severity, category, logid, message });
  });

  it("reads Windows' shorter timestamps", () => {
    const text = '2026-12-07 00:22:47.8219037 [W:onnxruntime:crucible, a.cc:1 F] windows';
    expect(parseOrtLogLine(text)?.line.message).toBe('windows');
  });

  it('is not fooled by lines that only look a bit like ORT', () => {
    for (const text of [
      '(node:123) Warning: something',
      `${TS} [X:onnxruntime:crucible, a.cc:1 F] not a severity`,
      `[W:onnxruntime:crucible, a.cc:1 F] no timestamp`,
      'engine host: session.run failed: Error: boom',
    ]) {
      expect(parseOrtLogLine(text)).toBeNull();
    }
  });
});

describe('OrtLogLineParser', () => {
  it('turns coloured warnings and plain info lines into records, without the colour codes', () => {
    const { records, other } = collect([warn('Initializer w appears in graph inputs'), info('hi')]);
    expect(records).toEqual([
      {
        severity: 2,
        category: 'onnxruntime',
        logid: 'crucible',
        message: 'Initializer w appears in graph inputs',
      },
      { severity: 1, category: 'onnxruntime', logid: '', message: 'hi' },
    ]);
    expect(other).toBe('');
  });

  it('passes every other line on unchanged, in order with the records', () => {
    const { records, other } = collect([
      `(node:1) Warning: a Node warning\n${info('a')}`,
      'engine host: x failed:\n  at stack\n',
    ]);
    expect(records.map((r) => r.message)).toEqual(['a']);
    expect(other).toBe('(node:1) Warning: a Node warning\nengine host: x failed:\n  at stack\n');
  });

  it('joins a record split over chunks, and a multi-line message', () => {
    const line = info('first line');
    const { records } = collect([
      line.slice(0, 20),
      line.slice(20, -1),
      `\nsecond line\n`,
      warn('w1\nw2').slice(0, 30),
      warn('w1\nw2').slice(30),
    ]);
    expect(records.map((r) => r.message)).toEqual(['first line\nsecond line', 'w1\nw2']);
  });

  it('ends an uncoloured record with its chunk: a later line is not part of it', () => {
    const { records, other } = collect([info('done'), 'Node says something\n']);
    expect(records.map((r) => r.message)).toEqual(['done']);
    expect(other).toBe('Node says something\n');
  });

  it('reads CRLF lines (Windows) and a last line without a newline', () => {
    const { records, other } = collect([
      `${TS} [E:onnxruntime:s, a.cc:1 F] crlf\r\n`,
      'tail without newline',
    ]);
    expect(records).toEqual([
      { severity: 3, category: 'onnxruntime', logid: 's', message: 'crlf' },
    ]);
    expect(other).toBe('tail without newline\n');
  });
});
