import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { writeAuditCheckpoint } from '../../src/audit/audit-checkpoint.js';
import { auditKey } from '../../src/audit/audit-key.js';
import { appendAudit, GENESIS, rowHash } from '../../src/audit/audit-log.js';
import { verifyAuditLog } from '../../src/audit/audit-verify.js';
import { withTransaction } from '../../src/db/pool.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { tamperAsSuperuser } from '../helpers/tamper.js';

/**
 * Attacks on the audit trail by someone with database access but not the audit key (kept outside the
 * database). Each must either be refused by the database or show on verification.
 */
let db: TestDatabase;
beforeAll(async () => { db = await createTestDatabase(); });
afterAll(async () => { await db.drop(); });

const verify = () => verifyAuditLog(db.pool, auditKey());

async function append(n: number, from = 1) {
  for (let i = from; i < from + n; i++) {
    await withTransaction(db.pool, (tx) => appendAudit(tx, {
      actorId: null, actor: 'worker', action: 'payment.recorded', entityType: 'payment', entityId: i, details: { amount: 800_000 * i },
    }));
  }
}

beforeEach(async () => {
  await tamperAsSuperuser(db.pool, 'TRUNCATE audit_log, audit_links, audit_checkpoints RESTART IDENTITY');
  await append(5);
  await writeAuditCheckpoint(db.pool, auditKey());
});

/** Rewrites rows from `fromId` on with correct hashes, as someone who knows the (public) hash recipe would. */
async function rebuildChainFrom(fromId: number) {
  const { rows } = await db.pool.query('SELECT * FROM audit_log ORDER BY id');
  let prev = GENESIS;
  for (const row of rows) {
    if (row.id >= fromId) {
      const hash = rowHash({ ...row, prev_hash: prev });
      await tamperAsSuperuser(db.pool, 'UPDATE audit_log SET prev_hash = $2, hash = $3 WHERE id = $1', [row.id, prev, hash]);
      prev = hash;
    } else prev = row.hash;
  }
}

describe('audit trail attacks', () => {
  it('an untouched, sealed trail verifies', async () => {
    expect(await verify()).toMatchObject({ ok: true, rows: 5, sealedRows: 5, checkpoints: 1 });
  });

  it('UPDATE, DELETE and TRUNCATE of audit rows are refused by the database', async () => {
    await expect(db.pool.query(`UPDATE audit_log SET actor = 'admin' WHERE id = 1`)).rejects.toThrow(/append-only/);
    await expect(db.pool.query('DELETE FROM audit_log WHERE id = 5')).rejects.toThrow(/append-only/);
    await expect(db.pool.query('TRUNCATE audit_log')).rejects.toThrow(/append-only/);
    await expect(db.pool.query('DELETE FROM audit_checkpoints')).rejects.toThrow(/append-only/);
    expect(await verify()).toMatchObject({ ok: true, rows: 5 });
  });

  it('the application role may append and read, but not change or delete, audit rows', async () => {
    const { rows } = await db.pool.query<{ upd: boolean; del: boolean; trunc: boolean; ins: boolean }>(
      `SELECT has_table_privilege('phat_app', 'audit_log', 'UPDATE') AS upd, has_table_privilege('phat_app', 'audit_log', 'DELETE') AS del,
              has_table_privilege('phat_app', 'audit_log', 'TRUNCATE') AS trunc, has_table_privilege('phat_app', 'audit_log', 'INSERT') AS ins`);
    expect(rows[0]).toEqual({ upd: false, del: false, trunc: false, ins: true });
  });

  it('deleting the newest rows (tail deletion) is detected', async () => {
    await tamperAsSuperuser(db.pool, 'DELETE FROM audit_log WHERE id >= 4');
    expect(await verify()).toMatchObject({ ok: false, problem: 'rows_missing', firstBadId: 5 });
  });

  it('TRUNCATE by a superuser with triggers off is detected', async () => {
    await tamperAsSuperuser(db.pool, 'TRUNCATE audit_log');
    expect(await verify()).toMatchObject({ ok: false, problem: 'rows_missing', rows: 0 });
  });

  it('a forged row appended with a correctly recomputed hash is detected', async () => {
    const { rows } = await db.pool.query<{ hash: string }>('SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1');
    const forged = { id: 6, occurred_at: new Date(), actor_id: null, actor: 'admin', action: 'payment.recorded', entity_type: 'payment',
      entity_id: '99', details: { amount: 1 }, prev_hash: rows[0]!.hash };
    await tamperAsSuperuser(db.pool,
      `INSERT INTO audit_log (id, occurred_at, actor_id, actor, action, entity_type, entity_id, details, prev_hash, hash, mac)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, repeat('a', 64))`,
      [forged.id, forged.occurred_at, null, forged.actor, forged.action, forged.entity_type, forged.entity_id, forged.details, forged.prev_hash, rowHash(forged)]);
    expect(await verify()).toMatchObject({ ok: false, problem: 'forged', firstBadId: 6 });
  });

  it('an appended row without a seal is refused outright', async () => {
    await expect(db.pool.query(
      `INSERT INTO audit_log (actor, action, entity_type, entity_id, prev_hash, hash) VALUES ('x', 'user.created', 'user', '1', $1, $2)`,
      [GENESIS, 'b'.repeat(64)])).rejects.toThrow(/audit_log_mac_present/);
  });

  it('an edit followed by recomputing the rest of the chain is detected', async () => {
    await tamperAsSuperuser(db.pool, `UPDATE audit_log SET details = '{"amount": 1}' WHERE id = 3`);
    await rebuildChainFrom(3);
    expect(await verify()).toMatchObject({ ok: false, problem: 'forged', firstBadId: 3 });
  });

  it('a chain rebuilt from the first row with its seals stripped (passing as pre-seal rows) is caught by the checkpoint', async () => {
    await tamperAsSuperuser(db.pool, 'ALTER TABLE audit_log DROP CONSTRAINT audit_log_mac_present');
    await tamperAsSuperuser(db.pool, `UPDATE audit_log SET details = '{"amount": 1}', mac = NULL`);
    await rebuildChainFrom(1);
    expect(await verify()).toMatchObject({ ok: false, problem: 'checkpoint_mismatch', checkpointId: 1 });
  });

  it('a checkpoint forged or edited without the key is detected', async () => {
    await tamperAsSuperuser(db.pool, 'UPDATE audit_checkpoints SET row_count = 3, head_id = 3');
    expect(await verify()).toMatchObject({ ok: false, problem: 'checkpoint_forged' });
  });

  it('rows added after the last checkpoint are sealed and verify; the next checkpoint covers them', async () => {
    await append(3, 6);
    expect(await verify()).toMatchObject({ ok: true, rows: 8, sealedRows: 8 });
    const c = await writeAuditCheckpoint(db.pool, auditKey());
    expect(c).toMatchObject({ rowCount: 8, headId: 8 });
    expect(await verify()).toMatchObject({ ok: true, rows: 8, checkpoints: 2 });
  });

  it('a different key (a guessed or leaked-old one) does not verify the trail', async () => {
    expect(await verifyAuditLog(db.pool, Buffer.from('x'.repeat(32)))).toMatchObject({ ok: false });
  });

  it('verification pages through a long log in batches (keyset) rather than loading it whole', async () => {
    await append(1200, 6);
    await writeAuditCheckpoint(db.pool, auditKey());
    const seen: string[] = [];
    const spy = { query: (sql: string, params?: unknown[]) => { seen.push(sql); return db.pool.query(sql, params); } };
    expect(await verifyAuditLog(spy as never, auditKey())).toMatchObject({ ok: true, rows: 1205 });
    const pages = seen.filter((s) => s.includes('FROM audit_log WHERE id >'));
    expect(pages.length).toBeGreaterThanOrEqual(2);
    expect(seen.every((s) => /LIMIT \$2/.test(s))).toBe(true);
  }, 120_000);
});
