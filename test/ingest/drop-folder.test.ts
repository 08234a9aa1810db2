import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCamera } from '../../src/cameras/camera-registry.js';
import { loadConfig } from '../../src/config.js';
import { ingestDropFile, watchDropFolder, type DropFolderOptions } from '../../src/ingest/drop-folder.js';
import type { IngestDeps } from '../../src/ingest/ingest-capture.js';
import { createLogger } from '../../src/logger.js';
import { createPipelineQueues, type PipelineQueues } from '../../src/queue/queues.js';
import { createRedis, type Redis } from '../../src/redis.js';
import { LocalBlobStore } from '../../src/storage/blob-store.js';
import { createTestDatabase, uniquePrefix, type TestDatabase } from '../helpers/db.js';
import { TEST_REDIS_URL } from '../helpers/env.js';
import { staffToken, syntheticJpeg } from './fixtures.js';

let db: TestDatabase;
let root: string;
let folder: string;
let redis: Redis;
let queues: PipelineQueues;
let deps: IngestDeps;
let opts: DropFolderOptions;

beforeAll(async () => {
  db = await createTestDatabase();
  root = await mkdtemp(path.join(os.tmpdir(), 'phat-drop-'));
  folder = path.join(root, 'cam');
  const { mkdir } = await import('node:fs/promises');
  await mkdir(folder);
  const config = loadConfig({ DATABASE_URL: db.url, REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: uniquePrefix('drop'), STORAGE_DIR: path.join(root, 'store') });
  redis = createRedis(config.REDIS_URL);
  queues = createPipelineQueues(config, redis);
  deps = { pool: db.pool, storage: new LocalBlobStore(config.STORAGE_DIR), queues, limits: { maxPixels: 4e7, maxBytes: 2e7 } };
  opts = { cameraCode: 'HCM-FTP-1', folder, maxFutureS: 120, logger: createLogger('silent', 'test'), stableMs: 100, sidecarWaitMs: 300 };
  const op = await staffToken(db.pool, 'operator');
  await createCamera(db.pool, { code: 'HCM-FTP-1', name: 'ftp', province: 'TP HCM', address: 'x', cameraType: 'red_light', dropFolder: folder }, op);
});
afterAll(async () => {
  await Promise.all(queues.all().map((q) => q.obliterate({ force: true })));
  await queues.close();
  redis.disconnect();
  await db.drop();
  await rm(root, { recursive: true, force: true });
});

const stamp = (d: Date) => d.toISOString().replace(/[-:]/g, '').replace(/\.(\d{3})Z$/, '$1Z');

describe('drop folder', () => {
  it('ingests an image with a sidecar JSON and moves both to done/', async () => {
    const file = path.join(folder, 'a.jpg');
    await writeFile(file, await syntheticJpeg());
    await writeFile(path.join(folder, 'a.json'), JSON.stringify({ captured_at: new Date(Date.now() - 5000).toISOString(), signal_phase: 'red', red_elapsed_ms: 2100, lane: 3 }));
    const outcome = await ingestDropFile(deps, opts, file);
    expect(outcome).toMatchObject({ kind: 'ingested', duplicate: false });
    expect((await readdir(path.join(folder, 'done'))).sort()).toEqual(['a.jpg', 'a.json']);
    const { rows } = await db.pool.query('SELECT source, source_name, signal_phase, red_elapsed_ms, lane FROM captures');
    expect(rows).toEqual([{ source: 'drop_folder', source_name: 'a.jpg', signal_phase: 'red', red_elapsed_ms: 2100, lane: 3 }]);
  });

  it('reads metadata from the file name when there is no sidecar', async () => {
    const name = `${stamp(new Date(Date.now() - 3000))}_red800_lane1.jpg`;
    await writeFile(path.join(folder, name), await syntheticJpeg());
    expect(await ingestDropFile(deps, opts, path.join(folder, name))).toMatchObject({ kind: 'ingested' });
    const { rows } = await db.pool.query('SELECT red_elapsed_ms, lane FROM captures WHERE source_name = $1', [name]);
    expect(rows).toEqual([{ red_elapsed_ms: 800, lane: 1 }]);
  });

  it('moves refused files to rejected/ with the reason beside them, and stores nothing', async () => {
    const before = (await db.pool.query('SELECT count(*)::int AS n FROM captures')).rows[0].n;
    await writeFile(path.join(folder, 'IMG_0001.jpg'), await syntheticJpeg());
    await writeFile(path.join(folder, 'broken.jpg'), Buffer.from('not a jpeg'));
    await writeFile(path.join(folder, 'broken.json'), JSON.stringify({ captured_at: new Date().toISOString() }));
    await writeFile(path.join(folder, 'future.jpg'), await syntheticJpeg());
    await writeFile(path.join(folder, 'future.json'), JSON.stringify({ captured_at: new Date(Date.now() + 86_400_000).toISOString() }));
    expect(await ingestDropFile(deps, opts, path.join(folder, 'IMG_0001.jpg'))).toMatchObject({ kind: 'rejected', reason: expect.stringMatching(/^missing_metadata/) });
    expect(await ingestDropFile(deps, opts, path.join(folder, 'broken.jpg'))).toMatchObject({ kind: 'rejected', reason: expect.stringMatching(/^not_an_image/) });
    expect(await ingestDropFile(deps, opts, path.join(folder, 'future.jpg'))).toMatchObject({ kind: 'rejected', reason: expect.stringMatching(/^captured_in_future/) });
    const rejected = await readdir(path.join(folder, 'rejected'));
    expect(rejected.sort()).toEqual(['IMG_0001.jpg', 'IMG_0001.jpg.reason.txt', 'broken.jpg', 'broken.jpg.reason.txt', 'broken.json',
      'future.jpg', 'future.jpg.reason.txt', 'future.json']);
    expect(await readFile(path.join(folder, 'rejected', 'future.jpg.reason.txt'), 'utf8')).toMatch(/camera clock/);
    expect((await db.pool.query('SELECT count(*)::int AS n FROM captures')).rows[0].n).toBe(before);
  });

  it('the watcher picks up files already waiting and new ones, and waits for a late sidecar', async () => {
    const image = await syntheticJpeg();
    await writeFile(path.join(folder, `${stamp(new Date(Date.now() - 2000))}.jpg`), await syntheticJpeg());
    const watcher = watchDropFolder(deps, opts);
    try {
      await writeFile(path.join(folder, 'late.jpg'), image);
      await new Promise((r) => setTimeout(r, 150));
      await writeFile(path.join(folder, 'late.json'), JSON.stringify({ captured_at: new Date(Date.now() - 1000).toISOString() }));
      const until = Date.now() + 10_000;
      while ((await readdir(folder)).some((f) => f.endsWith('.jpg')) && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
      await watcher.idle();
    } finally {
      await watcher.close();
    }
    expect((await readdir(folder)).filter((f) => f.endsWith('.jpg') || f.endsWith('.json'))).toEqual([]);
    const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM captures WHERE source_name = 'late.jpg'`);
    expect(rows[0].n).toBe(1);
  });
});
