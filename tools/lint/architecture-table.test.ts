// docs/ARCHITECTURE.md's folder table ("Folders and layers") against the tree: every folder at the
// top of the repository and every folder of src-main/, src-renderer/ and tools/ has a row, and
// every row names a folder that exists. Folders git ignores (dist/, node_modules/ …) are build
// output, not layout.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '..', '..');

/** The folders of `dir` (repo-relative, ending in '/'), less .git and what git ignores. */
function folders(dir: string): string[] {
  const names = readdirSync(path.join(root, dir), { withFileTypes: true })
    .filter((e) => e.isDirectory() && e.name !== '.git')
    .map((e) => (dir ? `${dir}/${e.name}` : e.name));
  if (names.length === 0) return [];
  // `git check-ignore` prints the ignored ones and exits 1 when none is ignored.
  let ignored: string[] = [];
  try {
    ignored = execFileSync('git', ['check-ignore', ...names], { cwd: root, encoding: 'utf8' })
      .split('\n')
      .filter(Boolean);
  } catch (err) {
    const out = (err as { status?: number; stdout?: string }).stdout ?? '';
    if ((err as { status?: number }).status !== 1) throw err;
    ignored = out.split('\n').filter(Boolean);
  }
  return names.filter((n) => !ignored.includes(n)).map((n) => `${n}/`);
}

/** The first-column paths of the table under "## Folders and layers". */
function tableRows(): string[] {
  const doc = readFileSync(path.join(root, 'docs/ARCHITECTURE.md'), 'utf8');
  const start = doc.indexOf('## Folders and layers');
  expect(start, 'docs/ARCHITECTURE.md has a "## Folders and layers" section').toBeGreaterThan(-1);
  const section = doc.slice(start, doc.indexOf('\n## ', start + 1));
  return section
    .split('\n')
    .map((line) => /^\| `([^`]+)`/.exec(line)?.[1])
    .filter((x): x is string => x !== undefined);
}

describe('docs/ARCHITECTURE.md folder table', () => {
  it('lists every top-level folder and every folder of src-main, src-renderer and tools', () => {
    const tree = [
      ...folders(''),
      ...folders('src-main'),
      ...folders('src-renderer'),
      ...folders('tools'),
    ];
    const rows = tableRows();
    expect(tree.filter((f) => !rows.includes(f))).toEqual([]);
  });

  it('names only folders that exist', () => {
    const missing = tableRows().filter((r) => {
      const p = path.join(root, r);
      return !existsSync(p) || !statSync(p).isDirectory();
    });
    expect(missing).toEqual([]);
  });
});
