import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pool } from '../../src/db/pool.js';
import { databaseBefore, type MigrationDb } from '../helpers/migration-db.js';

/**
 * Migrations 111 and 113 convert plate_reads in place: a database holding reads and evidence before
 * them keeps every read (same ids, now with its capture's time, in its month's partition) and every
 * evidence link.
 */
let db: MigrationDb;
let pool: Pool;

beforeAll(async () => {
  db = await databaseBefore('111');
  pool = db.pool;
});
afterAll(async () => {
  await db?.drop();
});

describe('plate_reads converted in place (migrations 111, 113)', () => {
  it('keeps every read and evidence link across the conversion', async () => {
    const cam = await pool.query<{ id: number }>(
      `INSERT INTO cameras (code, name, province, address, camera_type) VALUES ('MIG-1', 'Camera', 'Hà Nội', 'Kim Mã', 'red_light') RETURNING id`);
    const times = ['2026-06-30T23:30:00+07:00', '2026-07-01T00:10:00+07:00', '2026-09-15T12:00:00+07:00'];
    const reads: number[] = [];
    for (const [i, at] of times.entries()) {
      const c = await pool.query<{ id: number }>(
        `INSERT INTO captures (camera_id, image_sha256, image_bytes, image_width, image_height, content_type, captured_at, source)
         VALUES ($1, $2, 100, 640, 480, 'image/jpeg', $3, 'http') RETURNING id`, [cam.rows[0]!.id, String(i).repeat(64), at]);
      for (const rank of [0, 1]) {
        const r = await pool.query<{ id: number }>(
          `INSERT INTO plate_reads (capture_id, rank, plate_text, plate_key, raw_text, confidence, char_confidences, bbox_x, bbox_y, bbox_width,
             bbox_height, layout, colour, valid, low_confidence)
           VALUES ($1, $2, '30A-123.45', '30A12345', '30A12345', 0.9, ARRAY[0.9::real], 1, 1, 10, 10, 'one-line', 'white', true, false) RETURNING id`,
          [c.rows[0]!.id, rank]);
        reads.push(r.rows[0]!.id);
      }
    }
    const v = await pool.query<{ id: number }>(
      `INSERT INTO violations (camera_id, rule, violation_code, legal_clause, description, vehicle_category, occurred_at, plate_text, plate_key,
                               plate_colour, match_status, schedule_version, fine_min, fine_max, fine_amount, points, read_confidence)
       VALUES ($1, 'red_light', 'x', 'x', 'x', 'car', $2, '30A-123.45', '30A12345', 'white', 'unknown', 'nd168-2024', 1, 1, 1, 0, 0.9) RETURNING id`,
      [cam.rows[0]!.id, times[1]]);
    await pool.query(`INSERT INTO violation_evidence (violation_id, capture_id, plate_read_id)
                      SELECT $1, capture_id, id FROM plate_reads WHERE id = $2`, [v.rows[0]!.id, reads[2]]);
    const before = await pool.query('SELECT * FROM plate_reads ORDER BY id');

    await db.applyMigrations((ver) => ver >= '111');

    const after = await pool.query(
      `SELECT r.*, r.tableoid::regclass::text AS part, c.captured_at AS capture_time, c.camera_id AS capture_camera FROM plate_reads r JOIN captures c ON c.id = r.capture_id ORDER BY r.id`);
    expect(after.rows.map((r) => r.id)).toEqual(reads);
    for (const [i, row] of after.rows.entries()) {
      const { part, capture_time: captureTime, captured_at: capturedAt, camera_id: cameraId, capture_camera: captureCamera, ...rest } = row;
      expect(rest).toEqual(before.rows[i]);
      // migration 252 gives each existing read its capture's camera
      expect(cameraId).toBe(captureCamera);
      expect(capturedAt).toEqual(captureTime);
      expect(part).toBe(`plate_reads_p${new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Ho_Chi_Minh', year: 'numeric', month: '2-digit' })
        .format(capturedAt).replace('-', '')}`);
    }
    // 23:30 on June 30th and 00:10 on July 1st in Vietnam: two months
    expect(after.rows.map((r) => r.part)).toEqual(['plate_reads_p202606', 'plate_reads_p202606', 'plate_reads_p202607', 'plate_reads_p202607',
      'plate_reads_p202609', 'plate_reads_p202609']);
    const evidence = await pool.query('SELECT plate_read_id, plate_read_captured_at FROM violation_evidence');
    expect(evidence.rows).toEqual([{ plate_read_id: reads[2], plate_read_captured_at: new Date(times[1]!) }]);
    await expect(pool.query('DELETE FROM plate_reads WHERE id = $1', [reads[2]])).rejects.toThrow(/violates foreign key constraint/);
    // new reads keep drawing ids after the old ones
    const next = await pool.query<{ id: number }>(
      `INSERT INTO plate_reads (capture_id, rank, plate_text, plate_key, raw_text, confidence, char_confidences, bbox_x, bbox_y, bbox_width,
         bbox_height, layout, colour, valid, low_confidence, captured_at)
       SELECT id, 2, 'x', 'X', 'x', 0.5, ARRAY[0.5::real], 1, 1, 1, 1, 'one-line', 'white', false, true, captured_at FROM captures ORDER BY id LIMIT 1
       RETURNING id`);
    expect(next.rows[0]!.id).toBe(Math.max(...reads) + 1);
  });
});
