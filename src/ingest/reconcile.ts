import type { Pool } from '../db/pool.js';
import { deadLetterCapture } from '../pipeline/dead-letter.js';
import { failureReason } from '../pipeline/failure-reasons.js';
import { jobIdFor, type QueueName } from '../queue/names.js';
import type { PipelineQueues } from '../queue/queues.js';
import type { Redis } from '../redis.js';

export interface ReconcileReport {
  checked: number;
  reEnqueued: number;
  deadLettered: number;
}

interface Pending {
  id: number;
  status: string;
  recognised: boolean;
}

const PAGE = 500;

/**
 * Repairs captures whose job is gone or finished without finishing the capture: a crash between
 * the database insert and the enqueue, a Redis restart that lost jobs, or a job BullMQ failed on its
 * own (stalled too often), which never ran our last-attempt handler. Waiting and running jobs are
 * left alone, so it is safe to run from every worker process at any time.
 *
 * PostgreSQL is read before Redis, and a job finishes its database transaction before BullMQ marks
 * it completed (and may then remove it): a capture that looks stuck is therefore read again after
 * its job state, and only repaired if it has not moved on meanwhile. Without that second read, every
 * job finishing between the two reads was reported as lost.
 *
 * Walks every waiting capture `afterId` onwards in pages (not just the oldest thousand), so a lost
 * capture is found even behind a backlog of waiting ones; re-enqueued jobs go to the front.
 */
export async function reconcileCaptures(pool: Pool, queues: PipelineQueues, opts: { olderThanMs: number; limit?: number; afterId?: number }): Promise<ReconcileReport & { lastId: number | null }> {
  const limit = opts.limit ?? 5000;
  const report: ReconcileReport & { lastId: number | null } = { checked: 0, reEnqueued: 0, deadLettered: 0, lastId: null };
  let after = opts.afterId ?? 0;
  while (report.checked < limit) {
    const { rows } = await pool.query<Pending>(
      `SELECT id, status, recognised_at IS NOT NULL AS recognised FROM captures
       WHERE status IN ('queued', 'processing') AND received_at < now() - make_interval(secs => $1) AND id > $2
         AND (recognised_at IS NULL OR recognised_at < now() - make_interval(secs => $1))
       ORDER BY id LIMIT $3`,
      [opts.olderThanMs / 1000, after, Math.min(PAGE, limit - report.checked)],
    );
    if (rows.length === 0) return { ...report, lastId: null };
    report.checked += rows.length;
    after = rows[rows.length - 1]!.id;
    report.lastId = after;

    const suspects: Array<Pending & { stage: QueueName; state: string }> = [];
    for (const capture of rows) {
      const stage: QueueName = capture.recognised ? 'evaluate' : 'recognise';
      const state = await queues[stage].getJobState(jobIdFor(stage, capture.id));
      if (state === 'failed' || state === 'completed' || state === 'unknown') suspects.push({ ...capture, stage, state });
    }
    if (suspects.length === 0) continue;
    const now = await pool.query<Pending>(
      'SELECT id, status, recognised_at IS NOT NULL AS recognised FROM captures WHERE id = ANY($1::bigint[])', [suspects.map((s) => s.id)]);
    const current = new Map(now.rows.map((r) => [r.id, r]));
    for (const suspect of suspects) {
      const fresh = current.get(suspect.id);
      // moved on since the first read: its job did its work, nothing was lost
      if (!fresh || fresh.status !== suspect.status || fresh.recognised !== suspect.recognised) continue;
      const queue = queues[suspect.stage];
      const jobId = jobIdFor(suspect.stage, suspect.id);
      if (suspect.state === 'failed') {
        const job = await queue.getJob(jobId);
        const detail = `${suspect.stage} job failed: ${job?.failedReason || 'no reason recorded'}`;
        if (await deadLetterCapture(pool, suspect.id, failureReason.jobLost(suspect.stage), suspect.stage, detail)) report.deadLettered++;
      } else {
        // completed without finishing the capture (the stage was skipped in a race), or lost: run it again
        if (suspect.state === 'completed') await queue.remove(jobId);
        await queues.enqueue(suspect.stage, suspect.id, { front: true });
        report.reEnqueued++;
      }
    }
  }
  return report;
}

export interface Reconciler {
  /** runs a pass soon (e.g. when Redis came back, possibly without its data) */
  nudge(): void;
  stop(): void;
}

/**
 * Runs the reconciler every `intervalMs` in one process at a time (a short Redis lock), so several
 * worker processes do not all scan the same rows. A pass that stops at its row limit continues
 * from there on the next tick.
 */
export function startReconciler(pool: Pool, queues: PipelineQueues, redis: Redis, opts: { prefix: string; intervalMs: number; onReport?: (r: ReconcileReport) => void; onError?: (err: unknown) => void }): Reconciler {
  if (opts.intervalMs <= 0) return { nudge() {}, stop() {} };
  const lockKey = `${opts.prefix}:reconcile-lock`;
  let afterId = 0;
  let running = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      const got = await redis.set(lockKey, String(process.pid), 'PX', Math.max(1000, opts.intervalMs - 500), 'NX');
      if (got !== 'OK') return;
      // a capture younger than two intervals may simply be waiting its turn
      const report = await reconcileCaptures(pool, queues, { olderThanMs: opts.intervalMs * 2, afterId });
      afterId = report.lastId ?? 0;
      opts.onReport?.(report);
    } finally {
      running = false;
    }
  };
  const run = () => { tick().catch((err: unknown) => opts.onError?.(err)); };
  const timer = setInterval(run, opts.intervalMs);
  timer.unref();
  let soon: NodeJS.Timeout | undefined;
  return {
    nudge() {
      clearTimeout(soon);
      soon = setTimeout(run, 1000);
      soon.unref();
    },
    stop: () => { clearInterval(timer); clearTimeout(soon); },
  };
}
