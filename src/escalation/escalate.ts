import { appendAudit } from '../audit/audit-log.js';
import { withTransaction, type Pool, type Queryable } from '../db/pool.js';

export interface EscalatedNotice {
  noticeId: number;
  noticeNumber: string;
  plate: string;
  dueAt: Date;
}

/**
 * Marks every issued notice whose due date has passed at `now` as escalated (TT 73/2024 Điều 24: after
 * 20 days without resolution the inspection registry is warned). One transaction for the run, each
 * notice audited `notice.escalated`; running it twice the same day escalates nothing new.
 */
export async function escalateOverdue(pool: Pool, now: Date): Promise<EscalatedNotice[]> {
  return withTransaction(pool, async (tx) => {
    const { rows } = await tx.query<{ id: number; notice_number: string; plate_text: string; due_at: Date }>(
      `UPDATE notices n SET status = 'escalated', escalated_at = $1
       FROM violations v
       WHERE v.id = n.violation_id AND n.status = 'issued' AND n.due_at <= $1
       RETURNING n.id, n.notice_number, v.plate_text, n.due_at`,
      [now],
    );
    rows.sort((a, b) => a.id - b.id);
    for (const r of rows) {
      await appendAudit(tx, {
        actorId: null, actor: 'escalation-job', action: 'notice.escalated', entityType: 'notice', entityId: r.id,
        details: { noticeNumber: r.notice_number, plate: r.plate_text, dueAt: r.due_at.toISOString(), escalatedAt: now.toISOString() },
      });
    }
    return rows.map((r) => ({ noticeId: r.id, noticeNumber: r.notice_number, plate: r.plate_text, dueAt: r.due_at }));
  });
}

export type RegistryListState = 'active' | 'lifted';

/** One line of the list sent to the inspection registry: the vehicle and why it is held, no personal data. */
export interface RegistryEntry {
  plate: string;
  plateKey: string;
  vehicleType: string;
  noticeNumber: string;
  violationDate: string;
  dueDate: string;
  escalatedAt: string;
  liftedAt: string | null;
}

/**
 * Vehicles to hold at inspection (`active`: escalated, unresolved) or to release (`lifted`: escalated
 * and since resolved, newest first). `since` limits lifted entries to those resolved after it.
 */
export async function registryList(db: Queryable, state: RegistryListState, since?: Date): Promise<RegistryEntry[]> {
  const { rows } = await db.query<{ plate_text: string; plate_key: string; vehicle_type: string; notice_number: string;
    occurred_at: Date; due_at: Date; escalated_at: Date; resolved_at: Date | null }>(
    `SELECT v.plate_text, v.plate_key, coalesce(ve.vehicle_type, v.vehicle_category) AS vehicle_type, n.notice_number,
            v.occurred_at, n.due_at, n.escalated_at, n.resolved_at
     FROM notices n JOIN violations v ON v.id = n.violation_id LEFT JOIN vehicles ve ON ve.id = v.vehicle_id
     WHERE ${state === 'active' ? `n.status = 'escalated'` : `n.status = 'resolved' AND n.escalated_at IS NOT NULL AND ($1::timestamptz IS NULL OR n.resolved_at >= $1)`}
     ORDER BY ${state === 'active' ? 'n.escalated_at, n.id' : 'n.resolved_at DESC, n.id'}`,
    state === 'active' ? [] : [since ?? null],
  );
  return rows.map((r) => ({
    plate: r.plate_text,
    plateKey: r.plate_key,
    vehicleType: r.vehicle_type,
    noticeNumber: r.notice_number,
    violationDate: r.occurred_at.toISOString(),
    dueDate: r.due_at.toISOString(),
    escalatedAt: r.escalated_at.toISOString(),
    liftedAt: r.resolved_at?.toISOString() ?? null,
  }));
}
