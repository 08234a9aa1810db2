import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skeleton } from '../../src/matching/confusion.js';
import { matchPlate } from '../../src/matching/matcher.js';
import { findVehiclesNearSkeleton } from '../../src/registry/lookup.js';
import { importRegistryCsv, type ImportReport } from '../../src/registry/csv-import.js';
import type { Pool } from '../../src/db/pool.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

// databases: an initial load, the same file loaded row by row, one whose import fails, one left to the default
let bulk: TestDatabase;
let rowByRow: TestDatabase;
let failing: TestDatabase;
let small: TestDatabase;
beforeAll(async () => {
  [bulk, rowByRow, failing, small] = await Promise.all([createTestDatabase(), createTestDatabase(), createTestDatabase(), createTestDatabase()]);
});
afterAll(async () => { await Promise.all([bulk, rowByRow, failing, small].map((d) => d?.drop())); });

const HEADER = 'plate,plate_colour,vehicle_type,make,model,colour,registered_at,owner_kind,national_id,tax_code,full_name,address,province,phone,email,basis,valid_from,valid_to';
const now = new Date('2025-06-01T00:00:00+07:00');

/**
 * Every path of a merge in one file: plain vehicles, a sale, an organisation, rejects of the row
 * checks and of the contradiction checks, and a vehicle whose rows are out of date order (recorded
 * row by row, one of them refused as an overlap).
 */
const FILE = [
  HEADER,
  ...Array.from({ length: 40 }, (_, i) =>
    `30A-${String(100 + i).padStart(3, '0')}.${String(i % 100).padStart(2, '0')},white,${i % 3 ? 'car' : 'motorbike'},Honda,,,2021-01-01,person,0010801${String(i).padStart(5, '0')},,Chủ ${i},Hà Nội,Hà Nội,,,,2021-0${1 + (i % 9)}-01,`),
  '30C-200.02,white,car,,,,2019-01-01,person,001080200002,,Người Bán,Hà Nội,Hà Nội,,,registration,2019-01-01,',
  '30C-200.02,white,car,,,,2019-01-01,person,001090200003,,Người Mua,Hà Nội,Hà Nội,,,sale_unregistered,2024-06-01,',
  '30C-200.02,white,car,,,,2024-09-01,person,001090200003,,Người Mua,Hà Nội,Hà Nội,,,registration,2024-09-01,',
  '51C-999.99,yellow,truck,Hino,300,trắng,2020-01-01,organisation,,0301234567,Công ty Vận tải Sài Gòn,TP HCM,TP HCM,,,registration,2020-01-01,',
  '30A-222.22,white,car,,,,2021-01-01,person,00109099999,,Lê Văn Cường,Hà Nội,Hà Nội,,,,2021-01-01,',
  '30G-600.06,white,truck,,,,2021-01-01,person,001080100001,,Chủ Khác,Hà Nội,Hà Nội,,,,2022-01-01,',
  '30D-300.03,white,car,,,,2020-01-01,person,001080300003,,Chủ Sau,Hà Nội,Hà Nội,,,,2022-01-01,',
  '30D-300.03,white,car,,,,2020-01-01,person,001080300004,,Chủ Trước,Hà Nội,Hà Nội,,,,2020-01-01,',
  '30D-300.03,white,car,,,,2020-01-01,person,001080300005,,Chủ Chen,Hà Nội,Hà Nội,,,,2022-03-01,2022-06-01',
].join('\n') + '\n';
const file = () => Readable.from([FILE]);

/** Indexes and constraints of the registry tables as the catalog has them (names, definitions, validated). */
async function registrySchema(pool: Pool) {
  const { rows } = await pool.query(
    `SELECT 'index' AS kind, indexrelid::regclass::text AS name, pg_get_indexdef(indexrelid) AS def, indisvalid AS ok
     FROM pg_index WHERE indrelid IN ('owners'::regclass, 'vehicles'::regclass, 'vehicle_ownerships'::regclass)
     UNION ALL
     SELECT 'constraint', conrelid::regclass::text || '.' || conname, pg_get_constraintdef(oid), convalidated
     FROM pg_constraint WHERE conrelid IN ('owners'::regclass, 'vehicles'::regclass, 'vehicle_ownerships'::regclass)
        OR confrelid IN ('owners'::regclass, 'vehicles'::regclass, 'vehicle_ownerships'::regclass)
     ORDER BY 1, 2`);
  return rows;
}

async function registryRows(pool: Pool) {
  const q = async (sql: string) => (await pool.query(sql)).rows;
  return {
    owners: await q('SELECT id, kind, national_id, tax_code, full_name, address, province, phone, email FROM owners ORDER BY id'),
    vehicles: await q(`SELECT id, plate, plate_key, plate_colour, vehicle_type, make, model, colour, registered_at::text,
                         plate_skeleton, plate_skeleton_deletions FROM vehicles ORDER BY id`),
    periods: await q('SELECT id, vehicle_id, owner_id, basis, valid_from, valid_to FROM vehicle_ownerships ORDER BY id'),
  };
}

const comparable = ({ importId: _i, elapsedMs: _e, initialLoad: _l, ...rest }: ImportReport) => rest;

describe('the first import into an empty registry (initial load)', () => {
  it('builds indexes and foreign keys after the load and ends with the rows, rejects, indexes and constraints of a row-by-row load', async () => {
    const schemaBefore = await registrySchema(bulk.pool);
    // a file this small loads row by row unless told (INITIAL_LOAD_MIN_ROWS)
    const initial = await importRegistryCsv(bulk.pool, file(), { now, initialLoad: true });
    const plain = await importRegistryCsv(rowByRow.pool, file(), { now, initialLoad: false });

    expect(initial.initialLoad).toBe(true);
    expect(plain.initialLoad).toBe(false);
    expect(comparable(initial)).toEqual(comparable(plain));
    expect(initial).toMatchObject({ rows: 49, accepted: 46 });
    expect(initial.rejectedRows.map((r) => r.line)).toEqual([46, 47, 49]);
    expect(await registryRows(bulk.pool)).toEqual(await registryRows(rowByRow.pool));
    expect(await registrySchema(bulk.pool)).toEqual(schemaBefore);
    expect(await registrySchema(rowByRow.pool)).toEqual(schemaBefore);

    // the rebuilt indexes answer: exactly, and by deletion keys for a read with a glyph missing
    const exact = await matchPlate(bulk.pool, { plateText: '51C-999.99', profile: 'vn', observedColour: 'yellow', at: now });
    expect(exact).toMatchObject({ status: 'exact', vehicleType: 'truck' });
    const near = await findVehiclesNearSkeleton(bulk.pool, skeleton('51C9999'), () => true);
    expect(near.map((v) => v.plateKey)).toEqual(['51C99999']);
    // the rebuilt foreign keys hold
    await expect(bulk.pool.query('INSERT INTO vehicle_ownerships (vehicle_id, owner_id, valid_from) VALUES (999999, 1, now())'))
      .rejects.toThrow(/vehicle_ownerships_vehicle_id_fkey/);
  });

  it('leaves a registry with rows to the row-by-row merge, and a re-import changes nothing', async () => {
    const again = await importRegistryCsv(bulk.pool, file(), { now, initialLoad: true });
    expect(again.initialLoad).toBe(false);
    expect(again).toMatchObject({ accepted: 46, ownerships: { created: 0, updated: 0, closed_previous: 0 } });
    expect(await registryRows(bulk.pool)).toEqual(await registryRows(rowByRow.pool));
  });

  it('writes nothing and leaves every index and constraint in place when the load fails after they were dropped', async () => {
    const schemaBefore = await registrySchema(failing.pool);
    // a failure in the middle of the merge: after the indexes were set aside and the vehicles inserted
    await failing.pool.query(`CREATE FUNCTION refuse_periods() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'periods refused for the test'; END $$`);
    await failing.pool.query(`CREATE TRIGGER refuse_periods AFTER INSERT ON vehicle_ownerships
      FOR EACH STATEMENT EXECUTE FUNCTION refuse_periods()`);
    await expect(importRegistryCsv(failing.pool, file(), { now, initialLoad: true })).rejects.toThrow(/periods refused for the test/);
    for (const table of ['owners', 'vehicles', 'vehicle_ownerships']) {
      expect((await failing.pool.query(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n, table).toBe(0);
    }
    expect(await registrySchema(failing.pool)).toEqual(schemaBefore);

    await failing.pool.query('DROP TRIGGER refuse_periods ON vehicle_ownerships');
    const report = await importRegistryCsv(failing.pool, file(), { now, initialLoad: true });
    expect(report).toMatchObject({ initialLoad: true, accepted: 46 });
  });

  it('loads a small file into an empty registry row by row unless told otherwise, and analyses a large initial load', async () => {
    const report = await importRegistryCsv(small.pool, file(), { now });
    expect(report.initialLoad).toBe(false);
    // an initial load is analysed whatever it changed: the planner then knows the registry's real density
    const analysed = await bulk.pool.query(
      `SELECT relname FROM pg_stat_user_tables WHERE relname IN ('owners', 'vehicles', 'vehicle_ownerships') AND last_analyze IS NOT NULL ORDER BY 1`);
    expect(analysed.rows.map((r) => r.relname)).toEqual(['owners', 'vehicle_ownerships', 'vehicles']);
  });
});
