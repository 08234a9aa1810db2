import type { Queryable } from '../db/pool.js';

export interface QueueFilter {
  cameraId?: number;
  rule?: string;
  from?: Date;
  to?: Date;
  minConfidence?: number;
  maxConfidence?: number;
  matchStatus?: string;
  /** hide cases another officer holds an unexpired claim on */
  availableTo?: number;
  limit: number;
  offset: number;
}

export interface QueueItem {
  id: number;
  cameraId: number;
  cameraCode: string;
  rule: string;
  violationCode: string;
  occurredAt: Date;
  plateText: string;
  plateColour: string;
  matchStatus: string;
  suspectedClone: boolean;
  readConfidence: number;
  fineAmount: number;
  evidenceCount: number;
  /** the plate crop of the first photo, for the queue's thumbnail: capture and plate-read rank */
  thumbnail: { captureId: number; rank: number } | null;
  claim: { userId: number; username: string; expiresAt: Date } | null;
}

interface QueueRow {
  id: number;
  camera_id: number;
  camera_code: string;
  rule: string;
  violation_code: string;
  occurred_at: Date;
  plate_text: string;
  plate_colour: string;
  match_status: string;
  suspected_clone: boolean;
  read_confidence: number;
  fine_amount: number;
  evidence_count: number;
  thumb_capture_id: number | null;
  thumb_rank: number | null;
  claimed_by: number | null;
  claimer: string | null;
  claim_expires_at: Date | null;
  total: number;
}

/**
 * Violations awaiting review, oldest first: the 10-day identification deadline runs from the
 * violation, so the oldest case is always the most urgent. Expired claims read as unclaimed.
 */
export async function listReviewQueue(db: Queryable, f: QueueFilter): Promise<{ total: number; items: QueueItem[] }> {
  const { rows } = await db.query<QueueRow>(
    `SELECT v.id, v.camera_id, c.code AS camera_code, v.rule, v.violation_code, v.occurred_at, v.plate_text, v.plate_colour,
            v.match_status, v.suspected_clone, v.read_confidence, v.fine_amount,
            (SELECT count(*)::int FROM violation_evidence e WHERE e.violation_id = v.id) AS evidence_count,
            thumb.capture_id AS thumb_capture_id, thumb.rank AS thumb_rank,
            CASE WHEN v.claim_expires_at > now() THEN v.claimed_by END AS claimed_by,
            CASE WHEN v.claim_expires_at > now() THEN u.username END AS claimer,
            CASE WHEN v.claim_expires_at > now() THEN v.claim_expires_at END AS claim_expires_at,
            count(*) OVER ()::int AS total
     FROM violations v
     JOIN cameras c ON c.id = v.camera_id
     LEFT JOIN users u ON u.id = v.claimed_by
     LEFT JOIN LATERAL (
       SELECT e.capture_id, p.rank FROM violation_evidence e JOIN plate_reads p ON p.id = e.plate_read_id
       WHERE e.violation_id = v.id ORDER BY e.added_at, e.capture_id LIMIT 1
     ) thumb ON true
     WHERE v.status = 'pending_review'
       AND ($1::bigint IS NULL OR v.camera_id = $1)
       AND ($2::text IS NULL OR v.rule = $2)
       AND ($3::timestamptz IS NULL OR v.occurred_at >= $3)
       AND ($4::timestamptz IS NULL OR v.occurred_at < $4)
       AND ($5::real IS NULL OR v.read_confidence >= $5)
       AND ($6::real IS NULL OR v.read_confidence <= $6)
       AND ($7::text IS NULL OR v.match_status = $7)
       AND ($8::bigint IS NULL OR v.claimed_by IS NULL OR v.claimed_by = $8 OR v.claim_expires_at <= now())
     ORDER BY v.occurred_at, v.id
     LIMIT $9 OFFSET $10`,
    [f.cameraId ?? null, f.rule ?? null, f.from ?? null, f.to ?? null, f.minConfidence ?? null, f.maxConfidence ?? null,
      f.matchStatus ?? null, f.availableTo ?? null, f.limit, f.offset],
  );
  let total = rows[0]?.total ?? 0;
  if (rows.length === 0 && f.offset > 0) {
    // paged past the end: the window count is not available, ask for it
    total = (await listReviewQueue(db, { ...f, offset: 0, limit: 1 })).total;
  }
  return {
    total,
    items: rows.map((r) => ({
      id: r.id,
      cameraId: r.camera_id,
      cameraCode: r.camera_code,
      rule: r.rule,
      violationCode: r.violation_code,
      occurredAt: r.occurred_at,
      plateText: r.plate_text,
      plateColour: r.plate_colour,
      matchStatus: r.match_status,
      suspectedClone: r.suspected_clone,
      readConfidence: r.read_confidence,
      fineAmount: r.fine_amount,
      evidenceCount: r.evidence_count,
      thumbnail: r.thumb_capture_id !== null && r.thumb_rank !== null ? { captureId: r.thumb_capture_id, rank: r.thumb_rank } : null,
      claim: r.claimed_by !== null ? { userId: r.claimed_by, username: r.claimer!, expiresAt: r.claim_expires_at! } : null,
    })),
  };
}
