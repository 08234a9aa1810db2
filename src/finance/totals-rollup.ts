import { withTransaction, type Pool } from '../db/pool.js';
import { NOTICE_PAYMENTS, noticePaymentsBetween } from './notice-payments.js';
import { DAY_MS, VN_OFFSET_MS } from '../vietnam-time.js';

const DAY_START = (day: string) => `(${day}::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh')`;
const DAY_END = (day: string) => `((${day} + 1)::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh')`;

/** Folds run one at a time: a month's sums are made from its days, which another fold may be rewriting. */
const FOLD_LOCK = 7462015;

/**
 * Folds the committed dirty days into finance_day_totals and finance_month_totals (migrations 100, 101):
 * each marked Vietnam day is recomputed, per camera and violation type, from its notices and the
 * payments received that day; then each month holding a marked day is summed again from its days.
 * One transaction, one fold at a time. Idempotent. Returns the number of days folded.
 */
export async function refreshFinanceTotals(pool: Pool): Promise<number> {
  // most reads find nothing to fold: one index probe instead of a transaction and planning the fold
  const pending = await pool.query<{ any: boolean }>({ name: 'finance-dirty-any', text: 'SELECT EXISTS (SELECT 1 FROM finance_dirty_days) AS any' });
  if (!pending.rows[0]!.any) return 0;
  return withTransaction(pool, async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [FOLD_LOCK]);
    // taken under the lock: the days of this fold and only committed ones
    const marks = await tx.query<{ day: string }>({
      name: 'finance-take-marks', text: 'WITH m AS (DELETE FROM finance_dirty_days RETURNING day) SELECT DISTINCT day::text AS day FROM m',
    });
    const days = marks.rows.map((r) => r.day);
    if (days.length === 0) return 0;
    await tx.query({
      name: 'finance-fold-days',
      text: `WITH d AS (SELECT unnest($1::date[]) AS day),
     iss AS (
       SELECT d.day, v.camera_id, v.rule, count(*)::int AS issued_count, sum(n.amount)::bigint AS issued_amount,
              sum(CASE WHEN n.status IN ('issued', 'escalated')
                       THEN n.amount - coalesce((SELECT sum(p.amount) FROM ${NOTICE_PAYMENTS} p WHERE p.notice_id = n.id), 0) ELSE 0 END)::bigint AS outstanding
       FROM d JOIN notices n ON n.issued_at >= ${DAY_START('d.day')} AND n.issued_at < ${DAY_END('d.day')}
       JOIN violations v ON v.id = n.violation_id
       WHERE n.status <> 'cancelled'
       GROUP BY 1, 2, 3),
     col AS (
       SELECT d.day, v.camera_id, v.rule, count(*)::int AS collected_count, sum(p.amount)::bigint AS collected_amount
       FROM d CROSS JOIN LATERAL ${noticePaymentsBetween(DAY_START('d.day'), DAY_END('d.day'))} p
       JOIN notices n ON n.id = p.notice_id JOIN violations v ON v.id = n.violation_id
       GROUP BY 1, 2, 3),
     fresh AS (
       SELECT day, camera_id, rule, coalesce(i.issued_count, 0) AS issued_count, coalesce(i.issued_amount, 0) AS issued_amount,
              coalesce(i.outstanding, 0) AS outstanding, coalesce(c.collected_count, 0) AS collected_count, coalesce(c.collected_amount, 0) AS collected_amount
       FROM iss i FULL JOIN col c USING (day, camera_id, rule)),
     cleared AS (
       DELETE FROM finance_day_totals t USING d
       WHERE t.day = d.day AND NOT EXISTS (SELECT 1 FROM fresh f WHERE (f.day, f.camera_id, f.rule) = (t.day, t.camera_id, t.rule)))
     INSERT INTO finance_day_totals (day, camera_id, rule, issued_count, issued_amount, outstanding, collected_count, collected_amount)
     SELECT day, camera_id, rule, issued_count, issued_amount, outstanding, collected_count, collected_amount FROM fresh
     ON CONFLICT (day, camera_id, rule) DO UPDATE SET issued_count = EXCLUDED.issued_count, issued_amount = EXCLUDED.issued_amount,
       outstanding = EXCLUDED.outstanding, collected_count = EXCLUDED.collected_count, collected_amount = EXCLUDED.collected_amount`,
      values: [days],
    });
    await tx.query({
      name: 'finance-fold-months',
      text: `WITH m AS (SELECT DISTINCT date_trunc('month', d)::date AS month FROM unnest($1::date[]) d),
     fresh AS (
       SELECT m.month, t.camera_id, t.rule, sum(t.issued_count)::int AS issued_count, sum(t.issued_amount)::bigint AS issued_amount,
              sum(t.outstanding)::bigint AS outstanding, sum(t.collected_count)::int AS collected_count, sum(t.collected_amount)::bigint AS collected_amount
       FROM m JOIN finance_day_totals t ON t.day >= m.month AND t.day < (m.month + interval '1 month')::date
       GROUP BY 1, 2, 3),
     cleared AS (
       DELETE FROM finance_month_totals t USING m
       WHERE t.month = m.month AND NOT EXISTS (SELECT 1 FROM fresh f WHERE (f.month, f.camera_id, f.rule) = (t.month, t.camera_id, t.rule)))
     INSERT INTO finance_month_totals (month, camera_id, rule, issued_count, issued_amount, outstanding, collected_count, collected_amount)
     SELECT month, camera_id, rule, issued_count, issued_amount, outstanding, collected_count, collected_amount FROM fresh
     ON CONFLICT (month, camera_id, rule) DO UPDATE SET issued_count = EXCLUDED.issued_count, issued_amount = EXCLUDED.issued_amount,
       outstanding = EXCLUDED.outstanding, collected_count = EXCLUDED.collected_count, collected_amount = EXCLUDED.collected_amount`,
      values: [days],
    });
    return days.length;
  });
}

/** YYYY-MM-DD of a Vietnam day starting at `start` (a Vietnam midnight). */
const dayOf = (start: number) => new Date(start + VN_OFFSET_MS).toISOString().slice(0, 10);

export interface RangeSplit {
  /** whole Vietnam months [from, to) as YYYY-MM-01 dates, read from finance_month_totals */
  months: { from: string; to: string } | null;
  /** whole Vietnam days [from, to) as dates outside those months, read from finance_day_totals */
  days: Array<{ from: string; to: string }>;
  /** the partial days at the edges, read from notices and payments */
  raw: Array<{ from: Date; to: Date }>;
}

const monthStart = (day: string) => `${day.slice(0, 8)}01`;
const nextMonth = (day: string) => {
  const [y, m] = day.split('-').map(Number) as [number, number];
  return m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`;
};

/**
 * Splits [from, to) into whole Vietnam months, whole days outside them and the partial days at its
 * edges. Vietnam has no daylight saving: a day is always 24 hours from 17:00 UTC.
 */
export function splitRange(from: Date, to: Date): RangeSplit {
  const f = from.getTime();
  const t = to.getTime();
  const firstWhole = Math.ceil((f + VN_OFFSET_MS) / DAY_MS) * DAY_MS - VN_OFFSET_MS;
  const endWhole = Math.floor((t + VN_OFFSET_MS) / DAY_MS) * DAY_MS - VN_OFFSET_MS;
  if (firstWhole >= endWhole) return { months: null, days: [], raw: f < t ? [{ from, to }] : [] };
  const raw = [];
  if (f < firstWhole) raw.push({ from, to: new Date(firstWhole) });
  if (endWhole < t) raw.push({ from: new Date(endWhole), to });
  const d0 = dayOf(firstWhole);
  const d1 = dayOf(endWhole);
  const m0 = d0 === monthStart(d0) ? d0 : nextMonth(d0);
  const m1 = monthStart(d1);
  if (m0 >= m1) return { months: null, days: [{ from: d0, to: d1 }], raw };
  const days = [];
  if (d0 < m0) days.push({ from: d0, to: m0 });
  if (m1 < d1) days.push({ from: m1, to: d1 });
  return { months: { from: m0, to: m1 }, days, raw };
}
