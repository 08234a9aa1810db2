import type { Pool, Queryable } from '../db/pool.js';
import type { AuditKey } from './audit-key.js';
import { verifyAuditLog, type AuditVerification } from './audit-verify.js';

export interface VerificationRun {
  id: number;
  resumedAfter: number | null;
  result: AuditVerification;
}

/**
 * One scheduled verification (the workers' `audit-verify` job): resumes after the newest checkpoint a
 * previous successful run verified, or reads the whole log when there is none, and records the run in
 * audit_verifications. A run that finds a problem does not move the resume point: the next run reads
 * the same rows again, so the problem keeps being reported until someone deals with it.
 */
export async function runAuditVerification(pool: Pool, key: AuditKey, now = new Date()): Promise<VerificationRun> {
  const last = await pool.query<{ verified_checkpoint: number }>(
    'SELECT verified_checkpoint FROM audit_verifications WHERE ok AND verified_checkpoint IS NOT NULL ORDER BY id DESC LIMIT 1');
  const resumedAfter = last.rows[0]?.verified_checkpoint ?? null;
  const result = await verifyAuditLog(pool, key, resumedAfter === null ? {} : { resumeAfterCheckpoint: resumedAfter });
  const { rows } = await pool.query<{ id: number }>(
    `INSERT INTO audit_verifications (started_at, finished_at, resumed_after, ok, log_rows, verified_checkpoint, problem, first_bad_id)
     VALUES ($1, now(), $2, $3, $4, $5, $6, $7) RETURNING id`,
    [now, resumedAfter, result.ok, result.rows, result.ok ? result.verifiedCheckpoint : null,
      result.ok ? null : result.problem, result.ok ? null : result.firstBadId]);
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
}

/** The newest recorded runs first (what the API reports; the runs themselves happen in the workers). */
export async function listVerificationRuns(db: Queryable, limit: number): Promise<VerificationRecord[]> {
  const { rows } = await db.query<{ id: number; started_at: Date; finished_at: Date; resumed_after: number | null; ok: boolean; log_rows: number;
    verified_checkpoint: number | null; problem: string | null; first_bad_id: number | null }>(
    'SELECT * FROM audit_verifications ORDER BY id DESC LIMIT $1', [limit]);
  return rows.map((r) => ({ id: r.id, startedAt: r.started_at, finishedAt: r.finished_at, resumedAfter: r.resumed_after, ok: r.ok,
    logRows: r.log_rows, verifiedCheckpoint: r.verified_checkpoint, problem: r.problem, firstBadId: r.first_bad_id }));
}
