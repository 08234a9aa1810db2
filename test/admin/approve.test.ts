import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { auditActions, bearer, createCamera, registerCar, seedCase, staffMember, type Staff } from './fixtures.js';

let t: TestApp;
let officer: Staff;
let cameraId: number;
beforeAll(async () => {
  t = await createTestApp();
  officer = await staffMember(t, 'officer.approve', 'officer');
  cameraId = await createCamera(t.db.pool, 'HN-APPROVE-01');
});
afterAll(async () => { await t.close(); });

const post = (url: string) => t.app.inject({ method: 'POST', url, headers: bearer(officer) });

describe('approval through the API', () => {
  it('approves an identified case, issues its notice in the same transaction, renders the PDF and audits the decision', async () => {
    const car = await registerCar(t.db.pool, '30A-246.13');
    const c = await seedCase(t, { cameraId, plateText: '30A-246.13', matchStatus: 'exact', vehicleId: car.vehicleId, ownerId: car.ownerId });
    expect((await post(`/api/v1/violations/${c.violationId}/claim`)).statusCode).toBe(200);
    const res = await post(`/api/v1/violations/${c.violationId}/approve`);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ violationId: c.violationId, noticeId: expect.any(Number), noticeNumber: expect.any(String) });
    expect(body.pdfSha256).toMatch(/^[0-9a-f]{64}$/);
    const v = (await t.db.pool.query('SELECT status, decided_by, claimed_by FROM violations WHERE id = $1', [c.violationId])).rows[0];
    expect(v).toEqual({ status: 'noticed', decided_by: officer.id, claimed_by: null });
    const n = (await t.db.pool.query('SELECT violation_id, owner_id, notice_number FROM notices WHERE id = $1', [body.noticeId])).rows[0];
    expect(n).toEqual({ violation_id: c.violationId, owner_id: car.ownerId, notice_number: body.noticeNumber });
    expect(await auditActions(t.db.pool, 'violation', c.violationId)).toEqual(expect.arrayContaining(['violation.claimed', 'violation.approved']));
    const again = await post(`/api/v1/violations/${c.violationId}/approve`);
    expect(again.statusCode).toBe(409);
    expect((await t.db.pool.query('SELECT count(*)::int AS n FROM notices WHERE violation_id = $1', [c.violationId])).rows[0].n).toBe(1);
  });

  it('approves a case whose plate the officer corrected', async () => {
    const car = await registerCar(t.db.pool, '30A-135.79');
    const c = await seedCase(t, { cameraId, plateText: '30A-135.78', matchStatus: 'unknown' });
    await post(`/api/v1/violations/${c.violationId}/claim`);
    const fix = await t.app.inject({ method: 'POST', url: `/api/v1/violations/${c.violationId}/correct-plate`, headers: bearer(officer), payload: { plate: '30A-135.79' } });
    expect(fix.json()).toMatchObject({ matchStatus: 'corrected', vehicleId: car.vehicleId });
    const res = await post(`/api/v1/violations/${c.violationId}/approve`);
    expect(res.statusCode).toBe(200);
    const n = (await t.db.pool.query('SELECT owner_id FROM notices WHERE id = $1', [res.json().noticeId])).rows[0];
    expect(n.owner_id).toBe(car.ownerId);
  });
});
