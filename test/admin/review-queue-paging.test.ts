import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { bearer, createCamera, seedCase, staffMember, type Staff } from './fixtures.js';

let t: TestApp;
let officer: Staff;
let cameraId: number;
beforeAll(async () => {
  t = await createTestApp();
  officer = await staffMember(t, 'officer.trang', 'officer');
  cameraId = await createCamera(t.db.pool, 'HN-PAGE-01');
  const other = await createCamera(t.db.pool, 'HN-PAGE-02');
  // ties on time, confidence and plate, so that only the id keeps the order
  const cases = [
    { at: '2026-10-01T09:00:00.123456Z', confidence: 0.9, plateText: '30A-111.11' },
    { at: '2026-10-01T09:00:00.123456Z', confidence: 0.9, plateText: '30A-111.11' },
    { at: '2026-10-02T09:00:00Z', confidence: 0.55, plateText: '29A-222.22' },
    { at: '2026-10-03T09:00:00Z', confidence: 0.93, plateText: '30A-111.11', rule: 'speeding' as const },
    { at: '2026-10-01T09:00:00.123456Z', confidence: 0.7, plateText: '51G-333.33' },
    { at: '2026-10-04T09:00:00Z', confidence: 0.9, plateText: '29A-222.22' },
    { at: '2026-10-05T09:00:00Z', confidence: 0.8, plateText: '30A-111.11', other: true },
  ];
  for (const c of cases) {
    await seedCase(t, { cameraId: c.other ? other : cameraId, occurredAt: new Date(c.at), confidence: c.confidence, plateText: c.plateText, ...(c.rule ? { rule: c.rule } : {}) });
  }
  // the seed writes microseconds the JS Date drops: the cursor must keep them
  await t.db.pool.query(`UPDATE violations SET occurred_at = '2026-10-01T09:00:00.123456Z' WHERE occurred_at = '2026-10-01T09:00:00.123Z'`);
});
afterAll(async () => { await t.close(); });

const get = (url: string) => t.app.inject({ method: 'GET', url, headers: bearer(officer) });

async function walk(query: string, limit: number): Promise<{ ids: number[]; totals: number[] }> {
  const ids: number[] = [];
  const totals: number[] = [];
  let after: string | null = null;
  for (let page = 0; page < 20; page++) {
    const res = await get(`/api/v1/review/queue?${query}&limit=${limit}${after ? `&after=${encodeURIComponent(after)}` : ''}`);
    expect(res.statusCode).toBe(200);
    const body = res.json() as { total: number; nextCursor: string | null; items: Array<{ id: number }> };
    ids.push(...body.items.map((i) => i.id));
    totals.push(body.total);
    after = body.nextCursor;
    if (!after) return { ids, totals };
  }
  throw new Error('the cursor never ran out');
}

describe('review queue keyset paging', () => {
  it('walks every sort in both directions page by page, each case once and in the order of a single page', async () => {
    for (const sort of ['occurred_at', 'read_confidence', 'fine_amount', 'plate', 'camera']) {
      for (const order of ['asc', 'desc']) {
        const query = `sort=${sort}&order=${order}`;
        const whole = (await get(`/api/v1/review/queue?${query}&limit=200`)).json() as { total: number; items: Array<{ id: number }>; nextCursor: string | null };
        expect(whole.nextCursor).toBeNull();
        const paged = await walk(query, 2);
        expect(paged.ids, query).toEqual(whole.items.map((i) => i.id));
        expect(new Set(paged.totals)).toEqual(new Set([7]));
      }
    }
  });

  it('keeps the filters on every page', async () => {
    const filtered = await walk(`camera_id=${cameraId}&min_confidence=0.8`, 1);
    const whole = (await get(`/api/v1/review/queue?camera_id=${cameraId}&min_confidence=0.8&limit=200`)).json() as { items: Array<{ id: number }> };
    expect(filtered.ids).toEqual(whole.items.map((i) => i.id));
    expect(filtered.ids).toHaveLength(4);
  });

  it('refuses a cursor it did not make, and a cursor together with an offset, in Vietnamese', async () => {
    const bad = await get('/api/v1/review/queue?after=bm90LWEtY3Vyc29y');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toMatch(/không hợp lệ/);
    const first = (await get('/api/v1/review/queue?limit=1')).json() as { nextCursor: string };
    const both = await get(`/api/v1/review/queue?limit=1&offset=1&after=${encodeURIComponent(first.nextCursor)}`);
    expect(both.statusCode).toBe(400);
  });
});
