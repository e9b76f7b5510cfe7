// The rule of issue #12: every ONNX Runtime session has one owner. On the main side only the
// session owner (services/sessions.ts) asks the engine host for a session; in the engine
// processes only engine/session/open-session.ts creates one. This test reads the sources and fails
// naming the file and line of any other place that does.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '..', '..');

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
    const rel = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...sources(rel));
    else if (/\.tsx?$/.test(e.name) && !/\.test\.tsx?$/.test(e.name)) out.push(rel);
  }
  return out;
}

/** `file:line: text` for every line of the sources under `dirs` matching `pattern`. */
function hits(dirs: string[], pattern: RegExp): string[] {
  const out: string[] = [];
  for (const file of dirs.flatMap(sources)) {
    const lines = fs.readFileSync(path.join(root, file), 'utf8').split('\n');
    lines.forEach((line, i) => {
      // Comments may name the op; only code counts.
      if (pattern.test(line) && !/^\s*(\/\/|\*|\/\*)/.test(line)) {
        out.push(`${file.split(path.sep).join('/')}:${i + 1}: ${line.trim()}`);
      }
    });
  }
  return out;
}

const where = (h: string) => h.slice(0, h.indexOf(':'));

describe('one owner for every ORT session', () => {
  it("only services/sessions.ts sends the engine host's session.create", () => {
    const found = hits(['src-main', 'tools'], /['"]session\.create['"]/).filter(
      (h) =>
        ![
          'src-main/services/sessions.ts',
          // The protocol declares the op; the host serves it through openSession.
          'src-main/engine/host/protocol.ts',
          'src-main/engine/host/engine-host.ts',
          // ONNX backend test cases: one throwaway session per case in an isolated runner, no
          // model of the library (the conformance suite, not a user's model).
          'src-main/engine/conformance/conformance.ts',
          // Measurement scripts of the engine host itself (npm run bench, the GPU lane).
          'tools/bench/bench.ts',
          'tools/gpu-lane/lane.ts',
        ].includes(where(h)),
    );
    expect(found, 'ask services/sessions.ts (SessionOwner.acquire) for a session instead').toEqual(
      [],
    );
  });

  it('only engine/session/open-session.ts creates an ORT session in the engine processes', () => {
    const found = hits(['src-main', 'tools'], /\bSession\.(create|fromBytes)\(/).filter(
      (h) =>
        where(h) !== 'src-main/engine/session/open-session.ts' &&
        // The binding itself and its own test children (engine/ort/*.child.ts).
        !where(h).startsWith('src-main/engine/ort/'),
    );
    expect(found, 'open sessions with openSession(spec) (engine/session/open-session.ts)').toEqual(
      [],
    );
  });

  it('the rule catches a session created elsewhere (the test can fail)', () => {
    const probe = path.join(root, 'src-main', 'services', 'zz-owner-probe.ts');
    fs.writeFileSync(
      probe,
      "export const x = (e: any) => e.request('session.create', {});\nexport const y = (S: any) => S.create('m.onnx');\nSession.create('m.onnx');\n",
    );
    try {
      expect(hits(['src-main/services'], /['"]session\.create['"]/).map(where)).toContain(
        'src-main/services/zz-owner-probe.ts',
      );
      expect(hits(['src-main/services'], /\bSession\.(create|fromBytes)\(/).map(where)).toContain(
        'src-main/services/zz-owner-probe.ts',
      );
    } finally {
      fs.rmSync(probe, { force: true });
    }
  });
});
