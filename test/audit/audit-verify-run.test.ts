import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { writeAuditCheckpoint } from '../../src/audit/audit-checkpoint.js';
import { auditKey } from '../../src/audit/audit-key.js';
import { appendAudit } from '../../src/audit/audit-log.js';
import { runAuditVerification } from '../../src/audit/audit-verify-run.js';
import { withTransaction } from '../../src/db/pool.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { tamperAsSuperuser } from '../helpers/tamper.js';

/** The workers' scheduled verification: each run resumes where the last good one reached, and records itself. */
let db: TestDatabase;
beforeAll(async () => { db = await createTestDatabase(); });
afterAll(async () => { await db.drop(); });
beforeEach(async () => {
  await tamperAsSuperuser(db.pool, 'TRUNCATE audit_verifications, audit_log, audit_links, audit_checkpoints RESTART IDENTITY');
});

async function append(from: number, n: number) {
  for (let i = from; i < from + n; i++) {
    await withTransaction(db.pool, (tx) => appendAudit(tx, { actorId: null, actor: 'worker', action: 'payment.recorded', entityType: 'payment', entityId: i }));
  }
}

/** Counts the audit rows each run reads, through a pool that sees every query. */
function countingPool() {
  let rowsRead = 0;
  const pool = new Proxy(db.pool, {
    get(target, prop) {
      if (prop !== 'query') return Reflect.get(target, prop);
      return async (sql: string, params?: unknown[]) => {
        const result = await target.query(sql, params);
        if (typeof sql === 'string' && sql.includes('FROM audit_log WHERE id >')) rowsRead += result.rowCount ?? 0;
        return result;
      };
    },
  });
  return { pool, read: () => rowsRead };
}

describe('scheduled audit verification', () => {
  it('reads the whole log the first time, then only the rows after the checkpoint it verified', async () => {
    await append(1, 6);
    const c1 = await writeAuditCheckpoint(db.pool, auditKey());
    const first = countingPool();
    expect(await runAuditVerification(first.pool, auditKey())).toMatchObject({ resumedAfter: null, result: { ok: true, rows: 6, verifiedCheckpoint: c1.id } });
    expect(first.read()).toBe(6);

    await append(7, 3);
    const c2 = await writeAuditCheckpoint(db.pool, auditKey());
    const second = countingPool();
    expect(await runAuditVerification(second.pool, auditKey())).toMatchObject({ resumedAfter: c1.id, result: { ok: true, rows: 9, verifiedCheckpoint: c2.id } });
    expect(second.read()).toBe(3);

    const { rows } = await db.pool.query('SELECT resumed_after, ok, log_rows, verified_checkpoint, problem FROM audit_verifications ORDER BY id');
    expect(rows).toEqual([
      { resumed_after: null, ok: true, log_rows: 6, verified_checkpoint: c1.id, problem: null },
      { resumed_after: c1.id, ok: true, log_rows: 9, verified_checkpoint: c2.id, problem: null },
    ]);
  });

  it('a problem is recorded and reported again by the next run (the resume point does not move past it)', async () => {
    await append(1, 4);
    const c1 = await writeAuditCheckpoint(db.pool, auditKey());
    await runAuditVerification(db.pool, auditKey());
    await append(5, 3);
    await writeAuditCheckpoint(db.pool, auditKey());
    await tamperAsSuperuser(db.pool, 'DELETE FROM audit_log WHERE id = 6');
    for (let i = 0; i < 2; i++) {
      expect(await runAuditVerification(db.pool, auditKey())).toMatchObject({ resumedAfter: c1.id, result: { ok: false, problem: 'missing_before', firstBadId: 7 } });
    }
    const { rows } = await db.pool.query('SELECT ok, problem, first_bad_id FROM audit_verifications ORDER BY id DESC LIMIT 1');
    expect(rows[0]).toEqual({ ok: false, problem: 'missing_before', first_bad_id: 7 });
  });

  it('a run an administrator asked for reads the whole log, records the request and who made it, and reports its progress', async () => {
    await append(1, 5);
    const c1 = await writeAuditCheckpoint(db.pool, auditKey());
    await runAuditVerification(db.pool, auditKey());
    // an old row edited after the nightly run vouched for it: only a run over the whole log sees it
    await tamperAsSuperuser(db.pool, `UPDATE audit_log SET details = '{"amount": 1}' WHERE id = 2`);
    expect(await runAuditVerification(db.pool, auditKey())).toMatchObject({ resumedAfter: c1.id, result: { ok: true } });
    const admin = await db.pool.query<{ id: number }>(
      `INSERT INTO users (username, full_name, role, password_hash) VALUES ('kiemtra', 'Kiểm Tra', 'admin', 'x') RETURNING id`);
    const progress: number[] = [];
    const requestId = '6f1c2a3e-0b4d-4e5f-8a9b-0c1d2e3f4a5b';
    const asked = await runAuditVerification(db.pool, auditKey(), new Date(), {
      full: true, request: { id: requestId, by: admin.rows[0]!.id }, onProgress: (rows) => { progress.push(rows); }, progressEvery: 2 });
    expect(asked).toMatchObject({ resumedAfter: null, result: { ok: false, problem: 'edited', firstBadId: 2 } });
    expect(progress).toEqual([2]);
    const { rows } = await db.pool.query('SELECT request_id, requested_by, resumed_after, ok FROM audit_verifications WHERE id = $1', [asked.id]);
    expect(rows[0]).toEqual({ request_id: requestId, requested_by: admin.rows[0]!.id, resumed_after: null, ok: false });
  });

  it('reports progress every so many rows of an intact log, counting the rows a checkpoint vouched for', async () => {
    await append(1, 7);
    const c1 = await writeAuditCheckpoint(db.pool, auditKey());
    await runAuditVerification(db.pool, auditKey());
    await append(8, 5);
    const progress: number[] = [];
    const run = await runAuditVerification(db.pool, auditKey(), new Date(), { onProgress: (rows) => { progress.push(rows); }, progressEvery: 3 });
    expect(run).toMatchObject({ resumedAfter: c1.id, result: { ok: true, rows: 12 } });
    expect(progress).toEqual([9, 12]);
  });
});
