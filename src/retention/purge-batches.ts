import type { Queryable } from '../db/pool.js';
import type { RetentionPolicy } from './retention-policy.js';
import type { RetainedKind } from './retention-metrics.js';

export type PurgeCounts = Record<RetainedKind, number>;
export const PURGE_STEPS = ['no_violation_captures', 'expired_evidence', 'archived_cases'] as const;
export type PurgeStep = typeof PURGE_STEPS[number];

export interface BatchResult {
  /** rows the batch selected: 0 means the step is finished */
  selected: number;
  counts: PurgeCounts;
  /** blobs whose naming rows the batch deleted: released once the batch has committed */
  blobCandidates: string[];
}

export const zeroCounts = (): PurgeCounts =>
  ({ captures: 0, plateReads: 0, sightings: 0, evidenceLinks: 0, violations: 0, notices: 0, payments: 0, blobs: 0 });

// A case is over when it was rejected or closed, or its notice was resolved or cancelled; a case
// awaiting review, approved or with a notice still issued/escalated keeps everything.
const CASE_ENDED = `(v.status IN ('rejected', 'closed') OR (v.status = 'noticed' AND n.status IN ('resolved', 'cancelled')))`;
// $1 now, $2 appeal days. One calendar year counted on the Vietnamese calendar from the last sighting
// (a vehicle parked for hours commits one violation that ends when it leaves).
const EVIDENCE_EXPIRED = `${CASE_ENDED}
  AND ((coalesce(v.last_seen_at, v.occurred_at) AT TIME ZONE 'Asia/Ho_Chi_Minh') + interval '1 year') AT TIME ZONE 'Asia/Ho_Chi_Minh' <= $1
  AND (n.resolved_at IS NULL OR n.resolved_at + make_interval(days => $2) <= $1)`;

/** One transaction's worth of a step: selects up to batchSize rows due for deletion, locks and deletes them. */
export async function purgeBatch(tx: Queryable, step: PurgeStep, policy: RetentionPolicy, now: Date): Promise<BatchResult> {
  switch (step) {
    case 'no_violation_captures': return purgeNoViolationCaptures(tx, policy, now);
    case 'expired_evidence': return purgeExpiredEvidence(tx, policy, now);
    case 'archived_cases': return purgeArchivedCases(tx, policy, now);
  }
}

async function purgeNoViolationCaptures(tx: Queryable, policy: RetentionPolicy, now: Date): Promise<BatchResult> {
  const cutoff = new Date(now.getTime() - policy.noViolationDays * 86_400_000);
  // queued/processing captures are still in the pipeline and may yet become evidence
  const { rows } = await tx.query<{ id: number }>(
    `SELECT c.id FROM captures c
     WHERE c.captured_at < $1 AND c.status IN ('processed', 'dead_lettered')
       AND NOT EXISTS (SELECT 1 FROM violation_evidence e WHERE e.capture_id = c.id)
     ORDER BY c.captured_at LIMIT $2 FOR UPDATE OF c SKIP LOCKED`,
    [cutoff, policy.batchSize],
  );
  const counts = zeroCounts();
  const blobCandidates = await deleteCaptures(tx, rows.map((r) => r.id), counts);
  return { selected: rows.length, counts, blobCandidates };
}

async function purgeExpiredEvidence(tx: Queryable, policy: RetentionPolicy, now: Date): Promise<BatchResult> {
  const { rows } = await tx.query<{ id: number }>(
    `SELECT v.id FROM violations v LEFT JOIN notices n ON n.violation_id = v.id
     WHERE ${EVIDENCE_EXPIRED} AND EXISTS (SELECT 1 FROM violation_evidence e WHERE e.violation_id = v.id)
     ORDER BY v.id LIMIT $3 FOR UPDATE OF v SKIP LOCKED`,
    [now, policy.appealDays, policy.batchSize],
  );
  const counts = zeroCounts();
  const blobCandidates = await deleteEvidence(tx, rows.map((r) => r.id), counts);
  return { selected: rows.length, counts, blobCandidates };
}

async function purgeArchivedCases(tx: Queryable, policy: RetentionPolicy, now: Date): Promise<BatchResult> {
  // the archive period runs from the last thing that happened in the case: decision, notice, resolution, payment
  const { rows } = await tx.query<{ id: number; notice_id: number | null }>(
    `SELECT v.id, n.id AS notice_id FROM violations v LEFT JOIN notices n ON n.violation_id = v.id
     WHERE ${EVIDENCE_EXPIRED}
       AND greatest(v.occurred_at, v.last_seen_at, v.decided_at, n.issued_at, n.resolved_at,
                    (SELECT max(p.paid_at) FROM payments p WHERE p.notice_id = n.id)) + make_interval(years => $3) <= $1
     ORDER BY v.id LIMIT $4 FOR UPDATE OF v SKIP LOCKED`,
    [now, policy.appealDays, policy.archiveYears, policy.batchSize],
  );
  const counts = zeroCounts();
  const violationIds = rows.map((r) => r.id);
  const noticeIds = rows.flatMap((r) => (r.notice_id === null ? [] : [r.notice_id]));
  const blobCandidates = await deleteEvidence(tx, violationIds, counts);
  counts.payments = (await tx.query('DELETE FROM payments WHERE notice_id = ANY($1::bigint[])', [noticeIds])).rowCount ?? 0;
  // a form-04 notice to the commune police belongs to its notice's archive and goes with it
  const form04 = await tx.query<{ pdf_sha256: string | null }>(
    'DELETE FROM form04_notices WHERE notice_id = ANY($1::bigint[]) RETURNING pdf_sha256', [noticeIds]);
  for (const f of form04.rows) if (f.pdf_sha256) blobCandidates.push(f.pdf_sha256);
  const notices = await tx.query<{ pdf_sha256: string | null }>(
    'DELETE FROM notices WHERE id = ANY($1::bigint[]) RETURNING pdf_sha256', [noticeIds]);
  counts.notices = notices.rowCount ?? 0;
  for (const n of notices.rows) if (n.pdf_sha256) blobCandidates.push(n.pdf_sha256);
  counts.violations = (await tx.query('DELETE FROM violations WHERE id = ANY($1::bigint[])', [violationIds])).rowCount ?? 0;
  return { selected: rows.length, counts, blobCandidates };
}

/** Unlinks the violations' evidence and deletes the captures that are evidence of nothing else. */
async function deleteEvidence(tx: Queryable, violationIds: number[], counts: PurgeCounts): Promise<string[]> {
  if (violationIds.length === 0) return [];
  const links = await tx.query<{ capture_id: number }>(
    'DELETE FROM violation_evidence WHERE violation_id = ANY($1::bigint[]) RETURNING capture_id', [violationIds]);
  counts.evidenceLinks += links.rowCount ?? 0;
  // one photo can prove two violations (speeding and wrong lane in one frame): it stays while the other case needs it
  const orphans = await tx.query<{ id: number }>(
    `SELECT c.id FROM captures c WHERE c.id = ANY($1::bigint[])
       AND NOT EXISTS (SELECT 1 FROM violation_evidence e WHERE e.capture_id = c.id)
     FOR UPDATE`,
    [[...new Set(links.rows.map((r) => r.capture_id))]],
  );
  return deleteCaptures(tx, orphans.rows.map((r) => r.id), counts);
}

async function deleteCaptures(tx: Queryable, captureIds: number[], counts: PurgeCounts): Promise<string[]> {
  if (captureIds.length === 0) return [];
  counts.sightings += (await tx.query('DELETE FROM parking_sightings WHERE capture_id = ANY($1::bigint[])', [captureIds])).rowCount ?? 0;
  counts.plateReads += (await tx.query('DELETE FROM plate_reads WHERE capture_id = ANY($1::bigint[])', [captureIds])).rowCount ?? 0;
  const media = await tx.query<{ sha256: string }>('DELETE FROM capture_media WHERE capture_id = ANY($1::bigint[]) RETURNING sha256', [captureIds]);
  const captures = await tx.query<{ image_sha256: string }>(
    'DELETE FROM captures WHERE id = ANY($1::bigint[]) RETURNING image_sha256', [captureIds]);
  counts.captures += captures.rowCount ?? 0;
  return [...captures.rows.map((r) => r.image_sha256), ...media.rows.map((r) => r.sha256)];
}
