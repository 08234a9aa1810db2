import type { Queryable } from '../db/pool.js';
import { deductionsStillCounting } from '../points/ledger.js';
import type { RetentionPolicy } from './retention-policy.js';
import type { RetainedKind } from './retention-metrics.js';
import { DAY_MS } from '../vietnam-time.js';

export type PurgeCounts = Record<RetainedKind, number>;
export const PURGE_STEPS = ['no_violation_captures', 'expired_evidence', 'archived_cases'] as const;
export type PurgeStep = typeof PURGE_STEPS[number];

export interface BatchResult {
  /** rows the batch selected: 0 means the step is finished */
  selected: number;
  counts: PurgeCounts;
  /** blobs whose naming rows the batch deleted: released once the batch has committed */
  blobCandidates: string[];
  /** where the next batch of the step starts: a step that may keep rows it selected moves past them */
  cursor: number;
}

export const zeroCounts = (): PurgeCounts =>
  ({
    captures: 0, plateReads: 0, sightings: 0, evidenceLinks: 0, violations: 0, notices: 0, payments: 0,
    ownerResponses: 0, violationRecords: 0, decisions: 0, decisionItems: 0, pointDeductions: 0, blobs: 0, partitions: 0,
  });

// A case is over when it was rejected or closed, or its notice was resolved or cancelled; a case
// awaiting review, approved or with a notice still issued/escalated keeps everything.
const caseEnded = (v: string, n: string) =>
  `(${v}.status IN ('rejected', 'closed') OR (${v}.status = 'noticed' AND ${n}.status IN ('resolved', 'cancelled')))`;
// $1 now, $2 appeal days. The limitation as the procedure counts it (src/procedure/deadlines.ts): to the end
// of the Vietnam day one calendar year after the last sighting (a vehicle parked for hours commits one
// violation that ends when it leaves); 29 February runs to 28 February, as PostgreSQL's date + 1 year does.
const evidenceExpired = (v: string, n: string) => `${caseEnded(v, n)}
  AND (((coalesce(${v}.last_seen_at, ${v}.occurred_at) AT TIME ZONE 'Asia/Ho_Chi_Minh')::date + interval '1 year' + interval '1 day')
       AT TIME ZONE 'Asia/Ho_Chi_Minh') <= $1
  AND (${n}.resolved_at IS NULL OR ${n}.resolved_at + make_interval(days => $2) <= $1)`;
const EVIDENCE_EXPIRED = evidenceExpired('v', 'n');
// $3 archive years. The archive period runs from the last thing that happened in the case: violation,
// notice, resolution, owner's answer, record, decision (issue, payment), any payment.
const archiveDue = (v: string, n: string) => `${evidenceExpired(v, n)}
  AND greatest(${v}.occurred_at, ${v}.last_seen_at, ${v}.decided_at, ${n}.issued_at, ${n}.resolved_at,
               (SELECT max(p.paid_at) FROM payments p WHERE p.notice_id = ${n}.id),
               (SELECT o.recorded_at FROM owner_responses o WHERE o.notice_id = ${n}.id),
               (SELECT r.made_at FROM violation_records r WHERE r.notice_id = ${n}.id),
               (SELECT greatest(d.issued_at, d.paid_at, (SELECT max(p.paid_at) FROM payments p WHERE p.decision_id = d.id))
                FROM decision_items i JOIN penalty_decisions d ON d.id = i.decision_id WHERE i.notice_id = ${n}.id)
              ) + make_interval(years => $3) <= $1`;

/** One transaction's worth of a step: selects up to batchSize rows due for deletion, locks and deletes them. */
export async function purgeBatch(tx: Queryable, step: PurgeStep, policy: RetentionPolicy, now: Date, cursor = 0): Promise<BatchResult> {
  switch (step) {
    case 'no_violation_captures': return purgeNoViolationCaptures(tx, policy, now);
    case 'expired_evidence': return purgeExpiredEvidence(tx, policy, now);
    case 'archived_cases': return purgeArchivedCases(tx, policy, now, cursor);
  }
}

async function purgeNoViolationCaptures(tx: Queryable, policy: RetentionPolicy, now: Date): Promise<BatchResult> {
  const cutoff = new Date(now.getTime() - policy.noViolationDays * DAY_MS);
  // queued/processing captures are still in the pipeline and may yet become evidence
  const { rows } = await tx.query<CaptureRef>(
    `SELECT c.id, c.captured_at FROM captures c
     WHERE c.captured_at < $1 AND c.status IN ('processed', 'dead_lettered')
       AND NOT EXISTS (SELECT 1 FROM violation_evidence e WHERE e.capture_id = c.id)
     ORDER BY c.captured_at LIMIT $2 FOR UPDATE OF c SKIP LOCKED`,
    [cutoff, policy.batchSize],
  );
  const counts = zeroCounts();
  const blobCandidates = await deleteCaptures(tx, rows, counts);
  return { selected: rows.length, counts, blobCandidates, cursor: 0 };
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
  return { selected: rows.length, counts, blobCandidates, cursor: 0 };
}

async function purgeArchivedCases(tx: Queryable, policy: RetentionPolicy, now: Date, cursor: number): Promise<BatchResult> {
  // A penalty decision can cover several cases of one violator: it is one paper, archived whole, so a
  // case on a decision is due only when every case on that decision is.
  const { rows } = await tx.query<{ id: number; notice_id: number | null }>(
    `SELECT v.id, n.id AS notice_id FROM violations v LEFT JOIN notices n ON n.violation_id = v.id
     WHERE v.id > $5 AND ${archiveDue('v', 'n')}
       AND NOT EXISTS (SELECT 1 FROM decision_items mine JOIN decision_items other ON other.decision_id = mine.decision_id
                       JOIN notices n2 ON n2.id = other.notice_id JOIN violations v2 ON v2.id = n2.violation_id
                       WHERE mine.notice_id = n.id AND NOT coalesce((${archiveDue('v2', 'n2')}), false))
     ORDER BY v.id LIMIT $4 FOR UPDATE OF v SKIP LOCKED`,
    [now, policy.appealDays, policy.archiveYears, policy.batchSize, cursor],
  );
  const counts = zeroCounts();
  const next = rows.length > 0 ? rows[rows.length - 1]!.id : cursor;
  const selectedNotices = rows.flatMap((r) => (r.notice_id === null ? [] : [r.notice_id]));
  const onDecisions = await tx.query<{ decision_id: number }>(
    'SELECT DISTINCT decision_id FROM decision_items WHERE notice_id = ANY($1::bigint[])', [selectedNotices]);
  // a decision whose licence-point deduction still counts (no restoration followed it, e.g. a licence
  // left with no points) is the only proof of that balance: the decision and its cases stay
  const keep = await deductionsStillCounting(tx, onDecisions.rows.map((r) => r.decision_id), now);
  const decisionIds = onDecisions.rows.map((r) => r.decision_id).filter((id) => !keep.has(id));
  // the decision's other cases (due by the selection) go with it, in this batch
  const cases = await tx.query<{ id: number; notice_id: number | null }>(
    `SELECT v.id, n.id AS notice_id FROM violations v LEFT JOIN notices n ON n.violation_id = v.id
     WHERE (v.id = ANY($1::bigint[]) AND NOT EXISTS (SELECT 1 FROM decision_items i WHERE i.notice_id = n.id AND i.decision_id = ANY($3::bigint[])))
        OR n.id IN (SELECT notice_id FROM decision_items WHERE decision_id = ANY($2::bigint[]))
     ORDER BY v.id FOR UPDATE OF v`,
    [rows.map((r) => r.id), decisionIds, [...keep]],
  );
  const violationIds = cases.rows.map((r) => r.id);
  const noticeIds = cases.rows.flatMap((r) => (r.notice_id === null ? [] : [r.notice_id]));
  const blobCandidates = await deleteEvidence(tx, violationIds, counts);
  const del = async (sql: string, ids: number[]) => (await tx.query<{ pdf_sha256: string | null }>(sql, [ids]));
  const pdfs = (res: { rows: { pdf_sha256: string | null }[] }) => { for (const r of res.rows) if (r.pdf_sha256) blobCandidates.push(r.pdf_sha256); };
  // children before parents: payments and the points ledger name the decision, its items name records and
  // notices, records name the owner's answer
  counts.payments = (await tx.query('DELETE FROM payments WHERE notice_id = ANY($1::bigint[]) OR decision_id = ANY($2::bigint[])', [noticeIds, decisionIds])).rowCount ?? 0;
  counts.pointDeductions = (await del('DELETE FROM licence_point_deductions WHERE decision_id = ANY($1::bigint[])', decisionIds)).rowCount ?? 0;
  counts.decisionItems = (await del('DELETE FROM decision_items WHERE decision_id = ANY($1::bigint[])', decisionIds)).rowCount ?? 0;
  const decisions = await del('DELETE FROM penalty_decisions WHERE id = ANY($1::bigint[]) RETURNING pdf_sha256', decisionIds);
  counts.decisions = decisions.rowCount ?? 0;
  pdfs(decisions);
  const records = await del('DELETE FROM violation_records WHERE notice_id = ANY($1::bigint[]) RETURNING pdf_sha256', noticeIds);
  counts.violationRecords = records.rowCount ?? 0;
  pdfs(records);
  counts.ownerResponses = (await del('DELETE FROM owner_responses WHERE notice_id = ANY($1::bigint[])', noticeIds)).rowCount ?? 0;
  // a form-04 notice to the commune police belongs to its notice's archive and goes with it
  pdfs(await del('DELETE FROM form04_notices WHERE notice_id = ANY($1::bigint[]) RETURNING pdf_sha256', noticeIds));
  const notices = await del('DELETE FROM notices WHERE id = ANY($1::bigint[]) RETURNING pdf_sha256', noticeIds);
  counts.notices = notices.rowCount ?? 0;
  pdfs(notices);
  counts.violations = (await tx.query('DELETE FROM violations WHERE id = ANY($1::bigint[])', [violationIds])).rowCount ?? 0;
  return { selected: rows.length, counts, blobCandidates, cursor: next };
}

/** Unlinks the violations' evidence and deletes the captures that are evidence of nothing else. */
async function deleteEvidence(tx: Queryable, violationIds: number[], counts: PurgeCounts): Promise<string[]> {
  if (violationIds.length === 0) return [];
  const links = await tx.query<CaptureRef>(
    'DELETE FROM violation_evidence WHERE violation_id = ANY($1::bigint[]) RETURNING capture_id AS id, captured_at', [violationIds]);
  counts.evidenceLinks += links.rowCount ?? 0;
  const linked = [...new Map(links.rows.map((r) => [r.id, r])).values()];
  // one photo can prove two violations (speeding and wrong lane in one frame): it stays while the other case needs it
  const orphans = await tx.query<CaptureRef>(
    `SELECT c.id, c.captured_at FROM captures c WHERE ${IN_CAPTURES('c.id', 'c.captured_at')}
       AND NOT EXISTS (SELECT 1 FROM violation_evidence e WHERE e.capture_id = c.id)
     FOR UPDATE`,
    captureParams(linked),
  );
  return deleteCaptures(tx, orphans.rows, counts);
}

/** A capture as its partitioned tables name it: id and time (migrations 113, 180). */
interface CaptureRef { id: number; captured_at: Date }

// The captures' ids, and the span of their times so that only those months' partitions are read
// (captures, plate reads and sightings are partitioned by the capture's time). Every row of these
// captures is inside the span: a reference's time is its capture's.
const IN_CAPTURES = (id: string, time: string) => `${id} = ANY($1::bigint[]) AND ${time} BETWEEN $2 AND $3`;
function captureParams(captures: CaptureRef[]): [number[], Date | null, Date | null] {
  let min = Infinity;
  let max = -Infinity;
  for (const c of captures) {
    min = Math.min(min, c.captured_at.getTime());
    max = Math.max(max, c.captured_at.getTime());
  }
  // times come back cut to the millisecond: the span is widened by one each side
  return captures.length === 0 ? [[], null, null] : [captures.map((c) => c.id), new Date(min - 1), new Date(max + 1)];
}

async function deleteCaptures(tx: Queryable, captures: CaptureRef[], counts: PurgeCounts): Promise<string[]> {
  if (captures.length === 0) return [];
  const params = captureParams(captures);
  counts.sightings += (await tx.query(`DELETE FROM parking_sightings WHERE ${IN_CAPTURES('capture_id', 'seen_at')}`, params)).rowCount ?? 0;
  counts.plateReads += (await tx.query(`DELETE FROM plate_reads WHERE ${IN_CAPTURES('capture_id', 'captured_at')}`, params)).rowCount ?? 0;
  const media = await tx.query<{ sha256: string }>('DELETE FROM capture_media WHERE capture_id = ANY($1::bigint[]) RETURNING sha256', [params[0]]);
  // the capture's key (capture_keys) goes with it (ON DELETE CASCADE)
  const deleted = await tx.query<{ image_sha256: string }>(
    `DELETE FROM captures WHERE ${IN_CAPTURES('id', 'captured_at')} RETURNING image_sha256`, params);
  // the captures are locked by this transaction: one left behind would be selected by every next batch
  if (deleted.rowCount !== captures.length) throw new Error(`retention selected ${captures.length} captures but deleted ${deleted.rowCount}`);
  counts.captures += deleted.rowCount;
  return [...deleted.rows.map((r) => r.image_sha256), ...media.rows.map((r) => r.sha256)];
}
