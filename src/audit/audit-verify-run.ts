import type { Pool, Queryable } from '../db/pool.js';
import type { AuditKey } from './audit-key.js';
import { verifyAuditLog, type AuditVerification } from './audit-verify.js';

export interface VerificationRun {
  id: number;
  resumedAfter: number | null;
  result: AuditVerification;
}

export interface RunOptions {
  /** read the whole log from its first row, even when an earlier run verified a checkpoint */
  full?: boolean;
  /** the request an administrator made through the API (a nightly run has none) */
  request?: { id: string; by: number } | null;
  onProgress?: (rows: number) => Promise<void> | void;
  progressEvery?: number;
}

/**
 * One verification in the workers: the nightly `audit-verify` job, or one an administrator asked for
 * through the API. Resumes after the newest checkpoint a previous successful run verified (unless
 * `full`), or reads the whole log when there is none, and records the run in audit_verifications. A
 * run that finds a problem does not move the resume point: the next run reads the same rows again, so
 * the problem keeps being reported until someone deals with it.
 */
export async function runAuditVerification(pool: Pool, key: AuditKey, now = new Date(), opts: RunOptions = {}): Promise<VerificationRun> {
  const last = opts.full ? { rows: [] } : await pool.query<{ verified_checkpoint: number }>(
    'SELECT verified_checkpoint FROM audit_verifications WHERE ok AND verified_checkpoint IS NOT NULL ORDER BY id DESC LIMIT 1');
  const resumedAfter = last.rows[0]?.verified_checkpoint ?? null;
  const result = await verifyAuditLog(pool, key, {
    ...(resumedAfter === null ? {} : { resumeAfterCheckpoint: resumedAfter }),
    ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
    ...(opts.progressEvery ? { progressEvery: opts.progressEvery } : {}),
  });
  const { rows } = await pool.query<{ id: number }>(
    `INSERT INTO audit_verifications (started_at, finished_at, resumed_after, ok, log_rows, verified_checkpoint, problem, first_bad_id,
                                      request_id, requested_by)
     VALUES ($1, now(), $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
    [now, resumedAfter, result.ok, result.rows, result.ok ? result.verifiedCheckpoint : null,
      result.ok ? null : result.problem, result.ok ? null : result.firstBadId, opts.request?.id ?? null, opts.request?.by ?? null]);
  return { id: rows[0]!.id, resumedAfter, result };
}

export interface VerificationRecord {
  id: number;
  startedAt: Date;
  finishedAt: Date;
  resumedAfter: number | null;
  ok: boolean;
  logRows: number;
  verifiedCheckpoint: number | null;
  problem: string | null;
  firstBadId: number | null;
  /** the API request it answered (null: a nightly run) and the administrator who made it */
  requestId: string | null;
  requestedBy: number | null;
}

type RecordRow = { id: number; started_at: Date; finished_at: Date; resumed_after: number | null; ok: boolean; log_rows: number;
  verified_checkpoint: number | null; problem: string | null; first_bad_id: number | null; request_id: string | null; requested_by: number | null };

const toRecord = (r: RecordRow): VerificationRecord => ({ id: r.id, startedAt: r.started_at, finishedAt: r.finished_at,
  resumedAfter: r.resumed_after, ok: r.ok, logRows: r.log_rows, verifiedCheckpoint: r.verified_checkpoint, problem: r.problem,
  firstBadId: r.first_bad_id, requestId: r.request_id, requestedBy: r.requested_by });

/** The newest recorded runs first (what the API reports; the runs themselves happen in the workers). */
export async function listVerificationRuns(db: Queryable, limit: number): Promise<VerificationRecord[]> {
  const { rows } = await db.query<RecordRow>('SELECT * FROM audit_verifications ORDER BY id DESC LIMIT $1', [limit]);
  return rows.map(toRecord);
}

/** The run that answered an API request, once the workers have recorded it. */
export async function verificationRunOfRequest(db: Queryable, requestId: string): Promise<VerificationRecord | null> {
  const { rows } = await db.query<RecordRow>('SELECT * FROM audit_verifications WHERE request_id = $1', [requestId]);
  return rows[0] ? toRecord(rows[0]) : null;
}

/** The log's highest id: about its row count (ids of rolled-back writes are skipped), read from the index at no cost. */
export async function auditLogSize(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ n: number }>('SELECT coalesce(max(id), 0)::bigint AS n FROM audit_log');
  return rows[0]!.n;
}
