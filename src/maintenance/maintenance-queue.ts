import { Queue } from 'bullmq';
import type { Config } from '../config.js';
import type { Redis } from '../redis.js';

/** The workers' queue of periodic and requested maintenance jobs (src/maintenance/scheduled-jobs.ts). */
export const MAINTENANCE_QUEUE = 'maintenance';

/** A handle on the maintenance queue: the workers' scheduler and the API (which only adds jobs) share its options. */
export function createMaintenanceQueue(config: Pick<Config, 'QUEUE_PREFIX'>, connection: Redis): Queue {
  return new Queue(MAINTENANCE_QUEUE, {
    connection, prefix: config.QUEUE_PREFIX,
    defaultJobOptions: { attempts: 3, backoff: { type: 'exponential', delay: 60_000 }, removeOnComplete: { count: 100 }, removeOnFail: { count: 100 } },
  });
}
