import os from 'node:os';
import { AggregatorRegistry, Gauge, Registry } from 'prom-client';
import type { PipelineQueues } from '../queue/queues.js';
import type { Redis } from '../redis.js';

const JOB_STATES = ['waiting', 'active', 'delayed', 'failed', 'completed', 'prioritized', 'waiting-children'] as const;

/** Redis key under which this process publishes its metrics snapshot. */
export function snapshotKey(prefix: string, role: string): string {
  return `${prefix}:metrics:${role}:${os.hostname()}:${process.pid}`;
}

/**
 * Publishes the registry to Redis every `intervalMs`; a snapshot expires after three missed
 * publications, so a crashed process drops out of the sum (Prometheus treats that as a counter reset).
 */
export function startMetricsPublisher(redis: Redis, key: string, registry: Registry, intervalMs = 5000): { stop(): Promise<void> } {
  const publish = async () => {
    const json = await registry.getMetricsAsJSON();
    await redis.set(key, JSON.stringify(json), 'PX', intervalMs * 3);
  };
  const timer = setInterval(() => { publish().catch(() => undefined); }, intervalMs);
  timer.unref();
  void publish().catch(() => undefined);
  return {
    async stop() {
      clearInterval(timer);
      // a final snapshot so counts from the last seconds are not lost before the key expires; bounded,
      // because with Redis unreachable the command would wait for a reconnect forever
      await settleWithin(publish(), 2000);
    },
  };
}

/**
 * Prometheus text for the whole installation: this process's live registry, summed with the
 * snapshots other processes published, plus the queue depths read from BullMQ now.
 */
export async function clusterMetricsText(redis: Redis, prefix: string, own: { key: string; registry: Registry }, queues: PipelineQueues): Promise<string> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}:metrics:*`, 'COUNT', 200);
    cursor = next;
    keys.push(...batch.filter((k) => k !== own.key));
  } while (cursor !== '0');
  const snapshots: object[] = [await own.registry.getMetricsAsJSON()];
  if (keys.length > 0) {
    for (const raw of await redis.mget(keys)) {
      if (raw) snapshots.push(JSON.parse(raw) as object);
    }
  }
  const summed = AggregatorRegistry.aggregate(snapshots);

  const depth = new Registry();
  const gauge = new Gauge({ name: 'phat_queue_jobs', help: 'jobs in each pipeline queue, by state', labelNames: ['queue', 'state'], registers: [depth] });
  for (const queue of queues.all()) {
    const counts = await queue.getJobCounts(...JOB_STATES);
    for (const state of JOB_STATES) gauge.set({ queue: queue.name, state }, counts[state] ?? 0);
  }
  const workers = new Gauge({ name: 'phat_queue_workers', help: 'worker connections listening on each queue', labelNames: ['queue'], registers: [depth] });
  for (const queue of queues.all()) workers.set({ queue: queue.name }, await queue.getWorkersCount());
  return `${await summed.metrics()}\n${await depth.metrics()}`;
}

/** Waits for `work` at most `ms`; errors and lateness are ignored (best-effort cleanup). */
export async function settleWithin(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([work.catch(() => undefined), new Promise((resolve) => { timer = setTimeout(resolve, ms); })]);
  clearTimeout(timer);
}
