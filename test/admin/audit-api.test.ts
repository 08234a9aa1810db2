import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeAuditCheckpoint } from '../../src/audit/audit-checkpoint.js';
import { auditKey } from '../../src/audit/audit-key.js';
import { runAuditVerification } from '../../src/audit/audit-verify-run.js';
import { Queue } from 'bullmq';
import { AUDIT_VERIFY_JOB_ID } from '../../src/maintenance/audit-verify-requests.js';
import { MAINTENANCE_QUEUE } from '../../src/maintenance/maintenance-queue.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { startMaintenanceWorker } from '../helpers/maintenance-worker.js';
import { tamperAsSuperuser } from '../helpers/tamper.js';
import { bearer, PASSWORD, staffMember, type Staff } from './fixtures.js';

let t: TestApp;
let admin: Staff;
beforeAll(async () => {
  t = await createTestApp();
  admin = await staffMember(t, 'admin.audit', 'admin');
  for (const name of ['aa.one', 'aa.two', 'aa.three']) {
    await t.app.inject({ method: 'POST', url: '/api/v1/users', headers: bearer(admin), payload: { username: name, fullName: name, role: 'officer', password: PASSWORD } });
  }
});
afterAll(async () => { await t.close(); });

const get = (url: string) => t.app.inject({ method: 'GET', url, headers: bearer(admin) });
const post = (url: string, payload: object) => t.app.inject({ method: 'POST', url, headers: bearer(admin), payload });

/** Polls a verification request as the console does, until it is done or failed. */
async function finished(requestId: string): Promise<Record<string, unknown>> {
  for (let i = 0; i < 200; i++) {
    const status = (await get(`/api/v1/audit/verifications/requests/${requestId}`)).json();
    if (status.state === 'done' || status.state === 'failed') return status;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`verification request ${requestId} did not finish`);
}

describe('audit API', () => {
  it('lists one entity\'s trail newest first', async () => {
    const res = await get(`/api/v1/audit?entity_type=user&entity_id=${admin.id}`);
    expect(res.statusCode).toBe(200);
    const actions = res.json().entries.map((e: { action: string }) => e.action);
    expect(actions).toEqual(['user.logged_in', 'user.created']);
    const created = res.json().entries[1];
    expect(created).toMatchObject({ actor: 'test-setup', actorId: null, entityType: 'user', entityId: String(admin.id),
      details: { username: 'admin.audit', role: 'admin' }, hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
  });

  it('pages backwards with before_id until the trail is exhausted', async () => {
    const all = (await get('/api/v1/audit?limit=500')).json().entries as Array<{ id: number }>;
    const seen: number[] = [];
    let url = '/api/v1/audit?limit=2';
    for (;;) {
      const page = (await get(url)).json();
      seen.push(...page.entries.map((e: { id: number }) => e.id));
      if (page.nextBeforeId === null) break;
      url = `/api/v1/audit?limit=2&before_id=${page.nextBeforeId}`;
    }
    expect(seen).toEqual(all.map((e) => e.id));
    expect(seen).toEqual([...seen].sort((a, b) => b - a));
  });

  it('filters by action', async () => {
    const res = await get('/api/v1/audit?action=user.created');
    expect(res.json().entries).toHaveLength(4);
    expect((await get('/api/v1/audit?action=Not-An-Action')).statusCode).toBe(400);
  });

  it('verifies in the workers, not in the API: a request is queued, answered once done, and a second request while one waits is the same one', async () => {
    const asked = await post('/api/v1/audit/verifications', {});
    expect(asked.statusCode).toBe(202);
    const { request } = asked.json();
    expect(asked.json()).toMatchObject({ started: true, request: { state: 'queued', full: true, progress: null, run: null,
      requestedBy: { id: admin.id, username: 'admin.audit' } } });
    // nothing was verified in the API process: no run is recorded until a worker takes the job
    expect((await t.db.pool.query('SELECT count(*)::int AS n FROM audit_verifications')).rows[0].n).toBe(0);
    const again = await post('/api/v1/audit/verifications', { full: false });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ started: false, request: { requestId: request.requestId, state: 'queued', full: true } });
    expect((await get(`/api/v1/audit/verifications/requests/${request.requestId}`)).json()).toMatchObject({ state: 'queued' });

    const worker = startMaintenanceWorker(t);
    try {
      const done = await finished(request.requestId);
      expect(done).toMatchObject({ state: 'done', run: { ok: true, resumedAfter: null, requestId: request.requestId, requestedBy: admin.id } });
      const { rows } = await t.db.pool.query("SELECT actor, details FROM audit_log WHERE action = 'audit.verification_requested'");
      expect(rows).toEqual([{ actor: 'admin.audit', details: { full: true } }]);

      const { rows: target } = await t.db.pool.query<{ id: number }>("SELECT id FROM audit_log WHERE action = 'user.created' AND details->>'username' = 'aa.two'");
      // someone with database access quietly promotes the user in the record
      // (the table refuses UPDATE; this is a superuser with its triggers switched off)
      await tamperAsSuperuser(t.db.pool, `UPDATE audit_log SET details = jsonb_set(details, '{role}', '"admin"') WHERE id = $1`, [target[0]!.id]);
      // the finished job freed its id: this is a new verification
      const next = await post('/api/v1/audit/verifications', {});
      expect(next.statusCode).toBe(202);
      expect(next.json().request.requestId).not.toBe(request.requestId);
      expect(await finished(next.json().request.requestId)).toMatchObject({ state: 'done', run: { ok: false, firstBadId: target[0]!.id, problem: 'edited' } });
    } finally {
      await worker.close();
    }
  });

  it('shows the progress a running verification reported, and a request whose job ended without a run as failed', async () => {
    const { request } = (await post('/api/v1/audit/verifications', { full: false })).json();
    const queue = new Queue(MAINTENANCE_QUEUE, { connection: t.redis, prefix: t.config.QUEUE_PREFIX });
    try {
      const job = await queue.getJob(AUDIT_VERIFY_JOB_ID);
      await job!.updateProgress({ rows: 30_000, approxTotal: 90_000 });
      expect((await get(`/api/v1/audit/verifications/requests/${request.requestId}`)).json())
        .toMatchObject({ state: 'queued', full: false, progress: { rows: 30_000, approxTotal: 90_000 } });
      // a worker that fails removes the job (its error is in the worker's log) without recording a run
      await job!.remove();
      expect((await get(`/api/v1/audit/verifications/requests/${request.requestId}`)).json()).toMatchObject({ state: 'failed', run: null, full: false });
    } finally {
      await queue.close();
    }
    expect((await get('/api/v1/audit/verifications/requests/0b7c9a52-1111-4a2b-9c3d-123456789abc')).statusCode).toBe(404);
    expect((await get('/api/v1/audit/verifications/requests/not-a-uuid')).statusCode).toBe(400);
    expect((await post('/api/v1/audit/verifications', { full: 'yes' })).statusCode).toBe(400);
    // no body at all: the whole log
    const bare = await t.app.inject({ method: 'POST', url: '/api/v1/audit/verifications', headers: bearer(admin) });
    expect(bare.statusCode).toBe(202);
    expect(bare.json().request.full).toBe(true);
  });

  it('reports the verifications the workers ran, newest first', async () => {
    await writeAuditCheckpoint(t.db.pool, auditKey());
    const run = await runAuditVerification(t.db.pool, auditKey());
    const res = await get('/api/v1/audit/verifications?limit=5');
    expect(res.statusCode).toBe(200);
    expect(res.json().runs[0]).toMatchObject({ id: run.id, resumedAfter: null, logRows: run.result.rows, ok: run.result.ok });
    expect((await get('/api/v1/audit/verifications?limit=500')).statusCode).toBe(400);
  });
});
