import { Queue, Worker } from 'bullmq';
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
 */
export const SCHEDULES = {
  escalate: { pattern: '0 30 0 * * *', tz: 'Asia/Ho_Chi_Minh' },
  'render-notices': { every: 10 * 60_000 },
} as const;
export type MaintenanceJob = keyof typeof SCHEDULES;

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
  const queueConnection: Redis = createRedis(config.REDIS_URL);
  const workerConnection: Redis = createRedis(config.REDIS_URL);
  const queue = new Queue(MAINTENANCE_QUEUE, {
    connection: queueConnection, prefix: config.QUEUE_PREFIX,
    defaultJobOptions: { attempts: 3, backoff: { type: 'exponential', delay: 60_000 }, removeOnComplete: { count: 100 }, removeOnFail: { count: 100 } },
  });
  for (const [name, repeat] of Object.entries(SCHEDULES)) {
    await queue.upsertJobScheduler(name, repeat, { name });
  }
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
