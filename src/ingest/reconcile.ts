import type { Pool } from '../db/pool.js';
import { deadLetterCapture } from '../pipeline/dead-letter.js';
import { jobIdFor } from '../queue/names.js';
import type { PipelineQueues } from '../queue/queues.js';
import type { Redis } from '../redis.js';

export interface ReconcileReport {
  checked: number;
  reEnqueued: number;
  deadLettered: number;
}

/**
 * Repairs captures whose job is gone or finished without finishing the capture: a crash between
 * the database insert and the enqueue, a Redis restart that lost jobs, or a job BullMQ failed on its
 * own (stalled too often), which never ran our last-attempt handler. Waiting and running jobs are
 * left alone, so it is safe to run from every worker process at any time.
 */
export async function reconcileCaptures(pool: Pool, queues: PipelineQueues, opts: { olderThanMs: number; limit?: number }): Promise<ReconcileReport> {
  const { rows } = await pool.query<{ id: number; recognised: boolean }>(
    `SELECT id, recognised_at IS NOT NULL AS recognised FROM captures
     WHERE status IN ('queued', 'processing') AND received_at < now() - make_interval(secs => $1)
     ORDER BY id LIMIT $2`,
    [opts.olderThanMs / 1000, opts.limit ?? 1000],
  );
  const report: ReconcileReport = { checked: rows.length, reEnqueued: 0, deadLettered: 0 };
  for (const capture of rows) {
    const stage = capture.recognised ? 'evaluate' : 'recognise';
    const queue = queues[stage];
    const jobId = jobIdFor(stage, capture.id);
    const state = await queue.getJobState(jobId);
    if (state === 'failed') {
      const job = await queue.getJob(jobId);
      const reason = `${stage} job failed: ${job?.failedReason || 'no reason recorded'}`;
      if (await deadLetterCapture(pool, capture.id, reason, stage)) report.deadLettered++;
    } else if (state === 'completed' || state === 'unknown') {
      // completed without finishing the capture: the stage was skipped in a race, run it again
      if (state === 'completed') await queue.remove(jobId);
      await queues.enqueue(stage, capture.id);
      report.reEnqueued++;
    }
  }
  return report;
}

/**
 * Runs the reconciler every `intervalMs` in one process at a time (a short Redis lock), so several
 * worker processes do not all scan the same rows.
 */
export function startReconciler(pool: Pool, queues: PipelineQueues, redis: Redis, opts: { prefix: string; intervalMs: number; onReport?: (r: ReconcileReport) => void; onError?: (err: unknown) => void }): { stop(): void } {
  if (opts.intervalMs <= 0) return { stop() {} };
  const lockKey = `${opts.prefix}:reconcile-lock`;
  const tick = async () => {
    const got = await redis.set(lockKey, String(process.pid), 'PX', Math.max(1000, opts.intervalMs - 500), 'NX');
    if (got !== 'OK') return;
    // a capture younger than two intervals may simply be waiting its turn
    const report = await reconcileCaptures(pool, queues, { olderThanMs: opts.intervalMs * 2 });
    opts.onReport?.(report);
  };
  const timer = setInterval(() => { tick().catch((err: unknown) => opts.onError?.(err)); }, opts.intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
