import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { matchPlate } from '../../src/matching/matcher.js';
import { withTransaction } from '../../src/db/pool.js';
import { addOwnership, upsertOwners, upsertVehicles } from '../../src/registry/store.js';
import { createRng, syntheticVehicle } from '../../src/registry/synthetic.js';
import { skeleton, skeletonNeighbours } from '../../src/matching/confusion.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { registerVehicle } from '../violations/fixtures.js';

let db: TestDatabase;
const at = new Date('2025-06-01T08:00:00+07:00');
let car: { vehicleId: number; ownerId: number };
let bike: { vehicleId: number; ownerId: number };

beforeAll(async () => {
  db = await createTestDatabase();
  car = await registerVehicle(db.pool, { plate: '30A-123.45', type: 'car' });
  bike = await registerVehicle(db.pool, { plate: '29-B1 678.90', type: 'motorbike' });
  // 1 and 7 look alike: a read of 51G-888.17 is one look-alike away from each of these
  await registerVehicle(db.pool, { plate: '51G-888.11', type: 'car' });
  await registerVehicle(db.pool, { plate: '51G-888.77', type: 'car' });
});
afterAll(async () => { await db.drop(); });

const match = (plateText: string, extra: Partial<Parameters<typeof matchPlate>[1]> = {}) =>
  matchPlate(db.pool, { plateText, profile: 'vn', observedColour: 'white', at, ...extra });

describe('matching a read plate to the registry', () => {
  it('matches an exact plate to its vehicle and current owner', async () => {
    const r = await match('30A-123.45');
    expect(r).toMatchObject({ status: 'exact', vehicleId: car.vehicleId, ownerId: car.ownerId, suspectedClone: false, vehicleType: 'car' });
    expect(r.candidates).toEqual([expect.objectContaining({ plateKey: '30A12345', score: 1, distance: 0 })]);
  });

  it('treats a look-alike the plate grammar repairs by position (O in the province) as exact', async () => {
    expect((await match('3OA-123.45')).status).toBe('exact');
  });

  it('sends a single look-alike candidate to review as fuzzy, naming the vehicle', async () => {
    // letters in digit positions are repaired by the grammar; a digit misread as a look-alike digit (1 as 7) is not
    const r = await match('30A-723.45');
    expect(r.status).toBe('fuzzy');
    expect(r.vehicleId).toBe(car.vehicleId);
    expect(r.ownerId).toBe(car.ownerId);
    expect(r.candidates[0]).toMatchObject({ plateKey: '30A12345', distance: 0.3, score: 0.85 });
  });

  it('calls several close candidates ambiguous and names no vehicle', async () => {
    const r = await match('51G-888.17');
    expect(r.status).toBe('ambiguous');
    expect(r.vehicleId).toBeNull();
    expect(r.ownerId).toBeNull();
    expect(r.candidates.map((c) => c.plateKey).sort()).toEqual(['51G88811', '51G88877']);
    expect(r.candidates.every((c) => c.distance === 0.3 && c.ownerId !== null)).toBe(true);
  });

  it('reports an unknown plate with near misses (one wrong glyph) as candidates but no vehicle', async () => {
    const r = await match('30A-123.49');
    expect(r.status).toBe('unknown');
    expect(r.vehicleId).toBeNull();
    expect(r.candidates).toEqual([expect.objectContaining({ plateKey: '30A12345', distance: 1 })]);
    const nothing = await match('88C-555.55');
    expect(nothing).toMatchObject({ status: 'unknown', vehicleId: null, candidates: [] });
  });

  it('calls a plate foreign when the camera reads generic plates or the text is not a Vietnamese plate', async () => {
    expect((await match('30A-123.45', { profile: 'generic' })).status).toBe('foreign');
    expect((await match('ABC1234')).status).toBe('foreign');
    expect((await match('1234')).status).toBe('foreign');
  });

  it('flags a suspected clone when the plate colour or the kind of plate differs from the registration', async () => {
    const colour = await match('30A-123.45', { observedColour: 'yellow' });
    expect(colour).toMatchObject({ status: 'exact', suspectedClone: true });
    expect(colour.cloneReason).toContain('yellow');
    const layout = await match('29B1-678.90', { observedLayout: 'one-line' });
    expect(layout).toMatchObject({ status: 'exact', vehicleId: bike.vehicleId, suspectedClone: true });
    expect(layout.cloneReason).toContain('one-line');
    expect((await match('30A-123.45', { observedColour: 'unknown' })).suspectedClone).toBe(false);
  });

  it('resolves the owner at the time of the violation: a buyer who has not re-registered answers after the sale', async () => {
    const sold = await registerVehicle(db.pool, { plate: '30E-246.80', type: 'car', since: new Date('2019-01-01T00:00:00+07:00') });
    const saleDate = new Date('2025-03-01T00:00:00+07:00');
    const buyer = await withTransaction(db.pool, async (tx) => {
      const ids = await upsertOwners(tx, [{ kind: 'person', nationalId: '079090123456', fullName: 'Người Mua', address: 'TP HCM', province: 'TP HCM' }]);
      const buyerId = ids.get('P:079090123456')!;
      const r = await addOwnership(tx, { vehicleId: sold.vehicleId, ownerId: buyerId, basis: 'sale_unregistered', validFrom: saleDate, validTo: null });
      expect(r.outcome).toBe('closed_previous');
      return buyerId;
    });
    expect((await match('30E-246.80', { at: new Date('2025-02-01T00:00:00+07:00') })).ownerId).toBe(sold.ownerId);
    expect((await match('30E-246.80', { at: new Date('2025-04-01T00:00:00+07:00') })).ownerId).toBe(buyer);
  });

  it('finds fuzzy candidates through the skeleton index, not by scanning the table', async () => {
    const rng = createRng(5);
    await withTransaction(db.pool, (tx) => upsertVehicles(tx, Array.from({ length: 3000 }, () => syntheticVehicle(rng))));
    await db.pool.query('ANALYZE vehicles');
    // on a small table a sequential scan is cheaper and the planner rightly picks it; what matters is
    // that the lookup can be served by the index the registry of millions will use
    const plan = await withTransaction(db.pool, async (tx) => {
      await tx.query('SET LOCAL enable_seqscan = off');
      const { rows } = await tx.query<{ 'QUERY PLAN': string }>(
        'EXPLAIN SELECT id FROM vehicles WHERE plate_skeleton = ANY($1::text[])', [skeletonNeighbours(skeleton('30A12349'))]);
      return rows.map((r) => r['QUERY PLAN']).join('\n');
    });
    expect(plan).toContain('vehicles_plate_skeleton');
    expect(plan).not.toContain('Seq Scan');
    const r = await match('30A-123.49');
    expect(r.candidates.map((c) => c.plateKey)).toContain('30A12345');
  });
});
