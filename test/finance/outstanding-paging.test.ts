import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { seedCamera, staffWithSession, type TestStaff } from '../helpers/fixtures.js';
import { generateNotices } from './generated-notices.js';

let t: TestApp;
let finance: TestStaff;
beforeAll(async () => {
  t = await createTestApp();
  finance = await staffWithSession(t.db.pool, 'finance');
  const officer = await staffWithSession(t.db.pool, 'officer');
  await seedCamera(t.db.pool, { code: 'HN-OWED-1' });
  await seedCamera(t.db.pool, { code: 'HN-OWED-2' });
  await generateNotices(t.db.pool, 400, 7, officer.id);
});
afterAll(async () => { await t.close(); });

const get = (url: string) => t.app.inject({ method: 'GET', url, headers: finance.headers });
interface Page { count?: number; total?: number; nextCursor: string | null; items: Array<{ noticeNumber: string; outstanding: number }> }

describe('outstanding list in pages', () => {
  it('walks every unpaid notice oldest first, each once, the summary of all of them on the first page only', async () => {
    const asOf = new Date().toISOString();
    const seen: string[] = [];
    let after: string | null = null;
    let first: Page | undefined;
    do {
      const res = await get(`/api/v1/finance/outstanding?asOf=${asOf}&limit=37${after ? `&after=${after}` : ''}`);
      expect(res.statusCode).toBe(200);
      const page = res.json() as Page;
      if (first) expect(page).not.toHaveProperty('count');
      first ??= page;
      expect(page.items.length).toBeLessThanOrEqual(37);
      seen.push(...page.items.map((i) => i.noticeNumber));
      after = page.nextCursor;
    } while (after);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBe(first!.count);
    expect(first!.count).toBeGreaterThan(150);
    const { rows } = await t.db.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM notices n WHERE n.status IN ('issued', 'escalated')
         AND n.amount > coalesce((SELECT sum(amount) FROM payments p WHERE p.notice_id = n.id), 0)`);
    expect(first!.count).toBe(rows[0]!.n);
  });

  it('gives the summary alone, and on a later page when asked, equal to the first page\'s', async () => {
    const asOf = new Date().toISOString();
    const first = (await get(`/api/v1/finance/outstanding?asOf=${asOf}&limit=5`)).json() as Page & { buckets: unknown };
    const alone = await get(`/api/v1/finance/outstanding/summary?asOf=${asOf}`);
    expect(alone.statusCode).toBe(200);
    expect(alone.json()).toEqual({ asOf, count: first.count, total: first.total, buckets: first.buckets });
    const later = (await get(`/api/v1/finance/outstanding?asOf=${asOf}&limit=5&after=${first.nextCursor}&summary=true`)).json() as Page;
    expect({ count: later.count, total: later.total }).toEqual({ count: first.count, total: first.total });
    const bare = (await get(`/api/v1/finance/outstanding?asOf=${asOf}&limit=5&summary=false`)).json() as Page;
    expect(bare).not.toHaveProperty('count');
    expect(bare.items).toEqual(first.items);
    expect((await get('/api/v1/finance/outstanding/summary?asOf=yesterday')).statusCode).toBe(400);
  });

  it('refuses a page larger than the maximum and a cursor it did not make', async () => {
    expect((await get('/api/v1/finance/outstanding?limit=1001')).statusCode).toBe(400);
    const bad = await get('/api/v1/finance/outstanding?after=eHl6');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toMatch(/không hợp lệ/);
  });

  it('exports the whole list as CSV, streamed, the same notices as the pages', async () => {
    const asOf = new Date().toISOString();
    const csv = await get(`/api/v1/finance/outstanding?asOf=${asOf}&format=csv`);
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    const lines = csv.body.replace(/^\ufeff/, '').trim().split('\n');
    expect(lines[0]).toBe('Số thông báo,Biển số,Camera,Loại vi phạm,Trạng thái,Số tiền phạt (đồng),Còn phải nộp (đồng),Ngày gửi thông báo (giờ Việt Nam),'
      + 'Hạn giải quyết (giờ Việt Nam),Số ngày từ khi gửi,Nhóm tuổi nợ');
    const page = (await get(`/api/v1/finance/outstanding?asOf=${asOf}&limit=1000`)).json() as Page;
    expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual(page.items.map((i) => i.noticeNumber));
  });
});
