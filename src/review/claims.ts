import { appendAudit } from '../audit/audit-log.js';
import type { Queryable } from '../db/pool.js';
import { vnDateTime } from '../csv/vietnamese-labels.js';
import { ReviewError } from './review-error.js';

const STATUS_TEXT: Record<string, string> = { approved: 'đã được duyệt', noticed: 'đã ra thông báo', rejected: 'đã bị từ chối', closed: 'đã đóng' };
/** A violation's state as a sentence part, for officers (never the internal code). */
export const statusText = (status: string): string => STATUS_TEXT[status] ?? 'đã được xử lý';

export interface Officer {
  id: number;
  username: string;
}

export interface ViolationForDecision {
  id: number;
  status: string;
  plateText: string;
  plateKey: string;
  matchStatus: string;
  matchCandidates: unknown[];
  vehicleId: number | null;
  ownerId: number | null;
  claimedBy: number | null;
  claimExpiresAt: Date | null;
}

interface LockedRow {
  id: number;
  status: string;
  plate_text: string;
  plate_key: string;
  match_status: string;
  match_candidates: unknown[];
  vehicle_id: number | null;
  owner_id: number | null;
  claimed_by: number | null;
  claim_expires_at: Date | null;
  claim_live: boolean;
  claimer: string | null;
}

/**
 * Takes (or extends) an officer's claim. One conditional UPDATE decides the race: PostgreSQL
 * re-checks the WHERE clause against the committed row when two officers claim at once, so
 * exactly one of them gets it. A claim another officer holds is refused until it expires.
 */
export async function claimViolation(tx: Queryable, violationId: number, officer: Officer, minutes: number): Promise<{ expiresAt: Date; extended: boolean }> {
  const { rows } = await tx.query<{ claim_expires_at: Date; extended: boolean }>(
    `WITH before AS (SELECT claimed_by, claim_expires_at FROM violations WHERE id = $1)
     UPDATE violations v SET claimed_by = $2, claim_expires_at = now() + make_interval(mins => $3), updated_at = now()
     FROM before
     WHERE v.id = $1 AND v.status = 'pending_review'
       AND (v.claimed_by IS NULL OR v.claimed_by = $2 OR v.claim_expires_at <= now())
     RETURNING v.claim_expires_at, (before.claimed_by = $2 AND before.claim_expires_at > now()) IS TRUE AS extended`,
    [violationId, officer.id, minutes],
  );
  const row = rows[0];
  if (!row) throw await whyNotClaimable(tx, violationId);
  await appendAudit(tx, { actorId: officer.id, actor: officer.username, action: row.extended ? 'violation.claim_extended' : 'violation.claimed',
    entityType: 'violation', entityId: violationId, details: { expiresAt: row.claim_expires_at } });
  return { expiresAt: row.claim_expires_at, extended: row.extended };
}

/** Gives a case back to the queue. Only the holder can release a live claim. */
export async function releaseClaim(tx: Queryable, violationId: number, officer: Officer): Promise<void> {
  const v = await lockForDecision(tx, violationId, officer);
  await tx.query('UPDATE violations SET claimed_by = NULL, claim_expires_at = NULL, updated_at = now() WHERE id = $1', [v.id]);
  await appendAudit(tx, { actorId: officer.id, actor: officer.username, action: 'violation.released', entityType: 'violation', entityId: violationId });
}

/**
 * An administrator takes a case over from whoever holds it (an officer who left for the day with
 * the case open): the claim moves to the administrator, and the audit names the previous holder.
 */
export async function takeOverClaim(tx: Queryable, violationId: number, admin: Officer, minutes: number): Promise<{ expiresAt: Date; previousHolder: string | null }> {
  const { rows } = await tx.query<{ status: string; claimer: string | null; claim_live: boolean | null }>(
    `SELECT v.status, u.username AS claimer, v.claim_expires_at > now() AS claim_live
     FROM violations v LEFT JOIN users u ON u.id = v.claimed_by WHERE v.id = $1 FOR UPDATE OF v`,
    [violationId],
  );
  const row = rows[0];
  if (!row) throw new ReviewError('not_found', `Không tìm thấy vi phạm #${violationId}`);
  if (row.status !== 'pending_review') throw new ReviewError('not_pending', `Vi phạm #${violationId} ${statusText(row.status)}, không còn chờ duyệt`, { status: row.status });
  const previousHolder = row.claim_live ? row.claimer : null;
  const updated = await tx.query<{ claim_expires_at: Date }>(
    `UPDATE violations SET claimed_by = $2, claim_expires_at = now() + make_interval(mins => $3), updated_at = now()
     WHERE id = $1 RETURNING claim_expires_at`,
    [violationId, admin.id, minutes],
  );
  const expiresAt = updated.rows[0]!.claim_expires_at;
  await appendAudit(tx, { actorId: admin.id, actor: admin.username, action: 'violation.claim_taken_over', entityType: 'violation', entityId: violationId,
    details: { previousHolder, expiresAt } });
  return { expiresAt, previousHolder };
}

/**
 * Locks a pending violation for a decision by `officer`, who must hold an unexpired claim on it.
 * The row lock keeps the claim from expiring into someone else's hands mid-decision.
 */
export async function lockForDecision(tx: Queryable, violationId: number, officer: Officer): Promise<ViolationForDecision> {
  const { rows } = await tx.query<LockedRow>(
    `SELECT v.id, v.status, v.plate_text, v.plate_key, v.match_status, v.match_candidates, v.vehicle_id, v.owner_id,
            v.claimed_by, v.claim_expires_at, v.claim_expires_at > now() AS claim_live,
            (SELECT username FROM users WHERE id = v.claimed_by) AS claimer
     FROM violations v WHERE v.id = $1 FOR UPDATE`,
    [violationId],
  );
  const row = rows[0];
  if (!row) throw new ReviewError('not_found', `Không tìm thấy vi phạm #${violationId}`);
  if (row.status !== 'pending_review') {
    throw new ReviewError('not_pending', `Vi phạm #${violationId} ${statusText(row.status)}, không còn chờ duyệt`, { status: row.status });
  }
  if (row.claimed_by !== officer.id || !row.claim_live) {
    if (row.claim_live && row.claimed_by !== null) throw claimedByOther(violationId, row.claimer!, row.claim_expires_at!);
    throw new ReviewError('claim_required', `Hãy nhận hồ sơ vi phạm #${violationId} trước (POST /api/v1/violations/${violationId}/claim); `
      + 'chỉ người đang giữ hồ sơ (chưa hết hạn) mới được quyết định');
  }
  return {
    id: row.id,
    status: row.status,
    plateText: row.plate_text,
    plateKey: row.plate_key,
    matchStatus: row.match_status,
    matchCandidates: row.match_candidates,
    vehicleId: row.vehicle_id,
    ownerId: row.owner_id,
    claimedBy: row.claimed_by,
    claimExpiresAt: row.claim_expires_at,
  };
}

function claimedByOther(violationId: number, holder: string, expiresAt: Date): ReviewError {
  return new ReviewError('claimed_by_other', `Vi phạm #${violationId} đang được ${holder} xử lý đến ${vnDateTime(expiresAt)}`,
    { claimedBy: holder, expiresAt: expiresAt.toISOString() });
}

async function whyNotClaimable(db: Queryable, violationId: number): Promise<ReviewError> {
  const { rows } = await db.query<{ status: string; claimer: string | null; claim_expires_at: Date | null }>(
    `SELECT v.status, u.username AS claimer, v.claim_expires_at FROM violations v LEFT JOIN users u ON u.id = v.claimed_by WHERE v.id = $1`,
    [violationId],
  );
  const row = rows[0];
  if (!row) return new ReviewError('not_found', `Không tìm thấy vi phạm #${violationId}`);
  if (row.status !== 'pending_review') return new ReviewError('not_pending', `Vi phạm #${violationId} ${statusText(row.status)}, không còn chờ duyệt`, { status: row.status });
  return claimedByOther(violationId, row.claimer ?? 'cán bộ khác', row.claim_expires_at ?? new Date());
}
