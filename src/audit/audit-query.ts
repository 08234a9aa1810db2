import type { Queryable } from '../db/pool.js';

export interface AuditRecord {
  id: number;
  occurredAt: Date;
  actorId: number | null;
  actor: string;
  action: string;
  entityType: string;
  entityId: string;
  details: unknown;
  hash: string;
}

export interface AuditFilter {
  entityType?: string;
  entityId?: string;
  actorId?: number;
  action?: string;
  /** page backwards: only rows with id below this */
  beforeId?: number;
  limit: number;
}

/** Audit rows newest first; page with `beforeId` = the last id of the previous page. */
export async function listAudit(db: Queryable, f: AuditFilter): Promise<AuditRecord[]> {
  const { rows } = await db.query<{ id: number; occurred_at: Date; actor_id: number | null; actor: string; action: string;
    entity_type: string; entity_id: string; details: unknown; hash: string }>(
    `SELECT id, occurred_at, actor_id, actor, action, entity_type, entity_id, details, hash FROM audit_log
     WHERE ($1::text IS NULL OR entity_type = $1) AND ($2::text IS NULL OR entity_id = $2)
       AND ($3::bigint IS NULL OR actor_id = $3) AND ($4::text IS NULL OR action = $4)
       AND ($5::bigint IS NULL OR id < $5)
     ORDER BY id DESC LIMIT $6`,
    [f.entityType ?? null, f.entityId ?? null, f.actorId ?? null, f.action ?? null, f.beforeId ?? null, f.limit],
  );
  return rows.map((r) => ({ id: r.id, occurredAt: r.occurred_at, actorId: r.actor_id, actor: r.actor, action: r.action,
    entityType: r.entity_type, entityId: r.entity_id, details: r.details, hash: r.hash }));
}
