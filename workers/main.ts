import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { onShutdown } from '../src/shutdown.js';
import { runCli } from '../src/cli/run-cli.js';
import { reportQueueErrors } from '../src/redis.js';
import { createBlobStore } from '../src/storage/create-blob-store.js';
import { connectDependencies } from '../src/resilience/process-dependencies.js';
import { reasonOf } from '../src/resilience/dependency-state.js';
import { createPipelineQueues } from '../src/queue/queues.js';
import { startPipelineWorkers } from '../src/pipeline/workers.js';
import { startReconciler } from '../src/ingest/reconcile.js';
import { createPipelineMetrics } from '../src/metrics/pipeline-metrics.js';
import { snapshotKey, startMetricsPublisher } from '../src/metrics/cluster-metrics.js';
import { createPlateEngine } from '../src/vision/engine.js';
import { evaluateCapture } from '../src/violations/evaluate.js';
import { startMaintenance } from '../src/maintenance/scheduled-jobs.js';
import { createRetentionMetrics } from '../src/retention/retention-metrics.js';

/**
 * A pipeline worker process (`npm run worker`). Scale by starting more of them, on this machine or
 * others, against the same PostgreSQL, Redis and storage.
 */
runCli(async () => {
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL, 'worker');
  const { pool, redis, redisState, postgresState } = connectDependencies(config, logger, config.WORKER_CONCURRENCY * 2 + 2);
  const queues = createPipelineQueues(config, redis);
  for (const queue of queues.all()) reportQueueErrors(queue, redisState, `queue ${queue.name}`);
  const metrics = createPipelineMetrics();
  // one engine per process: the ONNX models are loaded once and shared by concurrent jobs
  const engine = await createPlateEngine();
  const storage = createBlobStore(config);
  const maintenance = await startMaintenance({ pool, storage, config, logger, redisState, retentionMetrics: createRetentionMetrics(metrics.registry) });
  const workers = startPipelineWorkers(config, {
    pool, storage, queues, engine, logger, metrics,
    evaluate: (tx, input) => evaluateCapture(tx, input),
  }, redisState);
  const publisher = startMetricsPublisher(redis, snapshotKey(config.QUEUE_PREFIX, 'worker'), metrics.registry);
  const reconciler = startReconciler(pool, queues, redis, {
    prefix: config.QUEUE_PREFIX,
    intervalMs: config.RECONCILE_INTERVAL_MS,
    onReport: (r) => { if (r.reEnqueued || r.deadLettered) logger.warn({ checked: r.checked, reEnqueued: r.reEnqueued, deadLettered: r.deadLettered }, 'reconciled captures whose jobs were lost or failed'); },
    // while Redis or PostgreSQL is down every tick fails the same way: the dependency state has logged it
    onError: (err) => { if (redisState.isUp && postgresState.isUp) logger.error({ reason: reasonOf(err) }, 'reconcile failed'); },
  });
  // Redis back after an outage may have come back empty: look for lost captures now, not at the next tick
  redis.on('ready', () => reconciler.nudge());
  logger.info({ concurrency: config.WORKER_CONCURRENCY, prefix: config.QUEUE_PREFIX }, 'worker ready');
  await onShutdown(logger, config.SHUTDOWN_GRACE_MS, async () => {
    reconciler.stop();
    // close() waits for the jobs in flight; anything cut off by the grace period is recovered by the stalled check
    await Promise.all([workers.close(), maintenance.close()]);
    await publisher.stop();
    await Promise.allSettled([queues.close(), engine.close()]);
    await Promise.allSettled([pool.end(), redis.quit()]);
  });
});
