import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, unlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCamera } from '../../src/cameras/camera-registry.js';
import { loadConfig, type Config } from '../../src/config.js';
import { ingestCapture } from '../../src/ingest/ingest-capture.js';
import { createPipelineQueues, type PipelineQueues } from '../../src/queue/queues.js';
import { createRedis, type Redis } from '../../src/redis.js';
import { LocalBlobStore } from '../../src/storage/blob-store.js';
import { plateKey } from '../../src/vision/plate-grammar.js';
import { createTestDatabase, uniquePrefix, type TestDatabase } from '../helpers/db.js';
import { TEST_REDIS_URL } from '../helpers/env.js';
import { staffToken, syntheticJpeg } from '../ingest/fixtures.js';

const CAPTURES = 300;
const PLATED_EVERY = 10; // every 10th image carries a rendered plate, the rest are empty street
const MISSING_BLOB = 5; // these lose their image from storage: they must end dead-lettered
const ROOT = path.resolve(import.meta.dirname, '../..');

/** Distinct, valid plates (province 30, series A-K) on every PLATED_EVERY-th capture, so each is its own vehicle. */
const plateFor = (i: number): string | undefined =>
  i % PLATED_EVERY === 0 ? `30${'ABCDEFGHK'[i % 9]}-${String(10000 + i).slice(0, 3)}.${String(i % 100).padStart(2, '0')}` : undefined;

let db: TestDatabase;
let storageDir: string;
let config: Config;
let redis: Redis;
let queues: PipelineQueues;
const children = new Set<ChildProcess>();

function startWorker(): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'workers/main.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATABASE_URL: db.url, REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: config.QUEUE_PREFIX, STORAGE_DIR: storageDir,
      LOG_LEVEL: 'error', WORKER_CONCURRENCY: '2', JOB_LOCK_MS: '3000', JOB_STALLED_INTERVAL_MS: '1500', JOB_MAX_STALLED: '5',
      JOB_BACKOFF_MS: '200', RECONCILE_INTERVAL_MS: '3000',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

const exited = (child: ChildProcess) => new Promise<number | null>((resolve) => {
  if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
  else child.once('exit', (code) => resolve(code));
});

async function statusCounts(): Promise<Record<string, number>> {
  const { rows } = await db.pool.query<{ status: string; n: number }>('SELECT status, count(*)::int AS n FROM captures GROUP BY status');
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out; captures by status: ${JSON.stringify(await statusCounts())}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

beforeAll(async () => {
  db = await createTestDatabase();
  storageDir = await mkdtemp(path.join(os.tmpdir(), 'phat-kill-'));
  config = loadConfig({ DATABASE_URL: db.url, REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: uniquePrefix('kill'), STORAGE_DIR: storageDir });
  redis = createRedis(config.REDIS_URL);
  queues = createPipelineQueues(config, redis);
});

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await queues.close();
  redis.disconnect();
  await db.drop();
  await rm(storageDir, { recursive: true, force: true });
});

describe('a worker killed mid-run', () => {
  it('leaves every capture processed or dead-lettered exactly once, with one set of reads and no duplicate violations', async () => {
    const operator = await staffToken(db.pool, 'operator');
    await createCamera(db.pool, { code: 'HN-KILL-1', name: 'crash test', province: 'Hà Nội', address: 'lab', cameraType: 'speed', speedLimitKmh: 50, dedupWindowS: 0 }, operator);
    const storage = new LocalBlobStore(storageDir);
    const ingest = { pool: db.pool, storage, queues, limits: { maxPixels: config.MAX_IMAGE_PIXELS, maxBytes: config.MAX_UPLOAD_BYTES } };

    const first = startWorker();
    startWorker();
    const ids: number[] = [];
    const missing: number[] = [];
    for (let i = 0; i < CAPTURES; i++) {
      const plate = plateFor(i);
      const image = await syntheticJpeg(plate ? { plate } : {});
      const result = await ingestCapture(ingest, {
        camera: { code: 'HN-KILL-1' }, image, source: 'http',
        metadata: { capturedAt: new Date(Date.now() - 60_000 + i), speedKmh: 80, signalPhase: null, redElapsedMs: null, amberElapsedMs: null, lane: 1, direction: null },
      });
      expect(result.duplicate).toBe(false);
      ids.push(result.captureId);
      if (i % 60 === 7 && missing.length < MISSING_BLOB) {
        await unlink(path.join(storageDir, result.imageSha256.slice(0, 2), result.imageSha256.slice(2, 4), result.imageSha256));
        missing.push(result.captureId);
      }
    }

    // kill while it is busy: some of its jobs are mid-flight and hold locks that will never be released
    await waitFor(async () => ((await statusCounts()).processed ?? 0) >= 40, 60_000);
    first.kill('SIGKILL');
    expect(await exited(first)).toBe(null);
    startWorker();

    await waitFor(async () => {
      const c = await statusCounts();
      return (c.processed ?? 0) + (c.dead_lettered ?? 0) === CAPTURES;
    }, 75_000);
    for (const child of children) child.kill('SIGTERM');
    await Promise.all([...children].map(exited));

    const counts = await statusCounts();
    expect(counts).toEqual({ processed: CAPTURES - MISSING_BLOB, dead_lettered: MISSING_BLOB });
    const dead = await db.pool.query<{ id: number; status_reason: string }>(`SELECT id, status_reason FROM captures WHERE status = 'dead_lettered' ORDER BY id`);
    expect(dead.rows.map((r) => r.id)).toEqual(missing);
    for (const r of dead.rows) expect(r.status_reason).toBe('Không tìm thấy ảnh trong kho lưu trữ.');

    // exactly one set of reads per capture: one transaction wrote them all (one created_at), ranks 0..n-1
    const sets = await db.pool.query<{ capture_id: number; n: number; writes: number; max_rank: number }>(
      `SELECT capture_id, count(*)::int AS n, count(DISTINCT created_at)::int AS writes, max(rank)::int AS max_rank FROM plate_reads GROUP BY capture_id`);
    for (const s of sets.rows) {
      expect(s.writes).toBe(1);
      expect(s.max_rank).toBe(s.n - 1);
    }
    const plated = ids.filter((_, i) => i % PLATED_EVERY === 0 && !missing.includes(ids[i]!));
    const withReads = new Set(sets.rows.map((s) => s.capture_id));
    expect(plated.filter((id) => withReads.has(id)).length).toBeGreaterThanOrEqual(plated.length * 0.8);

    // each capture is evidence at most once, and no plate got two violations
    const evidence = await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM violation_evidence GROUP BY capture_id HAVING count(*) > 1');
    expect(evidence.rows).toEqual([]);
    // Only the rendered plates are known to be distinct: the dedup window is 0, so two captures whose random noise
    // patch the readers happen to read alike are rightly two violations, not a double processing.
    const rendered = ids.map((_, i) => plateFor(i)).filter((p): p is string => p !== undefined).map(plateKey);
    const twice = await db.pool.query('SELECT plate_key FROM violations WHERE plate_key = ANY($1) GROUP BY plate_key HAVING count(*) > 1', [rendered]);
    expect(twice.rows).toEqual([]);
    const violations = await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM violations');
    expect(violations.rows[0]!.n).toBeGreaterThan(0);
    const deadAudits = await db.pool.query(`SELECT entity_id FROM audit_log WHERE action = 'capture.dead_lettered' GROUP BY entity_id HAVING count(*) > 1`);
    expect(deadAudits.rows).toEqual([]);
  }, 150_000);
});
