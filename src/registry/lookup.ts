import type { Queryable } from '../db/pool.js';
import type { OwnershipBasis, PlateColour, VehicleType } from './types.js';

export interface RegisteredVehicle {
  id: number;
  plate: string;
  plateKey: string;
  plateColour: PlateColour;
  vehicleType: VehicleType;
}

const VEHICLE_COLUMNS = 'id, plate, plate_key AS "plateKey", plate_colour AS "plateColour", vehicle_type AS "vehicleType"';

export async function findVehicleByKey(db: Queryable, key: string): Promise<RegisteredVehicle | null> {
  const { rows } = await db.query<RegisteredVehicle>(`SELECT ${VEHICLE_COLUMNS} FROM vehicles WHERE plate_key = $1`, [key]);
  return rows[0] ?? null;
}

/** Vehicles whose look-alike skeleton is one of `skeletons` (index lookups only). */
export async function findVehiclesBySkeletons(db: Queryable, skeletons: readonly string[]): Promise<RegisteredVehicle[]> {
  // no LIMIT: it tempts the planner into a sequential scan "until enough rows turn up"
  const { rows } = await db.query<RegisteredVehicle>(
    `SELECT ${VEHICLE_COLUMNS} FROM vehicles WHERE plate_skeleton = ANY($1::text[])`,
    [skeletons],
  );
  return rows;
}

/** The skeleton with each glyph in turn left out: a glyph the camera missed or added. */
export function skeletonDeletions(skeleton: string): string[] {
  const out = new Set<string>();
  for (let i = 0; i < skeleton.length; i++) out.add(skeleton.slice(0, i) + skeleton.slice(i + 1));
  return [...out];
}

/**
 * Vehicles whose look-alike skeleton is at most one edit (substitution, missing or extra glyph) from
 * `skeleton`: the same vehicles as findVehiclesBySkeletons(skeletonNeighbours(skeleton)), found by
 * probing the skeleton and deletion indexes with about ten keys instead of ~500 (migration 170).
 * `withinOneEdit` drops what the deletion keys over-find (two glyphs swapped share a deletion).
 */
export async function findVehiclesNearSkeleton(db: Queryable, skeleton: string, withinOneEdit: (sk: string) => boolean): Promise<RegisteredVehicle[]> {
  const keys = [skeleton, ...skeletonDeletions(skeleton)];
  const { rows } = await db.query<RegisteredVehicle & { skeleton: string }>(
    // through vehicles_near_skeleton (migration 251): planned here, common keys turned it into a table scan
    `SELECT ${VEHICLE_COLUMNS}, plate_skeleton AS skeleton FROM vehicles
     WHERE id IN (SELECT vehicles_near_skeleton($1::text[]))`,
    [keys],
  );
  return rows.filter((r) => withinOneEdit(r.skeleton)).map(({ skeleton: _sk, ...v }) => v);
}

export interface OwnerAt {
  ownerId: number;
  basis: OwnershipBasis;
}

/**
 * Who answers for each vehicle at `at`. Periods of one vehicle never overlap (schema exclusion
 * constraint); should a sale not yet re-registered ever coincide with a registration, the buyer wins.
 */
export async function ownersAt(db: Queryable, vehicleIds: readonly number[], at: Date): Promise<Map<number, OwnerAt>> {
  if (vehicleIds.length === 0) return new Map();
  const { rows } = await db.query<{ vehicle_id: number; owner_id: number; basis: OwnershipBasis }>(
    `SELECT DISTINCT ON (vehicle_id) vehicle_id, owner_id, basis FROM vehicle_ownerships
     WHERE vehicle_id = ANY($1::bigint[]) AND valid_from <= $2 AND (valid_to IS NULL OR valid_to > $2)
     ORDER BY vehicle_id, (basis = 'sale_unregistered') DESC, valid_from DESC`,
    [vehicleIds, at],
  );
  return new Map(rows.map((r) => [r.vehicle_id, { ownerId: r.owner_id, basis: r.basis }]));
}

/** What an officer needs to see of a registered vehicle and who answered for it at the time. */
export interface VehicleParticulars {
  vehicleId: number;
  plate: string;
  plateColour: PlateColour;
  vehicleType: VehicleType;
  make: string | null;
  model: string | null;
  colour: string | null;
  owner: {
    ownerId: number;
    kind: 'person' | 'organisation';
    fullName: string;
    /** personal ID number or tax code */
    identifier: string;
    address: string;
    basis: OwnershipBasis;
  } | null;
}

export async function vehicleParticulars(db: Queryable, vehicleIds: readonly number[], at: Date): Promise<Map<number, VehicleParticulars>> {
  if (vehicleIds.length === 0) return new Map();
  const owners = await ownersAt(db, vehicleIds, at);
  const { rows } = await db.query<{ id: number; plate: string; plate_colour: PlateColour; vehicle_type: VehicleType; make: string | null;
    model: string | null; colour: string | null }>(
    'SELECT id, plate, plate_colour, vehicle_type, make, model, colour FROM vehicles WHERE id = ANY($1::bigint[])',
    [vehicleIds],
  );
  const ownerIds = [...new Set([...owners.values()].map((o) => o.ownerId))];
  const people = await db.query<{ id: number; kind: 'person' | 'organisation'; full_name: string; national_id: string | null;
    tax_code: string | null; address: string }>(
    'SELECT id, kind, full_name, national_id, tax_code, address FROM owners WHERE id = ANY($1::bigint[])',
    [ownerIds],
  );
  const byId = new Map(people.rows.map((p) => [p.id, p]));
  return new Map(rows.map((v) => {
    const held = owners.get(v.id);
    const person = held ? byId.get(held.ownerId) : undefined;
    return [v.id, {
      vehicleId: v.id, plate: v.plate, plateColour: v.plate_colour, vehicleType: v.vehicle_type, make: v.make, model: v.model, colour: v.colour,
      owner: held && person ? {
        ownerId: person.id, kind: person.kind, fullName: person.full_name, identifier: (person.national_id ?? person.tax_code)!,
        address: person.address, basis: held.basis,
      } : null,
    }];
  }));
}
