import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DECLARED_SLOTS } from './api';

// The reference slot table (ORT API 30) the declarations were written from; present on the
// project's build machines, absent elsewhere.
const INDEX = '/work/shared/ref/ort-c-api-index.json';

interface Slot {
  index: number;
  name: string;
}

describe.runIf(fs.existsSync(INDEX))('declared C functions', () => {
  const index = JSON.parse(fs.readFileSync(INDEX, 'utf8')) as Record<string, Slot[]>;
  for (const table of ['OrtApi', 'OrtCompileApi'] as const) {
    it(`sit at the ${table} slots the reference names`, () => {
      const byName = new Map((index[table] ?? []).map((s) => [s.name, s.index]));
      for (const [name, slot] of Object.entries(DECLARED_SLOTS[table])) {
        expect({ name, slot }).toEqual({ name, slot: byName.get(name) });
      }
    });
  }
});
