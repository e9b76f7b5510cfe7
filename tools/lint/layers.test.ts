// Every layer rule of the folder READMEs fails lint on a deliberate violation: each fixture in
// fixtures/ names the file it pretends to be (`// as: <path>`) and breaks exactly one rule (its
// file name); ESLint runs with the repository's own eslint.config.mjs. The `ok-*` fixtures hold
// imports the rules must let through, so a rule that fires on everything fails too.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
// @ts-expect-error — a plain .mjs module (the ESLint config imports it); it has no declarations.
import { LAYER_RULES } from './layers.mjs';

const root = path.resolve(__dirname, '..', '..');
const fixtures = path.join(__dirname, 'fixtures');
const files = readdirSync(fixtures).filter((f) => f.endsWith('.fixture'));
const eslint = new ESLint({ cwd: root });

/** The crucible/layers messages ESLint reports for one fixture, linted as the file it names. */
async function layerMessages(fixture: string): Promise<string[]> {
  const text = readFileSync(path.join(fixtures, fixture), 'utf8');
  const as = /^\/\/ as: (\S+)/.exec(text)?.[1];
  if (!as) throw new Error(`${fixture}: the first line must be '// as: <path>'`);
  const [result] = await eslint.lintText(text, { filePath: path.join(root, as) });
  return (result?.messages ?? [])
    .filter((m) => m.ruleId === 'crucible/layers')
    .map((m) => m.message);
}

describe('layer rules (tools/lint/layers.mjs)', () => {
  it('has a violating fixture for every rule', () => {
    const ids = (LAYER_RULES as { id: string }[]).map((r) => r.id);
    expect(ids.length).toBeGreaterThan(20);
    expect(files.filter((f) => !f.startsWith('ok-')).map((f) => f.replace('.fixture', ''))).toEqual(
      expect.arrayContaining(ids),
    );
  });

  for (const f of files.filter((x) => !x.startsWith('ok-'))) {
    const id = f.replace('.fixture', '');
    it(`reports ${id}, with the message that says where to go`, async () => {
      const messages = await layerMessages(f);
      expect(messages.some((m) => m.endsWith(`[${id}]`))).toBe(true);
    }, 60_000);
  }

  for (const f of files.filter((x) => x.startsWith('ok-'))) {
    it(`lets ${f} through`, async () => {
      expect(await layerMessages(f)).toEqual([]);
    }, 60_000);
  }
});
