import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CANDIDATE_MAX_DISTANCE, FUZZY_MAX_DISTANCE, matchPlate } from '../../src/matching/matcher.js';
import { CONFUSABLE_FROM, CONFUSABLE_TO, plateDistance, skeleton, skeletonNeighbours } from '../../src/matching/confusion.js';
import { findVehiclesBySkeletons, findVehiclesNearSkeleton, skeletonDeletions, type RegisteredVehicle } from '../../src/registry/lookup.js';
import { upsertVehicles } from '../../src/registry/store.js';
import { createRng, syntheticVehicle, type Rng } from '../../src/registry/synthetic.js';
import type { VehicleInput } from '../../src/registry/types.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

// The deletion-key lookup (migration 170) must find exactly the vehicles the ~500-skeleton probe
// of migration 020 found; the old probe stays in the registry module as the reference.

let db: TestDatabase;
const rng = createRng(14);
const GLYPHS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const pick = (r: Rng, s: string) => s[Math.floor(r() * s.length)]!;

/** One random edit of a key: a look-alike swap, a wrong glyph, a missing, an extra or two swapped glyphs. */
function mutate(r: Rng, key: string): string {
  const i = Math.floor(r() * key.length);
  switch (Math.floor(r() * 5)) {
    case 0: {
      const cls = CONFUSABLE_TO[CONFUSABLE_FROM.indexOf(key[i]!)] ?? key[i]!;
      const alikes = [...CONFUSABLE_FROM].filter((_c, j) => CONFUSABLE_TO[j] === cls).join('') + cls;
      return key.slice(0, i) + pick(r, alikes) + key.slice(i + 1);
    }
    case 1: return key.slice(0, i) + pick(r, GLYPHS) + key.slice(i + 1);
    case 2: return key.slice(0, i) + key.slice(i + 1);
    case 3: return key.slice(0, i) + pick(r, GLYPHS) + key.slice(i);
    default: return i + 1 < key.length ? key.slice(0, i) + key[i + 1]! + key[i]! + key.slice(i + 2) : key;
  }
}

const registry: VehicleInput[] = [];
beforeAll(async () => {
  db = await createTestDatabase();
  // a dense registry: every base plate has look-alike and one-edit neighbours registered too
  for (let b = 0; b < 150; b++) {
    const base = syntheticVehicle(rng);
    registry.push(base);
    for (let v = 0; v < 3; v++) {
      const key = mutate(rng, base.plateKey);
      registry.push({ ...base, plate: key, plateKey: key });
    }
  }
  await upsertVehicles(db.pool, registry);
});
afterAll(async () => { await db.drop(); });

function reads(): string[] {
  const out: string[] = [];
  for (let i = 0; i < 300; i++) {
    let key = registry[Math.floor(rng() * registry.length)]!.plateKey;
    const edits = Math.floor(rng() * 3);
    for (let e = 0; e < edits; e++) key = mutate(rng, key);
    out.push(key);
  }
  for (let i = 0; i < 40; i++) out.push(syntheticVehicle(rng).plateKey);
  // foreign and short texts
  out.push('ABC1234', 'WXYZ99', 'SG12345', '8', '');
  return out;
}

const ids = (vs: RegisteredVehicle[]) => vs.map((v) => v.id).sort((a, b) => a - b);
const oldNear = (key: string) => findVehiclesBySkeletons(db.pool, skeletonNeighbours(skeleton(key)));
const newNear = (key: string) => {
  const sk = skeleton(key);
  const within = new Set(skeletonNeighbours(sk));
  return findVehiclesNearSkeleton(db.pool, sk, (s) => within.has(s));
};

describe('fuzzy candidate lookup by deletion keys', () => {
  it('finds the same vehicles as probing every skeleton one edit away', async () => {
    let found = 0;
    for (const key of reads()) {
      const before = ids(await oldNear(key));
      expect(ids(await newNear(key)), key).toEqual(before);
      found += before.length;
    }
    expect(found).toBeGreaterThan(300);
  });

  it('gives matchPlate the same statuses and candidates as the old lookup, ambiguous and foreign reads included', async () => {
    const seen = new Map<string, number>();
    const at = new Date('2025-06-01T08:00:00+07:00');
    for (const key of reads()) {
      const r = await matchPlate(db.pool, { plateText: key, profile: 'vn', observedColour: 'white', at });
      seen.set(r.status, (seen.get(r.status) ?? 0) + 1);
      if (r.status === 'foreign' || r.status === 'exact') continue;
      const expected = (await oldNear(r.searchedKey))
        .map((v) => ({ plateKey: v.plateKey, distance: plateDistance(r.searchedKey, v.plateKey) }))
        .filter((c) => c.distance <= CANDIDATE_MAX_DISTANCE)
        .sort((a, b) => a.distance - b.distance || a.plateKey.localeCompare(b.plateKey))
        .slice(0, 10);
      const close = expected.filter((c) => c.distance <= FUZZY_MAX_DISTANCE).length;
      expect(r.candidates.map((c) => ({ plateKey: c.plateKey, distance: c.distance })), key).toEqual(expected);
      expect(r.status, key).toBe(close === 1 ? 'fuzzy' : close > 1 ? 'ambiguous' : 'unknown');
    }
    for (const status of ['exact', 'fuzzy', 'ambiguous', 'unknown', 'foreign']) expect(seen.get(status), status).toBeGreaterThan(0);
  });

  it('stores the same deletion keys as the lookup computes from a read', async () => {
    const { rows } = await db.pool.query<{ plate_key: string; deletions: string[] }>(
      'SELECT plate_key, plate_skeleton_deletions AS deletions FROM vehicles ORDER BY id LIMIT 50');
    for (const r of rows) expect([...r.deletions].sort(), r.plate_key).toEqual(skeletonDeletions(skeleton(r.plate_key)).sort());
  });

  it('finds a vehicle registered after the migration by a missing or an extra glyph', async () => {
    const [v] = await upsertVehicles(db.pool, [{ ...registry[0]!, plate: '99Z-000.01', plateKey: '99Z00001' }]).then((m) => [...m.values()]);
    expect(ids(await newNear('99Z0001'))).toContain(v);
    expect(ids(await newNear('99200001X'))).toContain(v);
  });
});
