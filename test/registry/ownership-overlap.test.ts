import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PoolClient } from '../../src/db/pool.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

/**
 * Ownership periods of one vehicle never overlap (migration 191): checked set-based after each statement
 * that writes periods, with writers of the same vehicle taking turns. These are the properties the
 * exclusion constraint it replaced had: a statement that would make two periods overlap fails whole
 * (23P01), whatever it is (one row, many rows, an update), and two transactions cannot each add an
 * overlapping period while the other is not yet committed.
 */

let db: TestDatabase;
let owner: number;
let nextPlate = 1;

beforeAll(async () => {
  db = await createTestDatabase();
  owner = (await db.pool.query<{ id: number }>(
    `INSERT INTO owners (kind, national_id, full_name, address, province) VALUES ('person', '001190000777', 'Vũ Thị Lan', 'Số 5 Hàng Bông', 'Hà Nội') RETURNING id`)).rows[0]!.id;
});
afterAll(async () => { await db.drop(); });

async function vehicle(): Promise<number> {
  const n = String(nextPlate++).padStart(5, '0');
  return (await db.pool.query<{ id: number }>(
    `INSERT INTO vehicles (plate, plate_key, plate_colour, vehicle_type, registered_at) VALUES ($1, $2, 'white', 'car', '2020-01-01') RETURNING id`,
    [`30K-${n.slice(0, 3)}.${n.slice(3)}`, `30K${n}`])).rows[0]!.id;
}

const period = (v: number, from: string, to: string | null) => [v, owner, from, to];
const INSERT = 'INSERT INTO vehicle_ownerships (vehicle_id, owner_id, valid_from, valid_to) VALUES ($1, $2, $3, $4)';
const codeOf = (p: Promise<unknown>) => p.then(() => 'ok', (err: { code?: string }) => err.code);
const periodsOf = async (v: number) => (await db.pool.query<{ valid_from: Date; valid_to: Date | null }>(
  'SELECT valid_from, valid_to FROM vehicle_ownerships WHERE vehicle_id = $1 ORDER BY valid_from', [v])).rows;

describe('ownership periods of one vehicle', () => {
  it('may follow each other end to start, and may not overlap, whether the new period starts before, inside or at the same time', async () => {
    const v = await vehicle();
    await db.pool.query(INSERT, period(v, '2022-01-01', '2023-01-01'));
    await db.pool.query(INSERT, period(v, '2023-01-01', null));
    for (const [from, to] of [['2021-06-01', '2022-02-01'], ['2022-03-01', '2022-04-01'], ['2022-01-01', '2022-02-01'], ['2024-01-01', null], ['2020-01-01', null]] as const) {
      expect(await codeOf(db.pool.query(INSERT, period(v, from, to))), `${from}..${to}`).toBe('23P01');
    }
    expect(await periodsOf(v)).toHaveLength(2);
  });

  it('are checked across all rows of one statement: two new periods that overlap each other fail together, periods of many vehicles pass together', async () => {
    const a = await vehicle();
    const b = await vehicle();
    const res = db.pool.query(`INSERT INTO vehicle_ownerships (vehicle_id, owner_id, valid_from, valid_to)
      VALUES ($1, $3, '2022-01-01', NULL), ($2, $3, '2022-01-01', NULL), ($2, $3, '2023-01-01', NULL)`, [a, b, owner]);
    await expect(res).rejects.toMatchObject({ code: '23P01', message: expect.stringContaining(`xe #${b} chồng lên nhau`) });
    expect([...await periodsOf(a), ...await periodsOf(b)]).toEqual([]);
    const many = await Promise.all(Array.from({ length: 20 }, () => vehicle()));
    await db.pool.query(`INSERT INTO vehicle_ownerships (vehicle_id, owner_id, valid_from, valid_to)
      SELECT v, $2::bigint, timestamptz '2021-01-01', timestamptz '2022-01-01' FROM unnest($1::bigint[]) v
      UNION ALL SELECT v, $2::bigint, timestamptz '2022-01-01', NULL FROM unnest($1::bigint[]) v`, [many, owner]);
    expect(await periodsOf(many[7]!)).toHaveLength(2);
  });

  it('may not be stretched over the next one by an update', async () => {
    const v = await vehicle();
    await db.pool.query(INSERT, period(v, '2022-01-01', '2023-01-01'));
    await db.pool.query(INSERT, period(v, '2023-01-01', null));
    expect(await codeOf(db.pool.query(`UPDATE vehicle_ownerships SET valid_to = '2023-06-01' WHERE vehicle_id = $1 AND valid_from = '2022-01-01'`, [v]))).toBe('23P01');
    expect(await codeOf(db.pool.query(`UPDATE vehicle_ownerships SET valid_to = NULL WHERE vehicle_id = $1 AND valid_from = '2022-01-01'`, [v]))).toBe('23P01');
    await db.pool.query(`UPDATE vehicle_ownerships SET valid_to = '2022-06-01' WHERE vehicle_id = $1 AND valid_from = '2022-01-01'`, [v]);
  });

  it('cannot be made to overlap by two transactions at once: the second waits for the first and is refused once it commits', async () => {
    const v = await vehicle();
    const first = await db.pool.connect();
    const second = await db.pool.connect();
    try {
      await first.query('BEGIN');
      await first.query(INSERT, period(v, '2022-01-01', null));
      await second.query('BEGIN');
      let settled = false;
      const waiting = codeOf(second.query(INSERT, period(v, '2022-06-01', null))).finally(() => { settled = true; });
      await new Promise((r) => setTimeout(r, 300));
      expect(settled).toBe(false);
      await first.query('COMMIT');
      expect(await waiting).toBe('23P01');
      await second.query('ROLLBACK');
      expect(await periodsOf(v)).toHaveLength(1);
    } finally {
      first.release();
      second.release();
    }
  });

  it('written for one vehicle hold up neither writers of other vehicles nor foreign-key checks on the vehicle itself', async () => {
    const v = await vehicle();
    const other = await vehicle();
    const first = await db.pool.connect();
    const second = await db.pool.connect();
    try {
      await first.query('BEGIN');
      await first.query(INSERT, period(v, '2022-01-01', null));
      await second.query(`SET lock_timeout = '2s'`);
      await second.query(INSERT, period(other, '2022-01-01', null));
      // what inserting a violation of the vehicle does to check its foreign key
      await second.query('SELECT 1 FROM vehicles WHERE id = $1 FOR KEY SHARE', [v]);
      await first.query('COMMIT');
    } finally {
      await second.query('RESET lock_timeout').catch(() => undefined);
      first.release();
      second.release();
    }
  });

  it('under the table lock a registry import takes, are still checked, lock no vehicle row, and hold up every other writer of periods', async () => {
    const v = await vehicle();
    const other = await vehicle();
    const importer = await db.pool.connect();
    const second = await db.pool.connect();
    try {
      await importer.query('BEGIN');
      await importer.query('LOCK TABLE vehicle_ownerships IN SHARE ROW EXCLUSIVE MODE');
      await importer.query(INSERT, period(v, '2022-01-01', null));
      await importer.query('SAVEPOINT overlap');
      expect(await codeOf(importer.query(INSERT, period(v, '2022-06-01', null)))).toBe('23P01');
      await importer.query('ROLLBACK TO SAVEPOINT overlap');
      await second.query(`SET lock_timeout = '500ms'`);
      // no row lock on the vehicle: what the check would otherwise have taken is free
      await second.query('BEGIN');
      await second.query('SELECT 1 FROM vehicles WHERE id = $1 FOR NO KEY UPDATE NOWAIT', [v]);
      await second.query('ROLLBACK');
      // but no other transaction writes a period, of any vehicle, until the import ends
      expect(await codeOf(second.query(INSERT, period(other, '2022-01-01', null)))).toBe('55P03');
      await importer.query('COMMIT');
      await second.query(INSERT, period(other, '2022-01-01', null));
      expect(await periodsOf(v)).toHaveLength(1);
    } finally {
      await second.query('RESET lock_timeout').catch(() => undefined);
      importer.release();
      second.release();
    }
  });

  it('are written only in READ COMMITTED transactions, where the check sees what a writer it waited for committed', async () => {
    const v = await vehicle();
    const client: PoolClient = await db.pool.connect();
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
      const res = client.query(INSERT, period(v, '2022-01-01', null));
      await expect(res).rejects.toMatchObject({ code: '55000', message: expect.stringContaining('READ COMMITTED') });
      await client.query('ROLLBACK');
    } finally {
      client.release();
    }
    expect(await periodsOf(v)).toEqual([]);
  });
});
