import type { Queryable } from '../db/pool.js';
import type { MatchCandidate } from '../matching/matcher.js';
import type { VehicleCategory } from '../registry/types.js';
import type { Price } from './fine-schedule.js';
import type { RuleName } from './types.js';

export interface NewViolation {
  cameraId: number;
  rule: RuleName;
  category: VehicleCategory;
  occurredAt: Date;
  plateText: string;
  plateKey: string;
  plateColour: string;
  vehicleId: number | null;
  ownerId: number | null;
  matchStatus: string;
  candidates: MatchCandidate[];
  suspectedClone: boolean;
  cloneReason: string | null;
  price: Price;
  details: Record<string, unknown>;
  readConfidence: number;
  /** a reason the case must not be approved without explicit confirmation (e.g. an implausible speed) */
  reviewWarning?: string | null;
}

export async function insertViolation(db: Queryable, v: NewViolation): Promise<number> {
  const { rows } = await db.query<{ id: number }>(
    `INSERT INTO violations (camera_id, rule, violation_code, legal_clause, description, vehicle_category, occurred_at,
       plate_text, plate_key, plate_colour, vehicle_id, owner_id, match_status, match_candidates, suspected_clone, clone_reason,
       schedule_version, fine_min, fine_max, fine_amount, points, details, read_confidence, status, last_seen_at, review_warning)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, 'pending_review', $7, $24)
     RETURNING id`,
    [v.cameraId, v.rule, v.price.violationCode, v.price.legalClause, v.price.description, v.category, v.occurredAt,
      v.plateText, v.plateKey, v.plateColour, v.vehicleId, v.ownerId, v.matchStatus, JSON.stringify(v.candidates),
      v.suspectedClone, v.cloneReason, v.price.scheduleVersion, v.price.fineMin, v.price.fineMax, v.price.fineAmount,
      v.price.points, v.details, v.readConfidence, v.reviewWarning ?? null],
  );
  return rows[0]!.id;
}

export async function addEvidence(db: Queryable, violationId: number, captureId: number, plateReadId: number | null): Promise<boolean> {
  const { rowCount } = await db.query(
    // captures and reads are partitioned by the capture's time (migrations 113, 180): the links carry it, read
    // from the capture's key row (captures named by id alone would be planned over every monthly partition)
    `INSERT INTO violation_evidence (violation_id, capture_id, captured_at, plate_read_id, plate_read_captured_at)
     SELECT $1::bigint, $2::bigint, t.captured_at, $3::bigint, CASE WHEN $3::bigint IS NULL THEN NULL ELSE t.captured_at END
     FROM (SELECT (SELECT captured_at FROM capture_keys WHERE capture_id = $2::bigint) AS captured_at) t
     ON CONFLICT DO NOTHING`,
    [violationId, captureId, plateReadId],
  );
  return (rowCount ?? 0) > 0;
}

/** Violations a capture is already evidence of, and whether it was the capture that opened each. */
export async function violationsOfCapture(db: Queryable, captureId: number): Promise<Array<{ id: number; opened: boolean }>> {
  const { rows } = await db.query<{ id: number; opened: boolean }>(
    `SELECT v.id, (v.details->>'captureId')::bigint = $1 AS opened
     FROM violation_evidence e JOIN violations v ON v.id = e.violation_id
     WHERE e.capture_id = $1 ORDER BY v.id`,
    [captureId],
  );
  return rows;
}

/**
 * The open violation a new sighting belongs to: same camera and rule, same plate (or the same
 * matched vehicle read differently), within `windowS` of the violation's first or latest evidence.
 * Rejected cases are left alone: a fresh capture deserves a fresh look.
 */
export async function findDedupTarget(db: Queryable, q: { cameraId: number; rules: readonly RuleName[]; plateKey: string; vehicleId: number | null; at: Date; windowS: number }):
  Promise<{ id: number; rule: RuleName; status: string } | null> {
  const { rows } = await db.query<{ id: number; rule: RuleName; status: string }>(
    `SELECT id, rule, status FROM violations
     WHERE camera_id = $1 AND rule = ANY($2::text[]) AND status <> 'rejected'
       AND (plate_key = $3 OR ($4::bigint IS NOT NULL AND vehicle_id = $4))
       AND occurred_at <= $5::timestamptz + make_interval(secs => $6)
       AND occurred_at >= $5::timestamptz - make_interval(secs => $6) - interval '7 days'
       AND coalesce(last_seen_at, occurred_at) >= $5::timestamptz - make_interval(secs => $6)
     ORDER BY occurred_at DESC LIMIT 1`,
    [q.cameraId, q.rules, q.plateKey, q.vehicleId, q.at, q.windowS],
  );
  return rows[0] ?? null;
}

/**
 * A stay that began as stopping and lasted long enough to be parking: the case awaiting review is
 * re-priced as parking (one stay, one violation). Returns false when the case has left review.
 */
export async function reclassifyPendingViolation(db: Queryable, violationId: number, rule: RuleName, price: Price, details: Record<string, unknown>): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE violations SET rule = $2, violation_code = $3, legal_clause = $4, description = $5, schedule_version = $6,
       fine_min = $7, fine_max = $8, fine_amount = $9, points = $10, details = details || $11::jsonb, updated_at = now()
     WHERE id = $1 AND status = 'pending_review'`,
    [violationId, rule, price.violationCode, price.legalClause, price.description, price.scheduleVersion,
      price.fineMin, price.fineMax, price.fineAmount, price.points, details],
  );
  return (rowCount ?? 0) > 0;
}

/**
 * Evidence that cannot be trusted as it stands, added to a case still awaiting review, flags the case
 * (a decided case is not reopened by later evidence). Returns whether the case was flagged now.
 */
export async function flagForReview(db: Queryable, violationId: number, warning: string): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE violations SET review_warning = $2, updated_at = now() WHERE id = $1 AND status = 'pending_review' AND review_warning IS NULL`,
    [violationId, warning],
  );
  return (rowCount ?? 0) > 0;
}

export async function touchViolation(db: Queryable, violationId: number, seenAt: Date): Promise<void> {
  await db.query(
    `UPDATE violations SET last_seen_at = greatest(coalesce(last_seen_at, occurred_at), $2), updated_at = now() WHERE id = $1`,
    [violationId, seenAt],
  );
}
