import { createHash } from 'node:crypto';
import { mkdtemp, rm, unlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../../src/config.js';
import { withTransaction } from '../../src/db/pool.js';
import { renderPendingNotices } from '../../src/notices/batch.js';
import { loadNoticeDocument } from '../../src/notices/document.js';
import { NoticeError } from '../../src/notices/errors.js';
import { issueNotice, renderNotice } from '../../src/notices/issue.js';
import { nextNoticeNumber } from '../../src/notices/notice-number.js';
import { renderNoticePdf } from '../../src/notices/render.js';
import { LocalBlobStore } from '../../src/storage/blob-store.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { seedApprovedViolation, seedCamera, seedNotice, seedVehicle, staffWithSession, type TestStaff } from '../helpers/fixtures.js';
import { readPdf } from './pdf-text.js';

let db: TestDatabase;
let dir: string;
let storage: LocalBlobStore;
let config: Config;
let officer: TestStaff;
let cameraId: number;

const settings = { unitCode: 'HN', dueDays: 20 };
const deps = () => ({ pool: db.pool, storage, config });

beforeAll(async () => {
  db = await createTestDatabase();
  dir = await mkdtemp(path.join(os.tmpdir(), 'phat-notices-'));
  storage = new LocalBlobStore(dir);
  config = loadConfig({ DATABASE_URL: db.url, STORAGE_DIR: dir, PUBLIC_BASE_URL: 'https://phatnguoi.example.vn', DETECTING_UNIT: 'Phòng Cảnh sát giao thông Công an TP Hà Nội',
    NOTICE_UNIT_ADDRESS: 'Số 86 Lê Thánh Tông, Hoàn Kiếm', NOTICE_CONTACT_PHONE: '02439424448' });
  officer = await staffWithSession(db.pool, 'officer');
  cameraId = (await seedCamera(db.pool, { address: 'Ngã tư Kim Mã - Liễu Giai, Ba Đình' })).id;
});

afterAll(async () => {
  await db.drop();
  await rm(dir, { recursive: true, force: true });
});

async function approvedCase(plate: string, ownerName?: string) {
  const vehicle = await seedVehicle(db.pool, { plate, owner: ownerName ? { fullName: ownerName } : undefined });
  const v = await seedApprovedViolation(db.pool, storage, { cameraId, plate, vehicleId: vehicle.vehicleId, ownerId: vehicle.ownerId, decidedBy: officer.id });
  return { ...v, ...vehicle };
}

const auditActions = async (entityId: number) =>
  (await db.pool.query<{ action: string }>(`SELECT action FROM audit_log WHERE entity_type = 'notice' AND entity_id = $1 ORDER BY id`, [String(entityId)])).rows.map((r) => r.action);

describe('issueNotice', () => {
  it('numbers the notice per unit and year, gives 20 days to resolve, charges the fine and moves the violation to noticed', async () => {
    const c = await approvedCase('30A-111.11');
    const notice = await withTransaction(db.pool, (tx) => issueNotice(tx, c.violationId, officer, settings));
    const year = new Intl.DateTimeFormat('en', { timeZone: 'Asia/Ho_Chi_Minh', year: 'numeric' }).format(new Date());
    expect(notice.noticeNumber).toBe(`PN-HN-${year}-000001`);
    const { rows } = await db.pool.query(`SELECT n.amount, n.owner_id, n.status, n.due_at - n.issued_at AS window, v.status AS violation_status
      FROM notices n JOIN violations v ON v.id = n.violation_id WHERE n.id = $1`, [notice.noticeId]);
    expect(rows[0]).toMatchObject({ amount: 19_000_000, owner_id: c.ownerId, status: 'issued', violation_status: 'noticed' });
    expect(rows[0].window).toMatchObject({ days: 20 });
    expect(await auditActions(notice.noticeId)).toEqual(['notice.issued']);
  });

  it('returns the notice already issued when called again for the same violation, without using a number', async () => {
    const c = await approvedCase('30A-222.22');
    const first = await withTransaction(db.pool, (tx) => issueNotice(tx, c.violationId, officer, settings));
    const again = await withTransaction(db.pool, (tx) => issueNotice(tx, c.violationId, officer, settings));
    expect(again).toEqual(first);
    const next = await approvedCase('30A-333.33');
    const third = await withTransaction(db.pool, (tx) => issueNotice(tx, next.violationId, officer, settings));
    expect(Number(third.noticeNumber.slice(-6))).toBe(Number(first.noticeNumber.slice(-6)) + 1);
    expect(await auditActions(first.noticeId)).toEqual(['notice.issued']);
  });

  it('gives the number back when the approving transaction rolls back', async () => {
    const c = await approvedCase('30A-444.44');
    let taken = '';
    await expect(withTransaction(db.pool, async (tx) => {
      taken = (await issueNotice(tx, c.violationId, officer, { ...settings, unitCode: 'RB' })).noticeNumber;
      throw new Error('approval failed later');
    })).rejects.toThrow('approval failed later');
    const { rows } = await db.pool.query('SELECT count(*)::int AS n FROM notices WHERE violation_id = $1', [c.violationId]);
    expect(rows[0].n).toBe(0);
    const retried = await withTransaction(db.pool, (tx) => issueNotice(tx, c.violationId, officer, { ...settings, unitCode: 'RB' }));
    expect(retried.noticeNumber).toBe(taken);
  });

  it('refuses a violation that is not approved and stores nothing', async () => {
    const vehicle = await seedVehicle(db.pool, { plate: '30A-555.55' });
    const v = await seedApprovedViolation(db.pool, storage, { cameraId, plate: '30A-555.55', vehicleId: vehicle.vehicleId, ownerId: vehicle.ownerId,
      decidedBy: officer.id, status: 'pending_review' });
    const err = await withTransaction(db.pool, (tx) => issueNotice(tx, v.violationId, officer, settings)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NoticeError);
    expect((err as NoticeError).code).toBe('violation_not_approved');
    const { rows } = await db.pool.query('SELECT status, (SELECT count(*)::int FROM notices WHERE violation_id = $1) AS notices FROM violations WHERE id = $1', [v.violationId]);
    expect(rows[0]).toEqual({ status: 'pending_review', notices: 0 });
  });
});

describe('renderNotice', () => {
  it('renders form 01 in Vietnamese with the number, owner, vehicle, violation, fine, deadline, photos and QR, and stores it by sha256', async () => {
    const n = await seedNotice(db.pool, storage, { cameraId, officer, plate: '30E-678.90', ownerName: 'Trần Thị Bích Ngọc' });
    const { sha256 } = await renderNotice(deps(), n.noticeId);
    const pdf = (await storage.get(sha256))!;
    expect(createHash('sha256').update(pdf).digest('hex')).toBe(sha256);
    const { rows } = await db.pool.query('SELECT pdf_sha256, pdf_rendered_at FROM notices WHERE id = $1', [n.noticeId]);
    expect(rows[0].pdf_sha256).toBe(sha256);
    expect(rows[0].pdf_rendered_at).toBeInstanceOf(Date);

    const doc = (await loadNoticeDocument(db.pool, n.noticeId))!;
    const due = new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Ho_Chi_Minh', day: '2-digit', month: '2-digit', year: 'numeric' }).format(doc.dueAt);
    const { text, images, pages, title } = await readPdf(pdf);
    expect(pages).toBe(1);
    expect(title).toContain(n.noticeNumber);
    for (const expected of [
      'THÔNG BÁO',
      'Vi phạm hành chính trong lĩnh vực trật tự, an toàn giao thông đường bộ được phát hiện qua hệ thống giám sát',
      n.noticeNumber,
      'Trần Thị Bích Ngọc',
      'Số 12 phố Huế, phường Hai Bà Trưng',
      '30E-678.90',
      'Nền trắng, chữ đen',
      'Ô tô', 'Toyota Vios',
      '08:15:30 ngày 01/11/2026',
      'Ngã tư Kim Mã - Liễu Giai, Ba Đình',
      'Không chấp hành hiệu lệnh của đèn tín hiệu giao thông',
      'Điểm b khoản 9 Điều 6 Nghị định 168/2024/NĐ-CP',
      '19.000.000 đ',
      '4 điểm',
      'Phòng Cảnh sát giao thông Công an TP Hà Nội',
      'Số 86 Lê Thánh Tông, Hoàn Kiếm',
      `trước ngày ${due}`,
      'https://phatnguoi.example.vn/tra-cuu?plate=30E-678.90',
    ]) expect(text).toContain(expected);
    // the ID number is printed masked: recognisable by its owner, useless to anyone who finds the letter
    expect(text).not.toContain(n.nationalId);
    expect(text).toContain(`${n.nationalId.slice(0, 3)}******${n.nationalId.slice(-3)}`);
    expect(images).toBe(3); // evidence photo, plate crop, QR code
  });

  it('gives the same bytes every time, so the recorded sha256 can be re-verified by rendering again', async () => {
    const n = await seedNotice(db.pool, storage, { cameraId, officer });
    const doc = (await loadNoticeDocument(db.pool, n.noticeId))!;
    const a = await renderNoticePdf(deps(), doc);
    const b = await renderNoticePdf(deps(), doc);
    expect(a.equals(b)).toBe(true);
    const first = await renderNotice(deps(), n.noticeId);
    const second = await renderNotice(deps(), n.noticeId);
    expect(second).toEqual(first);
    expect(first.sha256).toBe(createHash('sha256').update(a).digest('hex'));
    expect(await auditActions(n.noticeId)).toEqual(['notice.issued', 'notice.rendered']);
  });

  it('renders again, to the same hash, when the stored PDF has gone missing', async () => {
    const n = await seedNotice(db.pool, storage, { cameraId, officer });
    const { sha256 } = await renderNotice(deps(), n.noticeId);
    await unlink(path.join(dir, sha256.slice(0, 2), sha256.slice(2, 4), sha256));
    expect(await renderNotice(deps(), n.noticeId)).toEqual({ sha256 });
    expect(await storage.has(sha256)).toBe(true);
    // the hash on record did not change: nothing new to audit
    expect(await auditActions(n.noticeId)).toEqual(['notice.issued', 'notice.rendered']);
  });

  it('records the new hash, and the one it replaces, when the PDF on record is missing and renders differently', async () => {
    const n = await seedNotice(db.pool, storage, { cameraId, officer });
    const { sha256 } = await renderNotice(deps(), n.noticeId);
    const lost = 'ab'.repeat(32);
    await db.pool.query('UPDATE notices SET pdf_sha256 = $2 WHERE id = $1', [n.noticeId, lost]);
    expect(await renderNotice(deps(), n.noticeId)).toEqual({ sha256 });
    const { rows } = await db.pool.query<{ pdf_sha256: string; details: { sha256: string; previousSha256: string | null } }>(
      `SELECT n.pdf_sha256, a.details FROM notices n JOIN audit_log a ON a.entity_type = 'notice' AND a.entity_id = n.id::text AND a.action = 'notice.rendered'
       WHERE n.id = $1 ORDER BY a.id`, [n.noticeId]);
    expect(rows.map((r) => [r.pdf_sha256, r.details.sha256, r.details.previousSha256])).toEqual([[sha256, sha256, null], [sha256, sha256, lost]]);
  });

  it('refuses with evidence_missing when the evidence photo is not in storage, and records no PDF', async () => {
    const n = await seedNotice(db.pool, storage, { cameraId, officer });
    const { rows } = await db.pool.query<{ image_sha256: string }>(
      'SELECT c.image_sha256 FROM violation_evidence e JOIN captures c ON c.id = e.capture_id WHERE e.violation_id = $1', [n.violationId]);
    const sha = rows[0]!.image_sha256;
    await unlink(path.join(dir, sha.slice(0, 2), sha.slice(2, 4), sha));
    await expect(renderNotice(deps(), n.noticeId)).rejects.toMatchObject({ code: 'evidence_missing' });
    const after = await db.pool.query('SELECT pdf_sha256 FROM notices WHERE id = $1', [n.noticeId]);
    expect(after.rows[0].pdf_sha256).toBeNull();
  });
});

describe('renderPendingNotices', () => {
  it('renders every notice lacking a PDF, reports failures without stopping, and on a rerun retries only what is still missing', async () => {
    const batchDb = await createTestDatabase();
    try {
      const d = { pool: batchDb.pool, storage, config };
      const staff = await staffWithSession(batchDb.pool, 'officer');
      const cam = await seedCamera(batchDb.pool);
      const notices = [];
      for (let i = 0; i < 5; i++) notices.push(await seedNotice(batchDb.pool, storage, { cameraId: cam.id, officer: staff }));
      // one notice whose evidence photo is lost
      const { rows } = await batchDb.pool.query<{ image_sha256: string }>(
        'SELECT c.image_sha256 FROM violation_evidence e JOIN captures c ON c.id = e.capture_id WHERE e.violation_id = $1', [notices[2]!.violationId]);
      const lost = rows[0]!.image_sha256;
      await unlink(path.join(dir, lost.slice(0, 2), lost.slice(2, 4), lost));

      const progress: number[] = [];
      const report = await renderPendingNotices(d, { concurrency: 2, onProgress: (p) => progress.push(p.done) });
      expect(report).toMatchObject({ total: 5, rendered: 4 });
      expect(report.failed).toEqual([{ noticeId: notices[2]!.noticeId, error: expect.stringContaining('không còn trong kho lưu trữ') }]);
      expect(report.msPerNotice).toBeGreaterThan(0);
      expect(progress).toEqual([1, 2, 3, 4, 5]);
      const rendered = await batchDb.pool.query('SELECT count(*)::int AS n FROM notices WHERE pdf_sha256 IS NOT NULL');
      expect(rendered.rows[0].n).toBe(4);

      const rerun = await renderPendingNotices(d, { concurrency: 2 });
      expect(rerun).toMatchObject({ total: 1, rendered: 0 });
    } finally {
      await batchDb.drop();
    }
  });
});

describe('nextNoticeNumber', () => {
  it('numbers by the Vietnam-time year, so a notice issued after midnight on 1 January local time starts the new year', async () => {
    const numbers = await withTransaction(db.pool, async (tx) => [
      await nextNoticeNumber(tx, 'YR', new Date('2026-12-31T16:59:59Z')),
      await nextNoticeNumber(tx, 'YR', new Date('2026-12-31T17:00:00Z')),
      await nextNoticeNumber(tx, 'YR', new Date('2026-12-31T18:00:00Z')),
    ]);
    expect(numbers).toEqual(['PN-YR-2026-000001', 'PN-YR-2027-000001', 'PN-YR-2027-000002']);
  });
});
