import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../src/db/migrate.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

let db: TestDatabase;
beforeAll(async () => { db = await createTestDatabase(); });
afterAll(async () => { await db.drop(); });

const camera = `INSERT INTO cameras (code, name, province, address, camera_type, speed_limit_kmh)
  VALUES ($1, 'QL1A km 112', 'Bắc Giang', 'QL1A, Lạng Giang', 'speed', 80) RETURNING id`;

async function rejects(sql: string, params: unknown[] = []): Promise<string> {
  try {
    await db.pool.query(sql, params);
  } catch (err) {
    return (err as { code: string }).code;
  }
  throw new Error(`expected the database to refuse: ${sql}`);
}

describe('database schema', () => {
  it('is fully applied and re-running migrate changes nothing', async () => {
    expect(await migrate(db.pool)).toEqual([]);
    const { rows } = await db.pool.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`,
    );
    const tables = rows.map((r) => r.table_name);
    for (const t of ['cameras', 'captures', 'plate_reads', 'owners', 'vehicles', 'vehicle_ownerships',
      'violations', 'violation_evidence', 'notices', 'payments', 'users', 'audit_log']) {
      expect(tables).toContain(t);
    }
  });

  it('stores an image once per camera (sha256 unique per camera)', async () => {
    const { rows } = await db.pool.query<{ id: number }>(camera, ['CAM-SCHEMA-1']);
    const capture = `INSERT INTO captures (camera_id, image_sha256, image_bytes, image_width, image_height, content_type, captured_at, source)
      VALUES ($1, $2, 100, 1280, 720, 'image/jpeg', now(), 'http')`;
    const sha = 'a'.repeat(64);
    await db.pool.query(capture, [rows[0]!.id, sha]);
    expect(await rejects(capture, [rows[0]!.id, sha])).toBe('23505');
  });

  it('refuses a speed camera without a speed limit and an unknown camera type', async () => {
    expect(await rejects(`INSERT INTO cameras (code, name, province, address, camera_type) VALUES ('CAM-X', 'x', 'x', 'x', 'speed')`)).toBe('23514');
    expect(await rejects(`INSERT INTO cameras (code, name, province, address, camera_type) VALUES ('CAM-Y', 'x', 'x', 'x', 'drone')`)).toBe('23514');
  });

  it('refuses owners without a well-formed personal ID number or tax code', async () => {
    expect(await rejects(`INSERT INTO owners (kind, national_id, full_name, address, province) VALUES ('person', '12345', 'A', 'x', 'x')`)).toBe('23514');
    expect(await rejects(`INSERT INTO owners (kind, full_name, address, province) VALUES ('person', 'A', 'x', 'x')`)).toBe('23514');
    await db.pool.query(`INSERT INTO owners (kind, national_id, full_name, address, province) VALUES ('person', '024090123456', 'Nguyễn Văn A', 'x', 'Bắc Giang')`);
  });

  it('refuses overlapping ownership periods of one vehicle', async () => {
    const owner = await db.pool.query<{ id: number }>(`INSERT INTO owners (kind, national_id, full_name, address, province) VALUES ('person', '001190000001', 'B', 'x', 'Hà Nội') RETURNING id`);
    const vehicle = await db.pool.query<{ id: number }>(`INSERT INTO vehicles (plate, plate_key, plate_colour, vehicle_type, registered_at) VALUES ('30A-123.45', '30A12345', 'white', 'car', '2024-01-01') RETURNING id`);
    const own = `INSERT INTO vehicle_ownerships (vehicle_id, owner_id, valid_from, valid_to) VALUES ($1, $2, $3, $4)`;
    await db.pool.query(own, [vehicle.rows[0]!.id, owner.rows[0]!.id, '2024-01-01', '2025-01-01']);
    expect(await rejects(own, [vehicle.rows[0]!.id, owner.rows[0]!.id, '2024-06-01', null])).toBe('23P01');
    await db.pool.query(own, [vehicle.rows[0]!.id, owner.rows[0]!.id, '2025-01-01', null]);
  });

  it('refuses a fine outside its range and a rejection without a reason', async () => {
    const cam = await db.pool.query<{ id: number }>(camera, ['CAM-SCHEMA-2']);
    const violation = `INSERT INTO violations (camera_id, rule, violation_code, legal_clause, description, vehicle_category, occurred_at,
      plate_text, plate_key, plate_colour, match_status, schedule_version, fine_min, fine_max, fine_amount, points, read_confidence, status)
      VALUES ($1, 'speeding', '16824.6.5.đ.01', '6.5.đ', 'speeding', 'car', now(), '30A-999.99', '30A99999', 'white', 'unknown',
      'nd168-2025', 4000000, 6000000, $2, 2, 0.9, $3)`;
    expect(await rejects(violation, [cam.rows[0]!.id, 7_000_000, 'pending_review'])).toBe('23514');
    expect(await rejects(violation, [cam.rows[0]!.id, 5_000_000, 'rejected'])).toBe('23514');
    await db.pool.query(violation, [cam.rows[0]!.id, 5_000_000, 'pending_review']);
  });
});
