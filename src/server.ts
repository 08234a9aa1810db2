import { buildApp } from './api/app.js';
import { loadConfig } from './config.js';
import { createPool } from './db/pool.js';
import { createLogger } from './logger.js';
import { createRedis } from './redis.js';
import { onShutdown } from './shutdown.js';
import { runCli } from './cli/run-cli.js';
import { LocalBlobStore } from './storage/blob-store.js';

runCli(async () => {
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL, 'api');
  const pool = createPool(config.DATABASE_URL);
  const redis = createRedis(config.REDIS_URL);
  const app = await buildApp({ config, pool, redis, logger, storage: new LocalBlobStore(config.STORAGE_DIR) });
  await app.listen({ host: config.HOST, port: config.PORT });
  await onShutdown(logger, config.SHUTDOWN_GRACE_MS, async () => {
    // close() stops accepting connections and waits for in-flight requests
    await app.close();
    await Promise.allSettled([pool.end(), redis.quit()]);
  });
});
