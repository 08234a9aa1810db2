import type { Queryable } from '../db/pool.js';
import { ownerIdentity, type OwnerInput, type OwnershipInput, type VehicleInput } from './types.js';

/** An ownership period that cannot be recorded without rewriting someone else's history. */
export class OwnershipConflictError extends Error {
  override readonly name = 'OwnershipConflictError';
  readonly code = 'ownership_overlap';
}

/** Rows per INSERT statement: keeps parameter counts far below PostgreSQL's 65535 limit. */
const CHUNK = 1000;

function chunks<T>(items: readonly T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Last entry wins per key: one statement must not touch the same row twice. */
function lastByKey<T>(items: readonly T[], key: (t: T) => string): T[] {
  return [...new Map(items.map((t) => [key(t), t])).values()];
}

/**
 * Inserts or refreshes owners (name, address and contacts follow the latest registry export),
 * keyed by national ID or tax code. Returns ownerIdentity(o) -> owners.id for every input.
 */
export async function upsertOwners(db: Queryable, owners: readonly OwnerInput[]): Promise<Map<string, number>> {
  const ids = new Map<string, number>();
  for (const kind of ['person', 'organisation'] as const) {
    const column = kind === 'person' ? 'national_id' : 'tax_code';
    const list = lastByKey(owners.filter((o) => o.kind === kind), ownerIdentity);
    for (const part of chunks(list)) {
      const { rows } = await db.query<{ id: number; ident: string }>(
        `INSERT INTO owners (kind, ${column}, full_name, address, province, phone, email)
         SELECT $1::text, * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])
         ON CONFLICT (${column}) DO UPDATE SET full_name = EXCLUDED.full_name, address = EXCLUDED.address,
           province = EXCLUDED.province, phone = EXCLUDED.phone, email = EXCLUDED.email
         RETURNING id, ${column} AS ident`,
        [kind,
          part.map((o) => (o.kind === 'person' ? o.nationalId : o.taxCode)),
          part.map((o) => o.fullName), part.map((o) => o.address), part.map((o) => o.province),
          part.map((o) => o.phone ?? null), part.map((o) => o.email ?? null)],
      );
      for (const r of rows) ids.set(`${kind === 'person' ? 'P' : 'O'}:${r.ident}`, r.id);
    }
  }
  return ids;
}

/** Inserts or refreshes vehicles keyed by plate key. Returns plateKey -> vehicles.id. */
export async function upsertVehicles(db: Queryable, vehicles: readonly VehicleInput[]): Promise<Map<string, number>> {
  const ids = new Map<string, number>();
  for (const part of chunks(lastByKey(vehicles, (v) => v.plateKey))) {
    const { rows } = await db.query<{ id: number; plate_key: string }>(
      `INSERT INTO vehicles (plate, plate_key, plate_colour, vehicle_type, make, model, colour, registered_at)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::date[])
       ON CONFLICT (plate_key) DO UPDATE SET plate = EXCLUDED.plate, plate_colour = EXCLUDED.plate_colour,
         vehicle_type = EXCLUDED.vehicle_type, make = EXCLUDED.make, model = EXCLUDED.model,
         colour = EXCLUDED.colour, registered_at = EXCLUDED.registered_at
       RETURNING id, plate_key`,
      [part.map((v) => v.plate), part.map((v) => v.plateKey), part.map((v) => v.plateColour), part.map((v) => v.vehicleType),
        part.map((v) => v.make ?? null), part.map((v) => v.model ?? null), part.map((v) => v.colour ?? null),
        part.map((v) => v.registeredAt)],
    );
    for (const r of rows) ids.set(r.plate_key, r.id);
  }
  return ids;
}

export type OwnershipOutcome = 'created' | 'unchanged' | 'updated' | 'closed_previous';

/**
 * Records who answers for a vehicle from `validFrom`. History is kept: an open-ended earlier
 * period (the seller's registration, or a sale not yet re-registered) is closed at `validFrom`
 * rather than replaced. Re-recording an existing period is a no-op, or sets its end date when
 * the export now has one (an open end never reopens a closed period). Anything else that overlaps existing history throws
 * OwnershipConflictError. Run inside a transaction (the vehicle row is locked).
 */
export async function addOwnership(db: Queryable, o: OwnershipInput): Promise<{ id: number; outcome: OwnershipOutcome }> {
  // a refused period must not leave the previous owner's period closed
  await db.query('SAVEPOINT add_ownership');
  try {
    const result = await recordOwnership(db, o);
    await db.query('RELEASE SAVEPOINT add_ownership');
    return result;
  } catch (err) {
    await db.query('ROLLBACK TO SAVEPOINT add_ownership');
    throw err;
  }
}

async function recordOwnership(db: Queryable, o: OwnershipInput): Promise<{ id: number; outcome: OwnershipOutcome }> {
  if (o.validTo && o.validTo <= o.validFrom) throw new OwnershipConflictError('thời hạn sở hữu phải kết thúc sau khi bắt đầu');
  await db.query('SELECT id FROM vehicles WHERE id = $1 FOR UPDATE', [o.vehicleId]);
  const same = await db.query<{ id: number; valid_to: Date | null }>(
    `SELECT id, valid_to FROM vehicle_ownerships
     WHERE vehicle_id = $1 AND owner_id = $2 AND basis = $3 AND valid_from = $4`,
    [o.vehicleId, o.ownerId, o.basis, o.validFrom],
  );
  const existing = same.rows[0];
  if (existing) {
    // an open end is not news when the period was closed since by the next owner's period: re-importing
    // an export that lists a sale must not try to reopen the seller's period
    if (o.validTo === null || existing.valid_to?.getTime() === o.validTo.getTime()) return { id: existing.id, outcome: 'unchanged' };
    await guard(() => db.query('UPDATE vehicle_ownerships SET valid_to = $2 WHERE id = $1', [existing.id, o.validTo]));
    return { id: existing.id, outcome: 'updated' };
  }
  const closed = await db.query(
    `UPDATE vehicle_ownerships SET valid_to = $2
     WHERE vehicle_id = $1 AND valid_to IS NULL AND valid_from < $2`,
    [o.vehicleId, o.validFrom],
  );
  const { rows } = await guard(() => db.query<{ id: number }>(
    `INSERT INTO vehicle_ownerships (vehicle_id, owner_id, basis, valid_from, valid_to)
     VALUES ($1, $2, $3, $4, $5) RETURNING id`,
    [o.vehicleId, o.ownerId, o.basis, o.validFrom, o.validTo],
  ));
  return { id: rows[0]!.id, outcome: (closed.rowCount ?? 0) > 0 ? 'closed_previous' : 'created' };
}

async function guard<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if ((err as { code?: string }).code === '23P01') {
      throw new OwnershipConflictError('thời hạn sở hữu chồng lên một thời hạn đã ghi nhận của xe này với chủ khác');
    }
    throw err;
  }
}
