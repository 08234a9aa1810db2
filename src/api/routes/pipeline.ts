import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { createPipelineQueues, type PipelineQueues } from '../../queue/queues.js';
import { createPipelineMetrics, type PipelineMetrics } from '../../metrics/pipeline-metrics.js';
import { settleWithin, snapshotKey, startMetricsPublisher } from '../../metrics/cluster-metrics.js';
import { captureRoutes } from './captures.js';
import { cameraRoutes } from './cameras.js';
import { metricsRoutes } from './metrics.js';
import { queueDashboard } from './queue-dashboard.js';
import { reportQueueErrors } from '../../redis.js';
import { DependencyState } from '../../resilience/dependency-state.js';

export interface PipelineApiOptions {
  queues: PipelineQueues;
  metrics: PipelineMetrics;
  /** Redis key of this process's metrics snapshot (excluded when summing, the live registry is used) */
  metricsKey: string;
}

/**
 * Ingest, cameras, dead letters, metrics and the queue dashboard. Uses `deps.queues` when the
 * caller built them, otherwise makes queue handles on the app's Redis connection and closes them
 * with the app.
 */
export const pipelineRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { config, redis } = app.deps;
  const queues = app.deps.queues ?? createPipelineQueues(config, redis);
  if (!app.deps.queues) app.addHook('onClose', async () => { await settleWithin(queues.close(), 2000); });
  // without a listener BullMQ prints every connection error with its stack; the state logs one line per outage
  const redisState = app.deps.redisState ?? new DependencyState('redis', app.log);
  for (const queue of queues.all()) reportQueueErrors(queue, redisState, `queue ${queue.name}`);
  const metrics = createPipelineMetrics();
  const metricsKey = snapshotKey(config.QUEUE_PREFIX, 'api');
  const publisher = startMetricsPublisher(redis, metricsKey, metrics.registry);
  app.addHook('onClose', async () => { await publisher.stop(); });
  const opts: PipelineApiOptions = { queues, metrics, metricsKey };
  await app.register(captureRoutes, opts);
  await app.register(cameraRoutes);
  await app.register(metricsRoutes, opts);
  await app.register(queueDashboard, opts);
};
