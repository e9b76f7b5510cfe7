import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DECLARED_SLOTS } from './api';
import { ORT_API_VERSION } from './library';

interface Slot {
  index: number;
  name: string;
  signature: string;
}

// The reference slot table (ORT API 30) the declarations were written from, kept in the repository
// so that this check runs on every clone (ort-c-api-slots.json says where it came from).
const slots = JSON.parse(readFileSync(path.join(__dirname, 'ort-c-api-slots.json'), 'utf8')) as {
  ORT_API_VERSION: number;
  counts: { OrtApi: number; OrtCompileApi: number };
  OrtApi: Slot[];
  OrtCompileApi: Slot[];
};

describe('declared C functions', () => {
  it('are checked against the table for the API version the binding requests', () => {
    expect(slots.ORT_API_VERSION).toBe(ORT_API_VERSION);
    expect(slots.OrtApi).toHaveLength(slots.counts.OrtApi);
    expect(slots.OrtCompileApi).toHaveLength(slots.counts.OrtCompileApi);
  });
  for (const table of ['OrtApi', 'OrtCompileApi'] as const) {
    it(`sit at the ${table} slots the reference names`, () => {
      const byName = new Map(slots[table].map((s) => [s.name, s.index]));
      for (const [name, slot] of Object.entries(DECLARED_SLOTS[table])) {
        expect({ name, slot }).toEqual({ name, slot: byName.get(name) });
      }
    });
  }
});
