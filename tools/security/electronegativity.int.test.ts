// Electron hardening checked by a tool made for it: @doyensec/electronegativity (offline) over the
// Electron shell (src-main/app: main process, IPC binding, navigation guards, preload) and the page
// it loads (src-renderer/index.html, with its CSP meta tag), copied into one folder so the global
// checks see both sides. Fails on any HIGH finding, and on any finding docs/SECURITY.md does not
// answer. `CRUCIBLE_RECORD=1` also writes the report to docs/security/electronegativity.csv.
// The scanner runs as a library in a child process (electronegativity-scan.cjs says why not its CLI).
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

const root = path.resolve(__dirname, '..', '..');
const scanner = path.join(__dirname, 'electronegativity-scan.cjs');

interface Finding {
  id: string;
  severity: string;
  confidence: string;
  file: string;
  location: string;
  sample: string;
  description: string;
}

/** The findings as a CSV report (the recorded form in docs/security/). */
function toCsv(findings: Finding[]): string {
  const q = (v: string) => `"${v.replace(/"/g, '""')}"`;
  const rows = findings.map((f) =>
    [
      f.id,
      q(f.severity),
      q(f.confidence),
      q(f.file),
      q(f.location),
      q(f.sample),
      q(f.description),
      `https://github.com/doyensec/electronegativity/wiki/${f.id}`,
    ].join(','),
  );
  return (
    ['issue, severity, confidence, filename, location, sample, description, url', ...rows].join(
      '\n',
    ) + '\n'
  );
}

it(
  'electronegativity finds nothing HIGH, and docs/SECURITY.md answers every finding',
  { timeout: 60_000 },
  async () => {
    const work = await mkdtemp(path.join(os.tmpdir(), 'crucible-eneg-'));
    try {
      const scan = path.join(work, 'app');
      await cp(path.join(root, 'src-main', 'app'), path.join(scan, 'app'), {
        recursive: true,
        filter: (src) => !src.endsWith('.test.ts'),
      });
      await cp(path.join(root, 'src-renderer', 'index.html'), path.join(scan, 'index.html'));
      const electron = JSON.parse(
        await readFile(path.join(root, 'node_modules', 'electron', 'package.json'), 'utf8'),
      ) as { version: string };
      const out = path.join(work, 'report.json');
      await promisify(execFile)(process.execPath, [scanner, scan, electron.version, out], {
        timeout: 50_000,
      });
      const findings = JSON.parse(await readFile(out, 'utf8')) as Finding[];
      console.log(
        `electronegativity (Electron ${electron.version}): ${findings.length} finding(s): ${findings
          .map((f) => `${f.id} ${f.severity}/${f.confidence} ${f.file}:${f.location}`)
          .join('; ')}`,
      );
      if (process.env.CRUCIBLE_RECORD) {
        await writeFile(
          path.join(root, 'docs', 'security', 'electronegativity.csv'),
          toCsv(findings),
        );
      }
      expect(findings.filter((f) => f.severity === 'HIGH')).toEqual([]);
      const doc = await readFile(path.join(root, 'docs', 'SECURITY.md'), 'utf8');
      for (const f of findings)
        expect(doc, `${f.id} is not answered in docs/SECURITY.md`).toContain(f.id);
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  },
);
