import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalBlobStore } from '../../src/storage/blob-store.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { sceneJpeg, seedCamera } from '../helpers/fixtures.js';

const exec = promisify(execFile);
const TSX = path.resolve('node_modules/.bin/tsx');

let db: TestDatabase;
let storageDir: string;
beforeAll(async () => {
  db = await createTestDatabase();
  storageDir = await mkdtemp(path.join(os.tmpdir(), 'phat-retention-cli-'));
});
afterAll(async () => {
  await db.drop();
  await rm(storageDir, { recursive: true, force: true });
});

const cli = (args: string[]) => exec(TSX, ['src/cli/retention.ts', ...args],
  { env: { ...process.env, DATABASE_URL: db.url, STORAGE_DIR: storageDir, RETENTION_NO_VIOLATION_DAYS: '30' } });

describe('npm run retention', () => {
  it('with --dry-run lists what would go and deletes nothing; without, deletes it', async () => {
    const storage = new LocalBlobStore(storageDir);
    const camera = await seedCamera(db.pool);
    const image = await sceneJpeg();
    const sha = await storage.put(image);
    await db.pool.query(
      `INSERT INTO captures (camera_id, image_sha256, image_bytes, image_width, image_height, content_type, captured_at, source, status, processed_at, recognised_at)
       VALUES ($1, $2, $3, 640, 480, 'image/jpeg', now() - interval '45 days', 'http', 'processed', now(), now())`, [camera.id, sha, image.length]);

    const dry = await cli(['--dry-run', '--json']);
    expect(JSON.parse(dry.stdout)).toMatchObject({ dryRun: true, deleted: { captures: 1, blobs: 1 } });
    expect((await db.pool.query('SELECT 1 FROM captures')).rowCount).toBe(1);
    expect(await storage.has(sha)).toBe(true);

    const real = await cli([]);
    expect(real.stdout).toMatch(/^deleted as of .*\n {2}captures +1\n/);
    expect((await db.pool.query('SELECT 1 FROM captures')).rowCount).toBe(0);
    expect(await storage.has(sha)).toBe(false);
  });

  it('refuses a --now that is not a date', async () => {
    await expect(cli(['--now', 'tomorrow'])).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('--now tomorrow is not a date') });
  });
});
