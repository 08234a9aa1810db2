import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agingBucket } from '../../src/finance/reports.js';
import { LocalBlobStore } from '../../src/storage/blob-store.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { backdateNotice, decideNotice, seedCamera, seedNotice, staffWithSession, type SeededNotice, type TestStaff } from '../helpers/fixtures.js';

const DAY = 86_400_000;
let t: TestApp;
let finance: TestStaff;
let officer: TestStaff;
const n: Record<string, SeededNotice> = {};
let now: number;

beforeAll(async () => {
  t = await createTestApp();
  const storage = new LocalBlobStore(t.config.STORAGE_DIR);
  finance = await staffWithSession(t.db.pool, 'finance');
  officer = await staffWithSession(t.db.pool, 'officer');
  const north = await seedCamera(t.db.pool, { code: 'HN-NORTH' });
  const south = await seedCamera(t.db.pool, { code: 'HN-SOUTH' });
  // red light = 19.000.000 đ, speeding = 5.000.000 đ
  n.age5 = await seedNotice(t.db.pool, storage, { cameraId: north.id, officer });
  n.age30 = await seedNotice(t.db.pool, storage, { cameraId: north.id, officer, rule: 'speeding' });
  n.age100 = await seedNotice(t.db.pool, storage, { cameraId: south.id, officer });
  n.age200 = await seedNotice(t.db.pool, storage, { cameraId: south.id, officer, rule: 'speeding' });
  n.paid = await seedNotice(t.db.pool, storage, { cameraId: north.id, officer });
  await backdateNotice(t.db.pool, n.age5.noticeId, 5);
  await backdateNotice(t.db.pool, n.age30.noticeId, 30);
  await backdateNotice(t.db.pool, n.age100.noticeId, 100);
  await backdateNotice(t.db.pool, n.age200.noticeId, 200);
  await backdateNotice(t.db.pool, n.paid.noticeId, 10);
  now = Date.now();
  await decideNotice(t.app, officer, n.paid.noticeNumber);
  const res = await t.app.inject({ method: 'POST', url: '/api/v1/payments', headers: finance.headers,
    payload: { noticeNumber: n.paid.noticeNumber, amount: 19_000_000, paidAt: new Date(now - 3600_000).toISOString(), method: 'cash', reference: 'BL-REPORT' } });
  expect(res.statusCode).toBe(201);
});

afterAll(async () => {
  await t.close();
});

const get = (url: string) => t.app.inject({ method: 'GET', url, headers: finance.headers });

describe('aging buckets', () => {
  it('puts the 20 days to resolve in the first bucket and the rest by how overdue', () => {
    expect([0, 20, 21, 60, 61, 180, 181, 900].map(agingBucket)).toEqual(['0-20', '0-20', '21-60', '21-60', '61-180', '61-180', '>180', '>180']);
  });
});

describe('GET /api/v1/finance/outstanding', () => {
  it('lists unpaid notices oldest first with totals per aging bucket; paid notices are not owed', async () => {
    const res = await get('/api/v1/finance/outstanding');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.items.map((i: { noticeNumber: string }) => i.noticeNumber)).toEqual([n.age200!.noticeNumber, n.age100!.noticeNumber, n.age30!.noticeNumber, n.age5!.noticeNumber]);
    expect(body.items.map((i: { ageDays: number }) => i.ageDays)).toEqual([200, 100, 30, 5]);
    expect(body).toMatchObject({ count: 4, total: 48_000_000 });
    expect(body.buckets).toEqual([
      { bucket: '0-20', count: 1, amount: 19_000_000 },
      { bucket: '21-60', count: 1, amount: 5_000_000 },
      { bucket: '61-180', count: 1, amount: 19_000_000 },
      { bucket: '>180', count: 1, amount: 5_000_000 },
    ]);
  });

  it('reports the state at a past date: later notices are left out and a notice paid since then is still owed', async () => {
    const asOf = new Date(now - 7 * DAY).toISOString();
    const body = (await get(`/api/v1/finance/outstanding?asOf=${encodeURIComponent(asOf)}`)).json();
    expect(body.items.map((i: { noticeNumber: string; ageDays: number }) => [i.noticeNumber, i.ageDays])).toEqual([
      [n.age200!.noticeNumber, 193], [n.age100!.noticeNumber, 93], [n.age30!.noticeNumber, 23], [n.paid!.noticeNumber, 3],
    ]);
  });

  it('exports the list as CSV', async () => {
    const res = await get('/api/v1/finance/outstanding?format=csv');
    expect(res.headers['content-type']).toContain('text/csv');
    const lines = res.body.trim().split('\n');
    // the byte-order mark makes Excel read the file as UTF-8
    expect(res.body.startsWith('\ufeff')).toBe(true);
    // headers and values in Vietnamese, times in Vietnam time: no internal code reaches the spreadsheet
    expect(lines[0]).toBe('Số thông báo,Biển số,Camera,Loại vi phạm,Trạng thái,Số tiền phạt (đồng),Còn phải nộp (đồng),'
      + 'Ngày gửi thông báo (giờ Việt Nam),Hạn giải quyết (giờ Việt Nam),Số ngày từ khi gửi,Nhóm tuổi nợ');
    expect(lines).toHaveLength(5);
    expect(lines[1]).toMatch(new RegExp(`^${n.age200!.noticeNumber},.*,HN-SOUTH,Quá tốc độ,Đã gửi thông báo,5000000,5000000,`
      + '\\d{2}/\\d{2}/\\d{4} \\d{2}:\\d{2}:\\d{2},\\d{2}/\\d{2}/\\d{4} \\d{2}:\\d{2}:\\d{2},200,Trên 180 ngày$'));
  });
});

describe('GET /api/v1/finance/totals', () => {
  const range = () => `from=${encodeURIComponent(new Date(now - 365 * DAY).toISOString())}&to=${encodeURIComponent(new Date(now + DAY).toISOString())}`;

  it('sums issued, collected and outstanding by violation type', async () => {
    const body = (await get(`/api/v1/finance/totals?${range()}&group=rule`)).json();
    expect(body.rows).toEqual([
      { key: 'red_light', issuedCount: 3, issued: 57_000_000, collectedCount: 1, collected: 19_000_000, outstanding: 38_000_000 },
      { key: 'speeding', issuedCount: 2, issued: 10_000_000, collectedCount: 0, collected: 0, outstanding: 10_000_000 },
    ]);
    expect(body.total).toEqual({ issuedCount: 5, issued: 67_000_000, collectedCount: 1, collected: 19_000_000, outstanding: 48_000_000 });
  });

  it('sums by camera, and by Vietnam-time month', async () => {
    const byCamera = (await get(`/api/v1/finance/totals?${range()}&group=camera`)).json();
    expect(byCamera.rows.map((r: { key: string; issued: number; collected: number }) => [r.key, r.issued, r.collected]))
      .toEqual([['HN-NORTH', 43_000_000, 19_000_000], ['HN-SOUTH', 24_000_000, 0]]);
    const byMonth = (await get(`/api/v1/finance/totals?${range()}&group=month`)).json();
    const month = (ms: number) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Ho_Chi_Minh', year: 'numeric', month: '2-digit' }).format(ms);
    const expected = new Map<string, number>();
    for (const [age, amount] of [[5, 19e6], [30, 5e6], [100, 19e6], [200, 5e6], [10, 19e6]] as const) {
      const key = month(now - age * DAY);
      expected.set(key, (expected.get(key) ?? 0) + amount);
    }
    expect(Object.fromEntries(byMonth.rows.map((r: { key: string; issued: number }) => [r.key, r.issued]))).toEqual(Object.fromEntries(expected));
  });

  it('counts only what falls in the range', async () => {
    const from = encodeURIComponent(new Date(now - 50 * DAY).toISOString());
    const to = encodeURIComponent(new Date(now - 20 * DAY).toISOString());
    const body = (await get(`/api/v1/finance/totals?from=${from}&to=${to}&group=rule`)).json();
    expect(body.total).toEqual({ issuedCount: 1, issued: 5_000_000, collectedCount: 0, collected: 0, outstanding: 5_000_000 });
  });

  it('exports the same rows as an .xlsx workbook, numbers as numbers', async () => {
    const res = await get(`/api/v1/finance/totals?${range()}&group=rule&format=xlsx`);
    expect(res.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    const sheet = book.worksheets[0]!;
    expect(sheet.getRow(1).values).toEqual([undefined, 'Loại vi phạm', 'Số thông báo đã gửi', 'Tiền phạt đã ra (đồng)', 'Số khoản đã thu', 'Đã thu (đồng)', 'Chưa thu (đồng)']);
    expect(sheet.getRow(4).values).toEqual([undefined, 'Tổng cộng', 5, 67000000, 1, 19000000, 48000000]);
  });

  it('exports CSV with a TOTAL line, and refuses an empty range or unknown grouping with 400', async () => {
    const csv = await get(`/api/v1/finance/totals?${range()}&group=rule&format=csv`);
    expect(csv.body.trim().split('\n')).toEqual([
      'Loại vi phạm,Số thông báo đã gửi,Tiền phạt đã ra (đồng),Số khoản đã thu,Đã thu (đồng),Chưa thu (đồng)',
      'Vượt đèn đỏ,3,57000000,1,19000000,38000000',
      'Quá tốc độ,2,10000000,0,0,10000000',
      'Tổng cộng,5,67000000,1,19000000,48000000',
    ]);
    // months as Vietnamese write them
    const byMonth = await get(`/api/v1/finance/totals?${range()}&group=month&format=csv`);
    expect(byMonth.body.split('\n')[1]).toMatch(/^(0[1-9]|1[0-2])\/\d{4},/);
    const backwards = await get(`/api/v1/finance/totals?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z&group=rule`);
    expect(backwards.statusCode).toBe(400);
    expect(backwards.json().error).toBe('invalid_range');
    expect((await get(`/api/v1/finance/totals?${range()}&group=officer`)).statusCode).toBe(400);
  });

  it('is refused to officers (403)', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/finance/outstanding', headers: officer.headers });
    expect(res.statusCode).toBe(403);
  });
});
