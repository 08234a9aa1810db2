import { buildApp, type App } from '../../src/api/app.js';
import { loadConfig, type Config } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { createRedis, type Redis } from '../../src/redis.js';
import { createTestDatabase, uniquePrefix, type TestDatabase } from './db.js';
import { TEST_REDIS_URL } from './env.js';
import { LocalBlobStore } from '../../src/storage/blob-store.js';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export interface TestApp {
  app: App;
  db: TestDatabase;
  redis: Redis;
  config: Config;
  close(): Promise<void>;
}

/** The real API on its own database, Redis prefix and storage folder; no port is opened (use app.inject). */
export async function createTestApp(overrides: Record<string, string> = {}): Promise<TestApp> {
  const db = await createTestDatabase();
  const storage = await mkdtemp(path.join(os.tmpdir(), 'phat-storage-'));
  const config = loadConfig({
    DATABASE_URL: db.url,
    REDIS_URL: TEST_REDIS_URL,
    STORAGE_DIR: storage,
    QUEUE_PREFIX: uniquePrefix('q'),
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ...overrides,
  });
  const redis = createRedis(config.REDIS_URL);
  // /health rightly reports Redis down until its ready check passes; on a loaded box that can outlast buildApp()
  if (redis.status !== 'ready') await once(redis, 'ready');
  const app = await buildApp({ config, pool: db.pool, redis, logger: createLogger(config.LOG_LEVEL, 'test'), storage: new LocalBlobStore(storage) });
  await app.ready();
  return {
    app, db, redis, config,
    async close() {
      await app.close();
      redis.disconnect();
      await db.drop();
      await rm(storage, { recursive: true, force: true });
    },
  };
}
