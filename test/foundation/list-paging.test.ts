import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { escalateOverdue } from '../../src/escalation/escalate.js';
import { LocalBlobStore } from '../../src/storage/blob-store.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { backdateNotice, seedCamera, seedNotice, staffWithSession, type TestStaff } from '../helpers/fixtures.js';

/**
 * Every list the API answers is read a page at a time with a hard maximum page size: a bigger page or a
 * cursor the API did not make is refused with 400 and a Vietnamese reason, and walking the pages with
 * `after` = `nextCursor` gives every row exactly once, in order, ending with nextCursor null.
 */

let t: TestApp;
let admin: TestStaff;
let officer: TestStaff;
let operator: TestStaff;

beforeAll(async () => {
  t = await createTestApp();
  [admin, officer, operator] = await Promise.all([staffWithSession(t.db.pool, 'admin', 'admin.paging'),
    staffWithSession(t.db.pool, 'officer', 'officer.paging'), staffWithSession(t.db.pool, 'operator', 'operator.paging')]);
  // more users without the cost of a password hash each: the list never reads the hash
  for (let i = 1; i <= 5; i++) {
    await t.db.pool.query(`INSERT INTO users (username, full_name, role, password_hash) VALUES ($1, $2, 'finance', 'x')`, [`finance.${i}`, `Kế toán ${i}`]);
  }
  for (const code of ['PG-05', 'PG-01', 'PG-04', 'PG-02', 'PG-03']) await seedCamera(t.db.pool, { code });
  for (let i = 1; i <= 5; i++) {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/units', headers: admin.headers, payload: {
      code: `CAX${i}`, kind: 'commune_police', name: `Công an xã ${i}`, parentName: 'CÔNG AN TỈNH BẮC NINH', address: `Xã Số ${i}, Tỉnh Bắc Ninh`,
      phone: '02223822456', commune: `Xã Số ${i}`, province: i <= 2 ? 'Tỉnh Bắc Ninh' : 'Tỉnh Lạng Sơn' } });
    expect(res.statusCode, res.body).toBe(201);
  }
  await t.app.inject({ method: 'POST', url: '/api/v1/units', headers: admin.headers, payload: {
    code: 'PC08BN', kind: 'traffic_police', name: 'Phòng Cảnh sát giao thông', parentName: 'CÔNG AN TỈNH BẮC NINH', address: 'Số 2 Lý Thái Tổ, Tỉnh Bắc Ninh',
    phone: '02223822456', commune: null, province: 'Tỉnh Bắc Ninh' } });
  // five cars and three motorbike cases escalated in one run: all share the same escalation time, the id breaks the tie
  const storage = new LocalBlobStore(t.config.STORAGE_DIR);
  const cam = await seedCamera(t.db.pool);
  const ids: number[] = [];
  for (let i = 0; i < 8; i++) {
    const n = await seedNotice(t.db.pool, storage, { cameraId: cam.id, officer, plate: `30H-200.0${i}` });
    await backdateNotice(t.db.pool, n.noticeId, 25);
    ids.push(n.noticeId);
  }
  await escalateOverdue(t.db.pool, new Date());
  await t.db.pool.query(`UPDATE notices SET escalation_kind = 'commune_police' WHERE id = ANY($1)`, [ids.slice(5)]);
});
afterAll(async () => { await t.close(); });

const get = (url: string, who: TestStaff) => t.app.inject({ method: 'GET', url, headers: who.headers });

/** Walks a list `limit` rows at a time and returns every row seen, checking each page holds at most `limit`. */
async function walk(url: string, who: TestStaff, limit: number, rowsOf: (body: Record<string, unknown>) => unknown[]): Promise<{ rows: unknown[]; pages: number }> {
  const rows: unknown[] = [];
  let after: string | null = null;
  let pages = 0;
  do {
    const sep = url.includes('?') ? '&' : '?';
    const res = await get(`${url}${sep}limit=${limit}${after ? `&after=${encodeURIComponent(after)}` : ''}`, who);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json() as Record<string, unknown>;
    const page = rowsOf(body);
    expect(page.length).toBeLessThanOrEqual(limit);
    rows.push(...page);
    after = body.nextCursor as string | null;
    pages++;
    expect(pages).toBeLessThan(50);
  } while (after !== null);
  return { rows, pages };
}

interface ListCase { url: string; who: () => TestStaff; max: number; rows: (b: Record<string, unknown>) => unknown[]; key: (row: never) => string; expected: string[] }

const items = (b: Record<string, unknown>) => b.items as unknown[];
const entries = (b: Record<string, unknown>) => b.entries as unknown[];
const LISTS: ListCase[] = [
  { url: '/api/v1/cameras', who: () => operator, max: 500, rows: items, key: (c: { code: string }) => c.code, expected: ['PG-01', 'PG-02', 'PG-03', 'PG-04', 'PG-05'] },
  { url: '/api/v1/cameras/names', who: () => officer, max: 1000, rows: items, key: (c: { code: string }) => c.code, expected: ['PG-01', 'PG-02', 'PG-03', 'PG-04', 'PG-05'] },
  { url: '/api/v1/cameras/stats?hours=24', who: () => operator, max: 500, rows: items, key: (c: { code: string }) => c.code, expected: ['PG-01', 'PG-02', 'PG-03', 'PG-04', 'PG-05'] },
  { url: '/api/v1/users?role=finance', who: () => admin, max: 500, rows: (b) => b.users as unknown[], key: (u: { username: string }) => u.username,
    expected: ['finance.1', 'finance.2', 'finance.3', 'finance.4', 'finance.5'] },
  // by province, the traffic police before the commune police of the same province
  { url: '/api/v1/units', who: () => officer, max: 500, rows: items, key: (u: { code: string }) => u.code, expected: ['PC08BN', 'CAX1', 'CAX2', 'CAX3', 'CAX4', 'CAX5'] },
  { url: '/api/v1/escalations', who: () => officer, max: 500, rows: entries, key: (e: { plate: string }) => e.plate,
    expected: ['30H-200.00', '30H-200.01', '30H-200.02', '30H-200.03', '30H-200.04'] },
  { url: '/api/v1/escalations/form04', who: () => officer, max: 200, rows: entries, key: (e: { plate: string }) => e.plate, expected: ['30H-200.05', '30H-200.06', '30H-200.07'] },
];

describe.each(LISTS.map((l) => [l.url, l] as const))('GET %s', (_name, list) => {
  it('gives every row once, in order, page after page, and says when the last page is reached', async () => {
    const twoAtATime = await walk(list.url, list.who(), 2, list.rows);
    const codes = twoAtATime.rows.map((r) => list.key(r as never));
    // other tests' rows (the staff, the escalation camera) may be in the list too: ours are there once each, in order
    expect(codes.filter((c) => list.expected.includes(c))).toEqual(list.expected);
    expect(new Set(codes).size).toBe(codes.length);
    // the last page is known without an empty page after it
    expect(twoAtATime.pages).toBe(Math.ceil(codes.length / 2));
    const oneBigPage = await walk(list.url, list.who(), list.max, list.rows);
    expect(oneBigPage.pages).toBe(1);
    expect(oneBigPage.rows.map((r) => list.key(r as never))).toEqual(codes);
  });

  it(`refuses a page larger than ${list.max} rows with 400 naming the maximum`, async () => {
    const sep = list.url.includes('?') ? '&' : '?';
    const res = await get(`${list.url}${sep}limit=${list.max + 1}`, list.who());
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: 'invalid_request', message: `Dữ liệu gửi lên không hợp lệ: tham số truy vấn "limit": không được lớn hơn ${list.max}` });
    expect((await get(`${list.url}${sep}limit=0`, list.who())).statusCode).toBe(400);
  });

  it.each([['not base64 JSON', 'abc'], ['an edited cursor', Buffer.from('[1,2,3,4,5]').toString('base64url')],
    ['a cursor of another kind of list', Buffer.from('{"id":1}').toString('base64url')]])('refuses %s with 400 invalid_cursor', async (_what, cursor) => {
    const sep = list.url.includes('?') ? '&' : '?';
    const res = await get(`${list.url}${sep}after=${cursor}`, list.who());
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ error: 'invalid_cursor', message: 'Con trỏ trang ("after") không hợp lệ: hãy dùng nextCursor của trang trước' });
  });
});

describe('cursors that look right but are not', () => {
  it('refuses a time that does not exist (30 February) and a unit kind that does not, instead of failing in the database', async () => {
    const feb30 = Buffer.from(JSON.stringify(['2026-02-30T10:00:00.000000Z', 1])).toString('base64url');
    expect((await get(`/api/v1/escalations?after=${feb30}`, officer)).json().error).toBe('invalid_cursor');
    const unit = Buffer.from(JSON.stringify(['Tỉnh Bắc Ninh', 'army', 'X'])).toString('base64url');
    expect((await get(`/api/v1/units?after=${unit}`, officer)).json().error).toBe('invalid_cursor');
  });

  it('the registry list counts the whole list on every page, and its CSV holds every entry whatever the page size', async () => {
    const first = (await get('/api/v1/escalations?limit=2', officer)).json();
    expect(first).toMatchObject({ state: 'active', count: 5 });
    expect(first.entries).toHaveLength(2);
    const second = (await get(`/api/v1/escalations?limit=2&after=${first.nextCursor}`, officer)).json();
    expect(second.count).toBe(5);
    const csv = await get('/api/v1/escalations?format=csv&limit=1', officer);
    expect(csv.body.trim().split('\n')).toHaveLength(1 + 5);
  });
});

describe('the OpenAPI document', () => {
  /** Lists that are short by nature, each with why: the answer is bounded without a page size. */
  const BOUNDED: Record<string, string> = {
    'GET /api/v1/captures/:id': 'one capture: its frames (at most 6) and plate reads',
    'GET /api/v1/cameras/:code': 'one camera: its overlay masks (at most 20)',
    'GET /api/v1/violations/:id': 'one case: its evidence frames and candidate vehicles',
    'GET /api/v1/finance/outstanding/summary': 'the four aging buckets',
    'GET /api/v1/records': 'open records of one violator, at most 20 (a decision covers at most 20)',
    'GET /api/v1/finance/totals': 'one row per month, camera or violation type of the chosen period (a report, not a list of records)',
    'GET /api/v1/lookup': 'published violations of one plate, at most 100 (public lookup)',
  };

  it('declares a page size with a maximum on every GET route that answers a list', async () => {
    const spec = (await t.app.inject({ method: 'GET', url: '/docs/json' })).json() as {
      paths: Record<string, Record<string, { parameters?: Array<{ in: string; name: string; schema?: { maximum?: number } }>;
        responses?: Record<string, { content?: Record<string, { schema?: { properties?: Record<string, { type?: string }> } }> }> }>> };
    const unbounded: string[] = [];
    let lists = 0;
    for (const [path, ops] of Object.entries(spec.paths)) {
      const op = ops.get;
      const props = op?.responses?.['200']?.content?.['application/json']?.schema?.properties ?? {};
      if (!op || !Object.values(props).some((p) => p.type === 'array')) continue;
      const route = `GET ${path.replace(/\{(\w+)\}/g, ':$1')}`;
      lists++;
      const limit = op.parameters?.find((p) => p.in === 'query' && p.name === 'limit');
      if (typeof limit?.schema?.maximum !== 'number' && !(route in BOUNDED)) unbounded.push(route);
    }
    expect(lists).toBeGreaterThan(10);
    expect(unbounded).toEqual([]);
  });
});
