import { buildApp } from './api/app.js';
import { loadConfig } from './config.js';
import { createLogger } from './logger.js';
import { onShutdown } from './shutdown.js';
import { runCli } from './cli/run-cli.js';
import { createBlobStore } from './storage/create-blob-store.js';
import { connectDependencies } from './resilience/process-dependencies.js';

runCli(async () => {
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL, 'api');
  const { pool, redis, redisState } = connectDependencies(config, logger, 10);
  const app = await buildApp({ config, pool, redis, redisState, logger, storage: createBlobStore(config) });
  await app.listen({ host: config.HOST, port: config.PORT });
  await onShutdown(logger, config.SHUTDOWN_GRACE_MS, async () => {
    // close() stops accepting connections and waits for in-flight requests
    await app.close();
    await Promise.allSettled([pool.end(), redis.quit()]);
  });
});
