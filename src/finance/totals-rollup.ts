import type { Queryable } from '../db/pool.js';
import { NOTICE_PAYMENTS, noticePaymentsBetween } from './notice-payments.js';

const DAY_START = (day: string) => `(${day}::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh')`;
const DAY_END = (day: string) => `((${day} + 1)::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh')`;

/**
 * Folds the committed dirty days into finance_day_totals (migration 100): each marked Vietnam day is
 * recomputed, per camera and violation type, from its notices and the payments received that day, in
 * the statement that takes the marks. Idempotent; safe to run from several readers at once.
 */
export async function refreshFinanceDayTotals(db: Queryable): Promise<number> {
  // most reads find nothing to fold: one index probe instead of planning the whole fold
  const pending = await db.query<{ any: boolean }>({ name: 'finance-dirty-any', text: 'SELECT EXISTS (SELECT 1 FROM finance_dirty_days) AS any' });
  if (!pending.rows[0]!.any) return 0;
  const { rowCount } = await db.query({
    name: 'finance-day-refresh',
    text: `WITH marks AS (DELETE FROM finance_dirty_days RETURNING day),
     d AS (SELECT DISTINCT day FROM marks),
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
  });
  return rowCount ?? 0;
}

const VN_OFFSET_MS = 7 * 3_600_000;
const DAY_MS = 86_400_000;

/** YYYY-MM-DD of a Vietnam day starting at `start` (a Vietnam midnight). */
const dayOf = (start: number) => new Date(start + VN_OFFSET_MS).toISOString().slice(0, 10);

/**
 * Splits [from, to) into whole Vietnam days (read from the rollup) and the partial days at its edges
 * (read raw). Vietnam has no daylight saving: a day is always 24 hours from 17:00 UTC.
 */
export function splitByVietnamDays(from: Date, to: Date): { days: { from: string; to: string } | null; raw: Array<{ from: Date; to: Date }> } {
  const f = from.getTime();
  const t = to.getTime();
  const firstWhole = Math.ceil((f + VN_OFFSET_MS) / DAY_MS) * DAY_MS - VN_OFFSET_MS;
  const endWhole = Math.floor((t + VN_OFFSET_MS) / DAY_MS) * DAY_MS - VN_OFFSET_MS;
  if (firstWhole >= endWhole) return { days: null, raw: f < t ? [{ from, to }] : [] };
  const raw = [];
  if (f < firstWhole) raw.push({ from, to: new Date(firstWhole) });
  if (endWhole < t) raw.push({ from: new Date(endWhole), to });
  return { days: { from: dayOf(firstWhole), to: dayOf(endWhole) }, raw };
}
