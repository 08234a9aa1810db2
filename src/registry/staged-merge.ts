import type { PoolClient } from '../db/pool.js';
import { addOwnership, OwnershipConflictError, type OwnershipOutcome } from './store.js';
import { STAGE } from './staging.js';
import { VEHICLE_TYPE_LABELS } from './types.js';

const PERIODS = 'registry_periods';
/** Rows per round of the row-by-row path (periods that meet recorded history). */
const SLOW_CHUNK = 1000;

/**
 * Contradictions inside the file, found set-based over the staging table; the earliest line of a key
 * is the reference, later lines that disagree with it are rejected. Run in order: a row refused by
 * one check is out of the next.
 */
export async function rejectContradictions(tx: PoolClient): Promise<void> {
  // one ID, two names
  await tx.query(
    `WITH clash AS (
       SELECT owner_kind, owner_ident FROM ${STAGE} WHERE reason IS NULL GROUP BY 1, 2 HAVING min(full_name) <> max(full_name)),
     first AS (
       SELECT DISTINCT ON (s.owner_kind, s.owner_ident) s.owner_kind, s.owner_ident, s.line, s.full_name
       FROM ${STAGE} s JOIN clash USING (owner_kind, owner_ident) WHERE s.reason IS NULL ORDER BY s.owner_kind, s.owner_ident, s.line)
     UPDATE ${STAGE} s SET reason = format('%s %s xuất hiện ở dòng %s với tên khác ("%s")',
         CASE s.owner_kind WHEN 'person' THEN 'số định danh' ELSE 'mã số thuế' END, s.owner_ident, f.line, f.full_name)
     FROM first f
     WHERE s.reason IS NULL AND s.owner_kind = f.owner_kind AND s.owner_ident = f.owner_ident AND s.full_name <> f.full_name`,
  );
  // one plate, two vehicle types
  await tx.query(
    `WITH clash AS (
       SELECT plate_key FROM ${STAGE} WHERE reason IS NULL GROUP BY 1 HAVING min(vehicle_type) <> max(vehicle_type)),
     first AS (
       SELECT DISTINCT ON (s.plate_key) s.plate_key, s.line, s.vehicle_type
       FROM ${STAGE} s JOIN clash USING (plate_key) WHERE s.reason IS NULL ORDER BY s.plate_key, s.line)
     UPDATE ${STAGE} s SET reason = format('biển số %s xuất hiện ở dòng %s là %s', s.plate, f.line, $1::jsonb ->> f.vehicle_type)
     FROM first f WHERE s.reason IS NULL AND s.plate_key = f.plate_key AND s.vehicle_type <> f.vehicle_type`,
    [JSON.stringify(VEHICLE_TYPE_LABELS)],
  );
  // one plate, two periods starting at the same moment
  await tx.query(
    `WITH clash AS (
       SELECT plate_key, valid_from FROM ${STAGE} WHERE reason IS NULL GROUP BY 1, 2 HAVING count(*) > 1),
     first AS (
       SELECT DISTINCT ON (s.plate_key, s.valid_from) s.plate_key, s.valid_from, s.line, s.owner_kind, s.owner_ident
       FROM ${STAGE} s JOIN clash USING (plate_key, valid_from) WHERE s.reason IS NULL ORDER BY s.plate_key, s.valid_from, s.line)
     UPDATE ${STAGE} s SET reason = CASE WHEN (s.owner_kind, s.owner_ident) = (f.owner_kind, f.owner_ident)
         THEN format('trùng với dòng %s', f.line)
         ELSE format('biển số %s đã có chủ khác từ cùng thời điểm ở dòng %s', s.plate, f.line) END
     FROM first f WHERE s.reason IS NULL AND s.plate_key = f.plate_key AND s.valid_from = f.valid_from AND s.line <> f.line`,
  );
}

/**
 * Owners and vehicles as the latest line of the file gives them; rows already equal are not rewritten.
 * Keys already recorded are updated where they differ, new keys are inserted plainly: no other writer
 * of owners or vehicles runs meanwhile (the import holds their tables' SHARE ROW EXCLUSIVE lock), so a
 * key cannot appear between the two. An INSERT ... ON CONFLICT would probe each row's key once more and
 * log a speculative insertion per row: about a third of inserting an owner.
 *
 * Both get their ids in plate order, so that the periods, inserted by vehicle, look up their vehicle and
 * their owner (foreign keys) walking both tables in step rather than one at random: at 1M rows a third
 * less time inserting periods, more than the owners' ID index loses by taking new IDs out of order.
 */
export async function mergeOwnersAndVehicles(tx: PoolClient): Promise<void> {
  // Keys are sorted byte-wise (COLLATE "C"): the database's collation compares through strcoll and
  // cannot abbreviate sort keys, about twice the time for the same order (plate keys and IDs are ASCII
  // letters and digits, ordered alike either way; equality is the same under both).
  // One pass over each table, hashed. Planned from statistics taken while a table was smaller (empty, on
  // a first import), a nested loop would scan the table once for each key while the statement adds to
  // it: quadratic.
  await tx.query('SET LOCAL enable_nestloop = off');
  for (const [kind, column] of [['person', 'national_id'], ['organisation', 'tax_code']] as const) {
    await tx.query(
      `WITH s AS MATERIALIZED (
         SELECT DISTINCT ON (owner_ident COLLATE "C") owner_ident, full_name, address, province, phone, email, plate_key
         FROM ${STAGE} WHERE reason IS NULL AND owner_kind = $1 ORDER BY owner_ident COLLATE "C", line DESC),
       changed AS (
         UPDATE owners o SET full_name = s.full_name, address = s.address, province = s.province, phone = s.phone, email = s.email
         FROM s WHERE o.${column} = s.owner_ident
           AND (o.full_name, o.address, o.province, o.phone, o.email) IS DISTINCT FROM (s.full_name, s.address, s.province, s.phone, s.email))
       INSERT INTO owners (kind, ${column}, full_name, address, province, phone, email)
       SELECT $1, s.owner_ident, s.full_name, s.address, s.province, s.phone, s.email
       FROM s WHERE NOT EXISTS (SELECT 1 FROM owners o WHERE o.${column} = s.owner_ident) ORDER BY s.plate_key COLLATE "C"`,
      [kind],
    );
  }
  // new keys of the skeleton-deletions GIN index queue in its pending list and go into the tree sorted, in
  // bulk, each time the list passes this limit (migration 200); lookups meanwhile scan at most this much
  await tx.query(`SET LOCAL gin_pending_list_limit = '4MB'`);
  await tx.query(
    `WITH s AS MATERIALIZED (
       SELECT DISTINCT ON (plate_key COLLATE "C") plate, plate_key, plate_colour, vehicle_type, make, model, colour, registered_at
       FROM ${STAGE} WHERE reason IS NULL ORDER BY plate_key COLLATE "C", line DESC),
     changed AS (
       UPDATE vehicles v SET plate = s.plate, plate_colour = s.plate_colour, vehicle_type = s.vehicle_type, make = s.make,
         model = s.model, colour = s.colour, registered_at = s.registered_at
       FROM s WHERE v.plate_key = s.plate_key
         AND (v.plate, v.plate_colour, v.vehicle_type, v.make, v.model, v.colour, v.registered_at)
           IS DISTINCT FROM (s.plate, s.plate_colour, s.vehicle_type, s.make, s.model, s.colour, s.registered_at))
     INSERT INTO vehicles (plate, plate_key, plate_colour, vehicle_type, make, model, colour, registered_at)
     SELECT s.plate, s.plate_key, s.plate_colour, s.vehicle_type, s.make, s.model, s.colour, s.registered_at
     FROM s WHERE NOT EXISTS (SELECT 1 FROM vehicles v WHERE v.plate_key = s.plate_key) ORDER BY s.plate_key COLLATE "C"`,
  );
  await tx.query('SET LOCAL enable_nestloop TO DEFAULT');
  // lookups after the import find an empty list; only the index's owner may empty it (else autovacuum will);
  // on an initial load the index is not there yet (see initial-load.ts)
  await tx.query(
    `SELECT gin_clean_pending_list(c.oid) FROM pg_class c
     WHERE c.oid = to_regclass('vehicles_plate_skeleton_deletions') AND pg_has_role(c.relowner, 'USAGE')`,
  );
  await tx.query('SET LOCAL gin_pending_list_limit TO DEFAULT');
}

export interface PeriodsOutcome {
  accepted: number;
  ownerships: Record<OwnershipOutcome, number>;
}

/**
 * Ownership periods of the valid rows. Three paths:
 * - a period already recorded as it is: unchanged, nothing written (an open end in the file is not news
 *   when the recorded period was closed since, by the next owner's period);
 * - every period of a vehicle with no recorded history, in date order in the file: inserted in one
 *   statement, an open-ended period closed where the next one starts (what row-by-row recording does);
 * - the rest (a period meeting recorded history, an end date changed, a vehicle's rows out of order):
 *   recorded row by row in line order with addOwnership, whose refusals become rejects.
 * The first path is a re-import, the second a first import: both set-based; the third is the changes.
 * `beforeOneByOne` runs between the set-based insert and the row-by-row path (an initial load rebuilds
 * the indexes there, which addOwnership's lookups need).
 */
export async function mergePeriods(tx: PoolClient, opts: { beforeOneByOne?: () => Promise<void> } = {}): Promise<PeriodsOutcome> {
  await tx.query(`DROP TABLE IF EXISTS pg_temp.${PERIODS}`);
  await tx.query(
    `CREATE TEMP TABLE ${PERIODS} ON COMMIT DROP AS
     WITH p AS (
       SELECT s.line, v.id AS vehicle_id, o.id AS owner_id, s.basis, s.valid_from, s.valid_to
       FROM ${STAGE} s JOIN vehicles v ON v.plate_key = s.plate_key JOIN owners o ON o.national_id = s.owner_ident
       WHERE s.reason IS NULL AND s.owner_kind = 'person'
       UNION ALL
       SELECT s.line, v.id, o.id, s.basis, s.valid_from, s.valid_to
       FROM ${STAGE} s JOIN vehicles v ON v.plate_key = s.plate_key JOIN owners o ON o.tax_code = s.owner_ident
       WHERE s.reason IS NULL AND s.owner_kind = 'organisation'),
     w AS (
       SELECT p.*, e.id AS existing_id, e.valid_to AS existing_valid_to,
              h.vehicle_id IS NOT NULL AS has_history,
              lag(p.valid_from) OVER v AS prev_from, lag(p.valid_to) OVER v AS prev_to, lead(p.valid_from) OVER v AS next_from
       FROM p
       LEFT JOIN vehicle_ownerships e
         ON (e.vehicle_id, e.owner_id, e.basis, e.valid_from) = (p.vehicle_id, p.owner_id, p.basis, p.valid_from)
       LEFT JOIN (SELECT DISTINCT vehicle_id FROM vehicle_ownerships) h ON h.vehicle_id = p.vehicle_id
       WINDOW v AS (PARTITION BY p.vehicle_id ORDER BY p.line)),
     x AS (
       SELECT w.*, bool_and(NOT has_history AND (prev_from IS NULL OR (prev_from < valid_from AND (prev_to IS NULL OR prev_to <= valid_from))))
                     OVER (PARTITION BY vehicle_id) AS in_order
       FROM w)
     SELECT line, vehicle_id, owner_id, basis, valid_from, valid_to, next_from, prev_from, prev_to,
       CASE WHEN existing_id IS NOT NULL AND (valid_to IS NULL OR existing_valid_to = valid_to) THEN 'unchanged'
            WHEN in_order THEN 'new' ELSE 'one_by_one' END AS path
     FROM x`,
  );
  const outcome: PeriodsOutcome = { accepted: 0, ownerships: { created: 0, unchanged: 0, updated: 0, closed_previous: 0 } };
  const counted = await tx.query<{ unchanged: number; created: number; closed_previous: number }>(
    `SELECT count(*) FILTER (WHERE path = 'unchanged')::int AS unchanged,
            count(*) FILTER (WHERE path = 'new' AND NOT (prev_from IS NOT NULL AND prev_to IS NULL))::int AS created,
            count(*) FILTER (WHERE path = 'new' AND prev_from IS NOT NULL AND prev_to IS NULL)::int AS closed_previous
     FROM ${PERIODS}`,
  );
  const c = counted.rows[0]!;
  outcome.ownerships.unchanged = c.unchanged;
  outcome.ownerships.created = c.created;
  outcome.ownerships.closed_previous = c.closed_previous;
  outcome.accepted = c.unchanged + c.created + c.closed_previous;
  await tx.query(
    `INSERT INTO vehicle_ownerships (vehicle_id, owner_id, basis, valid_from, valid_to)
     SELECT vehicle_id, owner_id, basis, valid_from, coalesce(valid_to, next_from) FROM ${PERIODS}
     WHERE path = 'new' ORDER BY vehicle_id, valid_from`,
  );
  await opts.beforeOneByOne?.();

  let after = 0;
  for (;;) {
    const { rows } = await tx.query<{ line: number; vehicle_id: number; owner_id: number; basis: 'registration' | 'sale_unregistered'; valid_from: Date; valid_to: Date | null }>(
      `SELECT line, vehicle_id, owner_id, basis, valid_from, valid_to FROM ${PERIODS}
       WHERE path = 'one_by_one' AND line > $1 ORDER BY line LIMIT ${SLOW_CHUNK}`,
      [after],
    );
    if (rows.length === 0) break;
    const refused: Array<{ line: number; reason: string }> = [];
    for (const r of rows) {
      try {
        const { outcome: o } = await addOwnership(tx, { vehicleId: r.vehicle_id, ownerId: r.owner_id, basis: r.basis, validFrom: r.valid_from, validTo: r.valid_to });
        outcome.ownerships[o]++;
        outcome.accepted++;
      } catch (err) {
        if (!(err instanceof OwnershipConflictError)) throw err;
        refused.push({ line: r.line, reason: err.message });
      }
    }
    if (refused.length > 0) {
      await tx.query(`CREATE INDEX IF NOT EXISTS ${STAGE}_line ON ${STAGE} (line)`);
      await tx.query(
        `UPDATE ${STAGE} s SET reason = r.reason FROM unnest($1::int[], $2::text[]) AS r(line, reason) WHERE s.line = r.line`,
        [refused.map((r) => r.line), refused.map((r) => r.reason)],
      );
    }
    after = rows[rows.length - 1]!.line;
  }
  return outcome;
}
