import type { Writable } from 'node:stream';
import { from as copyFrom } from 'pg-copy-streams';
import type { PoolClient } from '../db/pool.js';
import type { CheckedRow } from './row-check.js';

/**
 * The staging table of one registry import: every row of the file, valid or not, keyed by its line.
 * A temporary table (one session, never WAL-logged, gone with the connection), so a crashed import
 * leaves nothing behind and two imports never see each other's rows.
 */
export const STAGE = 'registry_stage';

export type StagedRow = { line: number; plateText: string } & ({ row: CheckedRow } | { problem: string });

const COLUMNS = ['line', 'plate_text', 'reason', 'plate', 'plate_key', 'plate_colour', 'vehicle_type', 'make', 'model', 'colour',
  'registered_at', 'owner_kind', 'owner_ident', 'full_name', 'address', 'province', 'phone', 'email', 'basis', 'valid_from', 'valid_to'] as const;

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
 * COPY ... FROM STDIN into the staging table: the rows go as text lines (see stagedLines), parsed by
 * PostgreSQL without a statement per batch. Ending the stream ends the COPY; destroying it with an
 * error makes the server drop everything sent.
 */
export function openStageCopy(client: PoolClient): Writable {
  return client.query(copyFrom(`COPY ${STAGE} (${COLUMNS.join(', ')}) FROM STDIN`));
}

/** Rows in COPY's text format, one line each, in the order of COLUMNS. */
export function stagedLines(rows: readonly StagedRow[]): string {
  let out = '';
  for (const s of rows) {
    if ('problem' in s) {
      out += `${s.line}\t${text(s.plateText)}\t${text(s.problem)}\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\n`;
      continue;
    }
    const r = s.row;
    out += `${s.line}\t${text(s.plateText)}\t\\N\t${text(r.plate)}\t${r.plateKey}\t${r.plateColour}\t${r.vehicleType}\t${opt(r.make)}\t${opt(r.model)}\t`
      + `${opt(r.colour)}\t${r.registeredAt}\t${r.ownerKind}\t${text(r.ownerIdent)}\t${text(r.fullName)}\t${text(r.address)}\t${text(r.province)}\t`
      + `${opt(r.phone)}\t${opt(r.email)}\t${r.basis}\t${r.validFrom.toISOString()}\t${r.validTo ? r.validTo.toISOString() : '\\N'}\n`;
  }
  return out;
}

const SPECIAL = /[\\\t\n\r]/;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** A value as COPY's text format reads it back unchanged: backslash, tab and line ends escaped. */
function text(value: string): string {
  return SPECIAL.test(value) ? value.replace(/[\\\t\n\r]/g, (c) => ESCAPES[c]!) : value;
}

function opt(value: string | null): string {
  return value === null ? '\\N' : text(value);
}
