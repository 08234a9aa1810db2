import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { escalateOverdue, registryPage } from '../../src/escalation/escalate.js';
import { LocalBlobStore } from '../../src/storage/blob-store.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { backdateNotice, decideNotice, seedCamera, seedNotice, staffWithSession, type SeededNotice, type TestStaff } from '../helpers/fixtures.js';

const run = promisify(execFile);
let t: TestApp;
let officer: TestStaff;
let admin: TestStaff;
let finance: TestStaff;
let overdue: SeededNotice;
let alsoOverdue: SeededNotice;
let inTime: SeededNotice;

beforeAll(async () => {
  t = await createTestApp();
  const storage = new LocalBlobStore(t.config.STORAGE_DIR);
  [officer, admin, finance] = await Promise.all([staffWithSession(t.db.pool, 'officer'), staffWithSession(t.db.pool, 'admin'), staffWithSession(t.db.pool, 'finance')]);
  const cam = await seedCamera(t.db.pool);
  overdue = await seedNotice(t.db.pool, storage, { cameraId: cam.id, officer, plate: '30H-100.01' });
  alsoOverdue = await seedNotice(t.db.pool, storage, { cameraId: cam.id, officer, plate: '30H-100.02' });
  inTime = await seedNotice(t.db.pool, storage, { cameraId: cam.id, officer, plate: '30H-100.03' });
  await backdateNotice(t.db.pool, overdue.noticeId, 25);
  await backdateNotice(t.db.pool, alsoOverdue.noticeId, 21);
  await backdateNotice(t.db.pool, inTime.noticeId, 19);
});

afterAll(async () => {
  await t.close();
});

const statusOf = async (id: number) =>
  (await t.db.pool.query<{ status: string; escalated_at: Date | null }>('SELECT status, escalated_at FROM notices WHERE id = $1', [id])).rows[0]!;

describe('escalateOverdue', () => {
  it('escalates notices unresolved past their 20 days, audits each, and leaves notices still in time alone', async () => {
    const now = new Date();
    const escalated = await escalateOverdue(t.db.pool, now);
    expect(escalated.map((e) => e.noticeNumber)).toEqual([overdue.noticeNumber, alsoOverdue.noticeNumber]);
    expect(await statusOf(overdue.noticeId)).toEqual({ status: 'escalated', escalated_at: now });
    expect((await statusOf(inTime.noticeId)).status).toBe('issued');
    const audit = await t.db.pool.query(`SELECT entity_id, actor FROM audit_log WHERE action = 'notice.escalated' ORDER BY id`);
    expect(audit.rows).toEqual([{ entity_id: String(overdue.noticeId), actor: 'escalation-job' }, { entity_id: String(alsoOverdue.noticeId), actor: 'escalation-job' }]);
  });

  it('escalates nothing new when run again the same day', async () => {
    expect(await escalateOverdue(t.db.pool, new Date())).toEqual([]);
  });

  it('lists the held vehicles for the inspection registry without personal data', async () => {
    const list = await registryPage(t.db.pool, 'active', { limit: 100 });
    expect(list.next).toBeNull();
    expect(list.items.map((e) => [e.plate, e.vehicleType, e.noticeNumber])).toEqual([
      ['30H-100.01', 'car', overdue.noticeNumber], ['30H-100.02', 'car', alsoOverdue.noticeNumber],
    ]);
  });
});

describe('escalation routes', () => {
  it('GET /api/v1/escalations gives the registry list as JSON or CSV to officers', async () => {
    const json = await t.app.inject({ method: 'GET', url: '/api/v1/escalations', headers: officer.headers });
    expect(json.statusCode).toBe(200);
    expect(json.json()).toMatchObject({ state: 'active', count: 2, entries: [{ plate: '30H-100.01', liftedAt: null }, { plate: '30H-100.02' }] });
    const csv = await t.app.inject({ method: 'GET', url: '/api/v1/escalations?format=csv', headers: officer.headers });
    expect(csv.headers['content-type']).toContain('text/csv');
    const lines = csv.body.trim().split('\n');
    expect(csv.body.startsWith('\ufeff')).toBe(true);
    expect(lines[0]).toBe('Biển số,Loại xe,Số thông báo,Thời điểm vi phạm (giờ Việt Nam),Hạn giải quyết (giờ Việt Nam),Ngày chuyển (giờ Việt Nam),Ngày gỡ (giờ Việt Nam)');
    expect(lines[1]).toMatch(new RegExp(`^30H-100\\.01,Ô tô,${overdue.noticeNumber},\\d{2}/\\d{2}/\\d{4} \\d{2}:\\d{2}:\\d{2},`));
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/escalations', headers: finance.headers })).statusCode).toBe(403);
  });

  it('paying the decision of an escalated notice lifts the hold at once: it leaves the active list and shows as lifted', async () => {
    await decideNotice(t.app, officer, overdue.noticeNumber);
    const paid = await t.app.inject({ method: 'POST', url: '/api/v1/payments', headers: finance.headers,
      payload: { noticeNumber: overdue.noticeNumber, amount: 19_000_000, paidAt: new Date().toISOString(), method: 'treasury', reference: 'KB-ESC-1' } });
    expect(paid.statusCode).toBe(201);
    expect((await statusOf(overdue.noticeId)).status).toBe('resolved');
    const active = (await t.app.inject({ method: 'GET', url: '/api/v1/escalations', headers: officer.headers })).json();
    expect(active.entries.map((e: { noticeNumber: string }) => e.noticeNumber)).toEqual([alsoOverdue.noticeNumber]);
    const lifted = (await t.app.inject({ method: 'GET', url: '/api/v1/escalations?state=lifted', headers: officer.headers })).json();
    expect(lifted.entries).toEqual([expect.objectContaining({ noticeNumber: overdue.noticeNumber, liftedAt: expect.any(String) })]);
    const audit = await t.db.pool.query(`SELECT details->>'escalationLifted' AS lifted FROM audit_log WHERE action = 'notice.resolved' AND entity_id = $1`, [String(overdue.noticeId)]);
    expect(audit.rows).toEqual([{ lifted: 'true' }]);
  });

  it('POST /api/v1/escalations/run is for admins only', async () => {
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/escalations/run', headers: officer.headers })).statusCode).toBe(403);
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/escalations/run', headers: admin.headers });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ escalated: [] });
  });
});

describe('npm run escalate', () => {
  it('escalates as of --now and writes the registry CSV to --out', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'phat-escalate-'));
    try {
      const out = path.join(dir, 'registry.csv');
      const future = new Date(Date.now() + 2 * 86_400_000).toISOString();
      const { stderr } = await run(path.resolve('node_modules/.bin/tsx'), ['src/cli/escalate.ts', '--now', future, '--out', out],
        { env: { ...process.env, DATABASE_URL: t.config.DATABASE_URL }, timeout: 60_000 });
      expect(stderr).toContain('1 notice(s) escalated');
      const lines = (await readFile(out, 'utf8')).trim().split('\n');
      expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual(['30H-100.02', '30H-100.03']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
