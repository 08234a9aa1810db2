import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { matchPlate } from '../../src/matching/matcher.js';
import { importRegistryCsv, RegistryImportError, type ImportProgress } from '../../src/registry/csv-import.js';
import { createRng, syntheticVehicle } from '../../src/registry/synthetic.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

let db: TestDatabase;
beforeAll(async () => { db = await createTestDatabase(); });
afterAll(async () => { await db.drop(); });

const HEADER = 'plate,plate_colour,vehicle_type,make,model,colour,registered_at,owner_kind,national_id,tax_code,full_name,address,province,phone,email,basis,valid_from,valid_to';
const csv = (...rows: string[]) => Readable.from([[HEADER, ...rows].join('\n') + '\n']);
const now = new Date('2025-06-01T00:00:00+07:00');
const count = async (table: string) => (await db.pool.query(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n as number;

/** An export of `n` synthetic vehicles, each with an owner of its own (IDs `${idPrefix}90000000`, ...). */
async function* syntheticExport(n: number, seed: number, idPrefix: string) {
  const rng = createRng(seed);
  yield `${HEADER}\n`;
  for (let i = 0; i < n; i++) {
    const v = syntheticVehicle(rng);
    const id = `${idPrefix}${String(90_000_000 + i).padStart(8, '0')}`;
    yield `${v.plate},${v.plateColour},${v.vehicleType},,,,${v.registeredAt},person,${id},,Chủ ${i},Hà Nội,Hà Nội,,,,${v.registeredAt},\n`;
  }
}

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
      { line: 5, plate: '3OA-111.11', reason: expect.stringContaining('có phải 30A-111.11?') },
      { line: 6, plate: '30A-222.22', reason: 'national_id: số định danh cá nhân phải gồm 12 chữ số' },
      { line: 7, plate: '30A-333.33', reason: 'plate_colour: phải là một trong white, yellow, blue, red, white_red' },
      { line: 8, plate: '30A-444.44', reason: 'registered_at: "2021-02-30" không phải ngày có thật' },
      { line: 9, plate: '30A-123.45', reason: 'trùng với dòng 2' },
      { line: 10, plate: '30A-555.55', reason: 'số định danh 001090123456 xuất hiện ở dòng 2 với tên khác ("Nguyễn Văn An")' },
      { line: 11, plate: '30A-666.66', reason: 'tax_code: bắt buộc với chủ xe là tổ chức' },
      { line: 12, plate: '30A-777.77', reason: 'valid_from: là ngày trong tương lai' },
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
    expect(report.rejectedRows).toEqual([{ line: 2, plate: '30D-300.03', reason: expect.stringContaining('chồng lên một thời hạn đã ghi nhận') }]);
    const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM vehicle_ownerships o JOIN vehicles v ON v.id = o.vehicle_id WHERE v.plate_key = '30D30003'`);
    expect(rows[0].n).toBe(1);
  });

  it('reports progress batch by batch while reading, then once merged', async () => {
    const rows = Array.from({ length: 25 }, (_, i) =>
      `30E-4${String(i).padStart(2, '0')}.01,white,car,,,,2021-01-01,person,0010804${String(i).padStart(5, '0')},,Chủ ${i},Hà Nội,Hà Nội,,,,2021-01-01,`);
    const progress: ImportProgress[] = [];
    const report = await importRegistryCsv(db.pool, csv(...rows), { now, batchSize: 10, onProgress: (p) => progress.push(p) });
    expect(report.accepted).toBe(25);
    expect(progress.map((p) => [p.phase, p.rows])).toEqual([['reading', 10], ['reading', 20], ['reading', 25], ['merged', 25]]);
  });

  it('names contradictions inside the file in Vietnamese: one plate as two vehicle types, two owners from the same moment', async () => {
    const report = await importRegistryCsv(db.pool, csv(
      '30G-600.06,white,car,,,,2021-01-01,person,001080600006,,Chủ Một,Hà Nội,Hà Nội,,,,2021-01-01,',
      '30G-600.06,white,truck,,,,2021-01-01,person,001080600006,,Chủ Một,Hà Nội,Hà Nội,,,,2022-01-01,',
      '30G-600.06,white,car,,,,2021-01-01,person,001080600007,,Chủ Hai,Hà Nội,Hà Nội,,,,2021-01-01,',
    ), { now });
    expect(report.rejectedRows).toEqual([
      { line: 3, plate: '30G-600.06', reason: 'biển số 30G-600.06 xuất hiện ở dòng 2 là ô tô' },
      { line: 4, plate: '30G-600.06', reason: 'biển số 30G-600.06 đã có chủ khác từ cùng thời điểm ở dòng 2' },
    ]);
    expect(report.accepted).toBe(1);
  });

  it('records the same history in one set-based import as row by row against recorded history', async () => {
    const sale = (plate: string, id: string) => [
      `${plate},white,car,,,,2018-01-01,person,001080${id}01,,Chủ Đầu,Hà Nội,Hà Nội,,,registration,2018-01-01,`,
      `${plate},white,car,,,,2018-01-01,person,001090${id}02,,Chủ Giữa,Hà Nội,Hà Nội,,,registration,2020-03-01,2021-01-01`,
      `${plate},white,car,,,,2018-01-01,person,001090${id}03,,Chủ Sau,Hà Nội,Hà Nội,,,sale_unregistered,2022-05-01,`,
      `${plate},white,car,,,,2018-01-01,person,001090${id}03,,Chủ Sau,Hà Nội,Hà Nội,,,registration,2022-08-01,`,
    ];
    const whole = await importRegistryCsv(db.pool, csv(...sale('30H-700.07', '0700')), { now });
    const oneByOne = [];
    for (const row of sale('30H-700.08', '0800')) oneByOne.push(await importRegistryCsv(db.pool, csv(row), { now }));
    expect(whole).toMatchObject({ accepted: 4, rejected: 0 });
    expect(oneByOne.map((r) => r.accepted)).toEqual([1, 1, 1, 1]);
    const history = async (key: string) => (await db.pool.query(
      `SELECT o.basis, o.valid_from, o.valid_to, w.full_name FROM vehicle_ownerships o JOIN vehicles v ON v.id = o.vehicle_id
       JOIN owners w ON w.id = o.owner_id WHERE v.plate_key = $1 ORDER BY o.valid_from`, [key])).rows;
    expect(await history('30H70007')).toEqual(await history('30H70008'));
    const again = await importRegistryCsv(db.pool, csv(...sale('30H-700.07', '0700')), { now });
    expect(again).toMatchObject({ rejected: 0, ownerships: { unchanged: 4, created: 0, updated: 0, closed_previous: 0 } });
    expect((await history('30H70007')).map((r) => r.valid_to?.toISOString() ?? null)).toEqual([
      '2020-02-29T17:00:00.000Z', '2020-12-31T17:00:00.000Z', '2022-07-31T17:00:00.000Z', null]);
  });

  it('sets an end date the export now gives, and rewrites no owner, vehicle or period on a plain re-import', async () => {
    const row = (to: string) => csv(`30K-800.08,white,car,Kia,Morning,đỏ,2021-01-01,person,001080800008,,Chủ Xe,Hà Nội,Hà Nội,0912000111,,,2021-01-01,${to}`);
    await importRegistryCsv(db.pool, row(''), { now });
    const ended = await importRegistryCsv(db.pool, row('2024-01-01'), { now });
    expect(ended.ownerships).toEqual({ created: 0, unchanged: 0, updated: 1, closed_previous: 0 });
    const versions = async () => (await db.pool.query(
      `SELECT (SELECT string_agg(xmin::text, ',' ORDER BY id) FROM owners) AS o, (SELECT string_agg(xmin::text, ',' ORDER BY id) FROM vehicles) AS v,
              (SELECT string_agg(xmin::text, ',' ORDER BY id) FROM vehicle_ownerships) AS p`)).rows[0];
    const before = await versions();
    const again = await importRegistryCsv(db.pool, row('2024-01-01'), { now });
    expect(again.ownerships).toEqual({ created: 0, unchanged: 1, updated: 0, closed_previous: 0 });
    expect(await versions()).toEqual(before);
  });

  it('streams a file many batches long and imports every row once', async () => {
    const n = 6_000;
    const vehiclesBefore = await count('vehicles');
    const report = await importRegistryCsv(db.pool, Readable.from(syntheticExport(n, 14, '0010')), { now, batchSize: 500 });
    // synthetic plates can repeat: a repeat is another period of the same plate, or a contradiction
    expect(report.rows).toBe(n);
    expect(report.accepted + report.rejected).toBe(n);
    expect(report.rejected).toBeLessThan(n / 100);
    const distinct = new Set((await db.pool.query<{ plate_key: string }>('SELECT plate_key FROM vehicles')).rows.map((r) => r.plate_key));
    expect(distinct.size - vehiclesBefore).toBeGreaterThan(n - n / 100);
  });

  it('leaves the registry analysed after a large import, so the matcher plans on the registry as it now is', async () => {
    const estimate = async () => Number((await db.pool.query(`SELECT reltuples FROM pg_class WHERE relname = 'vehicles'`)).rows[0].reltuples);
    const before = await estimate();
    const report = await importRegistryCsv(db.pool, Readable.from(syntheticExport(12_000, 15, '0020')), { now });
    expect(report.ownerships.created).toBeGreaterThan(10_000);
    const vehicles = await count('vehicles');
    // the planner's estimate was of the registry before (at most a few thousand rows here); now it is the registry itself
    expect(before).toBeLessThan(vehicles / 2);
    expect(await estimate()).toBe(vehicles);
  });

  it('keeps tabs, backslashes and line breaks inside quoted cells as written, and names the line a row ends on', async () => {
    const address = 'Ngõ 5\\Ngách 2\tTổ 3\nPhường Láng';
    const report = await importRegistryCsv(db.pool, csv(
      `30L-900.09,white,car,,,,2021-01-01,person,001080900009,,Chủ Nhà,"${address}",Hà Nội,,,,2021-01-01,`,
      '30L-900.10,white,car,,,,2021-01-01,person,00108090001,,Chủ Sai,"Tab\there",Hà Nội,,,,2021-01-01,',
    ), { now });
    expect(report.rejectedRows).toEqual([{ line: 4, plate: '30L-900.10', reason: 'national_id: số định danh cá nhân phải gồm 12 chữ số' }]);
    const { rows } = await db.pool.query(`SELECT address FROM owners WHERE national_id = '001080900009'`);
    expect(rows[0].address).toBe(address);
  });

  it('refuses a file that stops being CSV part way, after rows were already staged, and writes none of it', async () => {
    const before = await count('vehicles');
    const good = Array.from({ length: 30 }, (_, i) =>
      `30M-1${String(i).padStart(2, '0')}.01,white,car,,,,2021-01-01,person,0010805${String(i).padStart(5, '0')},,Chủ ${i},Hà Nội,Hà Nội,,,,2021-01-01,`);
    const broken = csv(...good, '30M-999.01,white,car,,,,2021-01-01,person,001080599999,,"Chủ không đóng ngoặc,Hà Nội,Hà Nội,,,,2021-01-01,');
    await expect(importRegistryCsv(db.pool, broken, { now, batchSize: 10 })).rejects.toThrow(/tệp không phải CSV hợp lệ/);
    expect(await count('vehicles')).toBe(before);
    const after = await importRegistryCsv(db.pool, csv(good[0]!), { now });
    expect(after).toMatchObject({ accepted: 1, rejected: 0 });
  });

  it('refuses a file without the required columns before writing anything', async () => {
    const before = await count('vehicles');
    await expect(importRegistryCsv(db.pool, Readable.from(['plate,owner\n30F-500.05,x\n']), { now })).rejects.toThrow(RegistryImportError);
    await expect(importRegistryCsv(db.pool, Readable.from(['plate,owner\n30F-500.05,x\n']), { now })).rejects.toThrow(/thiếu cột bắt buộc: plate_colour, vehicle_type/);
    expect(await count('vehicles')).toBe(before);
  });
});
