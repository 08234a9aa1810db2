import type { PoolClient } from '../db/pool.js';
import type { CheckedRow } from './row-check.js';

/**
 * The staging table of one registry import: every row of the file, valid or not, keyed by its line.
 * A temporary table (one session, never WAL-logged, gone with the connection), so a crashed import
 * leaves nothing behind and two imports never see each other's rows.
 */
export const STAGE = 'registry_stage';

export type StagedRow = { line: number; plateText: string } & ({ row: CheckedRow } | { problem: string });

export async function createStage(client: PoolClient): Promise<void> {
  // only takes effect before the session's first temporary table; a reused connection keeps its own
  await client.query(`SET temp_buffers = '256MB'`).catch(() => undefined);
  await client.query(`DROP TABLE IF EXISTS pg_temp.${STAGE}`);
  await client.query(`CREATE TEMP TABLE ${STAGE} (
    line int NOT NULL, plate_text text NOT NULL, reason text,
    plate text, plate_key text, plate_colour text, vehicle_type text, make text, model text, colour text, registered_at date,
    owner_kind text, owner_ident text, full_name text, address text, province text, phone text, email text,
    basis text, valid_from timestamptz, valid_to timestamptz)`);
}

export async function dropStage(client: PoolClient): Promise<void> {
  await client.query(`DROP TABLE IF EXISTS pg_temp.${STAGE}`);
}

/**
 * One INSERT per batch, the rows sent as a single JSON array: one parameter for PostgreSQL to parse
 * instead of 21 text arrays, about twice as fast (no COPY client is installed).
 */
export async function stageRows(client: PoolClient, rows: readonly StagedRow[]): Promise<void> {
  const records = rows.map((s) => {
    if ('problem' in s) return { line: s.line, plate_text: s.plateText, reason: s.problem };
    const r = s.row;
    return {
      line: s.line, plate_text: s.plateText, plate: r.plate, plate_key: r.plateKey, plate_colour: r.plateColour, vehicle_type: r.vehicleType,
      make: r.make, model: r.model, colour: r.colour, registered_at: r.registeredAt, owner_kind: r.ownerKind, owner_ident: r.ownerIdent,
      full_name: r.fullName, address: r.address, province: r.province, phone: r.phone, email: r.email, basis: r.basis,
      valid_from: r.validFrom.toISOString(), valid_to: r.validTo?.toISOString() ?? null,
    };
  });
  await client.query(`INSERT INTO ${STAGE} SELECT * FROM json_populate_recordset(NULL::${STAGE}, $1::json)`, [JSON.stringify(records)]);
}
