import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chainAuditLog } from '../../src/audit/audit-chainer.js';
import { auditKey } from '../../src/audit/audit-key.js';
import { appendAudit } from '../../src/audit/audit-log.js';
import { verifyAuditLog as verifyWithKey } from '../../src/audit/audit-verify.js';
import { withTransaction } from '../../src/db/pool.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { tamperAsSuperuser } from '../helpers/tamper.js';

const verifyAuditLog = (pool: TestDatabase['pool']) => verifyWithKey(pool, auditKey());

let db: TestDatabase;
beforeAll(async () => { db = await createTestDatabase(); });
afterAll(async () => { await db.drop(); });

/** Five rows, linked by the chainer as the workers do within seconds of their commit. */
async function appendFive() {
  await tamperAsSuperuser(db.pool, 'TRUNCATE audit_log, audit_links RESTART IDENTITY');
  for (let i = 1; i <= 5; i++) {
    await withTransaction(db.pool, (tx) => appendAudit(tx, {
      actorId: null, actor: 'worker', action: 'violation.created', entityType: 'violation', entityId: i,
      details: { fine: 5_000_000 * i, at: new Date('2026-01-01T00:00:00Z'), plate: '98A-123.45', nested: { b: 1, a: [1, 2] } },
    }));
  }
  await chainAuditLog(db.pool, auditKey());
}

describe('hash-chained audit log', () => {
  it('verifies an untouched chain', async () => {
    await appendFive();
    expect(await verifyAuditLog(db.pool)).toMatchObject({ ok: true, rows: 5 });
  });

  it('detects the first edited row', async () => {
    await appendFive();
    await tamperAsSuperuser(db.pool, `UPDATE audit_log SET details = jsonb_set(details, '{fine}', '1') WHERE id = 3`);
    expect(await verifyAuditLog(db.pool)).toMatchObject({ ok: false, firstBadId: 3, problem: 'edited' });
  });

  it('detects a deleted row', async () => {
    await appendFive();
    await tamperAsSuperuser(db.pool, 'DELETE FROM audit_log WHERE id = 2');
    expect(await verifyAuditLog(db.pool)).toMatchObject({ ok: false, firstBadId: 3, problem: 'missing_before' });
  });

  it('detects a row re-hashed by someone who does not know the chain', async () => {
    await appendFive();
    await tamperAsSuperuser(db.pool, `UPDATE audit_log SET actor = 'admin', hash = repeat('f', 64) WHERE id = 4`);
    expect(await verifyAuditLog(db.pool)).toMatchObject({ ok: false, firstBadId: 4 });
  });

  it('leaves no audit row when the surrounding transaction rolls back', async () => {
    await appendFive();
    await expect(withTransaction(db.pool, async (tx) => {
      await appendAudit(tx, { actorId: null, actor: 'worker', action: 'violation.created', entityType: 'violation', entityId: 99 });
      throw new Error('business rule failed');
    })).rejects.toThrow('business rule failed');
    expect(await verifyAuditLog(db.pool)).toMatchObject({ ok: true, rows: 5 });
  });
});
