import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/api/app.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { createRedis } from '../../src/redis.js';
import { LocalBlobStore } from '../../src/storage/blob-store.js';
import { StorageUnavailableError } from '../../src/storage/storage-errors.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { registerCamera } from '../helpers/fixtures.js';
import { multipartBody, staffToken, syntheticJpeg } from './fixtures.js';

const run = promisify(execFile);
let t: TestApp;
let cameraKey: string;

beforeAll(async () => {
  t = await createTestApp();
  const operator = (await staffToken(t.db.pool, 'operator')).token;
  cameraKey = await registerCamera(t.app, { authorization: `Bearer ${operator}` },
    { code: 'HN-OUT-1', name: 'outage', province: 'Hà Nội', address: 'Xuân Thủy', cameraType: 'speed', speedLimitKmh: 60 });
});
afterAll(async () => { await t.close(); });

const upload = (app: App, image: Buffer) => {
  const body = multipartBody({ captured_at: new Date(Date.now() - 60_000).toISOString() }, { filename: 'x.jpg', data: image });
  return app.inject({ method: 'POST', url: '/api/v1/captures', payload: body.payload, headers: { ...body.headers, 'x-api-key': cameraKey } });
};

/** The same API (database, storage) but with Redis or storage swapped for a broken one. */
async function appWith(opts: { redisUrl?: string; storage?: LocalBlobStore }): Promise<{ app: App; close(): Promise<void> }> {
  const config = loadConfig({ ...envOf(t), ...(opts.redisUrl ? { REDIS_URL: opts.redisUrl } : {}), ENQUEUE_TIMEOUT_MS: '1000' });
  const redis = createRedis(config.REDIS_URL);
  const app = await buildApp({ config, pool: t.db.pool, redis, logger: createLogger('silent', 'test'), storage: opts.storage ?? new LocalBlobStore(config.STORAGE_DIR) });
  return { app, async close() { await app.close(); redis.disconnect(); } };
}
const envOf = (x: TestApp) => ({ DATABASE_URL: x.config.DATABASE_URL, REDIS_URL: x.config.REDIS_URL, STORAGE_DIR: x.config.STORAGE_DIR, QUEUE_PREFIX: x.config.QUEUE_PREFIX, LOG_LEVEL: 'silent' });

describe('uploads while Redis is unreachable', () => {
  it('answer 503 with Retry-After within seconds; the capture stays stored and the camera\'s retry gets it, queued', async () => {
    const broken = await appWith({ redisUrl: 'redis://127.0.0.1:1' });
    const image = await syntheticJpeg();
    try {
      const started = Date.now();
      const refused = await upload(broken.app, image);
      expect(Date.now() - started).toBeLessThan(4000);
      expect(refused.statusCode).toBe(503);
      expect(refused.headers['retry-after']).toBe('10');
      expect(refused.json()).toMatchObject({ error: 'queue_unavailable', message: expect.stringMatching(/Hàng đợi/) });
    } finally {
      await broken.close();
    }
    const { rows } = await t.db.pool.query<{ id: number; status: string }>('SELECT id, status FROM captures');
    expect(rows).toEqual([{ id: expect.any(Number), status: 'queued' }]);

    const retried = await upload(t.app, image);
    expect(retried.statusCode).toBe(200);
    expect(retried.json()).toMatchObject({ captureId: rows[0]!.id, duplicate: true, status: 'queued' });
    expect(await t.redis.exists(`${t.config.QUEUE_PREFIX}:recognise:r-${rows[0]!.id}`)).toBe(1);
  });
});

class FailingStore extends LocalBlobStore {
  constructor(root: string, private readonly code: string) { super(root); }
  override async put(): Promise<string> {
    throw new StorageUnavailableError(this.code === 'ENOSPC' ? 'full' : 'read_only', `storage at test is ${this.code}`);
  }
}

// a real full / read-only file system needs a tmpfs mount (root in CI containers); without it these are skipped
const canMount = await (async () => {
  if (process.getuid?.() !== 0) return false;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'phat-mnt-probe-'));
  try {
    await run('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir]);
    await run('umount', [dir]);
    return true;
  } catch {
    return false;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
})();

describe('storage full or read-only', () => {
  it.skipIf(!canMount)('a full disk: uploads answer 507 with the reason, /health reports storage, nothing half-written', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'phat-full-'));
    await run('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', dir]);
    try {
      for (let i = 0; ; i++) {
        if (await writeFile(path.join(dir, `filler-${i}`), Buffer.alloc(16 * 1024)).then(() => false, () => true)) break;
      }
      const store = new LocalBlobStore(dir);
      await expect(store.put(await syntheticJpeg({ width: 640, height: 480 }))).rejects.toMatchObject({ kind: 'full' });
      const broken = await appWith({ storage: store });
      try {
        const before = (await t.db.pool.query('SELECT count(*)::int AS n FROM captures')).rows[0].n;
        const res = await upload(broken.app, await syntheticJpeg({ width: 640, height: 480 }));
        expect(res.statusCode).toBe(507);
        expect(res.json()).toMatchObject({ error: 'storage_full', details: { reason: expect.stringMatching(/full \(ENOSPC\)/) } });
        expect(res.headers['retry-after']).toBeDefined();
        expect((await t.db.pool.query('SELECT count(*)::int AS n FROM captures')).rows[0].n).toBe(before);
        const health = await broken.app.inject({ method: 'GET', url: '/health' });
        expect(health.statusCode).toBe(503);
        expect(health.json().checks.storage).toMatch(/^error: .*full/);
      } finally {
        await broken.close();
      }
    } finally {
      await run('umount', [dir]);
      await rm(dir, { recursive: true, force: true });
    }
  });

  it.skipIf(!canMount)('a read-only mount: uploads answer 503 with the reason and /health says so', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'phat-ro-'));
    await run('mount', ['-t', 'tmpfs', '-o', 'size=1m,ro', 'tmpfs', dir]);
    try {
      const broken = await appWith({ storage: new LocalBlobStore(dir) });
      try {
        const res = await upload(broken.app, await syntheticJpeg());
        expect(res.statusCode).toBe(503);
        expect(res.json()).toMatchObject({ error: 'storage_unavailable', details: { reason: expect.stringMatching(/not writable \(EROFS\)/) } });
        const health = await broken.app.inject({ method: 'GET', url: '/health' });
        expect(health.json().checks.storage).toMatch(/EROFS/);
      } finally {
        await broken.close();
      }
    } finally {
      await run('umount', [dir]);
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('maps a store\'s full / read-only refusal to 507 / 503 without a mount', async () => {
    for (const [code, status] of [['ENOSPC', 507], ['EROFS', 503]] as const) {
      const broken = await appWith({ storage: new FailingStore(t.config.STORAGE_DIR, code) });
      try {
        const res = await upload(broken.app, await syntheticJpeg());
        expect(res.statusCode).toBe(status);
      } finally {
        await broken.close();
      }
    }
  });

  it('reports storage writability and free bytes in /metrics', async () => {
    const operator = (await staffToken(t.db.pool, 'operator')).token;
    const res = await t.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${operator}` } });
    expect(res.body).toMatch(/^phat_storage_writable 1$/m);
    expect(res.body).toMatch(/^phat_storage_free_bytes \d+/m);
  });
});
