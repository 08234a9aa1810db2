import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { reportQueueErrors } from '../src/redis.js';
import { onShutdown } from '../src/shutdown.js';
import { runCli } from '../src/cli/run-cli.js';
import { createBlobStore } from '../src/storage/create-blob-store.js';
import { connectDependencies } from '../src/resilience/process-dependencies.js';
import { createPipelineQueues } from '../src/queue/queues.js';
import { dropFolderCameras } from '../src/cameras/camera-registry.js';
import { watchDropFolder } from '../src/ingest/drop-folder.js';
import { dropFolderProblem } from '../src/ingest/confined-files.js';
import { createPipelineMetrics } from '../src/metrics/pipeline-metrics.js';
import { snapshotKey, startMetricsPublisher } from '../src/metrics/cluster-metrics.js';

const REFRESH_MS = 60_000;

/**
 * Watches the drop folder of every enabled camera that has one (`npm run drop-folders`). The camera
 * list is re-read every minute, so adding, moving or disabling a folder needs no restart.
 */
runCli(async () => {
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL, 'drop-folders');
  const { pool, redis, redisState } = connectDependencies(config, logger, 4);
  const queues = createPipelineQueues(config, redis);
  for (const queue of queues.all()) reportQueueErrors(queue, redisState, `queue ${queue.name}`);
  const metrics = createPipelineMetrics();
  const publisher = startMetricsPublisher(redis, snapshotKey(config.QUEUE_PREFIX, 'drop-folders'), metrics.registry);
  const deps = { pool, storage: createBlobStore(config), queues, limits: { maxPixels: config.MAX_IMAGE_PIXELS, maxBytes: config.MAX_UPLOAD_BYTES } };
  const watching = new Map<string, { folder: string; watcher: ReturnType<typeof watchDropFolder> }>();

  const refresh = async () => {
    const cameras = await dropFolderCameras(pool);
    const wanted = new Map(cameras.map((c) => [c.code, c.dropFolder]));
    for (const [code, w] of watching) {
      if (wanted.get(code) !== w.folder) {
        await w.watcher.close();
        watching.delete(code);
        logger.info({ camera: code, folder: w.folder }, 'stopped watching');
      }
    }
    for (const [code, folder] of wanted) {
      if (watching.has(code)) continue;
      // checked again here: a folder stored before DROP_FOLDER_ROOT existed, or changed in the database directly
      const problem = await dropFolderProblem(config.DROP_FOLDER_ROOT, folder);
      if (problem) {
        logger.error({ camera: code, folder, problem }, 'drop folder refused');
        continue;
      }
      const watcher = watchDropFolder(deps, { cameraCode: code, folder, maxFutureS: config.CAPTURE_MAX_FUTURE_S, usePolling: config.DROP_FOLDER_POLL, logger, metrics });
      watching.set(code, { folder, watcher });
      logger.info({ camera: code, folder }, 'watching drop folder');
    }
  };
  await refresh();
  const timer = setInterval(() => { refresh().catch((err: unknown) => logger.error({ err }, 'refreshing the camera list failed')); }, REFRESH_MS);
  await onShutdown(logger, config.SHUTDOWN_GRACE_MS, async () => {
    clearInterval(timer);
    await Promise.all([...watching.values()].map((w) => w.watcher.close()));
    await publisher.stop();
    await queues.close();
    await Promise.allSettled([pool.end(), redis.quit()]);
  });
});
