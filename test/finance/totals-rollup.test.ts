import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOTAL_GROUPS, totalsReport } from '../../src/finance/reports.js';
import { splitRange } from '../../src/finance/totals-rollup.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { seedCamera, staffWithSession } from '../helpers/fixtures.js';
import { generateNotices } from './generated-notices.js';

let db: TestDatabase;
beforeAll(async () => { db = await createTestDatabase(); });
afterAll(async () => { await db.drop(); });

const NOTICE_PAYMENTS = `(SELECT p.notice_id, p.amount, p.paid_at FROM payments p WHERE p.notice_id IS NOT NULL
  UNION ALL SELECT i.notice_id, i.fine_amount, p.paid_at FROM payments p JOIN decision_items i ON i.decision_id = p.decision_id)`;

/** The totals computed straight from notices and payments: what the rollup must always agree with. */
async function rawTotals(from: Date, to: Date, group: (typeof TOTAL_GROUPS)[number]) {
  const key = (ts: string) => ({ month: `to_char(${ts} AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYYY-MM')`, camera: 'c.code', rule: 'v.rule' })[group];
  const { rows } = await db.pool.query(
    `WITH i AS (
       SELECT ${key('n.issued_at')} AS key, count(*)::bigint AS n, sum(n.amount)::bigint AS issued,
              sum(CASE WHEN n.status IN ('issued', 'escalated')
                       THEN n.amount - coalesce((SELECT sum(p.amount) FROM ${NOTICE_PAYMENTS} p WHERE p.notice_id = n.id), 0) ELSE 0 END)::bigint AS outstanding
       FROM notices n JOIN violations v ON v.id = n.violation_id JOIN cameras c ON c.id = v.camera_id
       WHERE n.status <> 'cancelled' AND n.issued_at >= $1 AND n.issued_at < $2 GROUP BY 1),
     p AS (
       SELECT ${key('p.paid_at')} AS key, count(*)::bigint AS n, sum(p.amount)::bigint AS collected
       FROM ${NOTICE_PAYMENTS} p JOIN notices n ON n.id = p.notice_id JOIN violations v ON v.id = n.violation_id JOIN cameras c ON c.id = v.camera_id
       WHERE p.paid_at >= $1 AND p.paid_at < $2 GROUP BY 1)
     SELECT key, coalesce(i.n, 0) AS "issuedCount", coalesce(i.issued, 0) AS issued, coalesce(p.n, 0) AS "collectedCount",
            coalesce(p.collected, 0) AS collected, coalesce(i.outstanding, 0) AS outstanding
     FROM i FULL JOIN p USING (key) ORDER BY key`,
    [from, to],
  );
  return rows;
}

let officerId: number;

async function addNotices(n: number, seed: number) {
  await generateNotices(db.pool, n, seed, officerId);
}

const at = (iso: string) => new Date(iso);
const RANGES: Array<[Date, Date]> = [];

describe('finance totals from daily rollups', () => {
  it('split a range into whole Vietnam months, whole days outside them and the partial days at its edges', () => {
    expect(splitRange(at('2026-01-01T00:00:00+07:00'), at('2026-02-01T00:00:00+07:00')))
      .toEqual({ months: { from: '2026-01-01', to: '2026-02-01' }, days: [], raw: [] });
    expect(splitRange(at('2025-12-30T08:00:00+07:00'), at('2026-03-03T12:00:00+07:00'))).toEqual({
      months: { from: '2026-01-01', to: '2026-03-01' },
      days: [{ from: '2025-12-31', to: '2026-01-01' }, { from: '2026-03-01', to: '2026-03-03' }],
      raw: [{ from: at('2025-12-30T08:00:00+07:00'), to: at('2025-12-31T00:00:00+07:00') }, { from: at('2026-03-03T00:00:00+07:00'), to: at('2026-03-03T12:00:00+07:00') }],
    });
    expect(splitRange(at('2026-01-01T08:00:00+07:00'), at('2026-01-03T12:00:00+07:00'))).toEqual({
      months: null, days: [{ from: '2026-01-02', to: '2026-01-03' }],
      raw: [{ from: at('2026-01-01T08:00:00+07:00'), to: at('2026-01-02T00:00:00+07:00') }, { from: at('2026-01-03T00:00:00+07:00'), to: at('2026-01-03T12:00:00+07:00') }],
    });
    expect(splitRange(at('2026-01-01T08:00:00+07:00'), at('2026-01-01T12:00:00+07:00')))
      .toEqual({ months: null, days: [], raw: [{ from: at('2026-01-01T08:00:00+07:00'), to: at('2026-01-01T12:00:00+07:00') }] });
  });

  it('agree with the totals computed from notices and payments, by month, camera and type, for whole and partial days', async () => {
    officerId = (await staffWithSession(db.pool, 'officer')).id;
    for (const code of ['CAM-X', 'CAM-Y', 'CAM-Z']) await seedCamera(db.pool, { code });
    await addNotices(3000, 1);
    const now = Date.now();
    RANGES.push(
      [at('2025-01-01T00:00:00+07:00'), at('2027-01-01T00:00:00+07:00')],
      [new Date(now - 365 * 86_400_000), new Date(now)],
      [new Date(now - 40.3 * 86_400_000), new Date(now - 3.7 * 86_400_000)],
      [new Date(now - 5 * 3_600_000), new Date(now + 3_600_000)],
      [new Date(now - 200.5 * 86_400_000), new Date(now - 20.2 * 86_400_000)],
    );
    for (const [from, to] of RANGES) {
      for (const group of TOTAL_GROUPS) {
        const report = await totalsReport(db.pool, { from, to }, group);
        expect(report.rows, `${group} ${from.toISOString()} ${to.toISOString()}`).toEqual(await rawTotals(from, to, group));
      }
    }
    const year = await totalsReport(db.pool, { from: RANGES[0]![0], to: RANGES[0]![1] }, 'month');
    expect(year.rows.length).toBeGreaterThanOrEqual(13);
    expect(year.total.collected).toBeGreaterThan(0);
    expect(year.total.outstanding).toBeGreaterThan(0);
  });

  it('follow payments, cancellations and new notices at once', async () => {
    await addNotices(300, 2);
    await db.pool.query(`UPDATE notices SET status = 'cancelled' WHERE id % 7 = 0 AND status = 'issued'`);
    await db.pool.query(`UPDATE notices SET status = 'escalated', escalated_at = issued_at + interval '21 days', escalation_kind = 'inspection_registry'
                         WHERE id % 5 = 0 AND status = 'issued'`);
    await db.pool.query(`DELETE FROM payments WHERE id % 4 = 0`);
    await db.pool.query(`UPDATE payments SET paid_at = paid_at - interval '2 days' WHERE id % 6 = 1`);
    for (const [from, to] of RANGES) {
      for (const group of TOTAL_GROUPS) {
        const report = await totalsReport(db.pool, { from, to }, group);
        expect(report.rows, `${group} ${from.toISOString()} ${to.toISOString()}`).toEqual(await rawTotals(from, to, group));
      }
    }
  });
});
