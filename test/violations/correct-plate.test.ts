import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { correctViolationPlate, ViolationInputError } from '../../src/violations/correct-plate.js';
import { evaluateCapture } from '../../src/violations/evaluate.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { inTx, insertCamera, insertCapture, registerVehicle } from './fixtures.js';

let db: TestDatabase;
let officer: { id: number; username: string };
const t0 = new Date('2025-06-01T08:00:00+07:00');
const now = new Date('2025-06-02T00:00:00+07:00');

beforeAll(async () => {
  db = await createTestDatabase();
  const { rows } = await db.pool.query<{ id: number }>(
    `INSERT INTO users (username, full_name, role, password_hash) VALUES ('officer.a', 'Cán bộ A', 'officer', 'x') RETURNING id`);
  officer = { id: rows[0]!.id, username: 'officer.a' };
});
afterAll(async () => { await db.drop(); });

async function unknownViolation(plate: string, layout: 'one-line' | 'two-line' = 'one-line') {
  const cam = await insertCamera(db.pool, { cameraType: 'red_light' });
  const { capture, read } = await insertCapture(db.pool, cam, { at: t0, plate, layout, phase: 'red', redMs: 2000 });
  const outcome = await inTx(db.pool, (tx) => evaluateCapture(tx, { capture, camera: cam, read }, { now }));
  return outcome.violationIds[0]!;
}
const violation = async (id: number) => (await db.pool.query('SELECT * FROM violations WHERE id = $1', [id])).rows[0];

describe('an officer correcting the plate of a violation', () => {
  it('re-matches the corrected plate, marks it corrected and audits who changed what', async () => {
    const car = await registerVehicle(db.pool, { plate: '30K-555.66', type: 'car' });
    const id = await unknownViolation('30K-555.88');
    expect((await violation(id)).match_status).toBe('unknown');
    const r = await inTx(db.pool, (tx) => correctViolationPlate(tx, id, '30K-555.66', officer));
    expect(r).toMatchObject({ matchStatus: 'corrected', vehicleId: car.vehicleId, ownerId: car.ownerId });
    expect(await violation(id)).toMatchObject({ plate_text: '30K-555.66', plate_key: '30K55566', match_status: 'corrected', vehicle_id: car.vehicleId,
      owner_id: car.ownerId, fine_amount: 19_000_000 });
    const audit = await db.pool.query(`SELECT actor, actor_id, details FROM audit_log WHERE action = 'violation.plate_corrected' AND entity_id = $1`, [String(id)]);
    expect(audit.rows[0]).toMatchObject({ actor: 'officer.a', actor_id: officer.id, details: { from: '30K-555.88', to: '30K-555.66', matchStatusBefore: 'unknown' } });
  });

  it('re-prices when the corrected plate belongs to a vehicle of the other category', async () => {
    const bike = await registerVehicle(db.pool, { plate: '29-K1 222.33', type: 'motorbike' });
    const id = await unknownViolation('30K-222.99');
    expect(await violation(id)).toMatchObject({ vehicle_category: 'car', fine_amount: 19_000_000, violation_code: '16824.6.9.b.01' });
    await inTx(db.pool, (tx) => correctViolationPlate(tx, id, '29-K1 222.33', officer));
    expect(await violation(id)).toMatchObject({ vehicle_category: 'motorbike', fine_amount: 5_000_000, violation_code: '16824.7.7.c.01',
      points: 4, vehicle_id: bike.vehicleId, legal_clause: 'Điểm c khoản 7 Điều 7 Nghị định 168/2024/NĐ-CP' });
  });

  it('keeps the real status when the corrected plate is not registered', async () => {
    const id = await unknownViolation('30K-999.01');
    const r = await inTx(db.pool, (tx) => correctViolationPlate(tx, id, '30K-999.02', officer));
    expect(r).toMatchObject({ matchStatus: 'unknown', vehicleId: null, ownerId: null });
    expect(await violation(id)).toMatchObject({ match_status: 'unknown', plate_text: '30K-999.02' });
  });

  it('refuses a plate that is not a Vietnamese plate, a missing violation and a decided one, changing nothing', async () => {
    const id = await unknownViolation('30K-444.01');
    const attempt = (vid: number, plate: string) => inTx(db.pool, (tx) => correctViolationPlate(tx, vid, plate, officer));
    await expect(attempt(id, 'ABC123')).rejects.toMatchObject({ code: 'invalid_plate', statusCode: 400, message: expect.stringContaining('không phải biển số Việt Nam') });
    await expect(attempt(id, '3OK-444.01')).rejects.toBeInstanceOf(ViolationInputError);
    await expect(attempt(999_999, '30K-444.01')).rejects.toMatchObject({ code: 'not_found', statusCode: 404 });
    await db.pool.query(`UPDATE violations SET status = 'approved', decided_by = $2, decided_at = now() WHERE id = $1`, [id, officer.id]);
    await expect(attempt(id, '30K-444.02')).rejects.toMatchObject({ code: 'not_pending_review', statusCode: 409 });
    expect((await violation(id)).plate_text).toBe('30K-444.01');
  });
});
