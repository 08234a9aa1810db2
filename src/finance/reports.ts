import type { Pool, Queryable } from '../db/pool.js';
import { NOTICE_PAYMENTS, noticePaymentsBetween } from './notice-payments.js';
import { refreshFinanceTotals, splitRange } from './totals-rollup.js';
import { DAY_MS } from '../vietnam-time.js';

export const AGING_BUCKETS = ['0-20', '21-60', '61-180', '>180'] as const;
export type AgingBucket = (typeof AGING_BUCKETS)[number];

/** Days since issue → bucket; day 0-20 is the owner's time to resolve, later buckets are overdue. */
export function agingBucket(ageDays: number): AgingBucket {
  if (ageDays <= 20) return '0-20';
  if (ageDays <= 60) return '21-60';
  if (ageDays <= 180) return '61-180';
  return '>180';
}

export interface OutstandingItem {
  noticeNumber: string;
  plate: string;
  cameraCode: string;
  rule: string;
  status: string;
  amount: number;
  outstanding: number;
  issuedAt: string;
  dueAt: string;
  ageDays: number;
  bucket: AgingBucket;
}

export interface OutstandingReport {
  asOf: string;
  count: number;
  total: number;
  buckets: Array<{ bucket: AgingBucket; count: number; amount: number }>;
  /** one page, oldest first */
  items: OutstandingItem[];
  /** pass as `after` for the next page; null on the last */
  nextCursor: OutstandingCursor | null;
}

/** Where a page of the outstanding list ended: issue time (ISO, microseconds kept) and notice id. */
export interface OutstandingCursor {
  issuedAt: string;
  id: number;
}

/** Notices not cancelled, issued by $1 and not resolved then, with what had been paid on them by $1. */
const OUTSTANDING_AT = `SELECT n.id, n.notice_number, v.plate_text, c.code AS camera_code, v.rule, n.status, n.amount, x.paid, n.issued_at, n.due_at,
         to_json(n.issued_at) #>> '{}' AS issued_key
  FROM notices n JOIN violations v ON v.id = n.violation_id JOIN cameras c ON c.id = v.camera_id
  CROSS JOIN LATERAL (SELECT coalesce(sum(p.amount), 0)::bigint AS paid FROM ${NOTICE_PAYMENTS} p WHERE p.notice_id = n.id AND p.paid_at <= $1) x
  WHERE n.status <> 'cancelled' AND n.issued_at <= $1 AND (n.resolved_at IS NULL OR n.resolved_at > $1) AND n.amount > x.paid`;

interface OutstandingRow {
  id: number; notice_number: string; plate_text: string; camera_code: string; rule: string; status: string; amount: number;
  paid: number; issued_at: Date; due_at: Date; issued_key: string;
}

function outstandingItem(r: OutstandingRow, asOf: Date): OutstandingItem {
  const ageDays = Math.floor((asOf.getTime() - r.issued_at.getTime()) / DAY_MS);
  return { noticeNumber: r.notice_number, plate: r.plate_text, cameraCode: r.camera_code, rule: r.rule, status: r.status, amount: r.amount,
    outstanding: r.amount - r.paid, issuedAt: r.issued_at.toISOString(), dueAt: r.due_at.toISOString(), ageDays, bucket: agingBucket(ageDays) };
}

async function outstandingRows(db: Queryable, asOf: Date, limit: number, after: OutstandingCursor | undefined): Promise<OutstandingRow[]> {
  const { rows } = await db.query<OutstandingRow>({
    name: after ? 'outstanding-after' : 'outstanding-first',
    text: `${OUTSTANDING_AT} ${after ? 'AND (n.issued_at, n.id) > ($3::timestamptz, $4::bigint)' : ''}
     ORDER BY n.issued_at, n.id LIMIT $2`,
    values: after ? [asOf, limit, after.issuedAt, after.id] : [asOf, limit],
  });
  return rows;
}

export type OutstandingSummary = Pick<OutstandingReport, 'asOf' | 'count' | 'total' | 'buckets'>;
export type OutstandingPage = Pick<OutstandingReport, 'asOf' | 'items' | 'nextCursor'>;

/**
 * One page of the notices unpaid at `asOf`, oldest first (`limit`, then `after` the previous page's
 * cursor): a walk of the issue-time index that stops after `limit` rows, whatever the list's length.
 * Reading the state at a past date works too: a notice resolved after `asOf` was still outstanding then.
 */
export async function outstandingPage(db: Queryable, asOf: Date, page: { limit: number; after?: OutstandingCursor } = { limit: 200 }): Promise<OutstandingPage> {
  const rows = await outstandingRows(db, asOf, page.limit, page.after);
  const last = rows[rows.length - 1];
  return {
    asOf: asOf.toISOString(),
    items: rows.map((r) => outstandingItem(r, asOf)),
    nextCursor: last && rows.length === page.limit ? { issuedAt: last.issued_key, id: last.id } : null,
  };
}

/**
 * Count, total and aging buckets of all notices unpaid at `asOf`, summed in the database. It reads
 * every open notice, so it is asked once for a list, not with every page.
 */
export async function outstandingSummary(db: Queryable, asOf: Date): Promise<OutstandingSummary> {
  const summary = await db.query<{ bucket: AgingBucket; n: number; amount: number }>({
    name: 'outstanding-summary',
    // the same notices as OUTSTANDING_AT, payments summed once by hash rather than looked up notice by notice
    text: `WITH paid AS (SELECT p.notice_id, sum(p.amount)::bigint AS paid FROM ${NOTICE_PAYMENTS} p WHERE p.paid_at <= $1 GROUP BY p.notice_id)
     SELECT CASE WHEN age <= 20 THEN '0-20' WHEN age <= 60 THEN '21-60' WHEN age <= 180 THEN '61-180' ELSE '>180' END AS bucket,
            count(*)::bigint AS n, sum(owed)::bigint AS amount
     FROM (SELECT n.amount - coalesce(pd.paid, 0) AS owed, floor(extract(epoch FROM ($1::timestamptz - n.issued_at)) / 86400) AS age
           FROM notices n LEFT JOIN paid pd ON pd.notice_id = n.id
           WHERE n.status <> 'cancelled' AND n.issued_at <= $1 AND (n.resolved_at IS NULL OR n.resolved_at > $1)) a
     WHERE owed > 0
     GROUP BY 1`,
    values: [asOf],
  });
  const buckets = AGING_BUCKETS.map((bucket) => {
    const b = summary.rows.find((r) => r.bucket === bucket);
    return { bucket, count: b?.n ?? 0, amount: b?.amount ?? 0 };
  });
  return {
    asOf: asOf.toISOString(),
    count: buckets.reduce((s, b) => s + b.count, 0),
    total: buckets.reduce((s, b) => s + b.amount, 0),
    buckets,
  };
}

/** A page with the summary of the whole list: what one request for a first page gets. */
export async function outstandingReport(db: Queryable, asOf: Date, page: { limit: number; after?: OutstandingCursor } = { limit: 200 }): Promise<OutstandingReport> {
  const [items, summary] = await Promise.all([outstandingPage(db, asOf, page), outstandingSummary(db, asOf)]);
  return { ...summary, ...items };
}

/** Every notice unpaid at `asOf`, oldest first, read `chunk` at a time: for exports of any length. */
export async function* outstandingItems(db: Queryable, asOf: Date, chunk = 2000): AsyncGenerator<OutstandingItem[]> {
  let after: OutstandingCursor | undefined;
  for (;;) {
    const rows = await outstandingRows(db, asOf, chunk, after);
    if (rows.length > 0) yield rows.map((r) => outstandingItem(r, asOf));
    if (rows.length < chunk) return;
    const last = rows[rows.length - 1]!;
    after = { issuedAt: last.issued_key, id: last.id };
  }
}

export const TOTAL_GROUPS = ['month', 'camera', 'rule'] as const;
export type TotalsGroup = (typeof TOTAL_GROUPS)[number];

export interface TotalsRow {
  key: string;
  issuedCount: number;
  issued: number;
  collectedCount: number;
  collected: number;
  outstanding: number;
}

export interface TotalsReport {
  from: string;
  to: string;
  group: TotalsGroup;
  rows: TotalsRow[];
  total: Omit<TotalsRow, 'key'>;
}

/**
 * Money per period, camera or violation type over [from, to): issued = notices issued in the range
 * (their amounts), collected = payments received in the range, outstanding = what is still unpaid
 * today of the notices issued in the range. Months are Vietnam-time calendar months. Whole months come
 * from finance_month_totals, other whole days from finance_day_totals (both brought up to date first),
 * partial days at the edges from the notices and payments themselves.
 */
interface RolledRow { key: string; issued_n: number; issued: number; outstanding: number; collected_n: number; collected: number }

export async function totalsReport(db: Pool, range: { from: Date; to: Date }, group: TotalsGroup): Promise<TotalsReport> {
  const key = (ts: string) => ({
    month: `to_char(${ts} AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYYY-MM')`,
    camera: 'c.code',
    rule: 'v.rule',
  })[group];
  const split = splitRange(range.from, range.to);
  const issued: Array<{ key: string; n: number; issued: number; outstanding: number }> = [];
  const collected: Array<{ key: string; n: number; collected: number }> = [];
  if (split.months || split.days.length > 0) {
    await refreshFinanceTotals(db);
    const sums = `sum(t.issued_count)::bigint AS issued_n, sum(t.issued_amount)::bigint AS issued, sum(t.outstanding)::bigint AS outstanding,
              sum(t.collected_count)::bigint AS collected_n, sum(t.collected_amount)::bigint AS collected`;
    const parts = [];
    if (split.months) {
      parts.push(db.query<RolledRow>({
        name: `finance-months-${group}`,
        text: `SELECT ${({ month: `to_char(t.month, 'YYYY-MM')`, camera: 'c.code', rule: 't.rule' })[group]} AS key, ${sums}
               FROM finance_month_totals t JOIN cameras c ON c.id = t.camera_id WHERE t.month >= $1::date AND t.month < $2::date GROUP BY 1`,
        values: [split.months.from, split.months.to],
      }));
    }
    for (const days of split.days) {
      parts.push(db.query<RolledRow>({
        name: `finance-days-${group}`,
        text: `SELECT ${({ month: `to_char(t.day, 'YYYY-MM')`, camera: 'c.code', rule: 't.rule' })[group]} AS key, ${sums}
               FROM finance_day_totals t JOIN cameras c ON c.id = t.camera_id WHERE t.day >= $1::date AND t.day < $2::date GROUP BY 1`,
        values: [days.from, days.to],
      }));
    }
    for (const rolled of await Promise.all(parts)) {
      for (const r of rolled.rows) {
        if (r.issued_n > 0) issued.push({ key: r.key, n: r.issued_n, issued: r.issued, outstanding: r.outstanding });
        if (r.collected_n > 0) collected.push({ key: r.key, n: r.collected_n, collected: r.collected });
      }
    }
  }
  for (const part of split.raw) {
    const i = await db.query<{ key: string; n: number; issued: number; outstanding: number }>(
      `SELECT ${key('n.issued_at')} AS key, count(*)::bigint AS n, sum(n.amount)::bigint AS issued,
              sum(CASE WHEN n.status IN ('issued', 'escalated')
                       THEN n.amount - coalesce((SELECT sum(p.amount) FROM ${NOTICE_PAYMENTS} p WHERE p.notice_id = n.id), 0) ELSE 0 END)::bigint AS outstanding
       FROM notices n JOIN violations v ON v.id = n.violation_id JOIN cameras c ON c.id = v.camera_id
       WHERE n.status <> 'cancelled' AND n.issued_at >= $1 AND n.issued_at < $2
       GROUP BY 1`,
      [part.from, part.to],
    );
    issued.push(...i.rows);
    const c = await db.query<{ key: string; n: number; collected: number }>(
      `SELECT ${key('p.paid_at')} AS key, count(*)::bigint AS n, sum(p.amount)::bigint AS collected
       FROM ${noticePaymentsBetween('$1', '$2')} p JOIN notices n ON n.id = p.notice_id JOIN violations v ON v.id = n.violation_id JOIN cameras c ON c.id = v.camera_id
       GROUP BY 1`,
      [part.from, part.to],
    );
    collected.push(...c.rows);
  }
  const byKey = new Map<string, TotalsRow>();
  const row = (k: string) => {
    let r = byKey.get(k);
    if (!r) byKey.set(k, (r = { key: k, issuedCount: 0, issued: 0, collectedCount: 0, collected: 0, outstanding: 0 }));
    return r;
  };
  // a key can come from the rollup and from an edge: add up
  for (const r of issued) {
    const t = row(r.key);
    t.issuedCount += r.n; t.issued += r.issued; t.outstanding += r.outstanding;
  }
  for (const r of collected) {
    const t = row(r.key);
    t.collectedCount += r.n; t.collected += r.collected;
  }
  const rows = [...byKey.values()].sort((a, b) => a.key.localeCompare(b.key));
  const total = rows.reduce((t, r) => ({
    issuedCount: t.issuedCount + r.issuedCount, issued: t.issued + r.issued, collectedCount: t.collectedCount + r.collectedCount,
    collected: t.collected + r.collected, outstanding: t.outstanding + r.outstanding,
  }), { issuedCount: 0, issued: 0, collectedCount: 0, collected: 0, outstanding: 0 });
  return { from: range.from.toISOString(), to: range.to.toISOString(), group, rows, total };
}
