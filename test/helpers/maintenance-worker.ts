import { Worker } from 'bullmq';
import { createLogger } from '../../src/logger.js';
import { maintenanceProcessor } from '../../src/maintenance/scheduled-jobs.js';
import { MAINTENANCE_QUEUE } from '../../src/maintenance/maintenance-queue.js';
import { createRedis } from '../../src/redis.js';
import { LocalBlobStore } from '../../src/storage/blob-store.js';
import type { TestApp } from './app.js';

/**
 * A worker process's maintenance handler on the test app's queue prefix, without the schedules: it runs
 * the jobs the API adds (audit verification requests) as the workers would. close() in the test's end.
 */
export function startMaintenanceWorker(t: TestApp): { close(): Promise<void> } {
  const connection = createRedis(t.config.REDIS_URL);
  const deps = { pool: t.db.pool, storage: new LocalBlobStore(t.config.STORAGE_DIR), config: t.config, logger: createLogger('silent', 'test') };
  const worker = new Worker(MAINTENANCE_QUEUE, maintenanceProcessor(deps), { connection, prefix: t.config.QUEUE_PREFIX, concurrency: 1 });
  return {
    async close() {
      await worker.close();
      connection.disconnect();
    },
  };
}
