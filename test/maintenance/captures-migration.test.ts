import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pool } from '../../src/db/pool.js';
import { databaseBefore, type MigrationDb } from '../helpers/migration-db.js';

/**
 * Migration 180 converts captures in place: a database holding captures with reads, sightings, frames
 * and evidence before it keeps every row (same ids, in its month's partition), every reference (now on
 * id and time) and the rule "one capture per camera and image".
 */
let db: MigrationDb;
let pool: Pool;

beforeAll(async () => {
  db = await databaseBefore('180');
  pool = db.pool;
});
afterAll(async () => {
  await db?.drop();
});

const vietnamMonth = (t: Date) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Ho_Chi_Minh', year: 'numeric', month: '2-digit' })
  .format(t).replace('-', '');

describe('captures converted in place (migration 180)', () => {
  it('keeps every capture and every row that references one', async () => {
    const cam = await pool.query<{ id: number }>(
      `INSERT INTO cameras (code, name, province, address, camera_type) VALUES ('MIG-C', 'Camera', 'Hà Nội', 'Kim Mã', 'no_parking') RETURNING id`);
    const camera = cam.rows[0]!.id;
    // 23:30 on May 31st and 00:10 on June 1st in Vietnam are two months; one capture stamped to the microsecond
    const times = ['2026-05-31T23:30:00+07:00', '2026-06-01T00:10:00+07:00', '2026-08-15T12:00:00.123456+07:00'];
    const ids: number[] = [];
    for (const [i, at] of times.entries()) {
      const c = await pool.query<{ id: number }>(
        `INSERT INTO captures (camera_id, image_sha256, image_bytes, image_width, image_height, content_type, captured_at, source, status,
                               processed_at, recognised_at, status_reason)
         VALUES ($1, $2, 100, 640, 480, 'image/jpeg', $3, 'http', 'processed', now(), now(), 'x') RETURNING id`, [camera, String(i).repeat(64), at]);
      ids.push(c.rows[0]!.id);
      await pool.query(
        `INSERT INTO plate_reads (capture_id, rank, plate_text, plate_key, raw_text, confidence, char_confidences, bbox_x, bbox_y, bbox_width,
           bbox_height, layout, colour, valid, low_confidence, captured_at)
         SELECT id, 0, '30A-123.45', '30A12345', '30A12345', 0.9, ARRAY[0.9::real], 1, 1, 10, 10, 'one-line', 'white', true, false, captured_at
         FROM captures WHERE id = $1`, [ids[i]]);
      // written as the evaluate stage did before 180: the time as the client had it, cut to the millisecond
      await pool.query(`INSERT INTO parking_sightings (capture_id, camera_id, plate_key, seen_at) VALUES ($1, $2, '30A12345', $3)`,
        [ids[i], camera, new Date(at)]);
      await pool.query(`INSERT INTO capture_media (capture_id, seq, kind, sha256, bytes, content_type, width, height)
                        VALUES ($1, 1, 'frame', $2, 10, 'image/jpeg', 10, 10)`, [ids[i], String(i + 5).repeat(64)]);
    }
    const v = await pool.query<{ id: number }>(
      `INSERT INTO violations (camera_id, rule, violation_code, legal_clause, description, vehicle_category, occurred_at, plate_text, plate_key,
                               plate_colour, match_status, schedule_version, fine_min, fine_max, fine_amount, points, read_confidence)
       VALUES ($1, 'no_parking', 'x', 'x', 'x', 'car', $2, '30A-123.45', '30A12345', 'white', 'unknown', 'nd168-2024', 1, 1, 1, 0, 0.9) RETURNING id`,
      [camera, times[1]]);
    await pool.query(`INSERT INTO violation_evidence (violation_id, capture_id, plate_read_id, plate_read_captured_at)
                      SELECT $1, capture_id, id, captured_at FROM plate_reads WHERE capture_id = ANY($2::bigint[])`, [v.rows[0]!.id, ids.slice(1)]);
    const before = await pool.query('SELECT * FROM captures ORDER BY id');

    await db.applyMigrations((ver) => ver >= '180');

    const after = await pool.query('SELECT *, tableoid::regclass::text AS part FROM captures ORDER BY id');
    // later migrations may add columns (220: analytics events); every column the capture had is kept as it was
    const columns = Object.keys(before.rows[0]);
    expect(after.rows.map((r) => Object.fromEntries(columns.map((c) => [c, r[c]])))).toEqual(before.rows);
    expect(after.rows.map((r) => r.part)).toEqual(['captures_p202605', 'captures_p202606', 'captures_p202608']);
    for (const r of after.rows) expect(r.part).toBe(`captures_p${vietnamMonth(r.captured_at)}`);

    // every reference carries its capture's time exactly, the sighting written from a rounded time included
    const refs = await pool.query<{ kind: string; n: number }>(
      `SELECT 'read' AS kind, count(*)::int AS n FROM plate_reads r JOIN captures c ON c.id = r.capture_id AND c.captured_at = r.captured_at
       UNION ALL SELECT 'sighting', count(*)::int FROM parking_sightings s JOIN captures c ON c.id = s.capture_id AND c.captured_at = s.seen_at
       UNION ALL SELECT 'frame', count(*)::int FROM capture_media m JOIN captures c ON c.id = m.capture_id AND c.captured_at = m.captured_at
       UNION ALL SELECT 'evidence', count(*)::int FROM violation_evidence e JOIN captures c ON c.id = e.capture_id AND c.captured_at = e.captured_at
       UNION ALL SELECT 'key', count(*)::int FROM capture_keys k JOIN captures c ON c.id = k.capture_id AND c.captured_at = k.captured_at
         AND c.camera_id = k.camera_id AND c.image_sha256 = k.image_sha256`);
    expect(Object.fromEntries(refs.rows.map((r) => [r.kind, r.n]))).toEqual({ read: 3, sighting: 3, frame: 3, evidence: 2, key: 3 });

    // the database still refuses to delete evidence, and a second capture of the same camera and image
    await expect(pool.query('DELETE FROM captures WHERE id = $1', [ids[2]])).rejects.toThrow(/violates foreign key constraint/);
    await expect(pool.query(
      `INSERT INTO captures (camera_id, image_sha256, image_bytes, image_width, image_height, content_type, captured_at, source)
       VALUES ($1, $2, 100, 640, 480, 'image/jpeg', now(), 'http')`, [camera, '0'.repeat(64)])).rejects.toThrow(/capture_keys_pkey/);
    // new captures keep drawing ids after the old ones, and still mark the camera figures' buckets dirty
    await pool.query('DELETE FROM camera_stat_dirty');
    const next = await pool.query<{ id: number }>(
      `INSERT INTO captures (camera_id, image_sha256, image_bytes, image_width, image_height, content_type, captured_at, source)
       VALUES ($1, $2, 100, 640, 480, 'image/jpeg', now(), 'http') RETURNING id`, [camera, '9'.repeat(64)]);
    expect(next.rows[0]!.id).toBeGreaterThan(Math.max(...ids));
    expect((await pool.query('SELECT camera_id FROM camera_stat_dirty')).rows).toEqual([{ camera_id: camera }]);
  });
});
