import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cameraStats } from '../../src/cameras/camera-stats.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { seedCamera } from '../helpers/fixtures.js';

let db: TestDatabase;
beforeAll(async () => { db = await createTestDatabase(); });
afterAll(async () => { await db.drop(); });

/** The figures computed straight from the captures: what the rollups must always agree with. */
async function rawStats(hours: number) {
  const { rows } = await db.pool.query(
    `WITH w AS (
       SELECT c.camera_id, c.status, c.received_at,
              (SELECT r.confidence FROM plate_reads r WHERE r.capture_id = c.id ORDER BY r.rank LIMIT 1) AS best_confidence,
              EXISTS (SELECT 1 FROM plate_reads r WHERE r.capture_id = c.id AND r.valid) AS has_valid
       FROM captures c WHERE c.received_at > now() - make_interval(secs => $1))
     SELECT k.code,
       (SELECT count(*) FROM w WHERE w.camera_id = k.id)::int AS captures,
       (SELECT count(*) FROM w WHERE w.camera_id = k.id AND w.status = 'processed')::int AS processed,
       (SELECT count(*) FROM w WHERE w.camera_id = k.id AND w.status = 'processed' AND w.has_valid)::int AS with_valid_read,
       (SELECT avg(w.best_confidence) FROM w WHERE w.camera_id = k.id AND w.status = 'processed')::float8 AS mean_confidence,
       (SELECT count(*) FROM w WHERE w.camera_id = k.id AND w.status = 'dead_lettered')::int AS dead_window
     FROM cameras k ORDER BY k.code`,
    [hours * 3600],
  );
  return rows.map((r) => ({
    code: r.code, captures: r.captures, processed: r.processed, deadLettered: r.dead_window,
    readRate: r.processed > 0 ? Math.round((r.with_valid_read / r.processed) * 1000) / 1000 : null,
    meanConfidence: r.mean_confidence === null ? null : Math.round(r.mean_confidence * 1000) / 1000,
  }));
}

async function rolledStats(hours: number) {
  return (await cameraStats(db.pool, { hours })).map((s) => ({
    code: s.code, captures: s.captures, processed: s.processed, deadLettered: s.deadLettered, readRate: s.readRate, meanConfidence: s.meanConfidence,
  }));
}

const WINDOWS = [0.25, 1, 5.5, 24, 720];

/** `n` captures of random status over the last 40 days, each with 0-2 reads of random confidence and validity. */
async function addCaptures(n: number, seed: number) {
  await db.pool.query(
    `WITH c AS (
       INSERT INTO captures (camera_id, image_sha256, image_bytes, image_width, image_height, content_type, captured_at, received_at, source,
                             status, status_reason, processed_at, recognised_at)
       SELECT k.id, encode(sha256(convert_to($2 || ':' || i, 'UTF8')), 'hex'), 1000, 640, 480, 'image/jpeg', t, t, 'http', s,
              CASE WHEN s = 'dead_lettered' THEN 'ảnh hỏng' END, CASE WHEN s IN ('processed', 'dead_lettered') THEN t END,
              CASE WHEN s = 'processed' THEN t END
       FROM generate_series(1, $1) i
       CROSS JOIN LATERAL (SELECT (SELECT id FROM cameras ORDER BY id OFFSET (i % 3) LIMIT 1) AS id) k
       CROSS JOIN LATERAL (SELECT now() - make_interval(secs => (hashint4(i + $2) & 2147483647) % (40 * 86400)) + interval '1 minute' AS t,
                                  (ARRAY['processed', 'processed', 'processed', 'dead_lettered', 'queued', 'processing'])[1 + (hashint4(i * 7 + $2) & 2147483647) % 6] AS s) x
       RETURNING id, captured_at)
     INSERT INTO plate_reads (capture_id, rank, plate_text, plate_key, raw_text, confidence, char_confidences, bbox_x, bbox_y, bbox_width, bbox_height,
                              layout, colour, valid, low_confidence, captured_at)
     SELECT c.id, r, '30A-123.45', '30A12345', '30A12345', ((hashint8(c.id * 3 + r) & 1023) / 1023.0)::real, ARRAY[0.9::real], 0, 0, 10, 10,
            'one-line', 'white', (hashint8(c.id + r) & 3) <> 0, false, c.captured_at
     FROM c CROSS JOIN LATERAL generate_series(0, ((hashint8(c.id) & 2147483647) % 3)::int - 1) r`,
    [n, seed],
  );
}

describe('per-camera figures from rollups', () => {
  it('agree with the figures computed from the captures, for windows from 15 minutes to 30 days', async () => {
    for (const code of ['CAM-A', 'CAM-B', 'CAM-C']) await seedCamera(db.pool, { code });
    await addCaptures(3000, 1);
    for (const hours of WINDOWS) expect(await rolledStats(hours), `${hours} h`).toEqual(await rawStats(hours));
    const all = await rolledStats(720);
    expect(all.reduce((s, r) => s + r.captures, 0)).toBeGreaterThan(2000);
    expect(all.every((r) => r.meanConfidence !== null && r.readRate !== null && r.deadLettered > 0)).toBe(true);
  });

  it('follow every later change at once: new captures, processing, dead-lettering, retries and deletions', async () => {
    await rolledStats(24);
    await addCaptures(500, 2);
    await db.pool.query(`UPDATE captures SET status = 'processed', processed_at = now(), recognised_at = now() WHERE status = 'processing'`);
    await db.pool.query(`UPDATE captures SET status = 'dead_lettered', status_reason = 'hỏng', processed_at = now() WHERE id % 11 = 0 AND status = 'queued'`);
    await db.pool.query(`DELETE FROM plate_reads WHERE capture_id IN (SELECT id FROM captures WHERE id % 13 = 0)`);
    await db.pool.query(`UPDATE captures SET status = 'queued', status_reason = NULL, processed_at = NULL, recognised_at = NULL WHERE id % 13 = 0 AND status = 'dead_lettered'`);
    await db.pool.query(`DELETE FROM captures WHERE id % 17 = 0 AND NOT EXISTS (SELECT 1 FROM plate_reads r WHERE r.capture_id = captures.id)`);
    for (const hours of WINDOWS) expect(await rolledStats(hours), `${hours} h`).toEqual(await rawStats(hours));
  });

  it('leave a change made by a transaction still running to the next reading, which sees it once committed', async () => {
    await rolledStats(24);
    const tx = await db.pool.connect();
    try {
      await tx.query('BEGIN');
      await tx.query(`UPDATE captures SET status = 'processed', processed_at = now(), recognised_at = now() WHERE status = 'queued' AND received_at > now() - interval '12 hours'`);
      const during = await rolledStats(24);
      expect(during).toEqual(await rawStats(24));
      await tx.query('COMMIT');
    } finally {
      tx.release();
    }
    expect(await rolledStats(24)).toEqual(await rawStats(24));
    const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM camera_stat_dirty`);
    expect(rows[0].n).toBe(0);
  });
});
