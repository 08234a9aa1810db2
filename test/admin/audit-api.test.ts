import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeAuditCheckpoint } from '../../src/audit/audit-checkpoint.js';
import { auditKey } from '../../src/audit/audit-key.js';
import { runAuditVerification } from '../../src/audit/audit-verify-run.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
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

  it('verifies an intact chain, then reports the first edited row after tampering', async () => {
    const ok = await get('/api/v1/audit/verify');
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ ok: true });
    const { rows } = await t.db.pool.query<{ id: number }>("SELECT id FROM audit_log WHERE action = 'user.created' AND details->>'username' = 'aa.two'");
    const target = rows[0]!.id;
    // someone with database access quietly promotes the user in the record
    // (the table refuses UPDATE; this is a superuser with its triggers switched off)
    await tamperAsSuperuser(t.db.pool, `UPDATE audit_log SET details = jsonb_set(details, '{role}', '"admin"') WHERE id = $1`, [target]);
    const bad = await get('/api/v1/audit/verify');
    expect(bad.json()).toMatchObject({ ok: false, firstBadId: target, problem: 'edited' });
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
