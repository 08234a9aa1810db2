import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTransaction } from '../../src/db/pool.js';
import { escalateOverdue } from '../../src/escalation/escalate.js';
import { issueNotice } from '../../src/notices/issue.js';
import { LocalBlobStore } from '../../src/storage/blob-store.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { backdateNotice, decideNotice, randomCarPlate, seedApprovedViolation, seedBacNinhUnits, seedVehicle, staffWithSession, type TestStaff } from '../helpers/fixtures.js';
import { readPdf } from '../notices/pdf-text.js';

let t: TestApp;
let admin: TestStaff;
let officer: TestStaff;
let finance: TestStaff;
let storage: LocalBlobStore;
let cameraId: number;

const OWNER_HOME = { address: 'Thôn Bảo Lộc, Xã Lạng Giang', province: 'Tỉnh Bắc Ninh' };
const DRIVER = { nationalId: '024095001234', fullName: 'Trần Văn Nam', licenceNumber: '240123456789', address: 'Phường Bắc Giang, Tỉnh Bắc Ninh' };

beforeAll(async () => {
  t = await createTestApp();
  storage = new LocalBlobStore(t.config.STORAGE_DIR);
  admin = await staffWithSession(t.db.pool, 'admin');
  officer = await staffWithSession(t.db.pool, 'officer');
  finance = await staffWithSession(t.db.pool, 'finance');
  cameraId = (await seedBacNinhUnits(t.app, t.db.pool, admin)).id;
});

afterAll(async () => {
  await t.close();
});

/** A registered vehicle of an owner living in Xã Lạng Giang, a red-light violation of it and the notice issued. */
async function noticeFor(o: { plate?: string; vehicleType?: 'car' | 'motorbike'; occurredAt?: Date; ownerId?: string } = {}) {
  const plate = o.plate ?? randomCarPlate();
  const vehicle = await seedVehicle(t.db.pool, { plate, vehicleType: o.vehicleType, owner: { ...OWNER_HOME, fullName: 'Lê Thị Hoa', nationalId: o.ownerId } });
  const { violationId } = await seedApprovedViolation(t.db.pool, storage, { cameraId, plate, vehicleId: vehicle.vehicleId, ownerId: vehicle.ownerId,
    decidedBy: officer.id, occurredAt: o.occurredAt ?? new Date(Date.now() - 2 * 86_400_000) });
  const notice = await withTransaction(t.db.pool, (tx) => issueNotice(tx, violationId, officer));
  return { ...notice, plate, violationId, ...vehicle };
}

const post = (url: string, payload: Record<string, unknown>, who: TestStaff = officer) => t.app.inject({ method: 'POST', url, headers: who.headers, payload });
const lookup = async (plate: string) => (await t.app.inject({ method: 'GET', url: `/api/v1/lookup?plate=${encodeURIComponent(plate)}` })).json().violations[0];
const points = async (nationalId: string) => (await t.app.inject({ method: 'GET', url: `/api/v1/points/${nationalId}`, headers: officer.headers })).json();

describe('notice -> owner names the driver -> record -> decision -> payment -> closed', () => {
  it('runs the whole procedure through the API, with the public status and the points ledger at each step', async () => {
    const n = await noticeFor();

    // notice: handled by the camera's unit, published "Chưa xử phạt" with the unit's address and phone
    let pub = await lookup(n.plate);
    expect(pub.status).toBe('Chưa xử phạt');
    expect(pub.handlingUnit).toEqual({ name: 'Phòng Cảnh sát giao thông', address: 'Số 2 đường Lý Thái Tổ, Phường Kinh Bắc, Tỉnh Bắc Ninh', phone: '02223822456' });
    const rendered = await post(`/api/v1/notices/${n.noticeNumber}/render`, {});
    expect(rendered.statusCode).toBe(200);
    const noticePdf = await readPdf((await t.app.inject({ method: 'GET', url: `/api/v1/notices/${n.noticeNumber}/pdf`, headers: officer.headers })).rawPayload);
    expect(noticePdf.text).toContain('CÔNG AN TỈNH BẮC NINH');
    expect(noticePdf.text).toContain('02223822456');
    expect(noticePdf.text).toContain('số định danh cá nhân');

    // forwarded to the commune police where the owner lives, found from the owner's address
    const fwd = await post(`/api/v1/notices/${n.noticeNumber}/forward`, {});
    expect(fwd.json()).toMatchObject({ unitCode: 'CAXLGBN' });
    pub = await lookup(n.plate);
    expect(pub.handlingUnit).toMatchObject({ name: 'Công an xã Lạng Giang', phone: '02043881234' });

    // no record before the violator is known
    expect((await post(`/api/v1/notices/${n.noticeNumber}/record`, {})).json().error).toBe('response_missing');
    const bad = await post(`/api/v1/notices/${n.noticeNumber}/owner-response`, { response: 'driver_named', driver: { ...DRIVER, nationalId: '12345' } });
    expect(bad.statusCode).toBe(400);
    const resp = await post(`/api/v1/notices/${n.noticeNumber}/owner-response`, { response: 'driver_named', driver: DRIVER });
    expect(resp.statusCode).toBe(201);
    expect(resp.json()).toMatchObject({ response: 'driver_named', violator: { idNumber: DRIVER.nationalId, licenceNumber: DRIVER.licenceNumber },
      recordedBy: { username: officer.username } });
    expect((await post(`/api/v1/notices/${n.noticeNumber}/owner-response`, { response: 'non_cooperation' })).statusCode).toBe(409);
    const audited = await t.db.pool.query(`SELECT actor FROM audit_log WHERE action = 'notice.owner_responded' AND entity_id = $1`, [String(n.noticeId)]);
    expect(audited.rows).toEqual([{ actor: officer.username }]);

    const rec = await post(`/api/v1/notices/${n.noticeNumber}/record`, { statement: 'Tôi xin chấp hành' });
    expect(rec.statusCode).toBe(201);
    const { recordNumber } = rec.json();
    expect(recordNumber).toMatch(/^BB-CAXLGBN-\d{4}-000001$/);
    expect((await lookup(n.plate)).status).toBe('Chưa xử phạt');
    expect((await points(DRIVER.nationalId)).balance).toBe(12);
    const recordPdf = await readPdf((await t.app.inject({ method: 'GET', url: `/api/v1/records/${recordNumber}/pdf`, headers: officer.headers })).rawPayload);
    expect(recordPdf.text).toContain('BIÊN BẢN VI PHẠM HÀNH CHÍNH');
    expect(recordPdf.text).toContain('Trần Văn Nam');

    // the fine stays inside 18-20 million; another amount than the midpoint needs a reason
    expect((await post('/api/v1/decisions', { items: [{ recordNumber, amount: 17_999_999, reason: 'x' }] })).json())
      .toMatchObject({ error: 'fine_out_of_range' });
    expect((await post('/api/v1/decisions', { items: [{ recordNumber, amount: 20_000_001, reason: 'x' }] })).statusCode).toBe(400);
    expect((await post('/api/v1/decisions', { items: [{ recordNumber, amount: 18_000_000 }] })).json()).toMatchObject({ error: 'reason_required' });
    const dec = await post('/api/v1/decisions', { items: [{ recordNumber, amount: 18_000_000, reason: 'Tình tiết giảm nhẹ: thành khẩn khai báo' }] });
    expect(dec.statusCode).toBe(201);
    const { decisionNumber } = dec.json();
    expect(dec.json()).toMatchObject({ totalAmount: 18_000_000, pointsDeducted: 4 });
    expect(decisionNumber).toMatch(/^QD-CAXLGBN-\d{4}-000001$/);

    // decision issued: "Đã xử phạt" and 4 points off from now, though not paid yet
    expect((await lookup(n.plate)).status).toBe('Đã xử phạt');
    const ledger = await points(DRIVER.nationalId);
    expect(ledger).toMatchObject({ balance: 8, licenceNumbers: [DRIVER.licenceNumber] });
    expect(ledger.entries).toEqual([expect.objectContaining({ kind: 'deduction', points: 4, balance: 8, decisionNumber })]);
    const decisionPdf = await readPdf((await t.app.inject({ method: 'GET', url: `/api/v1/decisions/${decisionNumber}/pdf`, headers: officer.headers })).rawPayload);
    expect(decisionPdf.text).toContain('Xử phạt vi phạm hành chính');
    expect(decisionPdf.text).toContain('18.000.000 đ');
    expect(decisionPdf.text).toContain('Tình tiết giảm nhẹ');

    // paid against the decision, quoted by the notice number: the case closes
    const pay = await post('/api/v1/payments', { noticeNumber: n.noticeNumber, amount: 18_000_000, paidAt: new Date().toISOString(), method: 'treasury', reference: `KB-${n.noticeNumber}` }, finance);
    expect(pay.statusCode).toBe(201);
    expect(pay.json()).toMatchObject({ decisionNumber, noticeNumber: n.noticeNumber });
    const decision = (await t.app.inject({ method: 'GET', url: `/api/v1/decisions/${decisionNumber}`, headers: officer.headers })).json();
    expect(decision).toMatchObject({ status: 'paid', outstanding: 0 });
    const closed = await t.db.pool.query(`SELECT n.status, v.status AS violation FROM notices n JOIN violations v ON v.id = n.violation_id WHERE n.id = $1`, [n.noticeId]);
    expect(closed.rows[0]).toEqual({ status: 'resolved', violation: 'closed' });
    expect((await lookup(n.plate)).status).toBe('Đã xử phạt');
    expect((await points(DRIVER.nationalId)).balance).toBe(8);
    expect((await post('/api/v1/decisions', { items: [{ recordNumber }] })).statusCode).toBe(409);
  });

  it('refuses a payment of a notice that has no decision yet', async () => {
    const n = await noticeFor();
    const pay = await post('/api/v1/payments', { noticeNumber: n.noticeNumber, amount: 19_000_000, paidAt: new Date().toISOString(), method: 'treasury', reference: `KB-X-${n.noticeNumber}` }, finance);
    expect(pay.statusCode).toBe(409);
    expect(pay.json().error).toBe('no_decision');
  });

  it('decides several violations of one person together: fines added, only the largest deduction; statement lines match the decision number', async () => {
    const ownerId = '001190009876';
    const a = await noticeFor({ ownerId });
    const b = await noticeFor({ ownerId });
    const records: string[] = [];
    for (const n of [a, b]) {
      expect((await post(`/api/v1/notices/${n.noticeNumber}/owner-response`, { response: 'owner_is_driver', licenceNumber: '010190009876' })).statusCode).toBe(201);
      records.push((await post(`/api/v1/notices/${n.noticeNumber}/record`, {})).json().recordNumber);
    }
    const dec = await post('/api/v1/decisions', { items: records.map((recordNumber) => ({ recordNumber })) });
    expect(dec.json()).toMatchObject({ totalAmount: 38_000_000, pointsDeducted: 4 });
    expect((await points(ownerId)).balance).toBe(8);

    // a statement line carries the bank's calendar day in Vietnam, not the UTC date (they differ from 00:00 to 07:00 there)
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Ho_Chi_Minh' }).format(new Date());
    const csv = `date,amount,reference,description\n${today},38.000.000,FT-${dec.json().decisionNumber},Nop phat ${dec.json().decisionNumber.replace(/-/g, ' ')}\n`;
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/payments/import', headers: { ...finance.headers, 'content-type': 'multipart/form-data; boundary=X' },
      payload: `--X\r\nContent-Disposition: form-data; name="file"; filename="s.csv"\r\nContent-Type: text/csv\r\n\r\n${csv}\r\n--X--\r\n` });
    expect(res.json()).toMatchObject({ matched: 1, unmatched: 0 });
    const statuses = await t.db.pool.query(`SELECT status FROM notices WHERE id = ANY($1::bigint[])`, [[a.noticeId, b.noticeId]]);
    expect(statuses.rows).toEqual([{ status: 'resolved' }, { status: 'resolved' }]);
  });

  it('an owner who does not cooperate is fined as owner, without licence points', async () => {
    const ownerId = '001185004321';
    const n = await noticeFor({ ownerId });
    expect((await post(`/api/v1/notices/${n.noticeNumber}/owner-response`, { response: 'non_cooperation' })).statusCode).toBe(201);
    const { recordNumber } = (await post(`/api/v1/notices/${n.noticeNumber}/record`, {})).json();
    expect((await post('/api/v1/decisions', { items: [{ recordNumber }] })).json()).toMatchObject({ totalAmount: 19_000_000, pointsDeducted: 0 });
    expect((await points(ownerId)).balance).toBe(12);
  });
});

describe('licence points ledger', () => {
  it('restores 12 points twelve months after the last deduction, not a day before', async () => {
    const ownerId = '001192005555';
    const n = await noticeFor({ ownerId });
    const { decisionNumber } = await decideNotice(t.app, officer, n.noticeNumber);
    const setEffective = (interval: string) => t.db.pool.query(
      `UPDATE licence_point_deductions SET effective_at = now() - $2::interval WHERE decision_id = (SELECT id FROM penalty_decisions WHERE decision_number = $1)`,
      [decisionNumber, interval]);
    await setEffective('11 months 29 days');
    const before = await points(ownerId);
    expect(before).toMatchObject({ balance: 8, restoresAt: expect.any(String) });
    await setEffective('12 months 1 day');
    const after = await points(ownerId);
    expect(after).toMatchObject({ balance: 12, restoresAt: null });
    expect(after.entries.map((e: { kind: string; balance: number }) => [e.kind, e.balance])).toEqual([['deduction', 8], ['restoration', 12]]);
  });
});

describe('limitation: one calendar year from the violation', () => {
  const vnMidnight = (daysAgo: number) => {
    const today = new Date(Date.now() + 7 * 3_600_000);
    return new Date(Date.UTC(today.getUTCFullYear() - 1, today.getUTCMonth(), today.getUTCDate() - daysAgo, 10, 0, 0) - 7 * 3_600_000);
  };

  it('still allows a record on the anniversary of the violation', async () => {
    const n = await noticeFor({ occurredAt: vnMidnight(0) });
    await post(`/api/v1/notices/${n.noticeNumber}/owner-response`, { response: 'non_cooperation' });
    expect((await post(`/api/v1/notices/${n.noticeNumber}/record`, {})).statusCode).toBe(201);
  });

  it('refuses a record the day after', async () => {
    const n = await noticeFor({ occurredAt: vnMidnight(1) });
    await post(`/api/v1/notices/${n.noticeNumber}/owner-response`, { response: 'non_cooperation' });
    const res = await post(`/api/v1/notices/${n.noticeNumber}/record`, {});
    expect(res.statusCode).toBe(409);
    expect(res.json().error).toBe('time_barred');
  });
});

describe('escalation 20 days after the notice, by vehicle kind', () => {
  it('sends cars to the inspection registry and motorbikes as form 04 to the owner\'s commune police; lifted when the case is closed', async () => {
    const car = await noticeFor();
    const bike = await noticeFor({ plate: '98-B1 234.56', vehicleType: 'motorbike' });
    const early = await noticeFor();
    // sent 21 days ago: the 20 days counted from the next day ended yesterday
    await backdateNotice(t.db.pool, car.noticeId, 21);
    await backdateNotice(t.db.pool, bike.noticeId, 21);
    // sent 20 days ago: today is the 20th day, still in time
    await backdateNotice(t.db.pool, early.noticeId, 20);
    const escalated = await escalateOverdue(t.db.pool, new Date());
    expect(escalated.map((e) => [e.noticeNumber, e.kind]).sort()).toEqual([[car.noticeNumber, 'inspection_registry'], [bike.noticeNumber, 'commune_police']].sort());

    const registry = (await t.app.inject({ method: 'GET', url: '/api/v1/escalations', headers: officer.headers })).json();
    expect(registry.entries.map((e: { noticeNumber: string }) => e.noticeNumber)).toEqual([car.noticeNumber]);
    const form04 = (await t.app.inject({ method: 'GET', url: '/api/v1/escalations/form04', headers: officer.headers })).json();
    expect(form04.entries).toEqual([expect.objectContaining({ noticeNumber: bike.noticeNumber, communePolice: expect.objectContaining({ code: 'CAXLGBN' }) })]);

    // a decision alone does not lift the hold; payment closing the case does
    const d = await decideNotice(t.app, officer, car.noticeNumber);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/escalations', headers: officer.headers })).json().count).toBe(1);
    await post('/api/v1/payments', { decisionNumber: d.decisionNumber, amount: d.totalAmount, paidAt: new Date().toISOString(), method: 'treasury', reference: 'KB-ESC-CAR' }, finance);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/escalations', headers: officer.headers })).json().count).toBe(0);
  });
});
