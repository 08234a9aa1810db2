import { Worker, type Job, type Queue, type RepeatOptions } from 'bullmq';
import { chainAuditLog } from '../audit/audit-chainer.js';
import { writeAuditCheckpoint } from '../audit/audit-checkpoint.js';
import { auditLogSize, runAuditVerification } from '../audit/audit-verify-run.js';
import { auditKey, installAuditKey, loadAuditKey } from '../audit/audit-key.js';
import type { Config } from '../config.js';
import type { Pool } from '../db/pool.js';
import { refreshCameraStatBuckets } from '../cameras/camera-stat-rollup.js';
import { escalateOverdue } from '../escalation/escalate.js';
import { refreshFinanceTotals } from '../finance/totals-rollup.js';
import type { Logger } from '../logger.js';
import { renderPendingNotices } from '../notices/batch.js';
import { createRedis, reportQueueErrors, type Redis } from '../redis.js';
import type { DependencyState } from '../resilience/dependency-state.js';
import { ensureMonthPartitions } from './month-partitions.js';
import { createMaintenanceQueue, MAINTENANCE_QUEUE } from './maintenance-queue.js';
import { auditVerifyRequestData, type VerifyProgress } from './audit-verify-requests.js';

import type { RetentionMetrics } from '../retention/retention-metrics.js';
import { retentionPolicy } from '../retention/retention-policy.js';
import { runRetention } from '../retention/run-retention.js';
import type { BlobStore } from '../storage/blob-store.js';

export { MAINTENANCE_QUEUE };

/**
 * Periodic work of the procedure. BullMQ job schedulers fire each one once per period however many
 * worker processes run, and every job is idempotent, so a repeat after a crash does no harm.
 * - escalate: notices unresolved 20 days after issue are reported to the inspection registry (TT 73 Đ24)
 * - render-notices: a notice whose PDF failed to render at approval is rendered again
 * - audit-chain: audit rows committed since the last run are linked into the chain (audited writes
 *   do not wait for each other; migration 110), so a deleted row shows within seconds
 * - audit-checkpoint: the audit chain head and row count are sealed with the audit key
 *   (every AUDIT_CHECKPOINT_MINUTES), so removing the newest audit rows shows on verification
 * - audit-verify: the audit log is verified nightly, resuming after the newest checkpoint an earlier run
 *   verified (audit_verifications, migration 112), in the workers rather than the API process
 * - partitions: monthly partitions of captures, plate reads and parking sightings are created three months ahead
 *   (migrations 091, 113, 180)
 * - retention: data past its retention period is deleted (docs/data-lifecycle.md), at night when cameras are quiet
 * - fold-rollups: dirty marks of the camera-figure and finance rollups (migration 100) are folded in every
 *   minute, so they stay few even when nobody opens the reports (the reports fold the rest themselves)
 */
export const SCHEDULES = {
  escalate: { pattern: '0 30 0 * * *', tz: 'Asia/Ho_Chi_Minh' },
  'render-notices': { every: 10 * 60_000 },
  'audit-chain': { every: 10_000 },
  partitions: { pattern: '0 0 1 * * *', tz: 'Asia/Ho_Chi_Minh' },
  retention: { pattern: '0 15 2 * * *', tz: 'Asia/Ho_Chi_Minh' },
  'audit-verify': { pattern: '0 30 3 * * *', tz: 'Asia/Ho_Chi_Minh' },
  'fold-rollups': { every: 60_000 },
} as const;
export type MaintenanceJob = keyof typeof SCHEDULES | 'audit-checkpoint';

export interface MaintenanceDeps {
  pool: Pool;
  storage: BlobStore;
  config: Config;
  logger: Logger;
  /** told about Redis connection errors (one log line per outage) */
  redisState?: DependencyState;
  retentionMetrics?: RetentionMetrics;
}

/** What a job carries besides its name: its data, and where it reports progress (BullMQ's job.updateProgress). */
export interface MaintenanceJobContext {
  data?: unknown;
  reportProgress?: (progress: VerifyProgress) => Promise<void>;
}

export async function runMaintenanceJob(name: string, deps: MaintenanceDeps, now = new Date(), job: MaintenanceJobContext = {}): Promise<Record<string, unknown>> {
  switch (name) {
    case 'escalate': {
      const escalated = await escalateOverdue(deps.pool, now);
      return { escalated: escalated.length };
    }
    case 'render-notices': {
      // one render thread: the worker process keeps its other core for the pipeline
      const report = await renderPendingNotices(deps, { threads: 1, concurrency: 2, limit: 500 });
      return { rendered: report.rendered, failed: report.failed.length };
    }
    case 'audit-chain': {
      const chained = await chainAuditLog(deps.pool, auditKey());
      return { linked: chained.linked, head: chained.head.id };
    }
    case 'audit-checkpoint': {
      const checkpoint = await writeAuditCheckpoint(deps.pool, auditKey());
      return { checkpoint: checkpoint.id, rows: checkpoint.rowCount };
    }
    case 'audit-verify': {
      // the nightly run resumes after the last verified checkpoint; a request from the API may ask for the whole log
      const request = auditVerifyRequestData(job.data);
      const approxTotal = job.reportProgress ? await auditLogSize(deps.pool) : 0;
      const run = await runAuditVerification(deps.pool, auditKey(), now, {
        full: request?.full ?? false,
        request: request ? { id: request.requestId, by: request.requestedBy.id } : null,
        ...(job.reportProgress ? { onProgress: (rows: number) => job.reportProgress!({ rows, approxTotal }) } : {}),
      });
      const r = run.result;
      if (!r.ok) deps.logger.error({ run: run.id, problem: r.problem, firstBadId: r.firstBadId }, 'audit log verification found a problem');
      return { run: run.id, ...(request ? { request: request.requestId } : {}), ok: r.ok, rows: r.rows, resumedAfter: run.resumedAfter, ...(r.ok ? { verifiedCheckpoint: r.verifiedCheckpoint } : { problem: r.problem }) };
    }
    case 'partitions':
      return { created: await ensureMonthPartitions(deps.pool, now) };
    case 'retention': {
      const report = await runRetention({ pool: deps.pool, storage: deps.storage, metrics: deps.retentionMetrics }, retentionPolicy(deps.config), { now });
      return { ...report.deleted, ms: report.ms };
    }
    case 'fold-rollups':
      return { cameraBuckets: await refreshCameraStatBuckets(deps.pool), financeDays: await refreshFinanceTotals(deps.pool) };
    default:
      throw new Error(`unknown maintenance job ${JSON.stringify(name)}`);
  }
}

/** The workers' handler of maintenance jobs: runs one with its data, reports its progress on the job, logs the result. */
export function maintenanceProcessor(deps: MaintenanceDeps): (job: Job) => Promise<Record<string, unknown>> {
  return async (job) => {
    const result = await runMaintenanceJob(job.name, deps, new Date(), { data: job.data, reportProgress: (p) => job.updateProgress({ ...p }) });
    deps.logger.info({ job: job.name, ...result }, 'maintenance job done');
    return result;
  };
}

/** Every schedule the workers keep: the fixed ones and the audit checkpoint at its configured interval. */
export function schedulesFor(config: Pick<Config, 'AUDIT_CHECKPOINT_MINUTES'>): Record<MaintenanceJob, RepeatOptions> {
  return { ...SCHEDULES, 'audit-checkpoint': { every: config.AUDIT_CHECKPOINT_MINUTES * 60_000 } };
}

/** Creates the schedulers that do not exist (all of them at start); returns the names it created. */
export async function assertSchedules(queue: Queue, schedules: Record<string, RepeatOptions> = SCHEDULES): Promise<string[]> {
  const created: string[] = [];
  for (const [name, repeat] of Object.entries(schedules)) {
    if (await queue.getJobScheduler(name)) continue;
    await queue.upsertJobScheduler(name, repeat, { name });
    created.push(name);
  }
  return created;
}

export interface Maintenance {
  queue: Queue;
  close(): Promise<void>;
}

export async function startMaintenance(deps: MaintenanceDeps): Promise<Maintenance> {
  const { config, logger } = deps;
  // the worker process seals its audit rows and the checkpoints with the configured key
  installAuditKey(loadAuditKey(config));
  const queueConnection: Redis = createRedis(config.REDIS_URL, deps.redisState);
  const workerConnection: Redis = createRedis(config.REDIS_URL, deps.redisState);
  const queue = createMaintenanceQueue(config, queueConnection);
  reportQueueErrors(queue, deps.redisState, 'maintenance queue');
  // upsert at start, so a schedule changed in code replaces the stored one
  const schedules = schedulesFor(config);
  for (const [name, repeat] of Object.entries(schedules)) await queue.upsertJobScheduler(name, repeat, { name });
  // Redis restarted without its data (or flushed) loses the schedulers with everything else, and
  // nothing would run again until a worker restarts: check they exist and put back what is missing
  let checking: Promise<void> | null = null;
  const recheck = () => {
    checking ??= assertSchedules(queue, schedules).then((restored) => {
      if (restored.length > 0) logger.warn({ schedules: restored }, 'maintenance schedules were missing; re-asserted');
    }, () => undefined).finally(() => { checking = null; });
  };
  const timer = setInterval(recheck, config.SCHEDULE_CHECK_INTERVAL_MS);
  timer.unref();
  queueConnection.on('ready', recheck);
  const worker = new Worker(MAINTENANCE_QUEUE, maintenanceProcessor(deps), { connection: workerConnection, prefix: config.QUEUE_PREFIX, concurrency: 1 });
  reportQueueErrors(worker, deps.redisState, 'maintenance worker');
  worker.on('failed', (job, err) => logger.error({ job: job?.name, err }, 'maintenance job failed'));
  return {
    queue,
    async close() {
      clearInterval(timer);
      queueConnection.off('ready', recheck);
      await checking;
      await worker.close();
      await queue.close();
      await Promise.allSettled([queueConnection.quit(), workerConnection.quit()]);
    },
  };
}
