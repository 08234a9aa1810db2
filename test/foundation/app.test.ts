import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/api/app.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { createRedis } from '../../src/redis.js';
import { LocalBlobStore } from '../../src/storage/blob-store.js';
import { createTestApp, type TestApp } from '../helpers/app.js';

let t: TestApp;
beforeAll(async () => { t = await createTestApp(); });
afterAll(async () => { await t.close(); });

describe('API foundation', () => {
  it('reports healthy when PostgreSQL and Redis answer', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'ok', checks: { database: 'ok', redis: 'ok', storage: 'ok' } });
    expect(res.json().storageFreeBytes).toBeGreaterThan(0);
  });

  it('reports 503 naming the dependency that does not answer', async () => {
    const config = loadConfig({ DATABASE_URL: t.db.url, REDIS_URL: 'redis://127.0.0.1:1', LOG_LEVEL: 'silent' });
    const redis = createRedis(config.REDIS_URL);
    redis.on('error', () => undefined);
    const app = await buildApp({ config, pool: t.db.pool, redis, logger: createLogger('silent', 'test'), storage: new LocalBlobStore(t.config.STORAGE_DIR) });
    try {
      const res = await app.inject({ method: 'GET', url: '/health' });
      expect(res.statusCode).toBe(503);
      expect(res.json().checks.database).toBe('ok');
      expect(res.json().checks.redis).toMatch(/^error: /);
    } finally {
      await app.close();
      redis.disconnect();
    }
  });

  it('serves the OpenAPI document and its viewer at /docs', async () => {
    const spec = await t.app.inject({ method: 'GET', url: '/docs/json' });
    expect(spec.statusCode).toBe(200);
    expect(spec.json().openapi).toMatch(/^3\./);
    expect(Object.keys(spec.json().paths)).toContain('/health');
    const ui = await t.app.inject({ method: 'GET', url: '/docs/' });
    expect(ui.statusCode).toBe(200);
    expect(ui.headers['content-type']).toContain('text/html');
  });

  it('answers unknown routes with a JSON 404', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/nope' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ error: 'not_found' });
  });

  it('refuses to register a route that declares no access rule', async () => {
    const config = loadConfig({ DATABASE_URL: t.db.url, LOG_LEVEL: 'silent' });
    const app = await buildApp({ config, pool: t.db.pool, redis: t.redis, logger: createLogger('silent', 'test'), storage: new LocalBlobStore(t.config.STORAGE_DIR) });
    expect(() => app.get('/open-by-accident', async () => 'x')).toThrow(/declares no access/);
    await app.close();
  });
});
