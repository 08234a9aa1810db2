import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { writeAuditCheckpoint } from '../../src/audit/audit-checkpoint.js';
import { chainAuditLog } from '../../src/audit/audit-chainer.js';
import { auditKey } from '../../src/audit/audit-key.js';
import { appendAudit, GENESIS, rowHash, rowMac } from '../../src/audit/audit-log.js';
import { verifyAuditLog } from '../../src/audit/audit-verify.js';
import { createPool, withTransaction } from '../../src/db/pool.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { tamperAsSuperuser } from '../helpers/tamper.js';

/**
 * Audited writes append sealed, unlinked rows without waiting for each other; the chainer links
 * committed rows in id order. These are the properties that make that safe.
 */
let db: TestDatabase;
beforeAll(async () => { db = await createTestDatabase(); });
afterAll(async () => { await db.drop(); });
beforeEach(async () => {
  await tamperAsSuperuser(db.pool, 'TRUNCATE audit_log, audit_links, audit_checkpoints RESTART IDENTITY');
});

const entry = (i: number) => ({ actorId: null, actor: 'worker', action: 'payment.recorded', entityType: 'payment', entityId: i,
  details: { amount: 800_000 * i } });
const append = (i: number) => withTransaction(db.pool, (tx) => appendAudit(tx, entry(i)));
const verify = () => verifyAuditLog(db.pool, auditKey());

/** A transaction that has appended an audit row and stays open until `commit` or `rollback` is called. */
async function openAppend(i: number) {
  const client = await db.pool.connect();
  await client.query('BEGIN');
  const row = await appendAudit(client, entry(i));
  const end = async (sql: string) => { await client.query(sql); client.release(); };
  return { id: row.id, commit: () => end('COMMIT'), rollback: () => end('ROLLBACK') };
}

describe('audited writes without a global lock', () => {
  it('two open transactions both append without waiting for each other', async () => {
    const a = await openAppend(1);
    // with the former chain lock this second append would block until `a` commits (and the test time out)
    const b = await openAppend(2);
    expect(b.id).toBe(a.id + 1);
    await b.commit();
    await a.commit();
    await chainAuditLog(db.pool, auditKey());
    expect(await verify()).toMatchObject({ ok: true, rows: 2, sealedRows: 2 });
    expect((await db.pool.query('SELECT count(*)::int AS n FROM audit_links')).rows[0].n).toBe(2);
  });

  it('the chainer does not pass over a lower id whose transaction is still open, and links it once committed', async () => {
    await append(1);
    const slow = await openAppend(2);
    await append(3);
    const first = await chainAuditLog(db.pool, auditKey(), { waitMs: 100 });
    expect(first).toMatchObject({ linked: 1, head: { id: 1 } });
    // the unlinked rows are sealed and accepted as the tail the chainer has not reached
    expect(await verify()).toMatchObject({ ok: true, rows: 2 });
    await slow.commit();
    expect(await chainAuditLog(db.pool, auditKey())).toMatchObject({ linked: 2, head: { id: 3 } });
    expect(await verify()).toMatchObject({ ok: true, rows: 3, sealedRows: 3 });
  });

  it('the id of a rolled-back transaction is passed over once no transaction can fill it', async () => {
    await append(1);
    const dropped = await openAppend(2);
    await append(3);
    await dropped.rollback();
    expect(await chainAuditLog(db.pool, auditKey())).toMatchObject({ linked: 2, head: { id: 3 } });
    expect(await verify()).toMatchObject({ ok: true, rows: 2 });
  });

  it('many concurrent audited writes all end up linked, in id order, and verify', async () => {
    await Promise.all(Array.from({ length: 40 }, (_, i) => append(i + 1)));
    await writeAuditCheckpoint(db.pool, auditKey());
    const { rows } = await db.pool.query<{ logged: number; linked: number }>(
      'SELECT (SELECT count(*)::int FROM audit_log) AS logged, (SELECT count(*)::int FROM audit_links) AS linked');
    expect(rows[0]).toEqual({ logged: 40, linked: 40 });
    expect(await verify()).toMatchObject({ ok: true, rows: 40, checkpoints: 1 });
  });

  it('running the chainer again links nothing twice', async () => {
    for (let i = 1; i <= 3; i++) await append(i);
    expect(await chainAuditLog(db.pool, auditKey())).toMatchObject({ linked: 3 });
    expect(await chainAuditLog(db.pool, auditKey())).toMatchObject({ linked: 0, head: { id: 3 } });
  });

  it('links in batches: a log longer than one batch is linked whole', async () => {
    for (let i = 1; i <= 7; i++) await append(i);
    expect(await chainAuditLog(db.pool, auditKey(), { batch: 3 })).toMatchObject({ linked: 7, head: { id: 7 } });
    expect(await verify()).toMatchObject({ ok: true, rows: 7 });
  });

  it('two chainers running at once link every row once, into one chain', async () => {
    for (let i = 1; i <= 30; i++) await append(i);
    const runs = await Promise.all([chainAuditLog(db.pool, auditKey(), { batch: 4 }), chainAuditLog(db.pool, auditKey(), { batch: 4 })]);
    expect(runs[0]!.linked + runs[1]!.linked).toBe(30);
    expect((await db.pool.query('SELECT count(*)::int AS n FROM audit_links')).rows[0].n).toBe(30);
    expect(await verify()).toMatchObject({ ok: true, rows: 30, sealedRows: 30 });
  });

  it('a chainer killed in the middle of a batch leaves none of it, and the next run links on from the last whole batch', async () => {
    for (let i = 1; i <= 4; i++) await append(i);
    await chainAuditLog(db.pool, auditKey());
    for (let i = 5; i <= 10; i++) await append(i);
    // hold the chainer inside its first batch: its links are made, its insert waits on this lock
    const blocker = await db.pool.connect();
    await blocker.query('BEGIN');
    await blocker.query('LOCK TABLE audit_links IN SHARE MODE');
    const doomed = createPool(db.url, 1);
    try {
      const killed = chainAuditLog(doomed, auditKey(), { batch: 3 });
      let pid: number | undefined;
      while (pid === undefined) {
        const { rows } = await db.pool.query<{ pid: number }>(
          `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%INSERT INTO audit_links%'`);
        pid = rows[0]?.pid;
        if (pid === undefined) await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await db.pool.query('SELECT pg_terminate_backend($1)', [pid]);
      await expect(killed).rejects.toThrow();
    } finally {
      await blocker.query('COMMIT');
      blocker.release();
      await doomed.end();
    }
    expect((await db.pool.query('SELECT max(id)::int AS head, count(*)::int AS n FROM audit_links')).rows[0]).toEqual({ head: 4, n: 4 });
    expect(await chainAuditLog(db.pool, auditKey(), { batch: 3 })).toMatchObject({ linked: 6, head: { id: 10 } });
    expect(await verify()).toMatchObject({ ok: true, rows: 10, sealedRows: 10 });
  });

  it('rows slipped in after the head as if chained at write time are passed over, a whole batch of them too, and refused by verification', async () => {
    for (let i = 1; i <= 2; i++) await append(i);
    await chainAuditLog(db.pool, auditKey());
    for (let id = 3; id <= 5; id++) {
      const row = { id, occurred_at: new Date(), actor_id: null, actor: 'worker', action: 'payment.recorded', entity_type: 'payment',
        entity_id: String(id), details: {}, prev_hash: GENESIS };
      const hash = rowHash(row);
      await tamperAsSuperuser(db.pool,
        `INSERT INTO audit_log (id, occurred_at, actor_id, actor, action, entity_type, entity_id, details, prev_hash, hash, mac)
         VALUES ($1, $2, NULL, $3, $4, $5, $6, $7, $8, $9, $10)`,
        [id, row.occurred_at, row.actor, row.action, row.entity_type, row.entity_id, row.details, GENESIS, hash, rowMac(auditKey(), hash)]);
    }
    await db.pool.query(`SELECT setval(pg_get_serial_sequence('audit_log', 'id'), 5)`);
    for (let i = 6; i <= 7; i++) await append(i);
    expect(await chainAuditLog(db.pool, auditKey(), { batch: 2 })).toMatchObject({ linked: 2, head: { id: 7 } });
    expect(await verify()).toMatchObject({ ok: false, firstBadId: 3 });
  });

  it('a deleted linked row shows on verification even with no checkpoint after it', async () => {
    for (let i = 1; i <= 4; i++) await append(i);
    await chainAuditLog(db.pool, auditKey());
    await tamperAsSuperuser(db.pool, 'DELETE FROM audit_log WHERE id = 2');
    expect(await verify()).toMatchObject({ ok: false, problem: 'missing_before', firstBadId: 3 });
  });

  it('links recomputed without the key after a deletion are detected', async () => {
    for (let i = 1; i <= 4; i++) await append(i);
    await chainAuditLog(db.pool, auditKey());
    await tamperAsSuperuser(db.pool, 'DELETE FROM audit_log WHERE id = 2');
    await tamperAsSuperuser(db.pool, 'DELETE FROM audit_links WHERE id >= 2');
    // the attacker relinks with a key of their own
    await chainAuditLog(db.pool, Buffer.from('attacker'.repeat(4)));
    expect(await verify()).toMatchObject({ ok: false, problem: 'forged', firstBadId: 3 });
  });

  it('an unlinked row followed by linked ones (a row slipped in behind the chainer) is detected', async () => {
    for (let i = 1; i <= 3; i++) await append(i);
    await chainAuditLog(db.pool, auditKey());
    await tamperAsSuperuser(db.pool, 'DELETE FROM audit_links WHERE id = 2');
    expect(await verify()).toMatchObject({ ok: false, firstBadId: 2 });
  });
});

describe('a log chained at write time before migration 110', () => {
  /** Rows as appendAudit wrote them before: prev_hash set, the hash covering it. */
  async function legacyRows(n: number) {
    let prev = GENESIS;
    for (let id = 1; id <= n; id++) {
      const row = { id, occurred_at: new Date(Date.UTC(2026, 0, id)), actor_id: null, actor: 'worker', action: 'payment.recorded',
        entity_type: 'payment', entity_id: String(id), details: { amount: id }, prev_hash: prev };
      const hash = rowHash(row);
      await db.pool.query(
        `INSERT INTO audit_log (id, occurred_at, actor_id, actor, action, entity_type, entity_id, details, prev_hash, hash, mac)
         VALUES ($1, $2, NULL, $3, $4, $5, $6, $7, $8, $9, $10)`,
        [id, row.occurred_at, row.actor, row.action, row.entity_type, row.entity_id, row.details, prev, hash, rowMac(auditKey(), hash)]);
      prev = hash;
    }
    await db.pool.query(`SELECT setval(pg_get_serial_sequence('audit_log', 'id'), $1)`, [n]);
  }

  it('new rows are linked on from the last old row, and the whole log verifies', async () => {
    await legacyRows(3);
    const c1 = await writeAuditCheckpoint(db.pool, auditKey());
    expect(c1).toMatchObject({ headId: 3, rowCount: 3 });
    for (let i = 4; i <= 6; i++) await append(i);
    await writeAuditCheckpoint(db.pool, auditKey());
    expect(await verify()).toMatchObject({ ok: true, rows: 6, sealedRows: 6, checkpoints: 2 });
    expect(await verifyAuditLog(db.pool, auditKey(), { resumeAfterCheckpoint: c1.id })).toMatchObject({ ok: true, rows: 6 });
  });

  it('deleting the last old row breaks the first new link', async () => {
    await legacyRows(3);
    for (let i = 4; i <= 5; i++) await append(i);
    await chainAuditLog(db.pool, auditKey());
    await tamperAsSuperuser(db.pool, 'DELETE FROM audit_log WHERE id = 3');
    expect(await verify()).toMatchObject({ ok: false, problem: 'missing_before', firstBadId: 4 });
  });
});

describe('verification resumed from a keyed checkpoint', () => {
  it('checks only the rows after the checkpoint, still catching what was done after it', async () => {
    for (let i = 1; i <= 5; i++) await append(i);
    const c = await writeAuditCheckpoint(db.pool, auditKey());
    for (let i = 6; i <= 8; i++) await append(i);
    expect(await verifyAuditLog(db.pool, auditKey(), { resumeAfterCheckpoint: c.id })).toMatchObject({ ok: true, rows: 8, checkpoints: 1 });
    await chainAuditLog(db.pool, auditKey());
    await tamperAsSuperuser(db.pool, `UPDATE audit_log SET details = '{"amount": 1}' WHERE id = 7`);
    expect(await verifyAuditLog(db.pool, auditKey(), { resumeAfterCheckpoint: c.id })).toMatchObject({ ok: false, problem: 'edited', firstBadId: 7 });
  });

  it('a deletion right after the checkpoint row is caught by the link', async () => {
    for (let i = 1; i <= 5; i++) await append(i);
    const c = await writeAuditCheckpoint(db.pool, auditKey());
    for (let i = 6; i <= 8; i++) await append(i);
    await chainAuditLog(db.pool, auditKey());
    await tamperAsSuperuser(db.pool, 'DELETE FROM audit_log WHERE id = 6');
    expect(await verifyAuditLog(db.pool, auditKey(), { resumeAfterCheckpoint: c.id })).toMatchObject({ ok: false, problem: 'missing_before', firstBadId: 7 });
  });

  it('a forged checkpoint chain is still refused when resuming', async () => {
    for (let i = 1; i <= 3; i++) await append(i);
    const c = await writeAuditCheckpoint(db.pool, auditKey());
    await tamperAsSuperuser(db.pool, 'UPDATE audit_checkpoints SET row_count = 2');
    expect(await verifyAuditLog(db.pool, auditKey(), { resumeAfterCheckpoint: c.id })).toMatchObject({ ok: false, problem: 'checkpoint_forged' });
  });
});
