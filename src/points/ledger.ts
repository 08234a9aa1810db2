import type { Queryable } from '../db/pool.js';

/** A driving licence holds 12 points (Luật 36/2024 Đ58). */
export const FULL_POINTS = 12;

export interface Deduction {
  nationalId: string;
  licenceNumber: string;
  decisionId: number;
  points: number;
  effectiveAt: Date;
}

/** Writes the deduction of a decision that took effect, inside the decision's transaction. One per decision. */
export async function deductPoints(tx: Queryable, d: Deduction): Promise<void> {
  await tx.query(
    `INSERT INTO licence_point_deductions (national_id, licence_number, decision_id, points, effective_at) VALUES ($1, $2, $3, $4, $5)`,
    [d.nationalId, d.licenceNumber, d.decisionId, d.points, d.effectiveAt],
  );
}

/** 12 calendar months after `at` (31 March + 12 months = 31 March next year; 29 February → 28 February). */
export function twelveMonthsAfter(at: Date): Date {
  const next = new Date(at);
  next.setUTCFullYear(at.getUTCFullYear() + 1);
  if (next.getUTCMonth() !== at.getUTCMonth()) next.setUTCDate(0);
  return next;
}

export interface LedgerEntry {
  kind: 'deduction' | 'restoration';
  at: string;
  points: number;
  balance: number;
  decisionNumber: string | null;
}

export interface PointsLedger {
  nationalId: string;
  licenceNumbers: string[];
  balance: number;
  entries: LedgerEntry[];
  /** when the points come back if nothing more is deducted; null when already full or all points are gone */
  restoresAt: string | null;
}

/**
 * A driver's ledger at `now`, derived from the deductions: a licence that kept some points and had no
 * deduction for 12 months is restored to 12 (Luật 36 Đ58.3). One whose points are all gone is not
 * restored by waiting: the driver has to retake the knowledge test (Đ58.4), outside this system.
 */
export async function pointsLedger(db: Queryable, nationalId: string, now: Date): Promise<PointsLedger> {
  const { rows } = await db.query<{ licence_number: string; points: number; effective_at: Date; decision_number: string }>(
    `SELECT l.licence_number, l.points, l.effective_at, d.decision_number
     FROM licence_point_deductions l JOIN penalty_decisions d ON d.id = l.decision_id
     WHERE l.national_id = $1 AND l.effective_at <= $2 ORDER BY l.effective_at, l.id`,
    [nationalId, now],
  );
  const entries: LedgerEntry[] = [];
  let balance = FULL_POINTS;
  let last: Date | null = null;
  const restoreBefore = (at: Date) => {
    if (last && balance > 0 && balance < FULL_POINTS) {
      const due = twelveMonthsAfter(last);
      if (due <= at) {
        balance = FULL_POINTS;
        entries.push({ kind: 'restoration', at: due.toISOString(), points: FULL_POINTS, balance, decisionNumber: null });
      }
    }
  };
  for (const r of rows) {
    restoreBefore(r.effective_at);
    balance = Math.max(0, balance - r.points);
    last = r.effective_at;
    entries.push({ kind: 'deduction', at: r.effective_at.toISOString(), points: r.points, balance, decisionNumber: r.decision_number });
  }
  restoreBefore(now);
  const restoresAt = last && balance > 0 && balance < FULL_POINTS ? twelveMonthsAfter(last).toISOString() : null;
  return { nationalId, licenceNumbers: [...new Set(rows.map((r) => r.licence_number))], balance, entries, restoresAt };
}

/**
 * Of `decisionIds`, those whose deduction still weighs on a licence at `now`: no restoration followed it
 * in the ledger (a licence whose points are all gone is never restored here), or it takes effect later.
 * Retention keeps such a decision: deleting it would hand the points back.
 */
export async function deductionsStillCounting(db: Queryable, decisionIds: number[], now: Date): Promise<Set<number>> {
  if (decisionIds.length === 0) return new Set();
  const { rows } = await db.query<{ decision_id: number; national_id: string; decision_number: string }>(
    `SELECT l.decision_id, l.national_id, d.decision_number FROM licence_point_deductions l JOIN penalty_decisions d ON d.id = l.decision_id
     WHERE l.decision_id = ANY($1::bigint[])`,
    [decisionIds],
  );
  const spent = new Set<string>();
  for (const nationalId of new Set(rows.map((r) => r.national_id))) {
    const { entries } = await pointsLedger(db, nationalId, now);
    let restoredSince = false;
    for (const e of [...entries].reverse()) {
      if (e.kind === 'restoration') restoredSince = true;
      else if (restoredSince && e.decisionNumber) spent.add(e.decisionNumber);
    }
  }
  return new Set(rows.filter((r) => !spent.has(r.decision_number)).map((r) => r.decision_id));
}
