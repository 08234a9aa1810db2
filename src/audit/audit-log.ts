import { createHash } from 'node:crypto';
import type { Queryable } from '../db/pool.js';

/** Who makes a change: a staff member, or a system process (id null: the seed, a worker, a bootstrap command). */
export interface Actor {
  id: number | null;
  username: string;
}

export interface AuditEntry {
  /** null for the system (workers, scheduled jobs) */
  actorId: number | null;
  /** username, or a process name such as 'worker' */
  actor: string;
  /** `<entity>.<verb>`, e.g. `violation.approved`, `camera.updated` */
  action: string;
  entityType: string;
  entityId: string | number;
  details?: Record<string, unknown>;
}

const GENESIS = '0'.repeat(64);
// one chain for the whole table: appends are serialised so two transactions never share a prev_hash
const CHAIN_LOCK = 7462003;

/**
 * Appends an entry inside the caller's transaction (pass the transaction's client), so the
 * state change and its audit row commit or roll back together.
 */
export async function appendAudit(tx: Queryable, entry: AuditEntry): Promise<{ id: number; hash: string }> {
  // hash exactly what jsonb will give back (Dates become strings, undefined disappears)
  const details = JSON.parse(JSON.stringify(entry.details ?? {})) as Record<string, unknown>;
  await tx.query('SELECT pg_advisory_xact_lock($1)', [CHAIN_LOCK]);
  const last = await tx.query<{ hash: string }>('SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1');
  const prevHash = last.rows[0]?.hash ?? GENESIS;
  const { rows } = await tx.query<{ id: number; occurred_at: Date }>(
    `INSERT INTO audit_log (actor_id, actor, action, entity_type, entity_id, details, prev_hash, hash)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id, occurred_at`,
    [entry.actorId, entry.actor, entry.action, entry.entityType, String(entry.entityId), details, prevHash, GENESIS],
  );
  const row = rows[0]!;
  const hash = rowHash({ id: row.id, occurred_at: row.occurred_at, actor_id: entry.actorId, actor: entry.actor, action: entry.action,
    entity_type: entry.entityType, entity_id: String(entry.entityId), details, prev_hash: prevHash });
  await tx.query('UPDATE audit_log SET hash = $2 WHERE id = $1', [row.id, hash]);
  return { id: row.id, hash };
}

interface AuditRow {
  id: number;
  occurred_at: Date;
  actor_id: number | null;
  actor: string;
  action: string;
  entity_type: string;
  entity_id: string;
  details: unknown;
  prev_hash: string;
}

function rowHash(row: AuditRow): string {
  const canonical = JSON.stringify([row.id, row.occurred_at.toISOString(), row.actor_id, row.actor, row.action,
    row.entity_type, row.entity_id, canonicalJson(row.details), row.prev_hash]);
  return createHash('sha256').update(canonical).digest('hex');
}

/** JSON with sorted keys: jsonb does not keep key order, the hash must not depend on it. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export type AuditVerification =
  | { ok: true; rows: number }
  | { ok: false; rows: number; firstBadId: number; problem: 'edited' | 'missing_before' | 'chain_broken' };

/** Walks the chain in id order and reports the first row that was edited, or after which rows are missing. */
export async function verifyAuditLog(db: Queryable): Promise<AuditVerification> {
  const { rows } = await db.query<AuditRow & { hash: string }>(
    'SELECT id, occurred_at, actor_id, actor, action, entity_type, entity_id, details, prev_hash, hash FROM audit_log ORDER BY id',
  );
  let prev = GENESIS;
  let prevId = 0;
  for (const row of rows) {
    if (row.prev_hash !== prev) {
      // a gap in ids with a broken link means rows were deleted; otherwise the link itself was altered
      return { ok: false, rows: rows.length, firstBadId: row.id, problem: row.id !== prevId + 1 ? 'missing_before' : 'chain_broken' };
    }
    if (rowHash(row) !== row.hash) return { ok: false, rows: rows.length, firstBadId: row.id, problem: 'edited' };
    prev = row.hash;
    prevId = row.id;
  }
  return { ok: true, rows: rows.length };
}
