import { appendAudit } from '../audit/audit-log.js';
import { keysetPage, timeKey, type KeysetPage } from '../db/keyset.js';
import { withTransaction, type Pool, type Queryable } from '../db/pool.js';
import { communeUnitFor } from '../units/units.js';
import { issueForm04 } from './form04.js';

export interface EscalatedNotice {
  noticeId: number;
  noticeNumber: string;
  plate: string;
  dueAt: Date;
  /** cars and trucks: inspection registry and registration authority; motorbikes: form 04 to the owner's commune/ward police */
  kind: 'inspection_registry' | 'commune_police';
  /** number of the form-04 notice issued for a motorbike case (null: no owner on record to address it for) */
  form04Number: string | null;
}

/**
 * Marks every issued notice whose due date has passed at `now` as escalated (TT 73/2024 Điều 24: after
 * 20 days without resolution the inspection registry is warned). One transaction for the run, each
 * notice audited `notice.escalated`; running it twice the same day escalates nothing new.
 */
export async function escalateOverdue(pool: Pool, now: Date): Promise<EscalatedNotice[]> {
  return withTransaction(pool, async (tx) => {
    // motorbikes are not inspected, so their owners' commune/ward police get a further notice (form 04) instead
    const { rows } = await tx.query<{ id: number; notice_number: string; plate_text: string; due_at: Date; escalation_kind: EscalatedNotice['kind'] }>(
      `UPDATE notices n SET status = 'escalated', escalated_at = $1,
              escalation_kind = CASE WHEN coalesce(ve.vehicle_type, v.vehicle_category) IN ('car', 'truck', 'bus') THEN 'inspection_registry' ELSE 'commune_police' END
       FROM violations v LEFT JOIN vehicles ve ON ve.id = v.vehicle_id
       WHERE v.id = n.violation_id AND n.status = 'issued' AND n.due_at <= $1
       RETURNING n.id, n.notice_number, v.plate_text, n.due_at, n.escalation_kind`,
      [now],
    );
    rows.sort((a, b) => a.id - b.id);
    const out: EscalatedNotice[] = [];
    for (const r of rows) {
      await appendAudit(tx, {
        actorId: null, actor: 'escalation-job', action: 'notice.escalated', entityType: 'notice', entityId: r.id,
        details: { noticeNumber: r.notice_number, plate: r.plate_text, dueAt: r.due_at.toISOString(), escalatedAt: now.toISOString(), kind: r.escalation_kind },
      });
      const form04 = r.escalation_kind === 'commune_police' ? await issueForm04(tx, r.id, now) : null;
      out.push({ noticeId: r.id, noticeNumber: r.notice_number, plate: r.plate_text, dueAt: r.due_at, kind: r.escalation_kind, form04Number: form04?.formNumber ?? null });
    }
    return out;
  });
}

export type RegistryListState = 'active' | 'lifted';

/** One line of the list sent to the inspection registry: the vehicle and why it is held, no personal data. */
export interface RegistryEntry {
  plate: string;
  plateKey: string;
  vehicleType: string;
  noticeNumber: string;
  violationDate: string;
  dueDate: string;
  escalatedAt: string;
  liftedAt: string | null;
}

/** Where an entry stands in its list: the time it is ordered by (escalated or lifted, to the microsecond) and the notice id. */
export type EscalationKey = [time: string, noticeId: number];

interface RegistryRow { plate_text: string; plate_key: string; vehicle_type: string; notice_number: string;
  occurred_at: Date; due_at: Date; escalated_at: Date; resolved_at: Date | null; key_time: string; id: number }

/** The list's rows; a lifted list reads `since` from parameter $n. */
const registryWhere = (state: RegistryListState, n: number) => `n.escalation_kind = 'inspection_registry' AND ${state === 'active'
  ? `n.status = 'escalated'`
  : `n.status = 'resolved' AND n.escalated_at IS NOT NULL AND ($${n}::timestamptz IS NULL OR n.resolved_at >= $${n})`}`;

/**
 * Only vehicles subject to inspection (escalation kind inspection_registry); motorbikes are on the form-04 list.
 * Vehicles to hold at inspection (`active`: escalated, unresolved, oldest first) or to release (`lifted`:
 * escalated and since resolved, newest first), one page at a time. `since` limits lifted entries to those
 * resolved after it.
 */
export async function registryPage(db: Queryable, state: RegistryListState, page: { limit: number; after?: EscalationKey | undefined; since?: Date | undefined }):
Promise<KeysetPage<RegistryEntry, EscalationKey>> {
  const [time, id] = page.after ?? [null, null];
  const { rows } = await db.query<RegistryRow>(
    `SELECT v.plate_text, v.plate_key, coalesce(ve.vehicle_type, v.vehicle_category) AS vehicle_type, n.notice_number,
            v.occurred_at, n.due_at, n.escalated_at, n.resolved_at, n.id, ${timeKey(state === 'active' ? 'n.escalated_at' : 'n.resolved_at')} AS key_time
     FROM notices n JOIN violations v ON v.id = n.violation_id LEFT JOIN vehicles ve ON ve.id = v.vehicle_id
     WHERE ${registryWhere(state, 4)} AND ($1::timestamptz IS NULL OR ${state === 'active'
      ? '(n.escalated_at, n.id) > ($1, $2)'
      : '(n.resolved_at < $1 OR (n.resolved_at = $1 AND n.id > $2))'})
     ORDER BY ${state === 'active' ? 'n.escalated_at, n.id' : 'n.resolved_at DESC, n.id'} LIMIT $3`,
    [time, id, page.limit + 1, ...(state === 'active' ? [] : [page.since ?? null])],
  );
  return keysetPage(rows, page.limit, (r): EscalationKey => [r.key_time, r.id], (r) => ({
    plate: r.plate_text,
    plateKey: r.plate_key,
    vehicleType: r.vehicle_type,
    noticeNumber: r.notice_number,
    violationDate: r.occurred_at.toISOString(),
    dueDate: r.due_at.toISOString(),
    escalatedAt: r.escalated_at.toISOString(),
    liftedAt: r.resolved_at?.toISOString() ?? null,
  }));
}

/** How many entries the whole list holds (all pages). */
export async function registryCount(db: Queryable, state: RegistryListState, since?: Date): Promise<number> {
  const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM notices n WHERE ${registryWhere(state, 1)}`,
    state === 'active' ? [] : [since ?? null]);
  return rows[0]!.n;
}

/** The whole list a chunk at a time, for the CSV export: a province's list never sits in memory at once. */
export async function* registryEntries(db: Queryable, state: RegistryListState, since?: Date, chunk = 2000): AsyncGenerator<RegistryEntry[]> {
  let after: EscalationKey | undefined;
  do {
    const page = await registryPage(db, state, { limit: chunk, after, since });
    if (page.items.length > 0) yield page.items;
    after = page.next ?? undefined;
  } while (after);
}

/** One form-04 notice: an unresolved motorbike case passed to the commune/ward police where the owner lives. */
export interface Form04Entry {
  noticeNumber: string;
  /** the form-04 notice's own number (TB-…); null for a case escalated before form-04 notices were numbered, until its PDF is first requested */
  formNumber: string | null;
  plate: string;
  vehicleType: string;
  violationDate: string;
  escalatedAt: string;
  ownerName: string;
  ownerAddress: string;
  /** the commune/ward police serving the owner's address, null when no unit is registered for it */
  communePolice: { code: string; name: string; address: string; phone: string } | null;
}

const FORM04_WHERE = `n.status = 'escalated' AND n.escalation_kind = 'commune_police'`;

/**
 * Motorbike cases escalated and still unresolved, oldest first, each with the commune/ward police of the
 * owner (TT 73/2024 Đ24, form 04), one page at a time.
 */
export async function form04Page(db: Queryable, page: { limit: number; after?: EscalationKey | undefined }): Promise<KeysetPage<Form04Entry, EscalationKey>> {
  const [time, id] = page.after ?? [null, null];
  const { rows } = await db.query<{ id: number; key_time: string; notice_number: string; form_number: string | null; plate_text: string; vehicle_type: string;
    occurred_at: Date; escalated_at: Date; full_name: string; address: string; province: string }>(
    `SELECT n.id, ${timeKey('n.escalated_at')} AS key_time, n.notice_number, f.form_number, v.plate_text,
            coalesce(ve.vehicle_type, v.vehicle_category) AS vehicle_type, v.occurred_at, n.escalated_at, o.full_name, o.address, o.province
     FROM notices n JOIN violations v ON v.id = n.violation_id LEFT JOIN vehicles ve ON ve.id = v.vehicle_id JOIN owners o ON o.id = n.owner_id
     LEFT JOIN form04_notices f ON f.notice_id = n.id
     WHERE ${FORM04_WHERE} AND ($1::timestamptz IS NULL OR (n.escalated_at, n.id) > ($1, $2))
     ORDER BY n.escalated_at, n.id LIMIT $3`, [time, id, page.limit + 1]);
  const shown = keysetPage(rows, page.limit, (r): EscalationKey => [r.key_time, r.id], (r) => r);
  const items: Form04Entry[] = [];
  for (const r of shown.items) {
    const unit = await communeUnitFor(db, r.address, r.province);
    items.push({ noticeNumber: r.notice_number, formNumber: r.form_number, plate: r.plate_text, vehicleType: r.vehicle_type, violationDate: r.occurred_at.toISOString(),
      escalatedAt: r.escalated_at.toISOString(), ownerName: r.full_name, ownerAddress: `${r.address}, ${r.province}`,
      communePolice: unit ? { code: unit.code, name: unit.name, address: unit.address, phone: unit.phone } : null });
  }
  return { items, next: shown.next };
}

export async function form04Count(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM notices n WHERE ${FORM04_WHERE}`);
  return rows[0]!.n;
}
