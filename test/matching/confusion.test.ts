import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONFUSION_COST, plateDistance, skeleton, skeletonNeighbours } from '../../src/matching/confusion.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

let db: TestDatabase;
beforeAll(async () => { db = await createTestDatabase(); });
afterAll(async () => { await db.drop(); });

describe('confusion-aware plate distance', () => {
  it('is zero for the same key and cheap for look-alike glyphs', () => {
    expect(plateDistance('30A12345', '30A12345')).toBe(0);
    for (const [a, b] of [['0', 'D'], ['8', 'B'], ['1', '7'], ['5', 'S'], ['2', 'Z'], ['6', 'G'], ['4', 'A']]) {
      expect(plateDistance(`30A1234${a}`, `30A1234${b}`)).toBe(CONFUSION_COST);
    }
  });

  it('charges a full edit for an unrelated glyph, a missing or an extra one', () => {
    expect(plateDistance('30A12345', '30A12349')).toBe(1);
    expect(plateDistance('30A12345', '30A1234')).toBe(1);
    expect(plateDistance('30A12345', '30A123455')).toBe(1);
    expect(plateDistance('30A12345', '31A1234S')).toBe(1 + CONFUSION_COST);
  });

  it('gives look-alike misreads the same skeleton, and different plates different ones', () => {
    expect(skeleton('30A12345')).toBe(skeleton('3DA1Z34S'));
    expect(skeleton('30A12345')).not.toBe(skeleton('30A12349'));
  });

  it('lists every skeleton one edit away, so a single wrong glyph is still found', () => {
    const near = skeletonNeighbours(skeleton('30A12345'));
    expect(near).toContain(skeleton('30A12349'));
    expect(near).toContain(skeleton('30A1234'));
    expect(near).toContain(skeleton('30A123456'));
    expect(near).not.toContain(skeleton('30A12399'));
  });

  it('computes the same skeleton as the database column the index is built on', async () => {
    const keys = ['30A12345', '29B112345', 'OQDUIJLTY7SZGABE3', '51G99999', '29AA12345', 'CFHKMNPRVWX'];
    const { rows } = await db.pool.query<{ k: string; s: string }>(
      `SELECT k, translate(k, 'OQDUIJLTY7SZGABE3', '00001111115264888') AS s FROM unnest($1::text[]) AS k`, [keys]);
    for (const r of rows) expect(r.s).toBe(skeleton(r.k));
  });
});
