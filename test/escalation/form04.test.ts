import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTransaction } from '../../src/db/pool.js';
import { escalateOverdue } from '../../src/escalation/escalate.js';
import { issueNotice } from '../../src/notices/issue.js';
import { runRetention } from '../../src/retention/run-retention.js';
import { LocalBlobStore } from '../../src/storage/blob-store.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { backdateNotice, randomCarPlate, seedApprovedViolation, seedBacNinhUnits, seedVehicle, staffWithSession, type TestStaff } from '../helpers/fixtures.js';
import { readPdf } from '../notices/pdf-text.js';

let t: TestApp;
let officer: TestStaff;
let finance: TestStaff;
let storage: LocalBlobStore;
let cameraId: number;
let bikeSeq = 0;

beforeAll(async () => {
  t = await createTestApp();
  storage = new LocalBlobStore(t.config.STORAGE_DIR);
  const admin = await staffWithSession(t.db.pool, 'admin');
  officer = await staffWithSession(t.db.pool, 'officer');
  finance = await staffWithSession(t.db.pool, 'finance');
  cameraId = (await seedBacNinhUnits(t.app, t.db.pool, admin, 'Thôn Phú Thịnh, Xã Lạng Giang, Tỉnh Bắc Ninh')).id;
});

afterAll(async () => {
  await t.close();
});

/** A notice for a registered vehicle whose owner lives at `home`, sent `daysAgo` days ago. */
async function notice(o: { vehicleType: 'car' | 'motorbike'; daysAgo: number; home?: { address: string; province: string } }) {
  const plate = o.vehicleType === 'motorbike' ? `98-B1 ${String(100 + ++bikeSeq).padStart(3, '0')}.45` : randomCarPlate();
  const home = o.home ?? { address: 'Thôn Bảo Lộc, Xã Lạng Giang', province: 'Tỉnh Bắc Ninh' };
  const vehicle = await seedVehicle(t.db.pool, { plate, vehicleType: o.vehicleType, owner: { ...home, fullName: 'Lê Thị Hoa' } });
  const { violationId } = await seedApprovedViolation(t.db.pool, storage, { cameraId, plate, vehicleId: vehicle.vehicleId, ownerId: vehicle.ownerId,
    decidedBy: officer.id, occurredAt: new Date(Date.now() - 2 * 86_400_000) });
  const n = await withTransaction(t.db.pool, (tx) => issueNotice(tx, violationId, officer));
  await backdateNotice(t.db.pool, n.noticeId, o.daysAgo);
  return { ...n, plate, ...vehicle };
}

const pdfOf = (noticeNumber: string, who: TestStaff = officer) =>
  t.app.inject({ method: 'GET', url: `/api/v1/escalations/form04/${noticeNumber}/pdf`, headers: who.headers });

describe('form 04: a motorbike case unresolved 20 days after its notice goes to the commune/ward police of the owner', () => {
  it('is numbered when the case is escalated, listed with its number, and served as a Vietnamese PDF without internal codes', async () => {
    const bike = await notice({ vehicleType: 'motorbike', daysAgo: 21 });
    const escalated = await escalateOverdue(t.db.pool, new Date());
    const mine = escalated.find((e) => e.noticeNumber === bike.noticeNumber)!;
    expect(mine).toMatchObject({ kind: 'commune_police', form04Number: expect.stringMatching(/^TB-PC08BN-\d{4}-\d{6}$/) });
    const list = (await t.app.inject({ method: 'GET', url: '/api/v1/escalations/form04', headers: officer.headers })).json();
    expect(list.entries).toContainEqual(expect.objectContaining({ noticeNumber: bike.noticeNumber, formNumber: mine.form04Number }));

    const res = await pdfOf(bike.noticeNumber);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.headers['content-disposition']).toContain(`${mine.form04Number}.pdf`);
    const pdf = await readPdf(res.rawPayload);
    expect(pdf.title).toBe(`Thông báo ${mine.form04Number}`);
    for (const text of ['CÔNG AN TỈNH BẮC NINH', 'PHÒNG CẢNH SÁT GIAO THÔNG', `Số: ${mine.form04Number}`, 'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM', 'THÔNG BÁO', 'Mẫu số 04',
      'Kính gửi: Công an xã Lạng Giang', `Thông báo số ${bike.noticeNumber}`, 'Đã quá 20 ngày', 'Lê Thị Hoa', 'Thôn Bảo Lộc, Xã Lạng Giang, Tỉnh Bắc Ninh',
      `Mô tô, biển số ${bike.plate}`, 'Nền trắng, chữ đen', 'Nghị định 168/2024/NĐ-CP', '02223822456', 'Số 2 đường Lý Thái Tổ']) {
      expect(pdf.text).toContain(text);
    }
    // the personal ID number is masked on paper, and nothing of the system's own vocabulary is printed
    expect(pdf.text).toContain(`${bike.nationalId.slice(0, 3)}******${bike.nationalId.slice(-3)}`);
    expect(pdf.text).not.toContain(bike.nationalId);
    expect(pdf.text).not.toMatch(/motorbike|commune_police|red_light|escalat|white|pending|CAXLGBN|PC08BN(?!-)/);
  });

  it('is stored on first request and served again byte for byte, both audited once', async () => {
    const bike = await notice({ vehicleType: 'motorbike', daysAgo: 22 });
    await escalateOverdue(t.db.pool, new Date());
    const first = await pdfOf(bike.noticeNumber);
    const again = await pdfOf(bike.noticeNumber);
    expect(again.headers['x-content-sha256']).toBe(first.headers['x-content-sha256']);
    expect(Buffer.compare(again.rawPayload, first.rawPayload)).toBe(0);
    const { rows } = await t.db.pool.query(
      `SELECT f.pdf_sha256, (SELECT count(*)::int FROM audit_log a WHERE a.action = 'commune_notice.rendered' AND a.entity_id = f.id::text) AS renders,
              (SELECT count(*)::int FROM audit_log a WHERE a.action = 'commune_notice.issued' AND a.entity_id = f.id::text) AS issues
       FROM form04_notices f JOIN notices n ON n.id = f.notice_id WHERE n.notice_number = $1`, [bike.noticeNumber]);
    expect(rows).toEqual([{ pdf_sha256: first.headers['x-content-sha256'], renders: 1, issues: 1 }]);
  });

  it('addresses the commune police of the owner\'s place in general terms when no unit is registered for it', async () => {
    const bike = await notice({ vehicleType: 'motorbike', daysAgo: 23, home: { address: 'Tổ 3, Phường Kinh Bắc', province: 'Tỉnh Bắc Ninh' } });
    await escalateOverdue(t.db.pool, new Date());
    const pdf = await readPdf((await pdfOf(bike.noticeNumber)).rawPayload);
    expect(pdf.text).toContain('Kính gửi: Công an xã, phường, đặc khu nơi chủ phương tiện cư trú');
    expect(pdf.text).toContain('Tổ 3, Phường Kinh Bắc, Tỉnh Bắc Ninh');
  });

  it('numbers a case escalated before form-04 notices existed when its PDF is first asked for', async () => {
    const bike = await notice({ vehicleType: 'motorbike', daysAgo: 24 });
    await t.db.pool.query(`UPDATE notices SET status = 'escalated', escalated_at = now(), escalation_kind = 'commune_police' WHERE id = $1`, [bike.noticeId]);
    const res = await pdfOf(bike.noticeNumber);
    expect(res.statusCode).toBe(200);
    expect((await readPdf(res.rawPayload)).text).toMatch(/Số: TB-PC08BN-\d{4}-\d{6}/);
  });

  it('has none for a car (inspection registry instead), a case still in time, or an unknown notice; and is for officers', async () => {
    const car = await notice({ vehicleType: 'car', daysAgo: 25 });
    const early = await notice({ vehicleType: 'motorbike', daysAgo: 5 });
    await escalateOverdue(t.db.pool, new Date());
    for (const n of [car, early]) {
      const res = await pdfOf(n.noticeNumber);
      expect(res.statusCode).toBe(404);
      expect(res.json()).toMatchObject({ error: 'form04_not_found', message: expect.stringContaining('mẫu số 04') });
    }
    const unknown = await pdfOf('PN-PC08BN-2025-999999');
    expect(unknown.json()).toMatchObject({ error: 'notice_not_found', message: 'Không có thông báo số PN-PC08BN-2025-999999.' });
    expect((await pdfOf('not-a-number')).statusCode).toBe(400);
    expect((await pdfOf(car.noticeNumber, finance)).statusCode).toBe(403);
    const count = await t.db.pool.query('SELECT count(*)::int AS n FROM form04_notices f JOIN notices n ON n.id = f.notice_id WHERE n.id = ANY($1)', [[car.noticeId, early.noticeId]]);
    expect(count.rows[0].n).toBe(0);
  });

  it('is archived with its notice: retention deletes the form and its stored PDF when it deletes the notice', async () => {
    const bike = await notice({ vehicleType: 'motorbike', daysAgo: 26 });
    await escalateOverdue(t.db.pool, new Date());
    const sha = (await pdfOf(bike.noticeNumber)).headers['x-content-sha256'] as string;
    expect(await storage.has(sha)).toBe(true);
    await t.db.pool.query(`UPDATE notices SET status = 'cancelled' WHERE id = $1`, [bike.noticeId]);
    const policy = { noViolationDays: 30, appealDays: 90, archiveYears: 10, batchSize: 100 };
    await runRetention({ pool: t.db.pool, storage }, policy, { now: new Date(Date.now() + 11 * 366 * 86_400_000) });
    const left = await t.db.pool.query('SELECT count(*)::int AS n FROM notices WHERE id = $1', [bike.noticeId]);
    expect(left.rows[0].n).toBe(0);
    expect(await storage.has(sha)).toBe(false);
  });
});
