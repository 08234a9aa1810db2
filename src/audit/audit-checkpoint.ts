import type { Pool } from '../db/pool.js';
import { withTransaction } from '../db/pool.js';
import { chainAuditLog, chainHead } from './audit-chainer.js';
import { AUDIT_CHAIN_LOCK, GENESIS } from './audit-log.js';
import { hmacHex, type AuditKey } from './audit-key.js';

export interface AuditCheckpoint {
  id: number;
  takenAt: Date;
  rowCount: number;
  headId: number;
  headHash: string;
  prevMac: string;
  mac: string;
}

/** The seal of a checkpoint: covers what it states and the previous checkpoint's seal. */
export function checkpointMac(key: AuditKey, c: Omit<AuditCheckpoint, 'mac'>): string {
  return hmacHex(key, JSON.stringify(['audit-checkpoint', c.id, c.takenAt.toISOString(), c.rowCount, c.headId, c.headHash, c.prevMac]));
}

/**
 * Links what is committed, then seals the chain head (the newest linked row's link) and the number of
 * rows up to it. Taken under the chain lock, so no chainer moves the head between counting and
 * sealing; writers are not held up. Written periodically by the workers' scheduler and on demand
 * (`npm run audit:checkpoint`, POST /api/v1/audit/checkpoints).
 */
export async function writeAuditCheckpoint(pool: Pool, key: AuditKey): Promise<AuditCheckpoint> {
  await chainAuditLog(pool, key);
  return withTransaction(pool, async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [AUDIT_CHAIN_LOCK]);
    const chained = await chainHead(tx);
    const counted = await tx.query<{ row_count: number }>('SELECT count(*)::bigint AS row_count FROM audit_log WHERE id <= $1', [chained.id]);
    const prev = await tx.query<{ mac: string }>('SELECT mac FROM audit_checkpoints ORDER BY id DESC LIMIT 1');
    const drawn = await tx.query<{ id: number; taken_at: Date }>(
      `SELECT nextval(pg_get_serial_sequence('audit_checkpoints', 'id')) AS id, now() AS taken_at`);
    const unsealed = {
      id: drawn.rows[0]!.id, takenAt: drawn.rows[0]!.taken_at, rowCount: counted.rows[0]!.row_count,
      headId: chained.id, headHash: chained.link, prevMac: prev.rows[0]?.mac ?? GENESIS,
    };
    const checkpoint = { ...unsealed, mac: checkpointMac(key, unsealed) };
    await tx.query(
      `INSERT INTO audit_checkpoints (id, taken_at, row_count, head_id, head_hash, prev_mac, mac) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [checkpoint.id, checkpoint.takenAt, checkpoint.rowCount, checkpoint.headId, checkpoint.headHash, checkpoint.prevMac, checkpoint.mac]);
    return checkpoint;
  });
}
