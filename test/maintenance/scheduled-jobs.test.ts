import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { runMaintenanceJob, SCHEDULES, startMaintenance } from '../../src/maintenance/scheduled-jobs.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { backdateNotice, seedCamera, seedNotice, staffWithSession } from '../helpers/fixtures.js';

let t: TestApp;
beforeAll(async () => { t = await createTestApp(); });
afterAll(async () => { await t.close(); });

const deps = () => ({ pool: t.db.pool, storage: t.app.deps.storage, config: t.config, logger: createLogger('silent', 'test') });

describe('scheduled maintenance', () => {
  it('registers the daily escalation (Vietnam time) and the notice re-render once, however many workers start', async () => {
    const [a, b] = await Promise.all([startMaintenance(deps()), startMaintenance(deps())]);
    try {
      const schedulers = await a.queue.getJobSchedulers();
      expect(schedulers.map((s) => s.key).sort()).toEqual([...Object.keys(SCHEDULES), 'audit-checkpoint'].sort());
      expect(schedulers.find((s) => s.key === 'escalate')).toMatchObject({ pattern: '0 30 0 * * *', tz: 'Asia/Ho_Chi_Minh' });
    } finally {
      await a.queue.obliterate({ force: true });
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('escalates a notice unresolved 20 days after issue, once', async () => {
    const camera = await seedCamera(t.db.pool);
    const officer = await staffWithSession(t.db.pool, 'officer');
    const overdue = await seedNotice(t.db.pool, t.app.deps.storage, { cameraId: camera.id, officer });
    const recent = await seedNotice(t.db.pool, t.app.deps.storage, { cameraId: camera.id, officer });
    await backdateNotice(t.db.pool, overdue.noticeId, 21);
    expect(await runMaintenanceJob('escalate', deps())).toEqual({ escalated: 1 });
    expect(await runMaintenanceJob('escalate', deps())).toEqual({ escalated: 0 });
    const { rows } = await t.db.pool.query<{ id: number; status: string }>('SELECT id, status FROM notices ORDER BY id');
    expect(rows).toEqual([{ id: overdue.noticeId, status: 'escalated' }, { id: recent.noticeId, status: 'issued' }]);
  });

  it('renders notices whose PDF is missing', async () => {
    const { rows: before } = await t.db.pool.query('SELECT id FROM notices WHERE pdf_sha256 IS NULL');
    expect(before.length).toBeGreaterThan(0);
    expect(await runMaintenanceJob('render-notices', deps())).toEqual({ rendered: before.length, failed: 0 });
    const { rows: after } = await t.db.pool.query('SELECT id FROM notices WHERE pdf_sha256 IS NULL');
    expect(after).toEqual([]);
  });

  it('runs the retention policy nightly and records the run in the audit log', async () => {
    expect(SCHEDULES.retention).toEqual({ pattern: '0 15 2 * * *', tz: 'Asia/Ho_Chi_Minh' });
    const result = await runMaintenanceJob('retention', deps());
    expect(result).toMatchObject({ captures: 0, blobs: 0 });
    const { rows } = await t.db.pool.query(`SELECT actor FROM audit_log WHERE action = 'retention.purged'`);
    expect(rows).toEqual([{ actor: 'retention' }]);
  });

  it('links the audit rows committed since the last run every few seconds', async () => {
    expect(SCHEDULES['audit-chain']).toEqual({ every: 10_000 });
    const { rows: [log] } = await t.db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_log');
    expect(log!.n).toBeGreaterThan(0);
    await runMaintenanceJob('audit-chain', deps());
    const { rows: [unlinked] } = await t.db.pool.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM audit_log a WHERE NOT EXISTS (SELECT 1 FROM audit_links l WHERE l.id = a.id)');
    expect(unlinked!.n).toBe(0);
    expect(await runMaintenanceJob('audit-chain', deps())).toMatchObject({ linked: 0 });
  });

  it('verifies the audit log nightly in the worker, and the next night resumes where it reached', async () => {
    expect(SCHEDULES['audit-verify']).toEqual({ pattern: '0 30 3 * * *', tz: 'Asia/Ho_Chi_Minh' });
    await runMaintenanceJob('audit-checkpoint', deps());
    const first = await runMaintenanceJob('audit-verify', deps());
    expect(first).toMatchObject({ ok: true, resumedAfter: null });
    const second = await runMaintenanceJob('audit-verify', deps());
    expect(second).toMatchObject({ ok: true, resumedAfter: first.verifiedCheckpoint });
  });

  it('folds the rollups\' dirty marks every minute, leaving none behind', async () => {
    expect(SCHEDULES['fold-rollups']).toEqual({ every: 60_000 });
    const camera = await seedCamera(t.db.pool);
    await t.db.pool.query(
      `INSERT INTO captures (camera_id, image_sha256, image_bytes, image_width, image_height, content_type, captured_at, source)
       VALUES ($1, repeat('ab', 32), 1000, 640, 480, 'image/jpeg', now(), 'http')`, [camera.id]);
    const marks = async () => (await t.db.pool.query<{ n: number }>(
      'SELECT (SELECT count(*) FROM camera_stat_dirty) + (SELECT count(*) FROM finance_dirty_days) AS n')).rows[0]!.n;
    expect(Number(await marks())).toBeGreaterThan(0);
    const result = await runMaintenanceJob('fold-rollups', deps());
    expect(result.cameraBuckets).toBeGreaterThan(0);
    expect(Number(await marks())).toBe(0);
    const { rows } = await t.db.pool.query('SELECT captures FROM camera_stat_buckets WHERE camera_id = $1', [camera.id]);
    expect(rows).toEqual([{ captures: 1 }]);
    expect(await runMaintenanceJob('fold-rollups', deps())).toEqual({ cameraBuckets: 0, financeDays: 0 });
  });

  it('refuses a job it does not know', async () => {
    await expect(runMaintenanceJob('drop-tables', deps())).rejects.toThrow(/unknown maintenance job/);
  });
});
