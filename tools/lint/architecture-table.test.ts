// docs/ARCHITECTURE.md's folder table ("Folders and layers") against the tree: every folder at the
// top of the repository and every folder of src-main/, src-renderer/ and tools/ that holds tracked
// files has a row, and every row names a folder that exists.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '..', '..');

/**
 * The folders that hold tracked files: at the top, and one level into src-main/, src-renderer/
 * and tools/. Git's view, so build output (dist/, node_modules/ …) and someone's scratch folder
 * are not layout, and a new folder counts once it is committed.
 */
function trackedFolders(): string[] {
  const files = execFileSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8' })
    .split('\0')
    .filter(Boolean);
  const out = new Set<string>();
  for (const f of files) {
    const parts = f.split('/');
    if (parts.length < 2) continue;
    out.add(`${parts[0]}/`);
    if (['src-main', 'src-renderer', 'tools'].includes(parts[0] as string) && parts.length > 2) {
      out.add(`${parts[0]}/${parts[1]}/`);
    }
  }
  return [...out].sort();
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
    const tree = trackedFolders();
    expect(tree).toContain('src-main/engine/');
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
