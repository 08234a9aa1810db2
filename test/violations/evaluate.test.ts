import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditKey } from '../../src/audit/audit-key.js';
import { verifyAuditLog } from '../../src/audit/audit-verify.js';
import { evaluateCapture } from '../../src/violations/evaluate.js';
import type { CameraRules } from '../../src/violations/types.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { inTx, insertCamera, insertCapture, registerVehicle, type CaptureSpec } from './fixtures.js';

let db: TestDatabase;
const t0 = new Date('2025-06-01T08:00:00+07:00');
const later = (s: number) => new Date(t0.getTime() + s * 1000);
const now = new Date('2025-06-02T00:00:00+07:00');
let car: { vehicleId: number; ownerId: number };
let bike: { vehicleId: number; ownerId: number };

beforeAll(async () => {
  db = await createTestDatabase();
  car = await registerVehicle(db.pool, { plate: '30A-123.45', type: 'car' });
  bike = await registerVehicle(db.pool, { plate: '29-B1 678.90', type: 'motorbike' });
  await registerVehicle(db.pool, { plate: '29C-111.11', type: 'truck', colour: 'yellow' });
});
afterAll(async () => { await db.drop(); });

async function run(camera: CameraRules, spec: CaptureSpec) {
  const { capture, read } = await insertCapture(db.pool, camera, spec);
  const outcome = await inTx(db.pool, (tx) => evaluateCapture(tx, { capture, camera, read }, { now }));
  return { capture, read, outcome };
}
const violation = async (id: number) => (await db.pool.query('SELECT * FROM violations WHERE id = $1', [id])).rows[0];
const evidence = async (id: number) => (await db.pool.query('SELECT capture_id FROM violation_evidence WHERE violation_id = $1 ORDER BY capture_id', [id])).rows.map((r) => r.capture_id);

describe('evaluating a capture', () => {
  it('creates a priced violation awaiting review against the registered owner, with its evidence and an audit entry', async () => {
    const cam = await insertCamera(db.pool, { cameraType: 'speed', speedLimitKmh: 60, speedToleranceKmh: 2 });
    const { capture, read, outcome } = await run(cam, { at: t0, plate: '30A-123.45', speed: 77.5 });
    expect(outcome.kind).toBe('created');
    const v = await violation(outcome.violationIds[0]!);
    expect(v).toMatchObject({ status: 'pending_review', rule: 'speeding', violation_code: '16824.6.5.đ.01', vehicle_category: 'car',
      vehicle_id: car.vehicleId, owner_id: car.ownerId, match_status: 'exact', fine_min: 4_000_000, fine_max: 6_000_000, fine_amount: 5_000_000,
      points: 2, schedule_version: 'nd168-2024', plate_text: '30A-123.45', suspected_clone: false,
      legal_clause: 'Điểm đ khoản 5 Điều 6 Nghị định 168/2024/NĐ-CP' });
    expect(v.details).toMatchObject({ measuredSpeedKmh: 77.5, countedSpeedKmh: 77, speedLimitKmh: 60, toleranceKmh: 2, excessKmh: 15, band: '10-20', categorySource: 'registry' });
    expect(await evidence(v.id)).toEqual([capture.captureId]);
    const audit = await db.pool.query(`SELECT actor, details FROM audit_log WHERE action = 'violation.created' AND entity_id = $1`, [String(v.id)]);
    expect(audit.rows[0]).toMatchObject({ actor: 'worker', details: { captureId: capture.captureId, plate: read!.plateText } });
    expect((await verifyAuditLog(db.pool, auditKey())).ok).toBe(true);
  });

  it('prices the same offence by vehicle category: a registered motorbike under Điều 7, a truck as a car', async () => {
    const cam = await insertCamera(db.pool, { cameraType: 'red_light' });
    const m = await run(cam, { at: t0, plate: '29-B1 678.90', layout: 'two-line', phase: 'red', redMs: 1200 });
    expect(await violation(m.outcome.violationIds[0]!)).toMatchObject({ vehicle_category: 'motorbike', violation_code: '16824.7.7.c.01', fine_amount: 5_000_000, vehicle_id: bike.vehicleId });
    const t = await run(cam, { at: t0, plate: '29C-111.11', colour: 'yellow', phase: 'red', redMs: 1200 });
    expect(await violation(t.outcome.violationIds[0]!)).toMatchObject({ vehicle_category: 'car', violation_code: '16824.6.9.b.01', fine_amount: 19_000_000 });
  });

  it('infers the category of an unregistered vehicle from its plate and says so', async () => {
    const cam = await insertCamera(db.pool, { cameraType: 'wrong_way' });
    const moto = await run(cam, { at: t0, plate: '59-X3 456.78', layout: 'two-line', direction: 'reverse' });
    const v = await violation(moto.outcome.violationIds[0]!);
    expect(v).toMatchObject({ match_status: 'unknown', vehicle_id: null, owner_id: null, vehicle_category: 'motorbike', rule: 'wrong_way', violation_code: '16824.7.7.a.01' });
    expect(v.details).toMatchObject({ categorySource: 'plate_inference', categoryReason: 'two-line plate with series X3', direction: 'reverse' });
    const squareCar = await run(cam, { at: t0, plate: '51F-987.65', layout: 'two-line', direction: 'reverse' });
    expect(await violation(squareCar.outcome.violationIds[0]!)).toMatchObject({ vehicle_category: 'car', violation_code: '16824.6.9.d.01' });
  });

  it('is idempotent: evaluating the same capture again adds no violation and no evidence', async () => {
    const cam = await insertCamera(db.pool, { cameraType: 'speed', speedLimitKmh: 50 });
    const { capture, read, outcome } = await run(cam, { at: t0, plate: '30A-123.45', speed: 90 });
    const again = await inTx(db.pool, (tx) => evaluateCapture(tx, { capture, camera: cam, read }, { now }));
    expect(again).toMatchObject({ kind: 'created', violationIds: outcome.violationIds });
    const count = await db.pool.query('SELECT count(*)::int AS n FROM violations WHERE camera_id = $1', [cam.id]);
    expect(count.rows[0].n).toBe(1);
    expect(await evidence(outcome.violationIds[0]!)).toEqual([capture.captureId]);
  });

  it('merges captures of the same vehicle within the camera window into one violation with several photos', async () => {
    const cam = await insertCamera(db.pool, { cameraType: 'lane', allowedLanes: [1, 2], dedupWindowS: 120 });
    const first = await run(cam, { at: t0, plate: '30A-123.45', lane: 3 });
    const second = await run(cam, { at: later(100), plate: '30A-123.45', lane: 3 });
    const third = await run(cam, { at: later(200), plate: '30A-123.45', lane: 3 });
    expect(second.outcome).toEqual({ kind: 'merged', violationIds: first.outcome.violationIds });
    // the window slides with the latest photo: 200 s is within 120 s of the one at 100 s
    expect(third.outcome).toEqual({ kind: 'merged', violationIds: first.outcome.violationIds });
    expect(await evidence(first.outcome.violationIds[0]!)).toEqual([first.capture.captureId, second.capture.captureId, third.capture.captureId]);
    const retry = await inTx(db.pool, (tx) => evaluateCapture(tx, { capture: second.capture, camera: cam, read: second.read }, { now }));
    expect(retry).toMatchObject({ kind: 'merged', violationIds: first.outcome.violationIds });
    const separate = await run(cam, { at: later(321), plate: '30A-123.45', lane: 3 });
    expect(separate.outcome.kind).toBe('created');
    const otherCar = await run(cam, { at: later(330), plate: '29-B1 678.90', layout: 'two-line', lane: 3 });
    expect(otherCar.outcome.kind).toBe('created');
  });

  it('does not merge when the window is zero or the earlier case was rejected', async () => {
    const cam = await insertCamera(db.pool, { cameraType: 'lane', allowedLanes: [1], dedupWindowS: 0 });
    const a = await run(cam, { at: t0, plate: '30A-123.45', lane: 2 });
    const b = await run(cam, { at: later(1), plate: '30A-123.45', lane: 2 });
    expect(b.outcome.kind).toBe('created');
    expect(b.outcome.violationIds).not.toEqual(a.outcome.violationIds);
    const cam2 = await insertCamera(db.pool, { cameraType: 'lane', allowedLanes: [1], dedupWindowS: 600 });
    const first = await run(cam2, { at: t0, plate: '30A-123.45', lane: 2 });
    const officer = await db.pool.query<{ id: number }>(
      `INSERT INTO users (username, full_name, role, password_hash) VALUES ('officer.dedup', 'Cán bộ', 'officer', 'x') RETURNING id`);
    await db.pool.query(`UPDATE violations SET status = 'rejected', reject_reason = 'equipment_fault', decided_by = $2, decided_at = now() WHERE id = $1`,
      [first.outcome.violationIds[0], officer.rows[0]!.id]);
    const next = await run(cam2, { at: later(30), plate: '30A-123.45', lane: 2 });
    expect(next.outcome.kind).toBe('created');
  });

  it('sends a fuzzy match to review with its candidate list and the vehicle it probably is', async () => {
    const cam = await insertCamera(db.pool, { cameraType: 'speed', speedLimitKmh: 60 });
    const { outcome } = await run(cam, { at: t0, plate: '30A-723.45', speed: 70 });
    const v = await violation(outcome.violationIds[0]!);
    expect(v).toMatchObject({ status: 'pending_review', match_status: 'fuzzy', vehicle_id: car.vehicleId, plate_text: '30A-723.45' });
    expect(v.match_candidates).toEqual([expect.objectContaining({ plateKey: '30A12345', vehicleId: car.vehicleId, distance: 0.3 })]);
  });

  it('flags a suspected clone: a white-registered plate seen on a yellow plate', async () => {
    const cam = await insertCamera(db.pool, { cameraType: 'no_entry' });
    const { outcome } = await run(cam, { at: t0, plate: '30A-123.45', colour: 'yellow' });
    expect(await violation(outcome.violationIds[0]!)).toMatchObject({ suspected_clone: true, clone_reason: 'plate colour seen yellow, registered white', plate_colour: 'yellow' });
  });

  it('records a foreign plate on a generic-profile camera as foreign', async () => {
    const cam = await insertCamera(db.pool, { cameraType: 'no_entry', plateProfile: 'generic' });
    const { outcome } = await run(cam, { at: t0, plate: 'ABC1234', profile: 'generic' });
    expect(await violation(outcome.violationIds[0]!)).toMatchObject({ match_status: 'foreign', vehicle_id: null, vehicle_category: 'car' });
  });

  it('returns no_plate without a read and no_violation when the rule is not broken, writing nothing', async () => {
    const cam = await insertCamera(db.pool, { cameraType: 'speed', speedLimitKmh: 60 });
    expect((await run(cam, { at: t0, plate: null, speed: 120 })).outcome).toMatchObject({ kind: 'no_plate', violationIds: [] });
    expect((await run(cam, { at: t0, plate: '30A-123.45', speed: 64.9 })).outcome).toMatchObject({ kind: 'no_violation', violationIds: [] });
    const old = await run(cam, { at: new Date('2024-05-01T00:00:00+07:00'), plate: '30A-123.45', speed: 120 });
    expect(old.outcome).toMatchObject({ kind: 'no_violation', reason: expect.stringContaining('limitation') });
    const count = await db.pool.query('SELECT count(*)::int AS n FROM violations WHERE camera_id = $1', [cam.id]);
    expect(count.rows[0].n).toBe(0);
  });

  it('makes a case of a capture until the end of the Vietnam day one calendar year on, across a 29 February', async () => {
    const cam = await insertCamera(db.pool, { cameraType: 'speed', speedLimitKmh: 60 });
    // 366 days and 7 hours after the capture, still 1 March 2028 in Vietnam: the last day it can be sanctioned
    const lastDay = await insertCapture(db.pool, cam, { at: new Date('2027-03-01T10:00:00+07:00'), plate: '30A-123.45', speed: 120 });
    const inTime = await inTx(db.pool, (tx) => evaluateCapture(tx, { ...lastDay, camera: cam }, { now: new Date('2028-03-01T17:00:00+07:00') }));
    expect(inTime).toMatchObject({ kind: 'created' });
    const dayAfter = await insertCapture(db.pool, cam, { at: new Date('2027-03-01T10:00:00+07:00'), plate: '30A-678.90', speed: 120 });
    const late = await inTx(db.pool, (tx) => evaluateCapture(tx, { ...dayAfter, camera: cam }, { now: new Date('2028-03-02T00:30:00+07:00') }));
    expect(late).toMatchObject({ kind: 'no_violation', reason: expect.stringContaining('limitation') });
  });

  it('fines parking only once a vehicle has stood past the allowed dwell, then keeps adding photos to that one case', async () => {
    const cam = await insertCamera(db.pool, { cameraType: 'no_parking', noParkingDwellS: 300, dedupWindowS: 600 });
    expect((await run(cam, { at: t0, plate: '30A-123.45' })).outcome.kind).toBe('no_violation');
    expect((await run(cam, { at: later(240), plate: '30A-123.45' })).outcome.kind).toBe('no_violation');
    const fined = await run(cam, { at: later(300), plate: '30A-123.45' });
    expect(fined.outcome.kind).toBe('created');
    const v = await violation(fined.outcome.violationIds[0]!);
    expect(v).toMatchObject({ rule: 'no_parking', violation_code: '16824.6.3.e.01', fine_amount: 900_000 });
    expect(v.details).toMatchObject({ dwellS: 300, allowedDwellS: 300, parkedSince: t0.toISOString() });
    expect((await run(cam, { at: later(900), plate: '30A-123.45' })).outcome).toEqual({ kind: 'merged', violationIds: fined.outcome.violationIds });
    // another car that only just arrived is not fined
    expect((await run(cam, { at: later(900), plate: '29-B1 678.90', layout: 'two-line' })).outcome.kind).toBe('no_violation');
  });

  it('fines a stay whose frames are evaluated out of order (the later frame first)', async () => {
    const cam = await insertCamera(db.pool, { cameraType: 'no_parking', noParkingDwellS: 300 });
    expect((await run(cam, { at: later(360), plate: '51G-246.80' })).outcome.kind).toBe('no_violation');
    const fined = await run(cam, { at: t0, plate: '51G-246.80' });
    expect(fined.outcome.kind).toBe('created');
    expect((await violation(fined.outcome.violationIds[0]!)).details).toMatchObject({ dwellS: 360, parkedSince: t0.toISOString() });
  });

  it('treats a vehicle that left (a gap longer than the dwell and 15 minutes) as a new stay', async () => {
    const cam = await insertCamera(db.pool, { cameraType: 'no_parking', noParkingDwellS: 300 });
    await run(cam, { at: t0, plate: '30A-123.45' });
    expect((await run(cam, { at: later(60 * 60), plate: '30A-123.45' })).outcome.kind).toBe('no_violation');
  });
});

describe('rules that depend on the sign and on the vehicle', () => {
  /** 2025-06-02 in Vietnam time */
  const vnAt = (hhmm: string) => new Date(`2025-06-02T${hhmm}:00+07:00`);

  it('wrong way is its own rule, priced under Điều 6 khoản 9 điểm d / Điều 7 khoản 7 điểm a', async () => {
    const cam = await insertCamera(db.pool, { cameraType: 'wrong_way' });
    const c = await run(cam, { at: t0, plate: '30A-123.45', direction: 'reverse' });
    expect(await violation(c.outcome.violationIds[0]!)).toMatchObject({ rule: 'wrong_way', violation_code: '16824.6.9.d.01', fine_amount: 19_000_000, points: 4,
      legal_clause: 'Điểm d khoản 9 Điều 6 Nghị định 168/2024/NĐ-CP' });
    const m = await run(cam, { at: t0, plate: '29-B1 678.90', layout: 'two-line', direction: 'reverse' });
    expect(await violation(m.outcome.violationIds[0]!)).toMatchObject({ rule: 'wrong_way', violation_code: '16824.7.7.a.01', fine_amount: 5_000_000, points: 2 });
    expect((await run(cam, { at: later(1000), plate: '30A-123.45', direction: 'forward' })).outcome.kind).toBe('no_violation');
  });

  it('a truck ban in rush hours fines the registered truck then, not the car, and not the truck at noon', async () => {
    const cam = await insertCamera(db.pool, { cameraType: 'no_entry', noEntryVehicleTypes: ['truck'], noEntryHours: [{ from: '06:00', to: '09:00' }] });
    const truck = await run(cam, { at: vnAt('07:15'), plate: '29C-111.11', colour: 'yellow', direction: 'forward' });
    expect(truck.outcome.kind).toBe('created');
    const v = await violation(truck.outcome.violationIds[0]!);
    expect(v).toMatchObject({ rule: 'no_entry', vehicle_category: 'car', violation_code: '16824.6.5.i.01', fine_amount: 5_000_000, points: 2 });
    expect(v.details).toMatchObject({ vehicleType: 'truck', bannedVehicleTypes: ['truck'], banHours: '06:00-09:00', localTime: '07:15', categorySource: 'registry' });
    expect((await run(cam, { at: vnAt('07:16'), plate: '30A-123.45', direction: 'forward' })).outcome)
      .toMatchObject({ kind: 'no_violation', reason: 'the sign does not ban a car' });
    expect((await run(cam, { at: vnAt('12:00'), plate: '29C-111.11', colour: 'yellow', direction: 'forward' })).outcome.kind).toBe('no_violation');
    // unregistered, car-category plate: a car or a truck, the plate does not say
    expect((await run(cam, { at: vnAt('07:20'), plate: '51F-987.65', direction: 'forward' })).outcome.kind).toBe('no_violation');
  });

  it('a motorbike ban fines a registered motorbike under Điều 7 khoản 6 điểm b', async () => {
    const cam = await insertCamera(db.pool, { cameraType: 'no_entry', noEntryVehicleTypes: ['motorbike', 'moped', 'electric_motorbike'] });
    const m = await run(cam, { at: t0, plate: '29-B1 678.90', layout: 'two-line', direction: 'forward' });
    expect(await violation(m.outcome.violationIds[0]!)).toMatchObject({ rule: 'no_entry', violation_code: '16824.7.6.b.01', fine_amount: 2_500_000, points: 2 });
    expect((await run(cam, { at: t0, plate: '30A-123.45', direction: 'forward' })).outcome.kind).toBe('no_violation');
  });

  it('lanes per category: the car in the motorbike lane is fined, the motorbike there is not', async () => {
    const cam = await insertCamera(db.pool, { cameraType: 'lane', allowedLanesByCategory: { car: [1, 2], motorbike: [3] } });
    const car3 = await run(cam, { at: t0, plate: '30A-123.45', lane: 3 });
    expect(await violation(car3.outcome.violationIds[0]!)).toMatchObject({ rule: 'wrong_lane', violation_code: '16824.6.5.b.01', fine_amount: 5_000_000 });
    expect((await violation(car3.outcome.violationIds[0]!)).details).toMatchObject({ lane: 3, allowedLanes: [1, 2], lanesFor: 'car' });
    expect((await run(cam, { at: t0, plate: '29-B1 678.90', layout: 'two-line', lane: 3 })).outcome.kind).toBe('no_violation');
    const bike1 = await run(cam, { at: later(5), plate: '29-B1 678.90', layout: 'two-line', lane: 1 });
    expect(await violation(bike1.outcome.violationIds[0]!)).toMatchObject({ violation_code: '16824.7.3.d.01', fine_amount: 700_000 });
  });

  it('amber: a crossing past the tolerance is priced as the red-light offence; one at the change is not fined', async () => {
    const cam = await insertCamera(db.pool, { cameraType: 'red_light', amberToleranceMs: 200 });
    const late = await run(cam, { at: t0, plate: '30A-123.45', phase: 'amber', amberMs: 1500 });
    const v = await violation(late.outcome.violationIds[0]!);
    expect(v).toMatchObject({ rule: 'red_light', violation_code: '16824.6.9.b.01', fine_amount: 19_000_000, points: 4 });
    expect(v.details).toMatchObject({ signalPhase: 'amber', amberElapsedMs: 1500, amberToleranceMs: 200 });
    expect((await run(cam, { at: t0, plate: '29-B1 678.90', layout: 'two-line', phase: 'amber', amberMs: 120 })).outcome.kind).toBe('no_violation');
  });

  it('"Cấm dừng": a stay is fined as stopping, then re-priced as parking in review once it lasts long enough, as one case', async () => {
    const cam = await insertCamera(db.pool, { cameraType: 'no_stopping', stopDwellS: 60, noParkingDwellS: 300, dedupWindowS: 600 });
    expect((await run(cam, { at: t0, plate: '30A-123.45' })).outcome.kind).toBe('no_violation');
    expect((await run(cam, { at: later(59), plate: '30A-123.45' })).outcome.kind).toBe('no_violation');
    const stopped = await run(cam, { at: later(60), plate: '30A-123.45' });
    expect(stopped.outcome.kind).toBe('created');
    const id = stopped.outcome.violationIds[0]!;
    expect(await violation(id)).toMatchObject({ rule: 'no_stopping', violation_code: '16824.6.2.đ.01', fine_amount: 700_000, points: 0 });
    expect((await run(cam, { at: later(200), plate: '30A-123.45' })).outcome).toEqual({ kind: 'merged', violationIds: [id] });
    expect(await violation(id)).toMatchObject({ rule: 'no_stopping' });
    expect((await run(cam, { at: later(300), plate: '30A-123.45' })).outcome).toEqual({ kind: 'merged', violationIds: [id] });
    const parked = await violation(id);
    expect(parked).toMatchObject({ rule: 'no_parking', violation_code: '16824.6.3.e.01', fine_amount: 900_000, fine_min: 800_000, fine_max: 1_000_000 });
    expect(parked.details).toMatchObject({ dwellS: 300, offence: 'no_parking', parkedSince: t0.toISOString(), sign: 'no_stopping' });
    expect(await evidence(id)).toHaveLength(3);
    const audit = await db.pool.query(`SELECT details FROM audit_log WHERE action = 'violation.reclassified' AND entity_id = $1`, [String(id)]);
    expect(audit.rows).toEqual([{ details: expect.objectContaining({ from: 'no_stopping', to: 'no_parking', code: '16824.6.3.e.01' }) }]);
    expect((await verifyAuditLog(db.pool, auditKey())).ok).toBe(true);
  });

  it('"Cấm dừng": a case that has left review keeps the offence it was decided on', async () => {
    const cam = await insertCamera(db.pool, { cameraType: 'no_stopping', stopDwellS: 30, noParkingDwellS: 300, dedupWindowS: 600 });
    await run(cam, { at: t0, plate: '29-B1 678.90', layout: 'two-line' });
    const stopped = await run(cam, { at: later(45), plate: '29-B1 678.90', layout: 'two-line' });
    const id = stopped.outcome.violationIds[0]!;
    expect(await violation(id)).toMatchObject({ rule: 'no_stopping', violation_code: '16824.7.2.e.01', fine_amount: 500_000 });
    const officer = await db.pool.query<{ id: number }>(
      `INSERT INTO users (username, full_name, role, password_hash) VALUES ('officer.stop', 'Cán bộ', 'officer', 'x') RETURNING id`);
    await db.pool.query(`UPDATE violations SET status = 'approved', decided_by = $2, decided_at = now() WHERE id = $1`, [id, officer.rows[0]!.id]);
    expect((await run(cam, { at: later(400), plate: '29-B1 678.90', layout: 'two-line' })).outcome).toEqual({ kind: 'merged', violationIds: [id] });
    expect(await violation(id)).toMatchObject({ rule: 'no_stopping', status: 'approved' });
  });
});
