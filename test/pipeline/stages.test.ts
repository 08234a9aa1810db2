import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCamera } from '../../src/cameras/camera-registry.js';
import { loadConfig, type Config } from '../../src/config.js';
import { ingestCapture } from '../../src/ingest/ingest-capture.js';
import { reconcileCaptures } from '../../src/ingest/reconcile.js';
import { retryDeadLetter } from '../../src/pipeline/dead-letter.js';
import { runEvaluate } from '../../src/pipeline/evaluate-stage.js';
import { runRecognise } from '../../src/pipeline/recognise-stage.js';
import type { StageDeps } from '../../src/pipeline/stage-deps.js';
import { startPipelineWorkers } from '../../src/pipeline/workers.js';
import { RegistryBusyError } from '../../src/registry/initial-load.js';
import { createPipelineQueues, type PipelineQueues } from '../../src/queue/queues.js';
import { createRedis, type Redis } from '../../src/redis.js';
import { LocalBlobStore } from '../../src/storage/blob-store.js';
import { createPlateEngine, type PlateEngine } from '../../src/vision/engine.js';
import { createTestDatabase, uniquePrefix, type TestDatabase } from '../helpers/db.js';
import { TEST_REDIS_URL } from '../helpers/env.js';
import { staffToken, syntheticJpeg } from '../ingest/fixtures.js';
import { failureReason } from '../../src/pipeline/failure-reasons.js';
import { pipelineDeps } from '../helpers/pipeline-deps.js';

let db: TestDatabase;
let dir: string;
let config: Config;
let redis: Redis;
let queues: PipelineQueues;
let engine: PlateEngine;
let deps: StageDeps;
let operator: { id: number; username: string };

beforeAll(async () => {
  db = await createTestDatabase();
  dir = await mkdtemp(path.join(os.tmpdir(), 'phat-stages-'));
  config = loadConfig({ DATABASE_URL: db.url, REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: uniquePrefix('stages'), STORAGE_DIR: dir, JOB_ATTEMPTS: '2', JOB_BACKOFF_MS: '50' });
  redis = createRedis(config.REDIS_URL);
  queues = createPipelineQueues(config, redis);
  engine = await createPlateEngine();
  deps = pipelineDeps({ pool: db.pool, storage: new LocalBlobStore(dir), queues, engine });
  operator = await staffToken(db.pool, 'operator');
  await createCamera(db.pool, { code: 'HN-ST-1', name: 'stages', province: 'Hà Nội', address: 'lab', cameraType: 'speed', speedLimitKmh: 50 }, operator);
});
afterAll(async () => {
  await Promise.all(queues.all().map((q) => q.obliterate({ force: true })));
  await queues.close();
  redis.disconnect();
  await engine.close();
  await db.drop();
  await rm(dir, { recursive: true, force: true });
});

const meta = { capturedAt: new Date(Date.now() - 60_000), speedKmh: 75, signalPhase: null, redElapsedMs: null, amberElapsedMs: null, lane: null, direction: null };
const ingest = async (image: Buffer) => (await ingestCapture({ pool: db.pool, storage: deps.storage, queues, limits: { maxPixels: 4e7, maxBytes: 2e7 } },
  { camera: { code: 'HN-ST-1' }, image, metadata: meta, source: 'http' })).captureId;
const capture = async (id: number) => (await db.pool.query('SELECT status, status_reason, attempts, recognised_at FROM captures WHERE id = $1', [id])).rows[0];

describe('pipeline stages', () => {
  it('reads the plate, prices the speeding and marks the capture processed; running the stages again changes nothing', async () => {
    const id = await ingest(await syntheticJpeg({ plate: '30A-123.45' }));
    expect(await runRecognise(deps, id)).toBe('done');
    expect(await runEvaluate(deps, id)).toBe('done');
    const reads = await db.pool.query('SELECT id, plate_text, rank, valid FROM plate_reads WHERE capture_id = $1', [id]);
    expect(reads.rows).toMatchObject([{ plate_text: '30A-123.45', rank: 0, valid: true }]);
    expect(await capture(id)).toMatchObject({ status: 'processed', status_reason: expect.stringMatching(/^created violation \d+/) });

    expect(await runRecognise(deps, id)).toBe('skipped');
    expect(await runEvaluate(deps, id)).toBe('skipped');
    expect((await db.pool.query('SELECT id FROM plate_reads WHERE capture_id = $1', [id])).rows).toEqual(reads.rows.map((r) => ({ id: r.id })));
    expect((await db.pool.query('SELECT count(*)::int AS n FROM violation_evidence WHERE capture_id = $1', [id])).rows[0].n).toBe(1);
  });

  it('runs a capture stamped to the microsecond (another writer than ingest) through both stages, its reads and evidence carrying that exact time', async () => {
    const id = await ingest(await syntheticJpeg({ plate: '30A-678.90' }));
    // the stages name the capture by id and time (its partition): a time a JavaScript date cannot hold must still match
    await db.pool.query(`UPDATE captures SET captured_at = captured_at + interval '777 microseconds' WHERE id = $1`, [id]);
    expect(await runRecognise(deps, id)).toBe('done');
    expect(await runEvaluate(deps, id)).toBe('done');
    const { rows } = await db.pool.query(
      `SELECT c.status, (SELECT count(*)::int FROM plate_reads r WHERE r.capture_id = c.id AND r.captured_at = c.captured_at) AS reads,
              (SELECT count(*)::int FROM violation_evidence e WHERE e.capture_id = c.id AND e.captured_at = c.captured_at) AS evidence,
              extract(microseconds FROM c.captured_at)::int % 1000 AS micro
       FROM captures c WHERE c.id = $1`, [id]);
    expect(rows[0]).toEqual({ status: 'processed', reads: 1, evidence: 1, micro: 777 });
    expect(await runRecognise(deps, 999_999_999)).toBe('skipped');
  });

  it('a capture recognised before a crash is only evaluated, not read again', async () => {
    const id = await ingest(await syntheticJpeg());
    await runRecognise(deps, id);
    const before = await capture(id);
    expect(await runRecognise(deps, id)).toBe('skipped');
    expect((await capture(id)).recognised_at).toEqual(before.recognised_at);
    expect(await runEvaluate(deps, id)).toBe('done');
    expect(await capture(id)).toMatchObject({ status: 'processed', status_reason: 'no_plate: no plate was read' });
  });

  it('dead-letters an unreadable stored image at once with the reason, and an operator retry sends it through again', async () => {
    const good = await syntheticJpeg();
    const id = await ingest(good);
    const sha = (await db.pool.query('SELECT image_sha256 FROM captures WHERE id = $1', [id])).rows[0].image_sha256 as string;
    const blob = path.join(dir, sha.slice(0, 2), sha.slice(2, 4), sha);
    const { writeFile } = await import('node:fs/promises');
    await writeFile(blob, good.subarray(0, 200)); // storage corrupted after ingest
    expect(await runRecognise(deps, id)).toBe('dead_lettered');
    // operators read Vietnamese; the technical cause stays in the audit entry
    expect(await capture(id)).toMatchObject({ status: 'dead_lettered', status_reason: failureReason.imageTampered() });
    const audited = await db.pool.query(`SELECT details FROM audit_log WHERE action = 'capture.dead_lettered' AND entity_id = $1`, [String(id)]);
    expect(audited.rows).toHaveLength(1);
    expect(audited.rows[0].details.detail).toMatch(/^stored object [0-9a-f]{64}/);

    await writeFile(blob, good); // the operator restored the file
    expect(await retryDeadLetter(db.pool, queues, id, operator)).toEqual({ ok: true });
    expect(await queues.recognise.getJobState(`r-${id}`)).toBe('waiting');
    expect(await runRecognise(deps, id)).toBe('done');
    expect(await retryDeadLetter(db.pool, queues, id, operator)).toMatchObject({ ok: false, reason: 'not_dead_lettered' });
  });

  it('a job that keeps failing dead-letters its capture with the last error after the configured attempts', async () => {
    const id = await ingest(await syntheticJpeg());
    const failing: StageDeps = { ...deps, evaluate: async () => { throw new Error('registry database unreachable'); } };
    const workers = startPipelineWorkers(config, failing);
    try {
      const until = Date.now() + 20_000;
      while ((await capture(id)).status !== 'dead_lettered' && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    } finally {
      await workers.close();
    }
    expect(await capture(id)).toMatchObject({ status: 'dead_lettered', status_reason: 'Bước xét vi phạm thất bại 2 lần liên tiếp; xem nhật ký hệ thống rồi chọn "Xử lý lại".' });
    const audited = await db.pool.query(`SELECT details FROM audit_log WHERE action = 'capture.dead_lettered' AND entity_id = $1`, [String(id)]);
    expect(audited.rows[0].details.detail).toBe('last error: registry database unreachable');
    expect(await queues.evaluate.getJobState(`e-${id}`)).toBe('failed');
  });

  it('does not wait for a first registry load: evaluation fails at once and its job comes back later without using an attempt', async () => {
    const id = await ingest(await syntheticJpeg({ plate: '30A-246.80' }));
    expect(await runRecognise(deps, id)).toBe('done'); // queues the evaluate job
    // what an initial load holds until it commits (src/registry/initial-load.ts)
    const loader = await db.pool.connect();
    await loader.query('BEGIN');
    await loader.query('LOCK TABLE owners, vehicles, vehicle_ownerships IN ACCESS EXCLUSIVE MODE');
    let workers: ReturnType<typeof startPipelineWorkers> | undefined;
    try {
      const started = Date.now();
      await expect(runEvaluate(deps, id)).rejects.toBeInstanceOf(RegistryBusyError);
      expect(Date.now() - started).toBeLessThan(2000);
      workers = startPipelineWorkers(config, deps);
      // JOB_ATTEMPTS is 2 here: two failed attempts would dead-letter the capture within this wait
      await new Promise((r) => setTimeout(r, 3000));
      expect(['queued', 'processing']).toContain((await capture(id)).status);
      expect(await queues.evaluate.getJobState(`e-${id}`)).toBe('delayed');
      expect((await queues.evaluate.getJob(`e-${id}`))?.attemptsMade).toBe(0);
    } finally {
      await loader.query('ROLLBACK');
      loader.release();
    }
    try {
      const until = Date.now() + 20_000;
      while ((await capture(id)).status !== 'processed' && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    } finally {
      await workers?.close();
    }
    expect(await capture(id)).toMatchObject({ status: 'processed' });
  });

  it('the reconciler re-enqueues a capture whose job was lost, and leaves waiting ones alone', async () => {
    const id = await ingest(await syntheticJpeg());
    await queues.recognise.remove(`r-${id}`); // as if Redis lost it
    await db.pool.query(`UPDATE captures SET received_at = now() - interval '1 hour' WHERE id = $1`, [id]);
    const report = await reconcileCaptures(db.pool, queues, { olderThanMs: 60_000 });
    expect(report.reEnqueued).toBe(1);
    expect(await queues.recognise.getJobState(`r-${id}`)).toBe('waiting');
    expect((await reconcileCaptures(db.pool, queues, { olderThanMs: 60_000 })).reEnqueued).toBe(0);
  });
});
