import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { appendAudit } from '../audit/audit-log.js';
import { withTransaction, type Pool } from '../db/pool.js';
import { oneOf } from '../schemas.js';
import { addOwnership, OwnershipConflictError, upsertOwners, upsertVehicles, type OwnershipOutcome } from './store.js';
import { ownerIdentity, PLATE_COLOURS, VEHICLE_TYPES, type OwnerInput, type VehicleInput } from './types.js';
import { nationalIdProblem, parseRegistryPlate, taxCodeProblem } from './validation.js';

/** Columns of the registration-system export; one row is one ownership period of one vehicle. */
export const REGISTRY_COLUMNS = ['plate', 'plate_colour', 'vehicle_type', 'make', 'model', 'colour', 'registered_at',
  'owner_kind', 'national_id', 'tax_code', 'full_name', 'address', 'province', 'phone', 'email',
  'basis', 'valid_from', 'valid_to'] as const;
const REQUIRED_COLUMNS = ['plate', 'plate_colour', 'vehicle_type', 'registered_at', 'owner_kind', 'full_name', 'address', 'province', 'valid_from'];

const DATE = '^\\d{4}-\\d{2}-\\d{2}$';
const DATE_OR_TIME = '^\\d{4}-\\d{2}-\\d{2}(T\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,6})?)?(Z|[+-]\\d{2}:\\d{2}))?$';

const RowSchema = Type.Object({
  plate: Type.String({ minLength: 1 }),
  plate_colour: oneOf(PLATE_COLOURS),
  vehicle_type: oneOf(VEHICLE_TYPES),
  make: Type.Optional(Type.String({ maxLength: 100 })),
  model: Type.Optional(Type.String({ maxLength: 100 })),
  colour: Type.Optional(Type.String({ maxLength: 50 })),
  registered_at: Type.String({ pattern: DATE }),
  owner_kind: oneOf(['person', 'organisation'] as const),
  national_id: Type.Optional(Type.String()),
  tax_code: Type.Optional(Type.String()),
  full_name: Type.String({ minLength: 1, maxLength: 200 }),
  address: Type.String({ minLength: 1, maxLength: 500 }),
  province: Type.String({ minLength: 1, maxLength: 100 }),
  phone: Type.Optional(Type.String({ pattern: '^\\+?[0-9]{9,12}$' })),
  email: Type.Optional(Type.String({ pattern: '^[^@\\s]+@[^@\\s]+$' })),
  basis: Type.Optional(oneOf(['registration', 'sale_unregistered'] as const)),
  valid_from: Type.String({ pattern: DATE_OR_TIME }),
  valid_to: Type.Optional(Type.String({ pattern: DATE_OR_TIME })),
});
type Row = Static<typeof RowSchema>;

/** The file itself is unusable (missing columns, not CSV): nothing was imported. */
export class RegistryImportError extends Error {
  override readonly name = 'RegistryImportError';
}

export interface RejectedRow {
  /** line of the file the row ends on (the header is line 1) */
  line: number;
  plate: string;
  reason: string;
}

export interface ImportProgress {
  rows: number;
  accepted: number;
  rejected: number;
  elapsedMs: number;
}

export interface ImportReport extends ImportProgress {
  importId: string;
  rejectedRows: RejectedRow[];
  ownerships: Record<OwnershipOutcome, number>;
}

export interface ImportOptions {
  /** rows written per transaction */
  batchSize?: number;
  onProgress?: (p: ImportProgress) => void;
  /** recorded in the audit log */
  actor?: string;
  /** name of the source file, for the audit log */
  sourceName?: string;
  now?: Date;
}

interface ValidRow {
  line: number;
  plateText: string;
  owner: OwnerInput;
  vehicle: VehicleInput;
  basis: 'registration' | 'sale_unregistered';
  validFrom: Date;
  validTo: Date | null;
}

/**
 * Imports a registry CSV export. Rows are checked (plate format, personal ID / tax code, dates,
 * duplicates and contradictions within the file) and written in batches, each in one transaction
 * with its audit entry; a bad row is reported and skipped, never half-applied. Importing the same
 * file again changes nothing. Rows of one vehicle are expected in chronological order.
 */
export async function importRegistryCsv(pool: Pool, input: Readable, opts: ImportOptions = {}): Promise<ImportReport> {
  const started = Date.now();
  const now = opts.now ?? new Date();
  const batchSize = opts.batchSize ?? 500;
  const report: ImportReport = {
    importId: randomUUID(), rows: 0, accepted: 0, rejected: 0, elapsedMs: 0, rejectedRows: [],
    ownerships: { created: 0, unchanged: 0, updated: 0, closed_previous: 0 },
  };
  const reject = (line: number, plate: string, reason: string) => {
    report.rejected++;
    report.rejectedRows.push({ line, plate, reason });
  };
  const ownerNames = new Map<string, { name: string; line: number }>();
  const periods = new Map<string, Map<number, { line: number; owner: string }>>();
  const vehicleTypes = new Map<string, { type: string; line: number }>();
  let batch: ValidRow[] = [];
  let batchNo = 0;

  const flush = async () => {
    if (batch.length === 0) return;
    const rows = batch;
    batch = [];
    batchNo++;
    await withTransaction(pool, async (tx) => {
      const ownerIds = await upsertOwners(tx, rows.map((r) => r.owner));
      const vehicleIds = await upsertVehicles(tx, rows.map((r) => r.vehicle));
      const outcomes: Record<OwnershipOutcome, number> = { created: 0, unchanged: 0, updated: 0, closed_previous: 0 };
      let accepted = 0;
      const refused: RejectedRow[] = [];
      for (const r of rows) {
        try {
          const { outcome } = await addOwnership(tx, {
            vehicleId: vehicleIds.get(r.vehicle.plateKey)!, ownerId: ownerIds.get(ownerIdentity(r.owner))!,
            basis: r.basis, validFrom: r.validFrom, validTo: r.validTo,
          });
          outcomes[outcome]++;
          accepted++;
        } catch (err) {
          if (!(err instanceof OwnershipConflictError)) throw err;
          refused.push({ line: r.line, plate: r.plateText, reason: err.message });
        }
      }
      await appendAudit(tx, {
        actorId: null, actor: opts.actor ?? 'registry-import', action: 'registry.imported', entityType: 'registry_import',
        entityId: report.importId,
        details: { source: opts.sourceName ?? null, batch: batchNo, firstLine: rows[0]!.line, lastLine: rows[rows.length - 1]!.line,
          accepted, rejected: refused.length, ownerships: outcomes },
      });
      // counted only once the batch has committed
      return { outcomes, accepted, refused };
    }).then(({ outcomes, accepted, refused }) => {
      report.accepted += accepted;
      for (const k of Object.keys(outcomes) as OwnershipOutcome[]) report.ownerships[k] += outcomes[k];
      for (const r of refused) reject(r.line, r.plate, r.reason);
    });
    opts.onProgress?.({ rows: report.rows, accepted: report.accepted, rejected: report.rejected, elapsedMs: Date.now() - started });
  };

  const parser = input.pipe(parse({
    bom: true, trim: true, skip_empty_lines: true, relax_column_count: true, info: true,
    columns: (header: string[]) => {
      const names = header.map((h) => h.trim().toLowerCase());
      const missing = REQUIRED_COLUMNS.filter((c) => !names.includes(c));
      if (missing.length > 0) throw new RegistryImportError(`the file lacks required column(s): ${missing.join(', ')}`);
      return names;
    },
  }));
  input.on('error', (err) => parser.destroy(err));

  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: Record<string, string | undefined>; info: { lines: number } }>) {
      report.rows++;
      const line = info.lines;
      const checked = checkRow(record, now);
      if ('problem' in checked) {
        reject(line, record.plate ?? '', checked.problem);
      } else {
        const row = { ...checked, line };
        const problem = contradiction(row, ownerNames, periods, vehicleTypes);
        if (problem) reject(line, row.plateText, problem);
        else batch.push(row);
      }
      if (batch.length >= batchSize) await flush();
    }
    await flush();
  } catch (err) {
    if (err instanceof RegistryImportError) throw err;
    const cause = (err as { cause?: unknown }).cause;
    if (cause instanceof RegistryImportError) throw cause;
    if ((err as { code?: string }).code?.startsWith('CSV_')) {
      throw new RegistryImportError(`the file is not valid CSV: ${(err as Error).message} (rows before this point in batches already written stay imported)`);
    }
    throw err;
  }
  report.elapsedMs = Date.now() - started;
  report.rejectedRows.sort((a, b) => a.line - b.line);
  return report;
}

function checkRow(record: Record<string, string | undefined>, now: Date): Omit<ValidRow, 'line'> | { problem: string } {
  // an empty cell means "not given"
  const raw = Object.fromEntries(Object.entries(record).filter(([k, v]) => v !== undefined && v !== '' && k !== ''));
  if (!Value.Check(RowSchema, raw)) {
    const e = Value.Errors(RowSchema, raw).First()!;
    const field = e.path.replace(/^\//, '') || 'row';
    const choices = (e.schema as { anyOf?: Array<{ const?: unknown }> }).anyOf?.map((s) => s.const);
    const given = (raw as Record<string, unknown>)[field];
    return { problem: `${field}: ${choices ? `expected one of ${choices.join(', ')}` : given === undefined ? 'is required' : `"${String(given)}" is not valid`}` };
  }
  const row = raw as Row;
  const plate = parseRegistryPlate(row.plate, row.vehicle_type);
  if ('problem' in plate) return { problem: plate.problem };

  let owner: OwnerInput;
  const contact = { fullName: row.full_name, address: row.address, province: row.province, phone: row.phone ?? null, email: row.email ?? null };
  if (row.owner_kind === 'person') {
    if (!row.national_id) return { problem: 'national_id: is required for a person' };
    if (row.tax_code) return { problem: 'tax_code: a person is identified by national_id only' };
    const problem = nationalIdProblem(row.national_id, now);
    if (problem) return { problem: `national_id: ${problem}` };
    owner = { kind: 'person', nationalId: row.national_id, ...contact };
  } else {
    if (!row.tax_code) return { problem: 'tax_code: is required for an organisation' };
    if (row.national_id) return { problem: 'national_id: an organisation is identified by tax_code only' };
    const problem = taxCodeProblem(row.tax_code);
    if (problem) return { problem: `tax_code: ${problem}` };
    owner = { kind: 'organisation', taxCode: row.tax_code, ...contact };
  }

  const registeredAt = parseMoment(row.registered_at);
  const validFrom = parseMoment(row.valid_from);
  const validTo = row.valid_to === undefined ? null : parseMoment(row.valid_to);
  if (!registeredAt) return { problem: `registered_at: "${row.registered_at}" is not a calendar date` };
  if (!validFrom) return { problem: `valid_from: "${row.valid_from}" is not a calendar date` };
  if (validTo === undefined) return { problem: `valid_to: "${row.valid_to}" is not a calendar date` };
  if (registeredAt > now) return { problem: 'registered_at: is in the future' };
  if (validFrom > now) return { problem: 'valid_from: is in the future' };
  if (validTo && validTo <= validFrom) return { problem: 'valid_to: must be after valid_from' };

  return {
    plateText: row.plate,
    owner,
    vehicle: { plate: plate.plate, plateKey: plate.plateKey, plateColour: row.plate_colour, vehicleType: row.vehicle_type,
      make: row.make ?? null, model: row.model ?? null, colour: row.colour ?? null, registeredAt: row.registered_at },
    basis: row.basis ?? 'registration',
    validFrom,
    validTo,
  };
}

/** A date alone is midnight in Vietnam (UTC+7, no daylight saving); undefined when not a real date. */
function parseMoment(text: string): Date | undefined {
  const d = new Date(text.length === 10 ? `${text}T00:00:00+07:00` : text);
  if (Number.isNaN(d.getTime())) return undefined;
  // Date rolls 2024-02-30 over to March: compare the calendar date back
  const [y, m, day] = text.slice(0, 10).split('-').map(Number);
  const probe = new Date(Date.UTC(y!, m! - 1, day!));
  if (probe.getUTCFullYear() !== y || probe.getUTCMonth() !== m! - 1 || probe.getUTCDate() !== day) return undefined;
  return d;
}

/** Duplicates and contradictions inside the file, which the database cannot see row by row. */
function contradiction(
  row: ValidRow,
  ownerNames: Map<string, { name: string; line: number }>,
  periods: Map<string, Map<number, { line: number; owner: string }>>,
  vehicleTypes: Map<string, { type: string; line: number }>,
): string | null {
  const ident = ownerIdentity(row.owner);
  const idLabel = row.owner.kind === 'person' ? `national ID ${row.owner.nationalId}` : `tax code ${row.owner.taxCode}`;
  const seenOwner = ownerNames.get(ident);
  if (seenOwner && seenOwner.name !== row.owner.fullName) {
    return `${idLabel} appears on line ${seenOwner.line} with a different name ("${seenOwner.name}")`;
  }
  const key = row.vehicle.plateKey;
  const seenType = vehicleTypes.get(key);
  if (seenType && seenType.type !== row.vehicle.vehicleType) {
    return `plate ${row.vehicle.plate} appears on line ${seenType.line} as a ${seenType.type}`;
  }
  const byStart = periods.get(key) ?? new Map<number, { line: number; owner: string }>();
  const same = byStart.get(row.validFrom.getTime());
  if (same) {
    return same.owner === ident
      ? `duplicate of line ${same.line}`
      : `plate ${row.vehicle.plate} already has another owner from the same date on line ${same.line}`;
  }
  ownerNames.set(ident, seenOwner ?? { name: row.owner.fullName, line: row.line });
  if (!seenType) vehicleTypes.set(key, { type: row.vehicle.vehicleType, line: row.line });
  byStart.set(row.validFrom.getTime(), { line: row.line, owner: ident });
  periods.set(key, byStart);
  return null;
}
