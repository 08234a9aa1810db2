import { randomUUID } from 'node:crypto';
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import type { Job, Queue } from 'bullmq';
import { appendAudit } from '../audit/audit-log.js';
import { listAudit } from '../audit/audit-query.js';
import { verificationRunOfRequest, type VerificationRecord } from '../audit/audit-verify-run.js';
import { withTransaction, type Pool } from '../db/pool.js';

/**
 * Audit verification asked for through the API (the console's "verify chain"): the API process never
 * walks the log itself, it adds an `audit-verify` job to the workers' maintenance queue and reports
 * what became of it. Every request uses the same job id, so while one verification is waiting or
 * running, asking again returns that one instead of starting a second; the job is removed when it
 * ends (its result is the run it recorded in audit_verifications), which frees the id for the next.
 *
 * The request itself is an audit entry (who asked, when, whether for the whole log): it is how a
 * request whose job ended without recording a run (the worker failed, see its log) is told apart
 * from one that never existed.
 */
export const AUDIT_VERIFY_JOB_ID = 'audit-verify-requested';
const REQUESTED = 'audit.verification_requested';
const ENTITY = 'audit_verification_request';

export const VerifyRequestData = Type.Object({
  requestId: Type.String({ pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' }),
  full: Type.Boolean(),
  requestedBy: Type.Object({ id: Type.Integer(), username: Type.String() }),
  requestedAt: Type.String(),
});
export type VerifyRequestData = Static<typeof VerifyRequestData>;

/** How far a running verification got: rows checked, and the log's size (its highest id) when it started. */
export interface VerifyProgress { rows: number; approxTotal: number }

export type VerifyRequestState = 'queued' | 'running' | 'done' | 'failed';

export interface VerifyRequestStatus {
  requestId: string;
  full: boolean;
  requestedBy: { id: number | null; username: string };
  requestedAt: string;
  state: VerifyRequestState;
  progress: VerifyProgress | null;
  /** the recorded run, once done */
  run: VerificationRecord | null;
}

/** The request carried by a maintenance job's data, or null for the nightly job (which has none). */
export function auditVerifyRequestData(data: unknown): VerifyRequestData | null {
  return Value.Check(VerifyRequestData, data) ? data : null;
}

/**
 * Starts a verification for `who` unless one is waiting or running; returns the request that will
 * answer (`started` false: someone else's, already under way).
 */
export async function requestAuditVerification(queue: Queue, pool: Pool, who: { id: number; username: string }, full: boolean):
  Promise<{ started: boolean; status: VerifyRequestStatus }> {
  const mine: VerifyRequestData = { requestId: randomUUID(), full, requestedBy: who, requestedAt: new Date().toISOString() };
  // add is a no-op while a job holds the id; the job may also end between the add and the read: try again
  for (let attempt = 0; attempt < 3; attempt++) {
    await queue.add('audit-verify', mine, { jobId: AUDIT_VERIFY_JOB_ID, attempts: 1, removeOnComplete: true, removeOnFail: true });
    const job = await queue.getJob(AUDIT_VERIFY_JOB_ID);
    const data = auditVerifyRequestData(job?.data);
    if (!job || !data) continue;
    const started = data.requestId === mine.requestId;
    if (started) {
      await withTransaction(pool, (tx) => appendAudit(tx, { actorId: who.id, actor: who.username, action: REQUESTED, entityType: ENTITY,
        entityId: mine.requestId, details: { full } }));
    }
    return { started, status: await fromJob(job, data) };
  }
  throw new Error('the audit verification job could not be added or found after three tries');
}

/** What became of a request: queued, running (with progress), done (with its run), failed; null when there was no such request. */
export async function auditVerificationRequestStatus(queue: Queue, pool: Pool, requestId: string): Promise<VerifyRequestStatus | null> {
  // the job first: a run recorded after this read is found below, never missed in between
  const job = await queue.getJob(AUDIT_VERIFY_JOB_ID);
  const data = auditVerifyRequestData(job?.data);
  if (job && data?.requestId === requestId) {
    const status = await fromJob(job, data);
    if (status.state !== 'done') return status;
  }
  const [asked] = await listAudit(pool, { entityType: ENTITY, entityId: requestId, action: REQUESTED, limit: 1 });
  if (!asked) return null;
  const run = await verificationRunOfRequest(pool, requestId);
  const details = asked.details as { full?: boolean } | null;
  return {
    requestId, full: details?.full === true, requestedBy: { id: asked.actorId, username: asked.actor }, requestedAt: asked.occurredAt.toISOString(),
    // the job is gone: it recorded its run, or it failed before it could
    state: run ? 'done' : 'failed', progress: null, run,
  };
}

async function fromJob(job: Job, data: VerifyRequestData): Promise<VerifyRequestStatus> {
  const state = await job.getState();
  const progress = typeof job.progress === 'object' && job.progress !== null && 'rows' in job.progress ? job.progress as unknown as VerifyProgress : null;
  return {
    requestId: data.requestId, full: data.full, requestedBy: data.requestedBy, requestedAt: data.requestedAt,
    state: state === 'active' ? 'running' : state === 'completed' ? 'done' : state === 'failed' ? 'failed' : 'queued',
    progress, run: null,
  };
}
