import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { runMaintenanceJob } from '../../src/maintenance/scheduled-jobs.js';
import { ensureMonthPartitions } from '../../src/maintenance/month-partitions.js';
import { loadConfig } from '../../src/config.js';
import { LocalBlobStore } from '../../src/storage/blob-store.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { seedCamera } from '../helpers/fixtures.js';

let db: TestDatabase;
beforeAll(async () => { db = await createTestDatabase(); });
afterAll(async () => { await db.drop(); });

async function partitions(): Promise<Array<{ name: string; bound: string }>> {
  const { rows } = await db.pool.query<{ name: string; bound: string }>(
    `SELECT c.relname AS name, pg_get_expr(c.relpartbound, c.oid) AS bound FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
     WHERE i.inhparent = 'parking_sightings'::regclass ORDER BY c.relname`);
  return rows;
}

describe('monthly partitions of parking sightings', () => {
  it('creates the current and three following months once, on Vietnamese month boundaries', async () => {
    // 2030-01-31 20:00 UTC is already February 1st in Vietnam
    // four months for each monthly-partitioned table (captures, parking_sightings, plate_reads)
    expect(await ensureMonthPartitions(db.pool, new Date('2030-01-31T20:00:00Z'))).toBe(12);
    expect(await ensureMonthPartitions(db.pool, new Date('2030-01-31T20:00:00Z'))).toBe(0);
    const created = (await partitions()).filter((p) => p.name.startsWith('parking_sightings_p2030'));
    expect(created.map((p) => p.name)).toEqual(['parking_sightings_p203002', 'parking_sightings_p203003', 'parking_sightings_p203004', 'parking_sightings_p203005']);
    const bound = await db.pool.query<{ inside: boolean }>(
      `SELECT '2030-02-01T00:00:00+07:00'::timestamptz >= lo AND '2030-01-31T23:59:59+07:00'::timestamptz < lo AS inside
       FROM (SELECT (regexp_match(pg_get_expr(c.relpartbound, c.oid), 'FROM \\(''([^'']+)''\\)'))[1]::timestamptz AS lo
             FROM pg_class c WHERE c.relname = 'parking_sightings_p203002') b`);
    expect(bound.rows).toEqual([{ inside: true }]);
  });

  it('is the workers\' daily "partitions" job', async () => {
    const deps = { pool: db.pool, storage: new LocalBlobStore('/nonexistent'), config: loadConfig({}), logger: createLogger('silent', 'test') };
    expect(await runMaintenanceJob('partitions', deps, new Date('2031-06-10T00:00:00Z'))).toEqual({ created: 12 });
    expect(await runMaintenanceJob('partitions', deps, new Date('2031-06-10T00:00:00Z'))).toEqual({ created: 0 });
  });

  it('routes rows to their month, and a query by time reads only the months it asks for', async () => {
    await ensureMonthPartitions(db.pool, new Date('2030-01-15T00:00:00Z'));
    const camera = await seedCamera(db.pool, { cameraType: 'no_parking' });
    const capture = await db.pool.query<{ id: number }>(
      `INSERT INTO captures (camera_id, image_sha256, image_bytes, image_width, image_height, content_type, captured_at, source)
       VALUES ($1, $2, 100, 640, 480, 'image/jpeg', '2030-02-10T08:00:00+07:00', 'http') RETURNING id`, [camera.id, 'b'.repeat(64)]);
    await db.pool.query(`INSERT INTO parking_sightings (capture_id, camera_id, plate_key, seen_at) VALUES ($1, $2, '30A12345', '2030-02-10T08:00:00+07:00')`,
      [capture.rows[0]!.id, camera.id]);
    const stored = await db.pool.query<{ part: string }>(`SELECT tableoid::regclass::text AS part FROM parking_sightings`);
    expect(stored.rows).toEqual([{ part: 'parking_sightings_p203002' }]);
    const plan = await db.pool.query<{ 'QUERY PLAN': string }>(
      `EXPLAIN SELECT seen_at FROM parking_sightings WHERE camera_id = 1 AND plate_key = '30A12345'
       AND seen_at BETWEEN '2030-02-10T00:00:00+07:00' AND '2030-02-11T00:00:00+07:00'`);
    const text = plan.rows.map((r) => r['QUERY PLAN']).join('\n');
    expect(text).toContain('parking_sightings_p203002');
    expect(text).not.toMatch(/parking_sightings_p2030(01|03|04|05)|parking_sightings_default/);
  });
});

describe('monthly partitions of plate reads (migration 113)', () => {
  async function captureAt(at: string): Promise<number> {
    const camera = await seedCamera(db.pool);
    const { rows } = await db.pool.query<{ id: number }>(
      `INSERT INTO captures (camera_id, image_sha256, image_bytes, image_width, image_height, content_type, captured_at, source)
       VALUES ($1, encode(sha256(random()::text::bytea), 'hex'), 100, 640, 480, 'image/jpeg', $2, 'http') RETURNING id`, [camera.id, at]);
    return rows[0]!.id;
  }
  const insertRead = (captureId: number, at: string, rank = 0) => db.pool.query<{ id: number }>(
    `INSERT INTO plate_reads (capture_id, rank, plate_text, plate_key, raw_text, confidence, char_confidences, bbox_x, bbox_y, bbox_width, bbox_height,
       layout, colour, valid, low_confidence, captured_at)
     VALUES ($1, $3, '30A-999.99', '30A99999', '30A99999', 0.9, ARRAY[0.9::real], 1, 1, 10, 10, 'one-line', 'white', true, false, $2) RETURNING id`,
    [captureId, at, rank]);

  it('routes a read to the month of its capture, and a plate lookup by time reads only that month', async () => {
    await ensureMonthPartitions(db.pool, new Date('2030-01-15T00:00:00Z'));
    // 00:30 on March 1st in Vietnam is still February in UTC: the Vietnamese month decides
    const at = '2030-03-01T00:30:00+07:00';
    await insertRead(await captureAt(at), at);
    const stored = await db.pool.query(`SELECT tableoid::regclass::text AS part FROM plate_reads WHERE plate_key = '30A99999'`);
    expect(stored.rows).toEqual([{ part: 'plate_reads_p203003' }]);
    const plan = await db.pool.query<{ 'QUERY PLAN': string }>(
      `EXPLAIN SELECT id FROM plate_reads WHERE plate_key = '30A99999'
       AND captured_at BETWEEN '2030-03-01T00:00:00+07:00' AND '2030-03-20T00:00:00+07:00'`);
    const text = plan.rows.map((r) => r['QUERY PLAN']).join('\n');
    expect(text).toContain('plate_reads_p203003');
    expect(text).not.toMatch(/plate_reads_p2030(01|02|04|05)|plate_reads_default/);
  });

  it('refuses a read whose time is not its capture\'s (the foreign key names the capture by id and time)', async () => {
    const captureId = await captureAt('2030-02-10T08:00:00+07:00');
    await expect(insertRead(captureId, '2030-02-10T08:00:01+07:00')).rejects.toThrow(/violates foreign key constraint "plate_reads_capture_fkey"/);
  });

  it('still refuses, in the database, to delete a read that is evidence of a violation', async () => {
    const at = '2030-02-11T08:00:00+07:00';
    const captureId = await captureAt(at);
    const read = await insertRead(captureId, at);
    const camera = await db.pool.query<{ camera_id: number }>('SELECT camera_id FROM captures WHERE id = $1', [captureId]);
    const violation = await db.pool.query<{ id: number }>(
      `INSERT INTO violations (camera_id, rule, violation_code, legal_clause, description, vehicle_category, occurred_at, plate_text, plate_key,
                               plate_colour, match_status, schedule_version, fine_min, fine_max, fine_amount, points, read_confidence)
       VALUES ($1, 'red_light', 'x', 'x', 'x', 'car', $2, '30A-999.99', '30A99999', 'white', 'unknown', 'nd168-2024', 1, 1, 1, 0, 0.9) RETURNING id`,
      [camera.rows[0]!.camera_id, at]);
    await db.pool.query('INSERT INTO violation_evidence (violation_id, capture_id, captured_at, plate_read_id, plate_read_captured_at) VALUES ($1, $2, $4, $3, $4)',
      [violation.rows[0]!.id, captureId, read.rows[0]!.id, at]);
    await expect(db.pool.query('DELETE FROM plate_reads WHERE id = $1', [read.rows[0]!.id])).rejects.toThrow(/violates foreign key constraint "violation_evidence_plate_read/);
    // evidence cannot name a read that does not exist
    await expect(db.pool.query('INSERT INTO violation_evidence (violation_id, capture_id, captured_at, plate_read_id, plate_read_captured_at) VALUES ($1, $2, $4, $3, $4)',
      [violation.rows[0]!.id, await captureAt(at), 999_999_999, at])).rejects.toThrow(/violates foreign key constraint "violation_evidence_plate_read/);
  });
});

describe('monthly partitions of captures (migration 180)', () => {
  let camera: number;
  beforeAll(async () => {
    await ensureMonthPartitions(db.pool, new Date('2030-01-15T00:00:00Z'));
    camera = (await seedCamera(db.pool, { cameraType: 'no_parking' })).id;
  });
  const insertCapture = (sha: string, at: string, cameraId = camera) => db.pool.query<{ id: number; part: string }>(
    `INSERT INTO captures (camera_id, image_sha256, image_bytes, image_width, image_height, content_type, captured_at, source)
     VALUES ($1, $2, 100, 640, 480, 'image/jpeg', $3, 'http') RETURNING id, tableoid::regclass::text AS part`, [cameraId, sha, at]);
  const failure = (p: Promise<unknown>) => p.then(() => { throw new Error('expected the database to refuse'); },
    (err: { code: string; constraint: string }) => ({ code: err.code, constraint: err.constraint }));

  it('routes a capture to its Vietnamese month, and a query by time reads only the months it asks for', async () => {
    // 00:30 on April 1st in Vietnam is still March in UTC
    const { rows } = await insertCapture('c'.repeat(64), '2030-04-01T00:30:00+07:00');
    expect(rows[0]!.part).toBe('captures_p203004');
    const plan = await db.pool.query<{ 'QUERY PLAN': string }>(
      `EXPLAIN SELECT id FROM captures WHERE captured_at < '2030-03-01T00:00:00+07:00' AND status IN ('processed', 'dead_lettered')
       ORDER BY captured_at LIMIT 10`);
    const text = plan.rows.map((r) => r['QUERY PLAN']).join('\n');
    expect(text).toContain('captures_p203002');
    expect(text).not.toMatch(/captures_p2030(03|04|05)/);
  });

  it('keeps one capture per camera and image whatever month each copy would land in', async () => {
    const sha = 'd'.repeat(64);
    const first = await insertCapture(sha, '2030-02-03T08:00:00+07:00');
    expect(await failure(insertCapture(sha, '2030-05-03T08:00:00+07:00'))).toEqual({ code: '23505', constraint: 'capture_keys_pkey' });
    // another camera may send the same bytes (two cameras, one frame)
    const other = await seedCamera(db.pool);
    await insertCapture(sha, '2030-05-03T08:00:00+07:00', other.id);
    const keys = await db.pool.query('SELECT camera_id, capture_id FROM capture_keys WHERE image_sha256 = $1 ORDER BY capture_id', [sha]);
    expect(keys.rows).toEqual([{ camera_id: camera, capture_id: first.rows[0]!.id }, { camera_id: other.id, capture_id: expect.any(Number) }]);
    // the key goes with its capture: the camera may send those bytes again afterwards
    await db.pool.query('DELETE FROM captures WHERE id = $1', [first.rows[0]!.id]);
    expect((await insertCapture(sha, '2030-05-04T08:00:00+07:00')).rows[0]!.part).toBe('captures_p203005');
  });

  it('refuses, in the database, to delete a capture something references, or a reference to a capture at another time', async () => {
    const at = '2030-02-12T08:00:00+07:00';
    const { rows } = await insertCapture('e'.repeat(64), at);
    const id = rows[0]!.id;
    await db.pool.query(`INSERT INTO parking_sightings (capture_id, camera_id, plate_key, seen_at) VALUES ($1, $2, '30A77777', $3)`, [id, camera, at]);
    // (the name reported is that of the constraint's copy for the partition the capture is in)
    expect(await failure(db.pool.query('DELETE FROM captures WHERE id = $1', [id])))
      .toEqual({ code: '23503', constraint: expect.stringMatching(/^parking_sightings_capture/) });
    expect(await failure(db.pool.query(`INSERT INTO capture_media (capture_id, captured_at, seq, kind, sha256, bytes, content_type, width, height)
      VALUES ($1, '2030-02-12T08:00:01+07:00', 1, 'frame', $2, 10, 'image/jpeg', 10, 10)`, [id, 'f'.repeat(64)])))
      .toEqual({ code: '23503', constraint: 'capture_media_capture_fkey' });
  });

  it('moves the rows that carry a capture\'s time with it when that time is corrected', async () => {
    const at = '2030-02-20T08:00:00+07:00';
    const { rows } = await insertCapture('1'.repeat(64), at);
    const id = rows[0]!.id;
    await db.pool.query(
      `INSERT INTO plate_reads (capture_id, rank, plate_text, plate_key, raw_text, confidence, char_confidences, bbox_x, bbox_y, bbox_width, bbox_height,
         layout, colour, valid, low_confidence, captured_at)
       VALUES ($1, 0, '30A-888.88', '30A88888', '30A88888', 0.9, ARRAY[0.9::real], 1, 1, 10, 10, 'one-line', 'white', true, false, $2)`, [id, at]);
    await db.pool.query(`INSERT INTO parking_sightings (capture_id, camera_id, plate_key, seen_at) VALUES ($1, $2, '30A88888', $3)`, [id, camera, at]);
    await db.pool.query(`UPDATE captures SET captured_at = captured_at + interval '10 days' WHERE id = $1`, [id]);
    const where = await db.pool.query(
      `SELECT (SELECT tableoid::regclass::text FROM captures WHERE id = $1) AS capture,
              (SELECT tableoid::regclass::text FROM plate_reads WHERE capture_id = $1) AS read,
              (SELECT tableoid::regclass::text FROM parking_sightings WHERE capture_id = $1) AS sighting,
              (SELECT captured_at FROM capture_keys WHERE capture_id = $1) AS key_time`, [id]);
    expect(where.rows[0]).toEqual({ capture: 'captures_p203003', read: 'plate_reads_p203003', sighting: 'parking_sightings_p203003',
      key_time: new Date('2030-03-02T08:00:00+07:00') });
  });
});
