import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { matchPlate } from '../../src/matching/matcher.js';
import { importRegistryCsv, RegistryImportError, type ImportProgress } from '../../src/registry/csv-import.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

let db: TestDatabase;
beforeAll(async () => { db = await createTestDatabase(); });
afterAll(async () => { await db.drop(); });

const HEADER = 'plate,plate_colour,vehicle_type,make,model,colour,registered_at,owner_kind,national_id,tax_code,full_name,address,province,phone,email,basis,valid_from,valid_to';
const csv = (...rows: string[]) => Readable.from([[HEADER, ...rows].join('\n') + '\n']);
const now = new Date('2025-06-01T00:00:00+07:00');
const count = async (table: string) => (await db.pool.query(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n as number;

describe('importing a registry CSV export', () => {
  it('imports good rows, reports each bad row with its line and reason, and writes nothing for them', async () => {
    const report = await importRegistryCsv(db.pool, csv(
      '30A-123.45,white,car,Toyota,Vios,trắng,2021-03-01,person,001090123456,,Nguyễn Văn An,"Số 1 Láng Hạ, Hà Nội",Hà Nội,0912345678,,registration,2021-03-01,',
      '29-B1 678.90,white,motorbike,Honda,Wave,đỏ,2022-05-10,person,079195000111,,Trần Thị Bình,TP HCM,TP HCM,,,,2022-05-10,',
      '51C-999.99,yellow,truck,Hino,300,trắng,2020-01-01,organisation,,0301234567,Công ty Vận tải Sài Gòn,TP HCM,TP HCM,,,registration,2020-01-01,',
      '3OA-111.11,white,car,,,,2021-01-01,person,001090999999,,Lê Văn Cường,Hà Nội,Hà Nội,,,,2021-01-01,',
      '30A-222.22,white,car,,,,2021-01-01,person,00109099999,,Lê Văn Cường,Hà Nội,Hà Nội,,,,2021-01-01,',
      '30A-333.33,green,car,,,,2021-01-01,person,001090999999,,Lê Văn Cường,Hà Nội,Hà Nội,,,,2021-01-01,',
      '30A-444.44,white,car,,,,2021-02-30,person,001090999999,,Lê Văn Cường,Hà Nội,Hà Nội,,,,2021-01-01,',
      '30A-123.45,white,car,Toyota,Vios,trắng,2021-03-01,person,001090123456,,Nguyễn Văn An,"Số 1 Láng Hạ, Hà Nội",Hà Nội,0912345678,,registration,2021-03-01,',
      '30A-555.55,white,car,,,,2021-01-01,person,001090123456,,Nguyễn Văn Ân,Hà Nội,Hà Nội,,,,2021-01-01,',
      '30A-666.66,white,car,,,,2021-01-01,organisation,001090123456,,Ai Đó,Hà Nội,Hà Nội,,,,2021-01-01,',
      '30A-777.77,white,car,,,,2021-01-01,person,001090777777,,Phạm Văn Dũng,Hà Nội,Hà Nội,,,,2026-01-01,',
    ), { now });
    expect(report).toMatchObject({ rows: 11, accepted: 3, rejected: 8 });
    expect(report.rejectedRows).toEqual([
      { line: 5, plate: '3OA-111.11', reason: expect.stringContaining('did you mean 30A-111.11') },
      { line: 6, plate: '30A-222.22', reason: 'national_id: national ID must be 12 digits' },
      { line: 7, plate: '30A-333.33', reason: 'plate_colour: expected one of white, yellow, blue, red' },
      { line: 8, plate: '30A-444.44', reason: expect.stringContaining('registered_at: "2021-02-30" is not a calendar date') },
      { line: 9, plate: '30A-123.45', reason: 'duplicate of line 2' },
      { line: 10, plate: '30A-555.55', reason: expect.stringContaining('appears on line 2 with a different name') },
      { line: 11, plate: '30A-666.66', reason: 'tax_code: is required for an organisation' },
      { line: 12, plate: '30A-777.77', reason: 'valid_from: is in the future' },
    ]);
    expect(await count('vehicles')).toBe(3);
    expect(await count('owners')).toBe(3);
    const bike = await matchPlate(db.pool, { plateText: '29-B1 678.90', profile: 'vn', observedColour: 'white', at: now });
    expect(bike.status).toBe('exact');
    const audit = await db.pool.query(`SELECT actor, details FROM audit_log WHERE action = 'registry.imported' AND entity_id = $1`, [report.importId]);
    expect(audit.rows).toEqual([expect.objectContaining({ actor: 'registry-import', details: expect.objectContaining({ accepted: 3 }) })]);
  });

  it('changes nothing when the same file is imported again', async () => {
    const file = () => csv('30B-100.01,white,car,,,,2021-01-01,person,001080100001,,Đỗ Văn Em,Hà Nội,Hà Nội,,,,2021-01-01,');
    await importRegistryCsv(db.pool, file(), { now });
    const before = await count('vehicle_ownerships');
    const again = await importRegistryCsv(db.pool, file(), { now });
    expect(again).toMatchObject({ accepted: 1, rejected: 0, ownerships: { unchanged: 1, created: 0 } });
    expect(await count('vehicle_ownerships')).toBe(before);
  });

  it('keeps ownership history through a sale: the unregistered buyer answers after the sale, then re-registers', async () => {
    const report = await importRegistryCsv(db.pool, csv(
      '30C-200.02,white,car,,,,2019-01-01,person,001080200002,,Người Bán,Hà Nội,Hà Nội,,,registration,2019-01-01,',
      '30C-200.02,white,car,,,,2019-01-01,person,001090200003,,Người Mua,Hà Nội,Hà Nội,,,sale_unregistered,2024-06-01,',
      '30C-200.02,white,car,,,,2024-09-01,person,001090200003,,Người Mua,Hà Nội,Hà Nội,,,registration,2024-09-01,',
    ), { now });
    expect(report).toMatchObject({ accepted: 3, rejected: 0, ownerships: { created: 1, closed_previous: 2 } });
    const owner = async (at: string) => (await matchPlate(db.pool, { plateText: '30C-200.02', profile: 'vn', observedColour: 'white', at: new Date(at) })).ownerId;
    const names = new Map((await db.pool.query<{ id: number; full_name: string }>('SELECT id, full_name FROM owners')).rows.map((r) => [r.id, r.full_name]));
    expect(names.get((await owner('2024-01-01T00:00:00Z'))!)).toBe('Người Bán');
    expect(names.get((await owner('2024-07-01T00:00:00Z'))!)).toBe('Người Mua');
    const { rows } = await db.pool.query(`SELECT basis, valid_to FROM vehicle_ownerships o JOIN vehicles v ON v.id = o.vehicle_id
      WHERE v.plate_key = '30C20002' ORDER BY valid_from`);
    expect(rows.map((r) => r.basis)).toEqual(['registration', 'sale_unregistered', 'registration']);
    expect(rows[2].valid_to).toBeNull();
  });

  it('rejects a period that contradicts recorded history without closing anyone else\'s period', async () => {
    await importRegistryCsv(db.pool, csv('30D-300.03,white,car,,,,2020-01-01,person,001080300003,,Chủ Cũ,Hà Nội,Hà Nội,,,,2020-01-01,2023-01-01'), { now });
    const report = await importRegistryCsv(db.pool, csv('30D-300.03,white,car,,,,2020-01-01,person,001080300004,,Chủ Khác,Hà Nội,Hà Nội,,,,2022-01-01,2022-06-01'), { now });
    expect(report.rejectedRows).toEqual([{ line: 2, plate: '30D-300.03', reason: expect.stringContaining('overlaps an existing period') }]);
    const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM vehicle_ownerships o JOIN vehicles v ON v.id = o.vehicle_id WHERE v.plate_key = '30D30003'`);
    expect(rows[0].n).toBe(1);
  });

  it('reports progress batch by batch on long files', async () => {
    const rows = Array.from({ length: 25 }, (_, i) =>
      `30E-4${String(i).padStart(2, '0')}.01,white,car,,,,2021-01-01,person,0010804${String(i).padStart(5, '0')},,Chủ ${i},Hà Nội,Hà Nội,,,,2021-01-01,`);
    const progress: ImportProgress[] = [];
    const report = await importRegistryCsv(db.pool, csv(...rows), { now, batchSize: 10, onProgress: (p) => progress.push(p) });
    expect(report.accepted).toBe(25);
    expect(progress.map((p) => p.accepted)).toEqual([10, 20, 25]);
  });

  it('refuses a file without the required columns before writing anything', async () => {
    const before = await count('vehicles');
    await expect(importRegistryCsv(db.pool, Readable.from(['plate,owner\n30F-500.05,x\n']), { now })).rejects.toThrow(RegistryImportError);
    await expect(importRegistryCsv(db.pool, Readable.from(['plate,owner\n30F-500.05,x\n']), { now })).rejects.toThrow(/lacks required column\(s\): plate_colour, vehicle_type/);
    expect(await count('vehicles')).toBe(before);
  });
});
