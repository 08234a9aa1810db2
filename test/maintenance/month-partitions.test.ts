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
    expect(await ensureMonthPartitions(db.pool, new Date('2030-01-31T20:00:00Z'))).toBe(4);
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
    expect(await runMaintenanceJob('partitions', deps, new Date('2031-06-10T00:00:00Z'))).toEqual({ created: 4 });
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
