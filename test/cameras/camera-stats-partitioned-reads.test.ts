import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refreshCameraStatBuckets } from '../../src/cameras/camera-stat-rollup.js';
import { cameraStats } from '../../src/cameras/camera-stats.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { seedCamera } from '../helpers/fixtures.js';

let db: TestDatabase;
beforeAll(async () => { db = await createTestDatabase(); });
afterAll(async () => { await db.drop(); });

/** A processed capture received two hours ago (inside whole rollup buckets of a 24-hour window), taken at `capturedAt`. */
async function addCapture(cameraId: number, capturedAt: string, n: number): Promise<{ id: number; capturedAt: Date }> {
  const { rows } = await db.pool.query<{ id: number; captured_at: Date }>(
    `INSERT INTO captures (camera_id, image_sha256, image_bytes, image_width, image_height, content_type, captured_at, received_at, source,
                           status, processed_at, recognised_at)
     VALUES ($1, repeat($3, 64), 1000, 640, 480, 'image/jpeg', $2::timestamptz, now() - interval '2 hours', 'http', 'processed', now(), now())
     RETURNING id, captured_at`, [cameraId, capturedAt, (n % 10).toString()]);
  return { id: rows[0]!.id, capturedAt: rows[0]!.captured_at };
}

async function addRead(capture: { id: number; capturedAt: Date }, confidence: number): Promise<void> {
  await db.pool.query(
    `INSERT INTO plate_reads (capture_id, rank, plate_text, plate_key, raw_text, confidence, char_confidences, bbox_x, bbox_y, bbox_width, bbox_height,
                              layout, colour, valid, low_confidence, captured_at)
     VALUES ($1, 0, '30A-123.45', '30A12345', '30A12345', $2, ARRAY[0.9::real], 0, 0, 10, 10, 'one-line', 'white', true, false, $3)`,
    [capture.id, confidence, capture.capturedAt]);
}

/** The camera's whole buckets as the rollup holds them after folding. */
async function bucketSums(cameraId: number) {
  await refreshCameraStatBuckets(db.pool);
  const { rows } = await db.pool.query<{ processed: number; with_valid_read: number; confidence_n: number }>(
    `SELECT sum(processed)::int AS processed, sum(with_valid_read)::int AS with_valid_read, sum(confidence_n)::int AS confidence_n
     FROM camera_stat_buckets WHERE camera_id = $1`, [cameraId]);
  return rows[0];
}

describe('camera rollups over the month-partitioned plate_reads (migrations 100, 113, 150)', () => {
  it('keep the rollup triggers on the partitioned parent after every migration', async () => {
    const { rows } = await db.pool.query<{ relkind: string; triggers: string[] }>(
      `SELECT c.relkind::text, array(SELECT tgname::text FROM pg_trigger WHERE tgrelid = c.oid AND NOT tgisinternal ORDER BY tgname) AS triggers
       FROM pg_class c WHERE c.oid = 'plate_reads'::regclass`);
    expect(rows[0]!.relkind).toBe('p');
    expect(rows[0]!.triggers).toEqual(expect.arrayContaining(['plate_reads_stats_delete', 'plate_reads_stats_insert']));
  });

  it('count reads inserted into a monthly partition and into the default one, and forget them when deleted', async () => {
    const camera = await seedCamera(db.pool);
    // this month's partition exists from migration 113; a read of a year ago falls in plate_reads_default
    const recent = await addCapture(camera.id, new Date().toISOString(), 1);
    const old = await addCapture(camera.id, new Date(Date.now() - 365 * 86_400_000).toISOString(), 2);
    expect(await bucketSums(camera.id)).toEqual({ processed: 2, with_valid_read: 0, confidence_n: 0 });

    await addRead(recent, 0.8);
    await addRead(old, 0.6);
    const { rows: parts } = await db.pool.query<{ part: string }>(
      `SELECT tableoid::regclass::text AS part FROM plate_reads WHERE capture_id = ANY($1::bigint[]) ORDER BY capture_id`, [[recent.id, old.id]]);
    expect(parts.map((p) => p.part)).toEqual([expect.stringMatching(/^plate_reads_p\d{6}$/), 'plate_reads_default']);
    expect(await bucketSums(camera.id)).toEqual({ processed: 2, with_valid_read: 2, confidence_n: 2 });
    const [stats] = await cameraStats(db.pool, { hours: 24, code: camera.code });
    expect(stats).toMatchObject({ processed: 2, readRate: 1, meanConfidence: 0.7 });

    await db.pool.query('DELETE FROM plate_reads WHERE capture_id = $1', [old.id]);
    expect(await bucketSums(camera.id)).toEqual({ processed: 2, with_valid_read: 1, confidence_n: 1 });
  });
});
