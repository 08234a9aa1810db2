import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refreshCameraStatBuckets } from '../../src/cameras/camera-stat-rollup.js';
import { refreshFinanceTotals } from '../../src/finance/totals-rollup.js';
import type { RetentionPolicy } from '../../src/retention/retention-policy.js';
import { runRetention } from '../../src/retention/run-retention.js';
import { LocalBlobStore } from '../../src/storage/blob-store.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { decideNotice, seedCamera, seedNotice, staffWithSession, type TestStaff } from '../helpers/fixtures.js';

// The archive period of a case that went through the penalty procedure: the owner's answer, the violation
// record, the decision, its items, its payment and its points deduction belong to the case's archive.
const POLICY: RetentionPolicy = { noViolationDays: 30, appealDays: 90, archiveYears: 10, batchSize: 2 };
const YEAR = 365.25 * 86_400_000;

let t: TestApp;
let storage: LocalBlobStore;
let officer: TestStaff;
let finance: TestStaff;
let cameraId: number;

beforeAll(async () => {
  t = await createTestApp();
  storage = new LocalBlobStore(t.config.STORAGE_DIR);
  officer = await staffWithSession(t.db.pool, 'officer');
  finance = await staffWithSession(t.db.pool, 'finance');
  cameraId = (await seedCamera(t.db.pool)).id;
});
afterAll(async () => {
  await t.close();
});

const run = (now: Date, dryRun = false) => runRetention({ pool: t.db.pool, storage }, POLICY, { now, dryRun });

/** Two notices whose owners both name the same driver, decided together in one decision (not paid). */
async function twoCaseDecision() {
  await t.db.pool.query(`INSERT INTO handling_units (code, kind, name, parent_name, address, phone, province)
    VALUES ('PC08T', 'traffic_police', 'Phòng Cảnh sát giao thông', 'CÔNG AN THÀNH PHỐ HÀ NỘI', 'Số 86 Lê Thánh Tông, Phường Cửa Nam', '02439424448', 'Thành phố Hà Nội')
    ON CONFLICT DO NOTHING`);
  const cases = [await seedNotice(t.db.pool, storage, { cameraId, officer }), await seedNotice(t.db.pool, storage, { cameraId, officer })];
  const records: string[] = [];
  for (const n of cases) {
    await t.db.pool.query(`UPDATE notices SET handling_unit_id = (SELECT id FROM handling_units WHERE code = 'PC08T') WHERE id = $1`, [n.noticeId]);
    expect((await post(`/api/v1/notices/${n.noticeNumber}/owner-response`, { response: 'driver_named',
      driver: { nationalId: '024095001234', fullName: 'Trần Văn Nam', licenceNumber: '240123456789', address: 'Phường Bắc Giang, Tỉnh Bắc Ninh' } })).statusCode).toBe(201);
    records.push((await post(`/api/v1/notices/${n.noticeNumber}/record`, {})).json().recordNumber);
  }
  const dec = await post('/api/v1/decisions', { items: records.map((recordNumber) => ({ recordNumber })) });
  expect(dec.statusCode).toBe(201);
  return { cases, decisionNumber: dec.json().decisionNumber as string, totalAmount: dec.json().totalAmount as number };
}
const post = (url: string, payload: Record<string, unknown>, who: TestStaff = officer) => t.app.inject({ method: 'POST', url, headers: who.headers, payload });

/** A notice taken through owner's answer, record, decision (PDFs rendered) and payment: the case is closed. */
async function paidCase(camera = cameraId) {
  const notice = await seedNotice(t.db.pool, storage, { cameraId: camera, officer, occurredAt: new Date(Date.now() - 3 * 86_400_000) });
  const decision = await decideNotice(t.app, officer, notice.noticeNumber);
  const get = (url: string) => t.app.inject({ method: 'GET', url, headers: officer.headers });
  const { rows: [paper] } = await t.db.pool.query<{ record_number: string }>(
    'SELECT record_number FROM violation_records WHERE notice_id = $1', [notice.noticeId]);
  expect((await get(`/api/v1/records/${paper!.record_number}/pdf`)).statusCode).toBe(200);
  expect((await get(`/api/v1/decisions/${decision.decisionNumber}/pdf`)).statusCode).toBe(200);
  const pay = await t.app.inject({ method: 'POST', url: '/api/v1/payments', headers: finance.headers, payload: {
    decisionNumber: decision.decisionNumber, amount: decision.totalAmount, paidAt: new Date().toISOString(), method: 'treasury',
    reference: `KB-${decision.decisionNumber}` } });
  expect(pay.statusCode).toBe(201);
  const { rows: [state] } = await t.db.pool.query<{ status: string }>('SELECT status FROM notices WHERE id = $1', [notice.noticeId]);
  expect(state!.status).toBe('resolved');
  return { ...notice, ...decision };
}

/** What is left of a case, table by table. */
async function remains(noticeId: number, violationId: number, decisionNumber: string) {
  const count = async (sql: string, param: number | string) => (await t.db.pool.query(sql, [param])).rowCount;
  const decision = await t.db.pool.query<{ id: number; pdf_sha256: string }>(
    'SELECT id, pdf_sha256 FROM penalty_decisions WHERE decision_number = $1', [decisionNumber]);
  const decisionId = decision.rows[0]?.id ?? -1;
  return {
    violations: await count('SELECT 1 FROM violations WHERE id = $1', violationId),
    notices: await count('SELECT 1 FROM notices WHERE id = $1', noticeId),
    ownerResponses: await count('SELECT 1 FROM owner_responses WHERE notice_id = $1', noticeId),
    violationRecords: await count('SELECT 1 FROM violation_records WHERE notice_id = $1', noticeId),
    decisionItems: await count('SELECT 1 FROM decision_items WHERE notice_id = $1', noticeId),
    decisions: decision.rowCount,
    payments: await count('SELECT 1 FROM payments WHERE decision_id = $1', decisionId),
    pointDeductions: await count('SELECT 1 FROM licence_point_deductions WHERE decision_id = $1', decisionId),
  };
}
const WHOLE = { violations: 1, notices: 1, ownerResponses: 1, violationRecords: 1, decisionItems: 1, decisions: 1, payments: 1, pointDeductions: 1 };
const GONE = { violations: 0, notices: 0, ownerResponses: 0, violationRecords: 0, decisionItems: 0, decisions: 0, payments: 0, pointDeductions: 0 };

async function paperShas(noticeId: number): Promise<string[]> {
  const { rows } = await t.db.pool.query<{ sha: string }>(
    `SELECT r.pdf_sha256 AS sha FROM violation_records r WHERE r.notice_id = $1
     UNION ALL SELECT d.pdf_sha256 FROM decision_items i JOIN penalty_decisions d ON d.id = i.decision_id WHERE i.notice_id = $1`, [noticeId]);
  return rows.map((r) => r.sha);
}

describe('archive period of a case that reached a penalty decision', () => {
  it('keeps the whole procedure until the archive period after payment ends, then deletes it in one piece; a second run finds nothing', async () => {
    const c = await paidCase();
    const shas = await paperShas(c.noticeId);
    expect(shas).toHaveLength(2);
    const paidAt = Date.now();

    // evidence goes after the limitation and the appeal time; the case record and its papers stay
    const early = await run(new Date(paidAt + 10 * YEAR - 7 * 86_400_000));
    expect(early.deleted).toMatchObject({ evidenceLinks: 1, violations: 0, notices: 0, decisions: 0 });
    expect(await remains(c.noticeId, c.violationId, c.decisionNumber)).toEqual(WHOLE);

    const later = new Date(paidAt + 10 * YEAR + 7 * 86_400_000);
    const dry = await run(later, true);
    expect(dry.deleted).toMatchObject({
      violations: 1, notices: 1, payments: 1, ownerResponses: 1, violationRecords: 1, decisions: 1, decisionItems: 1, pointDeductions: 1, blobs: 2,
    });
    expect(await remains(c.noticeId, c.violationId, c.decisionNumber)).toEqual(WHOLE);
    for (const sha of shas) expect(await storage.has(sha)).toBe(true);

    const real = await run(later);
    expect(real.deleted).toEqual(dry.deleted);
    expect(await remains(c.noticeId, c.violationId, c.decisionNumber)).toEqual(GONE);
    for (const sha of shas) expect(await storage.has(sha)).toBe(false);

    const again = await run(later);
    expect(Object.values(again.deleted).every((n) => n === 0)).toBe(true);
  });

  it('keeps a decision whose deduction left the licence with no points: deleting it would give the points back', async () => {
    const c = await paidCase();
    await t.db.pool.query(
      'UPDATE licence_point_deductions SET points = 12 WHERE decision_id = (SELECT id FROM penalty_decisions WHERE decision_number = $1)', [c.decisionNumber]);
    const report = await run(new Date(Date.now() + 11 * YEAR));
    expect(report.deleted.decisions).toBe(0);
    expect(await remains(c.noticeId, c.violationId, c.decisionNumber)).toEqual(WHOLE);
    // had it taken 4 points, the licence would have been restored 12 months later: the deduction no longer counts
    await t.db.pool.query(
      'UPDATE licence_point_deductions SET points = 4 WHERE decision_id = (SELECT id FROM penalty_decisions WHERE decision_number = $1)', [c.decisionNumber]);
    await run(new Date(Date.now() + 11 * YEAR));
    expect(await remains(c.noticeId, c.violationId, c.decisionNumber)).toEqual(GONE);
  });

  it('archives a decision covering two cases whole, even when a batch holds only one of them', async () => {
    const { cases, decisionNumber, totalAmount } = await twoCaseDecision();
    expect((await post('/api/v1/payments', { decisionNumber, amount: totalAmount, paidAt: new Date().toISOString(), method: 'treasury', reference: `KB-${decisionNumber}` }, finance)).statusCode).toBe(201);

    const report = await runRetention({ pool: t.db.pool, storage }, { ...POLICY, batchSize: 1 }, { now: new Date(Date.now() + 11 * YEAR) });
    expect(report.deleted).toMatchObject({ violations: 2, notices: 2, ownerResponses: 2, violationRecords: 2, decisionItems: 2, decisions: 1, payments: 1, pointDeductions: 1 });
    for (const n of cases) expect(await remains(n.noticeId, n.violationId, decisionNumber)).toEqual(GONE);
  });

  it('keeps an ended case while another case on its decision is still open', async () => {
    const { cases: [cancelled, open], decisionNumber } = await twoCaseDecision();
    await t.db.pool.query(`UPDATE notices SET status = 'cancelled', resolved_at = now() WHERE id = $1`, [cancelled!.noticeId]);
    const report = await run(new Date(Date.now() + 11 * YEAR));
    expect(report.deleted).toMatchObject({ notices: 0, decisions: 0 });
    expect(await remains(cancelled!.noticeId, cancelled!.violationId, decisionNumber)).toMatchObject({ notices: 1, decisionItems: 1, decisions: 1 });
    expect(await remains(open!.noticeId, open!.violationId, decisionNumber)).toMatchObject({ notices: 1, decisionItems: 1 });
  });

  it('leaves the rollups equal to what remains: camera figures lose the deleted capture, finance totals the archived case', async () => {
    const camera = (await seedCamera(t.db.pool)).id;
    await paidCase(camera);
    const rolled = async () => {
      await refreshCameraStatBuckets(t.db.pool);
      await refreshFinanceTotals(t.db.pool);
      const { rows: [r] } = await t.db.pool.query<{ captures: number; issued: number; collected: number; month_issued: number }>(
        `SELECT (SELECT coalesce(sum(captures), 0)::int FROM camera_stat_buckets WHERE camera_id = $1) AS captures,
                (SELECT coalesce(sum(issued_count), 0)::int FROM finance_day_totals WHERE camera_id = $1) AS issued,
                (SELECT coalesce(sum(collected_count), 0)::int FROM finance_day_totals WHERE camera_id = $1) AS collected,
                (SELECT coalesce(sum(issued_count), 0)::int FROM finance_month_totals WHERE camera_id = $1) AS month_issued`, [camera]);
      return r;
    };
    expect(await rolled()).toEqual({ captures: 1, issued: 1, collected: 1, month_issued: 1 });
    await run(new Date(Date.now() + 11 * YEAR));
    expect(await rolled()).toEqual({ captures: 0, issued: 0, collected: 0, month_issued: 0 });
  });

  it('rolls back the whole batch when a row it does not know names the notice: nothing half-deleted', async () => {
    const c = await paidCase();
    // a table added later that still names notices (the failure this retention step once had with the procedure's tables)
    await t.db.pool.query('CREATE TABLE IF NOT EXISTS later_notice_refs (notice_id bigint NOT NULL REFERENCES notices (id))');
    await t.db.pool.query('INSERT INTO later_notice_refs VALUES ($1)', [c.noticeId]);
    try {
      await expect(run(new Date(Date.now() + 11 * YEAR))).rejects.toThrow(/foreign key/);
      const left = await remains(c.noticeId, c.violationId, c.decisionNumber);
      expect(left).toEqual(WHOLE);
      const audit = await t.db.pool.query<{ details: { completed: boolean } }>(
        `SELECT details FROM audit_log WHERE action = 'retention.purged' ORDER BY id DESC LIMIT 1`);
      expect(audit.rows[0]!.details.completed).toBe(false);
    } finally {
      await t.db.pool.query('DROP TABLE later_notice_refs');
    }
    await run(new Date(Date.now() + 11 * YEAR));
    expect(await remains(c.noticeId, c.violationId, c.decisionNumber)).toEqual(GONE);
  });
});
