import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditKey } from '../../src/audit/audit-key.js';
import { verifyAuditLog } from '../../src/audit/audit-verify.js';
import { LocalBlobStore } from '../../src/storage/blob-store.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { decideNotice, seedApprovedViolation, seedCamera, seedVehicle, staffWithSession, type TestStaff } from '../helpers/fixtures.js';
import { readPdf } from './pdf-text.js';

let t: TestApp;
let officer: TestStaff;
let finance: TestStaff;

beforeAll(async () => {
  t = await createTestApp({ NOTICE_UNIT_CODE: 'PC08' });
  officer = await staffWithSession(t.db.pool, 'officer');
  finance = await staffWithSession(t.db.pool, 'finance');
});

afterAll(async () => {
  await t.close();
});

describe('a case from review to payment, through the API', () => {
  it('approval issues and renders the notice; the lookup publishes it; payment resolves it and closes the case', async () => {
    const storage = new LocalBlobStore(t.config.STORAGE_DIR);
    const cam = await seedCamera(t.db.pool);
    const plate = '30L-864.20';
    const vehicle = await seedVehicle(t.db.pool, { plate, owner: { fullName: 'Phạm Minh Đức' } });
    const { violationId } = await seedApprovedViolation(t.db.pool, storage, { cameraId: cam.id, plate, vehicleId: vehicle.vehicleId, ownerId: vehicle.ownerId,
      decidedBy: officer.id, status: 'pending_review' });

    expect((await t.app.inject({ method: 'POST', url: `/api/v1/violations/${violationId}/claim`, headers: officer.headers })).statusCode).toBe(200);
    const approved = await t.app.inject({ method: 'POST', url: `/api/v1/violations/${violationId}/approve`, headers: officer.headers });
    expect(approved.statusCode).toBe(200);
    const { noticeNumber, pdfSha256 } = approved.json();
    expect(noticeNumber).toMatch(/^PN-PC08-\d{4}-000001$/);
    expect(pdfSha256).toMatch(/^[0-9a-f]{64}$/);

    const pdf = await t.app.inject({ method: 'GET', url: `/api/v1/notices/${noticeNumber}/pdf`, headers: officer.headers });
    expect(createHash('sha256').update(pdf.rawPayload).digest('hex')).toBe(pdfSha256);
    const { text } = await readPdf(pdf.rawPayload);
    for (const s of [noticeNumber, plate, 'Phạm Minh Đức', '19.000.000 đ']) expect(text).toContain(s);

    const before = await t.app.inject({ method: 'GET', url: `/api/v1/lookup?plate=${encodeURIComponent(plate)}` });
    expect(before.json().violations.map((v: { status: string }) => v.status)).toEqual(['Chưa xử phạt']);

    await decideNotice(t.app, officer, noticeNumber);
    const decided = await t.app.inject({ method: 'GET', url: `/api/v1/lookup?plate=${encodeURIComponent(plate)}` });
    expect(decided.json().violations.map((v: { status: string }) => v.status)).toEqual(['Đã xử phạt']);

    const paid = await t.app.inject({ method: 'POST', url: '/api/v1/payments', headers: finance.headers,
      payload: { noticeNumber, amount: 19_000_000, paidAt: new Date().toISOString(), method: 'bank_transfer', reference: 'FT-FLOW-1' } });
    expect(paid.statusCode).toBe(201);

    const violation = await t.app.inject({ method: 'GET', url: `/api/v1/violations/${violationId}`, headers: officer.headers });
    expect(violation.json().violation.status).toBe('closed');
    const notice = await t.app.inject({ method: 'GET', url: `/api/v1/notices/${noticeNumber}`, headers: finance.headers });
    expect(notice.json()).toMatchObject({ status: 'resolved', outstanding: 0 });
    const after = await t.app.inject({ method: 'GET', url: `/api/v1/lookup?plate=${encodeURIComponent(plate)}` });
    expect(after.json().violations.map((v: { status: string }) => v.status)).toEqual(['Đã xử phạt']);

    const actions = await t.db.pool.query<{ action: string }>(`SELECT action FROM audit_log WHERE action ~ '^(violation|notice|payment)\\.' ORDER BY id`);
    expect(actions.rows.map((r) => r.action)).toEqual(['violation.claimed', 'violation.approved', 'notice.issued', 'notice.rendered', 'notice.owner_responded', 'payment.recorded', 'notice.resolved']);
    expect(await verifyAuditLog(t.db.pool, auditKey())).toMatchObject({ ok: true });
  });
});
