import { appendAudit } from '../audit/audit-log.js';
import { withTransaction, type Pool, type Queryable } from '../db/pool.js';
import { jobIdFor } from '../queue/names.js';
import type { PipelineQueues } from '../queue/queues.js';

/**
 * Moves a capture that cannot be processed to 'dead_lettered' with the reason operators will see
 * (Vietnamese, src/pipeline/failure-reasons.ts); the technical detail goes to the audit entry only.
 * Idempotent: a capture already processed or dead-lettered is left alone (returns false), so the
 * worker's last-attempt handler and the reconciler may both call it.
 */
export async function deadLetterCapture(pool: Pool, captureId: number, reason: string, stage: string, detail?: string): Promise<boolean> {
  return withTransaction(pool, (tx) => deadLetterInTransaction(tx, captureId, reason, stage, detail));
}

/** deadLetterCapture inside the caller's transaction (a stage that decides, while holding the capture, that it cannot go on). */
export async function deadLetterInTransaction(tx: Queryable, captureId: number, reason: string, stage: string, detail?: string): Promise<boolean> {
  const { rows } = await tx.query<{ camera_id: number }>(
    `UPDATE captures SET status = 'dead_lettered', status_reason = $2, processed_at = now()
     WHERE id = $1 AND status IN ('queued', 'processing') RETURNING camera_id`,
    [captureId, reason.slice(0, 2000)],
  );
  const row = rows[0];
  if (!row) return false;
  await appendAudit(tx, { actorId: null, actor: 'worker', action: 'capture.dead_lettered', entityType: 'capture', entityId: captureId,
    details: { reason, stage, cameraId: row.camera_id, ...(detail ? { detail: detail.slice(0, 2000) } : {}) } });
  return true;
}

export type RetryResult = { ok: true } | { ok: false; reason: 'not_found' | 'not_dead_lettered'; status?: string };

/**
 * Sends a dead-lettered capture through the pipeline again from recognition (after an operator fixed
 * the cause, e.g. the camera's ROI or a storage mount). Its old reads are dropped: a dead-lettered
 * capture never reached rule evaluation, so nothing refers to them.
 */
export async function retryDeadLetter(pool: Pool, queues: PipelineQueues, captureId: number, user: { id: number; username: string }): Promise<RetryResult> {
  const result = await withTransaction(pool, async (tx): Promise<RetryResult> => {
    const { rows } = await tx.query<{ status: string; status_reason: string | null }>(
      'SELECT status, status_reason FROM captures WHERE id = $1 FOR UPDATE', [captureId]);
    const row = rows[0];
    if (!row) return { ok: false, reason: 'not_found' };
    if (row.status !== 'dead_lettered') return { ok: false, reason: 'not_dead_lettered', status: row.status };
    await tx.query('DELETE FROM plate_reads WHERE capture_id = $1', [captureId]);
    await tx.query(
      `UPDATE captures SET status = 'queued', status_reason = NULL, processed_at = NULL, recognised_at = NULL, recognise_ms = NULL
       WHERE id = $1`, [captureId]);
    await appendAudit(tx, { actorId: user.id, actor: user.username, action: 'capture.retried', entityType: 'capture', entityId: captureId,
      details: { previousReason: row.status_reason } });
    return { ok: true };
  });
  if (result.ok) {
    // the failed jobs still hold these ids; BullMQ would ignore a new add under the same id
    await Promise.all([queues.recognise.remove(jobIdFor('recognise', captureId)), queues.evaluate.remove(jobIdFor('evaluate', captureId))]);
    await queues.enqueue('recognise', captureId);
  }
  return result;
}
