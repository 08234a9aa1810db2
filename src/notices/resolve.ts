import { appendAudit } from '../audit/audit-log.js';
import type { Queryable } from '../db/pool.js';

export interface ResolveActor {
  id: number | null;
  username: string;
}

/**
 * Marks a notice resolved and its violation closed, inside the caller's transaction (finance calls
 * it with the payment that settles the notice). Resolving lifts an escalation at once: the
 * inspection registry list only shows notices still escalated. Audited `notice.resolved`.
 */
export async function resolveNotice(tx: Queryable, noticeId: number, actor: ResolveActor, reason: Record<string, unknown>): Promise<void> {
  const { rows } = await tx.query<{ violation_id: number; notice_number: string; status: string }>(
    `UPDATE notices n SET status = 'resolved', resolved_at = now()
     FROM notices before WHERE n.id = $1 AND before.id = n.id AND n.status IN ('issued', 'escalated')
     RETURNING n.violation_id, n.notice_number, before.status`,
    [noticeId],
  );
  const notice = rows[0];
  if (!notice) throw new Error(`notice ${noticeId} is not open; only an issued or escalated notice can be resolved`);
  await tx.query(`UPDATE violations SET status = 'closed', updated_at = now() WHERE id = $1 AND status = 'noticed'`, [notice.violation_id]);
  await appendAudit(tx, {
    actorId: actor.id, actor: actor.username, action: 'notice.resolved', entityType: 'notice', entityId: noticeId,
    details: { noticeNumber: notice.notice_number, violationId: notice.violation_id, previousStatus: notice.status, escalationLifted: notice.status === 'escalated', ...reason },
  });
}
