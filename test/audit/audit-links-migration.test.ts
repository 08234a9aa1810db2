import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeAuditCheckpoint } from '../../src/audit/audit-checkpoint.js';
import { chainAuditLog } from '../../src/audit/audit-chainer.js';
import { auditKey } from '../../src/audit/audit-key.js';
import { appendAudit, GENESIS } from '../../src/audit/audit-log.js';
import { verifyAuditLog } from '../../src/audit/audit-verify.js';
import { withTransaction, type Pool } from '../../src/db/pool.js';
import { databaseBefore, type MigrationDb } from '../helpers/migration-db.js';
import { tamperAsSuperuser } from '../helpers/tamper.js';

/**
 * Migration 240 drops the unique index on audit_links.link and rewrites its format checks so the
 * chainer inserts faster. A chain linked before it must verify after it, and the table must refuse
 * the same malformed values as before.
 */
let db: MigrationDb;
beforeAll(async () => { db = await databaseBefore('240'); });
afterAll(async () => { await db.drop(); });

const append = (pool: Pool, i: number) => withTransaction(pool, (tx) => appendAudit(tx, {
  actorId: null, actor: 'worker', action: 'payment.recorded', entityType: 'payment', entityId: i, details: { amount: 800_000 * i },
}));

const hex = 'a'.repeat(64);
/** Values a link, its previous link or its seal may not hold: each fails the format of a SHA-256 in lower-case hex. */
const malformed = {
  'upper case': 'A'.repeat(64),
  '63 characters': 'a'.repeat(63),
  'a trailing blank in place of the last character': `${'a'.repeat(63)} `,
  'a leading blank': ` ${'a'.repeat(63)}`,
  'a blank inside': `${'a'.repeat(32)} ${'a'.repeat(31)}`,
  'a letter past f': `${'f'.repeat(63)}g`,
  'a non-ASCII letter': `${'a'.repeat(63)}é`,
  'a line break': `${'a'.repeat(63)}\n`,
  'empty': '',
};

/** Which of the malformed values each column of audit_links refuses (inserted as the application would, triggers on). */
async function refused(pool: Pool, firstId: number): Promise<string[]> {
  const out: string[] = [];
  let id = firstId;
  for (const [what, value] of Object.entries(malformed)) {
    for (const column of ['prev_link', 'link', 'mac'] as const) {
      const row = { prev_link: hex, link: hex, mac: hex, [column]: value };
      const inserted = await pool.query('INSERT INTO audit_links (id, prev_link, link, mac) VALUES ($1, $2, $3, $4)',
        [id++, row.prev_link, row.link, row.mac]).then(() => true, (err: { code?: string }) => {
        if (err.code !== '23514') throw err;
        return false;
      });
      if (!inserted) out.push(`${column}: ${what}`);
    }
  }
  return out;
}

describe('audit_links after migration 240', () => {
  it('a chain linked before the migration verifies after it, and the chainer links on from its head', async () => {
    for (let i = 1; i <= 5; i++) await append(db.pool, i);
    const before = await writeAuditCheckpoint(db.pool, auditKey());
    expect(before).toMatchObject({ headId: 5, rowCount: 5 });
    await db.applyMigrations((v) => v >= '240');

    expect(await verifyAuditLog(db.pool, auditKey())).toMatchObject({ ok: true, rows: 5, checkpoints: 1 });
    for (let i = 6; i <= 8; i++) await append(db.pool, i);
    expect(await chainAuditLog(db.pool, auditKey())).toMatchObject({ linked: 3, head: { id: 8 } });
    await writeAuditCheckpoint(db.pool, auditKey());
    expect(await verifyAuditLog(db.pool, auditKey())).toMatchObject({ ok: true, rows: 8, checkpoints: 2 });
    expect(await verifyAuditLog(db.pool, auditKey(), { resumeAfterCheckpoint: before.id })).toMatchObject({ ok: true, rows: 8 });

    // and a deletion across the two parts still shows
    await tamperAsSuperuser(db.pool, 'DELETE FROM audit_log WHERE id = 5');
    expect(await verifyAuditLog(db.pool, auditKey())).toMatchObject({ ok: false, problem: 'missing_before', firstBadId: 6 });
  });

  it('refuses every malformed link, previous link and seal it refused before', async () => {
    const all = Object.keys(malformed).flatMap((what) => ['prev_link', 'link', 'mac'].map((c) => `${c}: ${what}`));
    const other = await databaseBefore('240');
    try {
      expect(await refused(other.pool, 1_000_000)).toEqual(all);
      await other.applyMigrations((v) => v >= '240');
      expect(await refused(other.pool, 2_000_000)).toEqual(all);
      // and takes a well-formed one
      await other.pool.query('INSERT INTO audit_links (id, prev_link, link, mac) VALUES (3000000, $1, $2, $3)', [GENESIS, hex, 'f'.repeat(64)]);
    } finally {
      await other.drop();
    }
  });
});
