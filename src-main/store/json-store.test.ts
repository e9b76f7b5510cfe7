import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { JsonStore } from './json-store';

const Schema = z.object({ version: z.literal(1), n: z.number() });
const empty = () => ({ version: 1 as const, n: 0 });

async function tempStore() {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'crucible-store-'));
  return { dir, store: new JsonStore(path.join(dir, 'things.json'), Schema, empty) };
}

describe('JsonStore', () => {
  it('round-trips a value, and a missing file reads as empty', async () => {
    const { store } = await tempStore();
    expect(await store.load()).toEqual({ state: 'missing', value: empty() });
    await store.save({ version: 1, n: 7 });
    expect(await store.load()).toEqual({ state: 'ok', value: { version: 1, n: 7 } });
  });

  it('keeps a damaged file aside (never deleted) and says what is wrong', async () => {
    const { dir, store } = await tempStore();
    await writeFile(path.join(dir, 'things.json'), '{"version":1,"n":');
    const out = await store.load();
    expect(out.state).toBe('corrupt');
    if (out.state !== 'corrupt') return;
    expect(out.problem).toMatch(/things\.json is not valid JSON/);
    expect(await readFile(out.movedTo, 'utf8')).toBe('{"version":1,"n":');
    await writeFile(path.join(dir, 'things.json'), '{"version":2,"n":1}');
    const wrong = await store.load();
    expect(wrong.state === 'corrupt' && wrong.problem).toMatch(/does not match its schema/);
  });

  it('refuses to write a value that does not match its schema', async () => {
    const { store } = await tempStore();
    await expect(store.save({ version: 1, n: 'x' } as never)).rejects.toThrow();
  });

  it('sweeps the temp files a killed write left, and nothing else', async () => {
    const { dir, store } = await tempStore();
    await store.save({ version: 1, n: 1 });
    await writeFile(path.join(dir, '.things.json.4242.deadbeef.tmp'), '{"version":1,"n":');
    await writeFile(path.join(dir, 'mine.tmp'), 'user file');
    await writeFile(path.join(dir, '.other.json.1.ab.tmp'), 'another store');
    expect((await store.load()).value.n).toBe(1);
    expect((await readdir(dir)).sort()).toEqual([
      '.other.json.1.ab.tmp',
      'mine.tmp',
      'things.json',
    ]);
  });
});
