import { Queue, Worker } from 'bullmq';
import { writeAuditCheckpoint } from '../audit/audit-checkpoint.js';
import { auditKey, installAuditKey, loadAuditKey } from '../audit/audit-key.js';
import type { Config } from '../config.js';
import type { Pool } from '../db/pool.js';
import { escalateOverdue } from '../escalation/escalate.js';
import type { Logger } from '../logger.js';
import { renderPendingNotices } from '../notices/batch.js';
import { createRedis, type Redis } from '../redis.js';
import type { BlobStore } from '../storage/blob-store.js';

export const MAINTENANCE_QUEUE = 'maintenance';

/**
 * Periodic work of the procedure. BullMQ job schedulers fire each one once per period however many
 * worker processes run, and every job is idempotent, so a repeat after a crash does no harm.
 * - escalate: notices unresolved 20 days after issue are reported to the inspection registry (TT 73 Đ24)
 * - render-notices: a notice whose PDF failed to render at approval is rendered again
 * - audit-checkpoint: the audit chain head and row count are sealed with the audit key
 *   (every AUDIT_CHECKPOINT_MINUTES), so removing the newest audit rows shows on verification
 */
export const SCHEDULES = {
  escalate: { pattern: '0 30 0 * * *', tz: 'Asia/Ho_Chi_Minh' },
  'render-notices': { every: 10 * 60_000 },
} as const;
export type MaintenanceJob = keyof typeof SCHEDULES | 'audit-checkpoint';

export interface MaintenanceDeps {
  pool: Pool;
  storage: BlobStore;
  config: Config;
  logger: Logger;
}

export async function runMaintenanceJob(name: string, deps: MaintenanceDeps, now = new Date()): Promise<Record<string, unknown>> {
  switch (name) {
    case 'escalate': {
      const escalated = await escalateOverdue(deps.pool, now);
      return { escalated: escalated.length };
    }
    case 'render-notices': {
      const report = await renderPendingNotices(deps, { concurrency: 1, limit: 500 });
      return { rendered: report.rendered, failed: report.failed.length };
    }
    case 'audit-checkpoint': {
      const checkpoint = await writeAuditCheckpoint(deps.pool, auditKey());
      return { checkpoint: checkpoint.id, rows: checkpoint.rowCount };
    }
    default:
      throw new Error(`unknown maintenance job ${JSON.stringify(name)}`);
  }
}

export interface Maintenance {
  queue: Queue;
  close(): Promise<void>;
}

export async function startMaintenance(deps: MaintenanceDeps): Promise<Maintenance> {
  const { config, logger } = deps;
  // the worker process seals its audit rows and the checkpoints with the configured key
  installAuditKey(loadAuditKey(config));
  const queueConnection: Redis = createRedis(config.REDIS_URL);
  const workerConnection: Redis = createRedis(config.REDIS_URL);
  const queue = new Queue(MAINTENANCE_QUEUE, {
    connection: queueConnection, prefix: config.QUEUE_PREFIX,
    defaultJobOptions: { attempts: 3, backoff: { type: 'exponential', delay: 60_000 }, removeOnComplete: { count: 100 }, removeOnFail: { count: 100 } },
  });
  for (const [name, repeat] of Object.entries(SCHEDULES)) {
    await queue.upsertJobScheduler(name, repeat, { name });
  }
  await queue.upsertJobScheduler('audit-checkpoint', { every: config.AUDIT_CHECKPOINT_MINUTES * 60_000 }, { name: 'audit-checkpoint' });
  const worker = new Worker(MAINTENANCE_QUEUE, async (job) => {
    const result = await runMaintenanceJob(job.name, deps);
    logger.info({ job: job.name, ...result }, 'maintenance job done');
    return result;
  }, { connection: workerConnection, prefix: config.QUEUE_PREFIX, concurrency: 1 });
  worker.on('failed', (job, err) => logger.error({ job: job?.name, err }, 'maintenance job failed'));
  return {
    queue,
    async close() {
      await worker.close();
      await queue.close();
      await Promise.allSettled([queueConnection.quit(), workerConnection.quit()]);
    },
  };
}
