import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalBlobStore } from '../../src/storage/blob-store.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { seedCamera, seedNotice, staffWithSession, type SeededNotice, type TestStaff } from '../helpers/fixtures.js';
import { readPdf } from './pdf-text.js';

let t: TestApp;
let officer: TestStaff;
let finance: TestStaff;
let operator: TestStaff;
let admin: TestStaff;
let first: SeededNotice;
let second: SeededNotice;

beforeAll(async () => {
  t = await createTestApp();
  const storage = new LocalBlobStore(t.config.STORAGE_DIR);
  [officer, finance, operator, admin] = await Promise.all([
    staffWithSession(t.db.pool, 'officer'), staffWithSession(t.db.pool, 'finance'), staffWithSession(t.db.pool, 'operator'), staffWithSession(t.db.pool, 'admin'),
  ]);
  const cam = await seedCamera(t.db.pool, { code: 'HN-KM-001' });
  first = await seedNotice(t.db.pool, storage, { cameraId: cam.id, officer, plate: '30F-246.80' });
  second = await seedNotice(t.db.pool, storage, { cameraId: cam.id, officer, plate: '29A-135.79', rule: 'speeding' });
});

afterAll(async () => {
  await t.close();
});

describe('GET /api/v1/notices', () => {
  it('lists notices newest first with amounts owed, for officers, finance and admins', async () => {
    for (const who of [officer, finance, admin]) {
      const res = await t.app.inject({ method: 'GET', url: '/api/v1/notices', headers: who.headers });
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body.total).toBe(2);
      expect(body.items.map((n: { noticeNumber: string }) => n.noticeNumber)).toEqual([second.noticeNumber, first.noticeNumber]);
      expect(body.items[1]).toMatchObject({ plate: '30F-246.80', status: 'issued', amount: 19_000_000, paid: 0, outstanding: 19_000_000, cameraCode: 'HN-KM-001', pdfSha256: null });
    }
  });

  it('filters by plate in any spelling and by whether the PDF is rendered', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/notices?plate=29a13579&rendered=false', headers: officer.headers });
    expect(res.json().items.map((n: { noticeNumber: string }) => n.noticeNumber)).toEqual([second.noticeNumber]);
  });

  it('finds a notice by (the start of) its number and by the owner\'s ID number, and refuses a malformed ID', async () => {
    const numbers = async (query: string) => (await t.app.inject({ method: 'GET', url: `/api/v1/notices?${query}`, headers: officer.headers }))
      .json().items.map((n: { noticeNumber: string }) => n.noticeNumber);
    expect(await numbers(`number=${first.noticeNumber}`)).toEqual([first.noticeNumber]);
    expect(await numbers(`number=${first.noticeNumber.slice(0, 8).toLowerCase()}`)).toEqual([second.noticeNumber, first.noticeNumber]);
    expect(await numbers(`owner_id=${second.nationalId}`)).toEqual([second.noticeNumber]);
    expect(await numbers('owner_id=001099000000')).toEqual([]);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/notices?owner_id=abc', headers: officer.headers })).statusCode).toBe(400);
  });

  it('refuses camera operators (403) and anonymous callers (401)', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/notices', headers: operator.headers })).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/notices' })).statusCode).toBe(401);
  });
});

describe('GET /api/v1/notices/:number', () => {
  it('returns the notice with its (empty) payment history', async () => {
    const res = await t.app.inject({ method: 'GET', url: `/api/v1/notices/${first.noticeNumber}`, headers: finance.headers });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ noticeNumber: first.noticeNumber, violationId: first.violationId, payments: [] });
  });

  it('answers 404 for an unknown number and 400 for something that is not a notice number', async () => {
    const unknown = await t.app.inject({ method: 'GET', url: '/api/v1/notices/PN-XX-2020-999999', headers: officer.headers });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error).toBe('not_found');
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/notices/42', headers: officer.headers })).statusCode).toBe(400);
  });
});

describe('GET /api/v1/notices/:number/pdf', () => {
  it('answers 409 with what to do while the PDF is not rendered yet', async () => {
    const res = await t.app.inject({ method: 'GET', url: `/api/v1/notices/${first.noticeNumber}/pdf`, headers: officer.headers });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ error: 'pdf_not_rendered', message: expect.stringContaining('notices:render') });
  });

  it('serves the rendered PDF with its sha256 in X-Content-SHA256', async () => {
    const render = await t.app.inject({ method: 'POST', url: `/api/v1/notices/${first.noticeNumber}/render`, headers: officer.headers });
    expect(render.statusCode).toBe(200);
    const res = await t.app.inject({ method: 'GET', url: `/api/v1/notices/${first.noticeNumber}/pdf`, headers: officer.headers });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    const sha = createHash('sha256').update(res.rawPayload).digest('hex');
    expect(res.headers['x-content-sha256']).toBe(sha);
    expect(render.json().sha256).toBe(sha);
    const { text } = await readPdf(res.rawPayload);
    expect(text).toContain(first.noticeNumber);
    expect(text).toContain('30F-246.80');
  });

  it('is for officers and admins only: finance staff get 403', async () => {
    const res = await t.app.inject({ method: 'GET', url: `/api/v1/notices/${first.noticeNumber}/pdf`, headers: finance.headers });
    expect(res.statusCode).toBe(403);
  });
});
