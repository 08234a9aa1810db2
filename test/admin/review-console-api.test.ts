import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { auditActions, bearer, createCamera, seedCase, staffMember, type Staff } from './fixtures.js';

let t: TestApp;
let anh: Staff;
let binh: Staff;
let admin: Staff;
beforeAll(async () => {
  t = await createTestApp();
  anh = await staffMember(t, 'officer.anh', 'officer');
  binh = await staffMember(t, 'officer.binh', 'officer');
  admin = await staffMember(t, 'quan.tri', 'admin');
});
afterAll(async () => { await t.close(); });

const get = (who: Staff, url: string) => t.app.inject({ method: 'GET', url, headers: bearer(who) });
const post = (who: Staff, url: string) => t.app.inject({ method: 'POST', url, headers: bearer(who) });
const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000 - 60_000);

describe('the review queue as the console pages it', () => {
  it('sorts by any offered column both ways, pages without repeats, and filters by days left of the 10-day limit', async () => {
    const cameraId = await createCamera(t.db.pool, 'HN-SORT-01');
    const fresh = await seedCase(t, { cameraId, occurredAt: daysAgo(1), confidence: 0.7 });
    const urgent = await seedCase(t, { cameraId, occurredAt: daysAgo(9), confidence: 0.9 });
    const middle = await seedCase(t, { cameraId, occurredAt: daysAgo(5), confidence: 0.5 });
    const ids = async (query: string) => (await get(anh, `/api/v1/review/queue?camera_id=${cameraId}&${query}`)).json().items.map((i: { id: number }) => i.id);

    expect(await ids('')).toEqual([urgent.violationId, middle.violationId, fresh.violationId]);
    expect(await ids('sort=occurred_at&order=desc')).toEqual([fresh.violationId, middle.violationId, urgent.violationId]);
    expect(await ids('sort=read_confidence')).toEqual([middle.violationId, fresh.violationId, urgent.violationId]);
    expect(await ids('sort=read_confidence&order=desc&limit=2&offset=0')).toEqual([urgent.violationId, fresh.violationId]);
    expect(await ids('sort=read_confidence&order=desc&limit=2&offset=2')).toEqual([middle.violationId]);

    const items = (await get(anh, `/api/v1/review/queue?camera_id=${cameraId}`)).json().items;
    expect(items.map((i: { daysLeft: number }) => i.daysLeft)).toEqual([0, 4, 8]);
    expect(await ids('max_days_left=0')).toEqual([urgent.violationId]);
    expect(await ids('max_days_left=4')).toEqual([urgent.violationId, middle.violationId]);
    expect((await get(anh, '/api/v1/review/queue?sort=owner_name')).statusCode).toBe(400);
  });
});

describe('claims in the console', () => {
  it('an administrator takes over a case another officer holds; officers cannot', async () => {
    const cameraId = await createCamera(t.db.pool, 'HN-TAKE-01');
    const { violationId } = await seedCase(t, { cameraId });
    expect((await post(anh, `/api/v1/violations/${violationId}/claim`)).statusCode).toBe(200);
    expect((await post(binh, `/api/v1/violations/${violationId}/take-over`)).statusCode).toBe(403);

    const taken = await post(admin, `/api/v1/violations/${violationId}/take-over`);
    expect(taken.statusCode).toBe(200);
    expect(taken.json()).toMatchObject({ violationId, previousHolder: 'officer.anh' });
    const { rows } = await t.db.pool.query<{ claimed_by: number }>('SELECT claimed_by FROM violations WHERE id = $1', [violationId]);
    expect(rows[0]!.claimed_by).toBe(admin.id);
    expect(await auditActions(t.db.pool, 'violation', violationId)).toContain('violation.claim_taken_over');
    // the officer's claim is gone: his decision is refused
    expect((await t.app.inject({ method: 'POST', url: `/api/v1/violations/${violationId}/reject`, headers: bearer(anh), payload: { reason: 'duplicate' } })).statusCode).toBe(409);
  });

  it('a decided case shows who decided, when and why', async () => {
    const cameraId = await createCamera(t.db.pool, 'HN-DECIDED-01');
    const { violationId } = await seedCase(t, { cameraId });
    await post(anh, `/api/v1/violations/${violationId}/claim`);
    await t.app.inject({ method: 'POST', url: `/api/v1/violations/${violationId}/reject`, headers: bearer(anh), payload: { reason: 'other', note: 'xe cứu thương' } });
    const c = (await get(binh, `/api/v1/violations/${violationId}`)).json();
    expect(c.decision).toMatchObject({ username: 'officer.anh', rejectReason: 'other', rejectNote: 'xe cứu thương', noticeNumber: null });
    expect(Date.parse(c.decision.at)).toBeGreaterThan(Date.now() - 60_000);
  });
});
