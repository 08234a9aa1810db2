import type { Queryable } from '../db/pool.js';
import { noticeDeadline, type NoticeDeadline } from '../procedure/deadlines.js';

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
  /** only cases with at most this many days left of the 10-day identification limit */
  maxDaysLeft?: number;
  sort?: QueueSort;
  descending?: boolean;
  limit: number;
  offset: number;
}

/** The 10 days from the violation in which the vehicle and owner must be identified and the notice sent (procedure step 1). */
export const IDENTIFICATION_DAYS = 10;

/** Columns the queue can be sorted by, each with the SQL it sorts on (never user text in the query). */
const SORTS = {
  occurred_at: 'v.occurred_at',
  read_confidence: 'v.read_confidence',
  fine_amount: 'v.fine_amount',
  plate: 'v.plate_text',
  camera: 'c.code',
} as const;
export const QUEUE_SORTS = Object.keys(SORTS) as Array<keyof typeof SORTS>;
export type QueueSort = keyof typeof SORTS;

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
  /** why approval needs explicit confirmation (e.g. an implausible speed reading); null when none */
  reviewWarning: string | null;
  readConfidence: number;
  fineAmount: number;
  evidenceCount: number;
  /** whole days left before the 10-day identification limit (negative: overdue) */
  daysLeft: number;
  /** the plate crop of the first photo, for the queue's thumbnail: capture and plate-read rank */
  thumbnail: { captureId: number; rank: number } | null;
  claim: { userId: number; username: string; expiresAt: Date } | null;
  /** the 10-day limit for sending the notice, counted from detection */
  noticeDeadline: NoticeDeadline;
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
  review_warning: string | null;
  read_confidence: number;
  fine_amount: number;
  evidence_count: number;
  days_left: number;
  thumb_capture_id: number | null;
  thumb_rank: number | null;
  claimed_by: number | null;
  claimer: string | null;
  claim_expires_at: Date | null;
  total: number;
}

/**
 * Violations awaiting review, oldest first unless asked otherwise: the 10-day identification
 * deadline runs from the violation, so the oldest case is always the most urgent. Expired claims
 * read as unclaimed. The id breaks ties so that paging never skips or repeats a case.
 */
export async function listReviewQueue(db: Queryable, f: QueueFilter): Promise<{ total: number; items: QueueItem[] }> {
  const direction = f.descending ? 'DESC' : 'ASC';
  const { rows } = await db.query<QueueRow>(
    `SELECT v.id, v.camera_id, c.code AS camera_code, v.rule, v.violation_code, v.occurred_at, v.plate_text, v.plate_colour,
            v.match_status, v.suspected_clone, v.review_warning, v.read_confidence, v.fine_amount,
            (SELECT count(*)::int FROM violation_evidence e WHERE e.violation_id = v.id) AS evidence_count,
            floor(extract(epoch FROM (v.occurred_at + make_interval(days => $11) - now())) / 86400)::int AS days_left,
            thumb.capture_id AS thumb_capture_id, thumb.rank AS thumb_rank,
            CASE WHEN v.claim_expires_at > now() THEN v.claimed_by END AS claimed_by,
            CASE WHEN v.claim_expires_at > now() THEN u.username END AS claimer,
            CASE WHEN v.claim_expires_at > now() THEN v.claim_expires_at END AS claim_expires_at,
            count(*) OVER ()::int AS total
     FROM violations v
     JOIN cameras c ON c.id = v.camera_id
     LEFT JOIN users u ON u.id = v.claimed_by
     LEFT JOIN LATERAL (
       SELECT e.capture_id, p.rank FROM violation_evidence e JOIN plate_reads p ON p.id = e.plate_read_id AND p.captured_at = e.plate_read_captured_at
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
       AND ($12::int IS NULL OR v.occurred_at + make_interval(days => $11) < now() + make_interval(days => $12 + 1))
     ORDER BY ${SORTS[f.sort ?? 'occurred_at']} ${direction}, v.id ${direction}
     LIMIT $9 OFFSET $10`,
    [f.cameraId ?? null, f.rule ?? null, f.from ?? null, f.to ?? null, f.minConfidence ?? null, f.maxConfidence ?? null,
      f.matchStatus ?? null, f.availableTo ?? null, f.limit, f.offset, IDENTIFICATION_DAYS, f.maxDaysLeft ?? null],
  );
  const now = new Date();
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
      reviewWarning: r.review_warning,
      readConfidence: r.read_confidence,
      fineAmount: r.fine_amount,
      evidenceCount: r.evidence_count,
      daysLeft: r.days_left,
      thumbnail: r.thumb_capture_id !== null && r.thumb_rank !== null ? { captureId: r.thumb_capture_id, rank: r.thumb_rank } : null,
      claim: r.claimed_by !== null ? { userId: r.claimed_by, username: r.claimer!, expiresAt: r.claim_expires_at! } : null,
      noticeDeadline: noticeDeadline(r.occurred_at, now),
    })),
  };
}
