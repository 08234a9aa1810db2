import { createHash } from 'node:crypto';
import type { Queryable } from '../db/pool.js';
import { auditKey, hmacHex, type AuditKey } from './audit-key.js';

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

export const GENESIS = '0'.repeat(64);
/**
 * Serialises the chainer and checkpoints (never the writers): two chainers must not link the same
 * rows, and a checkpoint must seal a head no chainer is moving.
 */
export const AUDIT_CHAIN_LOCK = 7462003;

/**
 * Appends an entry inside the caller's transaction (pass the transaction's client), so the
 * state change and its audit row commit or roll back together. The row is written once, complete and
 * sealed (the table refuses UPDATE), but not linked to the previous row: writers do not wait for each
 * other; the chainer links committed rows in id order (audit-chainer.ts, migration 110).
 */
export async function appendAudit(tx: Queryable, entry: AuditEntry): Promise<{ id: number; hash: string }> {
  // hash exactly what jsonb will give back (Dates become strings, undefined disappears)
  const details = JSON.parse(JSON.stringify(entry.details ?? {})) as Record<string, unknown>;
  // The transaction gets its xid before it draws the id (the subquery runs first: OFFSET 0 keeps it
  // from being folded in), so the chainer, which waits for the transactions it saw running, cannot
  // take an id drawn here for a rolled-back gap while this transaction may still commit it.
  // The time is taken back through a JS Date (milliseconds), so what is stored is exactly what was hashed.
  // both statements prepared: every audited action runs them
  const drawn = await tx.query<{ id: number; occurred_at: Date }>({
    name: 'audit-draw-id',
    text: `SELECT nextval(pg_get_serial_sequence('audit_log', 'id')) AS id, now() AS occurred_at
     FROM (SELECT pg_current_xact_id() OFFSET 0) AS xact`,
  });
  const { id, occurred_at: occurredAt } = drawn.rows[0]!;
  const hash = rowHash({ id, occurred_at: occurredAt, actor_id: entry.actorId, actor: entry.actor, action: entry.action,
    entity_type: entry.entityType, entity_id: String(entry.entityId), details, prev_hash: null });
  await tx.query({
    name: 'audit-append',
    text: `INSERT INTO audit_log (id, occurred_at, actor_id, actor, action, entity_type, entity_id, details, prev_hash, hash, mac)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL, $9, $10)`,
    values: [id, occurredAt, entry.actorId, entry.actor, entry.action, entry.entityType, String(entry.entityId), details, hash,
      rowMac(auditKey(), hash)],
  });
  return { id, hash };
}

export interface AuditRow {
  id: number;
  occurred_at: Date;
  actor_id: number | null;
  actor: string;
  action: string;
  entity_type: string;
  entity_id: string;
  details: unknown;
  /** the previous row's hash for rows chained at write time (before migration 110); null since */
  prev_hash: string | null;
}

export function rowHash(row: AuditRow): string {
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

/** The link of a row into the chain: covers its id, its content hash and the previous link. */
export function linkHash(id: number, prevLink: string, hash: string): string {
  return createHash('sha256').update(JSON.stringify(['audit-link', id, prevLink, hash])).digest('hex');
}

/** The seal of a link: a chain rebuilt after a deleted row cannot be re-sealed without the key. */
export function linkMac(key: AuditKey, link: string): string {
  return hmacHex(key, `audit-link\n${link}`);
}

/** The seal of a row: only a holder of the key can make one, so a forged or rebuilt row shows. */
export function rowMac(key: AuditKey, hash: string): string {
  return hmacHex(key, `audit-row\n${hash}`);
}
