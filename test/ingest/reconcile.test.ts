import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { reconcileCaptures } from '../../src/ingest/reconcile.js';
import { createPipelineQueues, type PipelineQueues } from '../../src/queue/queues.js';
import { createRedis, type Redis } from '../../src/redis.js';
import { createTestDatabase, uniquePrefix, type TestDatabase } from '../helpers/db.js';
import { TEST_REDIS_URL } from '../helpers/env.js';
import { seedCamera } from '../helpers/fixtures.js';

let db: TestDatabase;
let redis: Redis;
let queues: PipelineQueues;
let cameraId: number;

beforeAll(async () => {
  db = await createTestDatabase();
  const config = loadConfig({ DATABASE_URL: db.url, REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: uniquePrefix('rec') });
  redis = createRedis(config.REDIS_URL);
  queues = createPipelineQueues(config, redis);
  cameraId = (await seedCamera(db.pool)).id;
});
afterAll(async () => {
  for (const q of queues.all()) await q.obliterate({ force: true });
  await queues.close();
  redis.disconnect();
  await db.drop();
});

let seq = 0;
async function waitingCapture(): Promise<number> {
  const { rows } = await db.pool.query<{ id: number }>(
    `INSERT INTO captures (camera_id, image_sha256, image_bytes, image_width, image_height, content_type, captured_at, source, received_at)
     VALUES ($1, $2, 100, 640, 480, 'image/jpeg', now() - interval '2 hours', 'http', now() - interval '1 hour') RETURNING id`,
    [cameraId, String(++seq).padStart(64, 'a')]);
  return rows[0]!.id;
}

describe('the reconciler', () => {
  it('does not call a job lost when it finished between the PostgreSQL and the Redis read', async () => {
    const id = await waitingCapture();
    await queues.enqueue('recognise', id);
    // the job completes (and BullMQ drops it) just after the reconciler read the capture as waiting
    const racing: PipelineQueues = { ...queues, recognise: new Proxy(queues.recognise, {
      get(target, prop, receiver) {
        if (prop !== 'getJobState') return Reflect.get(target, prop, receiver);
        return async (jobId: string) => {
          await db.pool.query(`UPDATE captures SET status = 'processed', recognised_at = now(), processed_at = now() WHERE id = $1`, [id]);
          await target.remove(jobId);
          return 'unknown';
        };
      },
    }) };
    expect(await reconcileCaptures(db.pool, racing, { olderThanMs: 60_000 })).toMatchObject({ checked: 1, reEnqueued: 0, deadLettered: 0 });
    expect(await queues.recognise.getJobState(`r-${id}`)).toBe('unknown');
  });

  it('puts a lost capture ahead of the waiting backlog', async () => {
    const backlog: number[] = [];
    for (let i = 0; i < 30; i++) {
      const id = await waitingCapture();
      await queues.enqueue('recognise', id);
      backlog.push(id);
    }
    const lost = await waitingCapture(); // its job never reached Redis
    const report = await reconcileCaptures(db.pool, queues, { olderThanMs: 60_000, limit: 1000 });
    expect(report).toMatchObject({ reEnqueued: 1, deadLettered: 0 });
    const next = await queues.recognise.getWaiting(0, 0);
    expect(next[0]?.id).toBe(`r-${lost}`);
  });
});
