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
  /** rows to skip: cost grows with it; prefer `after` */
  offset: number;
  /** keyset paging: the nextCursor of the previous page (same filters and sort) */
  after?: QueueCursor;
}

/** Where a page ended: the sort value and id of its last case. */
export interface QueueCursor {
  value: string | number;
  id: number;
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
/** The type a cursor's sort value is compared as. */
const SORT_TYPES: Record<keyof typeof SORTS, string> = {
  occurred_at: 'timestamptz', read_confidence: 'real', fine_amount: 'bigint', plate: 'text', camera: 'text',
};

/** An opaque cursor for the API: base64url of [value, id]. */
export function encodeQueueCursor(c: QueueCursor): string {
  return Buffer.from(JSON.stringify([c.value, c.id])).toString('base64url');
}

/** null when the text is not a cursor this module made. */
export function decodeQueueCursor(text: string): QueueCursor | null {
  try {
    const v = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as unknown;
    if (!Array.isArray(v) || v.length !== 2 || !Number.isSafeInteger(v[1]) || (typeof v[0] !== 'string' && typeof v[0] !== 'number')) return null;
    return { value: v[0], id: v[1] as number };
  } catch {
    return null;
  }
}
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
  sort_value: string | number;
}

/**
 * Violations awaiting review, oldest first unless asked otherwise: the 10-day identification
 * deadline runs from the violation, so the oldest case is always the most urgent. Expired claims
 * read as unclaimed. The id breaks ties so that paging never skips or repeats a case. A page after a
 * cursor is read from the index where the previous one stopped (keyset), whatever its depth; the
 * total is counted apart, without building the rows.
 */
export async function listReviewQueue(db: Queryable, f: QueueFilter): Promise<{ total: number; items: QueueItem[]; nextCursor: QueueCursor | null }> {
  const sort = f.sort ?? 'occurred_at';
  const direction = f.descending ? 'DESC' : 'ASC';
  const filters = `v.status = 'pending_review'
       AND ($1::bigint IS NULL OR v.camera_id = $1)
       AND ($2::text IS NULL OR v.rule = $2)
       AND ($3::timestamptz IS NULL OR v.occurred_at >= $3)
       AND ($4::timestamptz IS NULL OR v.occurred_at < $4)
       AND ($5::real IS NULL OR v.read_confidence >= $5)
       AND ($6::real IS NULL OR v.read_confidence <= $6)
       AND ($7::text IS NULL OR v.match_status = $7)
       AND ($8::bigint IS NULL OR v.claimed_by IS NULL OR v.claimed_by = $8 OR v.claim_expires_at <= now())
       AND ($10::int IS NULL OR v.occurred_at + make_interval(days => $9) < now() + make_interval(days => $10 + 1))`;
  const filterParams = [f.cameraId ?? null, f.rule ?? null, f.from ?? null, f.to ?? null, f.minConfidence ?? null, f.maxConfidence ?? null,
    f.matchStatus ?? null, f.availableTo ?? null, IDENTIFICATION_DAYS, f.maxDaysLeft ?? null];
  const keyset = f.after
    ? `AND (${SORTS[sort]}, v.id) ${f.descending ? '<' : '>'} ($13::${SORT_TYPES[sort]}, $14::bigint)`
    : '';
  const [{ rows }, counted] = await Promise.all([
    db.query<QueueRow>({
      name: `review-queue-${sort}-${direction}${f.after ? '-after' : ''}`,
      text: `SELECT v.id, v.camera_id, c.code AS camera_code, v.rule, v.violation_code, v.occurred_at, v.plate_text, v.plate_colour,
              v.match_status, v.suspected_clone, v.review_warning, v.read_confidence, v.fine_amount,
              (SELECT count(*)::int FROM violation_evidence e WHERE e.violation_id = v.id) AS evidence_count,
              floor(extract(epoch FROM (v.occurred_at + make_interval(days => $9) - now())) / 86400)::int AS days_left,
              thumb.capture_id AS thumb_capture_id, thumb.rank AS thumb_rank,
              CASE WHEN v.claim_expires_at > now() THEN v.claimed_by END AS claimed_by,
              CASE WHEN v.claim_expires_at > now() THEN u.username END AS claimer,
              CASE WHEN v.claim_expires_at > now() THEN v.claim_expires_at END AS claim_expires_at,
              ${sort === 'occurred_at' ? `to_json(v.occurred_at) #>> '{}'` : SORTS[sort]} AS sort_value
       FROM violations v
       JOIN cameras c ON c.id = v.camera_id
       LEFT JOIN users u ON u.id = v.claimed_by
       LEFT JOIN LATERAL (
         SELECT e.capture_id, p.rank FROM violation_evidence e JOIN plate_reads p ON p.id = e.plate_read_id AND p.captured_at = e.plate_read_captured_at
         WHERE e.violation_id = v.id ORDER BY e.added_at, e.capture_id LIMIT 1
       ) thumb ON true
       WHERE ${filters} ${keyset}
       ORDER BY ${SORTS[sort]} ${direction}, v.id ${direction}
       LIMIT $11 OFFSET $12`,
      values: [...filterParams, f.limit, f.offset, ...(f.after ? [f.after.value, f.after.id] : [])],
    }),
    db.query<{ total: number }>({
      name: 'review-queue-count',
      text: `SELECT count(*)::int AS total FROM violations v JOIN cameras c ON c.id = v.camera_id WHERE ${filters}`, values: filterParams }),
  ]);
  const now = new Date();
  const total = counted.rows[0]!.total;
  const last = rows[rows.length - 1];
  const nextCursor = last && rows.length === f.limit ? { value: last.sort_value, id: last.id } : null;
  return {
    total,
    nextCursor,
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
