import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalBlobStore } from '../../src/storage/blob-store.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { decideNotice, seedCamera, seedNotice as seedUndecidedNotice, staffWithSession, type TestStaff } from '../helpers/fixtures.js';

// the payments below are dated early November 2026: their notices were issued before that
const ISSUED_BEFORE_PAYMENTS = new Date('2026-11-02T09:00:00+07:00');

let t: TestApp;
let storage: LocalBlobStore;
let finance: TestStaff;
let officer: TestStaff;
let cameraId: number;

beforeAll(async () => {
  t = await createTestApp();
  storage = new LocalBlobStore(t.config.STORAGE_DIR);
  finance = await staffWithSession(t.db.pool, 'finance');
  officer = await staffWithSession(t.db.pool, 'officer');
  cameraId = (await seedCamera(t.db.pool)).id;
});

afterAll(async () => {
  await t.close();
});

/** A notice whose violator came forward and was fined at the midpoint: the fine is paid against that decision. */
async function seedNotice(...args: Parameters<typeof seedUndecidedNotice>) {
  const n = await seedUndecidedNotice(...args);
  return { ...n, ...(await decideNotice(t.app, officer, n.noticeNumber)) };
}

const pay = (body: Record<string, unknown>, who: TestStaff = finance) =>
  t.app.inject({ method: 'POST', url: '/api/v1/payments', headers: who.headers, payload: body });

const state = async (noticeNumber: string) => (await t.db.pool.query(
  `SELECT n.status AS notice, n.resolved_at, v.status AS violation, (SELECT count(*)::int FROM payments p JOIN decision_items i ON i.decision_id = p.decision_id WHERE i.notice_id = n.id) AS payments
   FROM notices n JOIN violations v ON v.id = n.violation_id WHERE n.notice_number = $1`, [noticeNumber])).rows[0];

describe('POST /api/v1/payments', () => {
  it('records a full payment (201), resolves the notice, closes the violation and audits both in one go', async () => {
    const n = await seedNotice(t.db.pool, storage, { cameraId, officer, issuedAt: ISSUED_BEFORE_PAYMENTS });
    const res = await pay({ noticeNumber: n.noticeNumber, amount: 19_000_000, paidAt: '2026-11-10T09:00:00+07:00', method: 'bank_transfer', reference: 'VCB-0001' });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ noticeNumber: n.noticeNumber, amount: 19_000_000, method: 'bank_transfer', reference: 'VCB-0001', source: 'manual',
      recordedBy: finance.id, paidAt: '2026-11-10T02:00:00.000Z' });
    expect(await state(n.noticeNumber)).toMatchObject({ notice: 'resolved', violation: 'closed', payments: 1, resolved_at: expect.any(Date) });
    const audit = await t.db.pool.query<{ action: string; actor: string }>(
      `SELECT action, actor FROM audit_log WHERE (entity_type = 'payment' AND entity_id = $1) OR (entity_type = 'notice' AND entity_id = $2) ORDER BY id`,
      [String(res.json().id), String(n.noticeId)]);
    expect(audit.rows).toEqual([
      { action: 'notice.issued', actor: officer.username },
      { action: 'notice.owner_responded', actor: officer.username },
      { action: 'payment.recorded', actor: finance.username },
      { action: 'notice.resolved', actor: finance.username },
    ]);
    const detail = await t.app.inject({ method: 'GET', url: `/api/v1/notices/${n.noticeNumber}`, headers: finance.headers });
    expect(detail.json()).toMatchObject({ status: 'resolved', paid: 19_000_000, outstanding: 0, payments: [{ reference: 'VCB-0001' }] });
  });

  it('answers a replay of the same method and reference with the first payment (200) and records nothing more', async () => {
    const n = await seedNotice(t.db.pool, storage, { cameraId, officer, issuedAt: ISSUED_BEFORE_PAYMENTS });
    const body = { noticeNumber: n.noticeNumber, amount: 19_000_000, paidAt: '2026-11-10T09:00:00+07:00', method: 'treasury', reference: 'KB-77' };
    const first = await pay(body);
    const again = await pay(body);
    expect(first.statusCode).toBe(201);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual(first.json());
    expect((await state(n.noticeNumber)).payments).toBe(1);
  });

  it('refuses a partial payment and an overpayment with 422 naming the outstanding amount, and changes nothing', async () => {
    const n = await seedNotice(t.db.pool, storage, { cameraId, officer, issuedAt: ISSUED_BEFORE_PAYMENTS });
    const partial = await pay({ noticeNumber: n.noticeNumber, amount: 10_000_000, paidAt: '2026-11-10T09:00:00+07:00', method: 'cash', reference: 'BL-1' });
    expect(partial.statusCode).toBe(422);
    expect(partial.json()).toMatchObject({ error: 'amount_mismatch', message: expect.stringContaining('nộp thiếu'), details: { outstanding: 19_000_000 } });
    expect(partial.json().message).toContain('19.000.000 đ');
    const over = await pay({ noticeNumber: n.noticeNumber, amount: 20_000_000, paidAt: '2026-11-10T09:00:00+07:00', method: 'cash', reference: 'BL-2' });
    expect(over.statusCode).toBe(422);
    expect(over.json().message).toContain('nộp thừa');
    expect(await state(n.noticeNumber)).toMatchObject({ notice: 'issued', violation: 'noticed', payments: 0 });
  });

  it('refuses a second payment of a paid notice (409) and a reference already used for another notice (409)', async () => {
    const a = await seedNotice(t.db.pool, storage, { cameraId, officer, issuedAt: ISSUED_BEFORE_PAYMENTS });
    const b = await seedNotice(t.db.pool, storage, { cameraId, officer, issuedAt: ISSUED_BEFORE_PAYMENTS });
    expect((await pay({ noticeNumber: a.noticeNumber, amount: 19_000_000, paidAt: '2026-11-10T09:00:00+07:00', method: 'online', reference: 'VNPAY-1' })).statusCode).toBe(201);
    const twice = await pay({ noticeNumber: a.noticeNumber, amount: 19_000_000, paidAt: '2026-11-11T09:00:00+07:00', method: 'online', reference: 'VNPAY-2' });
    expect(twice.statusCode).toBe(409);
    expect(twice.json().error).toBe('decision_already_paid');
    const reused = await pay({ noticeNumber: b.noticeNumber, amount: 19_000_000, paidAt: '2026-11-10T09:00:00+07:00', method: 'online', reference: 'VNPAY-1' });
    expect(reused.statusCode).toBe(409);
    expect(reused.json().error).toBe('reference_reused');
    expect((await state(b.noticeNumber)).payments).toBe(0);
  });

  it('answers 404 for an unknown notice, 400 for a payment dated in the future or a malformed body', async () => {
    const unknown = await pay({ noticeNumber: 'PN-PC08-2026-999999', amount: 1000, paidAt: '2026-11-10T09:00:00+07:00', method: 'cash', reference: 'X' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error).toBe('unknown_notice');
    const n = await seedNotice(t.db.pool, storage, { cameraId, officer, issuedAt: ISSUED_BEFORE_PAYMENTS });
    const future = await pay({ noticeNumber: n.noticeNumber, amount: 19_000_000, paidAt: new Date(Date.now() + 86_400_000).toISOString(), method: 'cash', reference: 'F' });
    expect(future.statusCode).toBe(400);
    expect(future.json().error).toBe('paid_in_future');
    const malformed = await pay({ noticeNumber: n.noticeNumber, amount: -5, paidAt: 'yesterday', method: 'cheque', reference: '' });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().error).toBe('invalid_request');
  });

  it('lets two simultaneous identical requests record one payment', async () => {
    const n = await seedNotice(t.db.pool, storage, { cameraId, officer, issuedAt: ISSUED_BEFORE_PAYMENTS });
    const body = { noticeNumber: n.noticeNumber, amount: 19_000_000, paidAt: '2026-11-10T09:00:00+07:00', method: 'bank_transfer', reference: 'RACE-1' };
    const results = await Promise.all([pay(body), pay(body), pay(body)]);
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 200, 201]);
    expect((await state(n.noticeNumber)).payments).toBe(1);
  });

  it('is for finance staff and admins only', async () => {
    const res = await pay({ noticeNumber: 'PN-PC08-2026-000001', amount: 1000, paidAt: '2026-11-10T09:00:00+07:00', method: 'cash', reference: 'X' }, officer);
    expect(res.statusCode).toBe(403);
  });
});
