import { Type, type Static } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { oneOf } from '../schemas.js';
import { PLATE_COLOURS, VEHICLE_TYPES, type OwnershipBasis, type PlateColour, type VehicleType } from './types.js';
import { nationalIdProblem, parseRegistryPlate, taxCodeProblem } from './validation.js';
import { VN_OFFSET_MS } from '../vietnam-time.js';

/** Columns of the registration-system export; one row is one ownership period of one vehicle. */
export const REGISTRY_COLUMNS = ['plate', 'plate_colour', 'vehicle_type', 'make', 'model', 'colour', 'registered_at',
  'owner_kind', 'national_id', 'tax_code', 'full_name', 'address', 'province', 'phone', 'email',
  'basis', 'valid_from', 'valid_to'] as const;
export const REQUIRED_COLUMNS = ['plate', 'plate_colour', 'vehicle_type', 'registered_at', 'owner_kind', 'full_name', 'address', 'province', 'valid_from'];

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
// compiled once: the interpreted check costs more than everything else a row goes through
const rowCheck = TypeCompiler.Compile(RowSchema);

/** One row of the export, checked on its own (cross-row checks are the staging table's job). */
export interface CheckedRow {
  plate: string;
  plateKey: string;
  plateColour: PlateColour;
  vehicleType: VehicleType;
  make: string | null;
  model: string | null;
  colour: string | null;
  registeredAt: string;
  ownerKind: 'person' | 'organisation';
  /** national ID of a person, tax code of an organisation */
  ownerIdent: string;
  fullName: string;
  address: string;
  province: string;
  phone: string | null;
  email: string | null;
  basis: OwnershipBasis;
  validFrom: Date;
  validTo: Date | null;
}

/** Checks one CSV record; the problem is a Vietnamese sentence naming the column. */
export function checkRegistryRow(record: Record<string, string | undefined>, now: Date): CheckedRow | { problem: string } {
  // an empty cell means "not given"
  const raw: Record<string, string> = {};
  for (const k in record) {
    const v = record[k];
    if (v !== undefined && v !== '' && k !== '') raw[k] = v;
  }
  if (!rowCheck.Check(raw)) {
    const e = rowCheck.Errors(raw).First()!;
    const field = e.path.replace(/^\//, '') || 'row';
    const choices = (e.schema as { anyOf?: Array<{ const?: unknown }> }).anyOf?.map((s) => s.const);
    const given = raw[field];
    return { problem: `${field}: ${choices ? `phải là một trong ${choices.join(', ')}` : given === undefined ? 'thiếu giá trị bắt buộc' : `"${given}" không hợp lệ`}` };
  }
  const row = raw as Row;
  const plate = parseRegistryPlate(row.plate, row.vehicle_type);
  if ('problem' in plate) return { problem: `plate: ${plate.problem}` };

  let ownerIdent: string;
  if (row.owner_kind === 'person') {
    if (!row.national_id) return { problem: 'national_id: bắt buộc với chủ xe là cá nhân' };
    if (row.tax_code) return { problem: 'tax_code: cá nhân chỉ được xác định bằng số định danh (national_id)' };
    const problem = nationalIdProblem(row.national_id, now);
    if (problem) return { problem: `national_id: ${problem}` };
    ownerIdent = row.national_id;
  } else {
    if (!row.tax_code) return { problem: 'tax_code: bắt buộc với chủ xe là tổ chức' };
    if (row.national_id) return { problem: 'national_id: tổ chức chỉ được xác định bằng mã số thuế (tax_code)' };
    const problem = taxCodeProblem(row.tax_code);
    if (problem) return { problem: `tax_code: ${problem}` };
    ownerIdent = row.tax_code;
  }

  const registeredAt = parseMoment(row.registered_at);
  const validFrom = parseMoment(row.valid_from);
  const validTo = row.valid_to === undefined ? null : parseMoment(row.valid_to);
  if (!registeredAt) return { problem: `registered_at: "${row.registered_at}" không phải ngày có thật` };
  if (!validFrom) return { problem: `valid_from: "${row.valid_from}" không phải ngày có thật` };
  if (validTo === undefined) return { problem: `valid_to: "${row.valid_to}" không phải ngày có thật` };
  if (registeredAt > now) return { problem: 'registered_at: là ngày trong tương lai' };
  if (validFrom > now) return { problem: 'valid_from: là ngày trong tương lai' };
  if (validTo && validTo <= validFrom) return { problem: 'valid_to: phải sau valid_from' };

  return {
    plate: plate.plate, plateKey: plate.plateKey, plateColour: row.plate_colour, vehicleType: row.vehicle_type,
    make: row.make ?? null, model: row.model ?? null, colour: row.colour ?? null, registeredAt: row.registered_at,
    ownerKind: row.owner_kind, ownerIdent, fullName: row.full_name, address: row.address, province: row.province,
    phone: row.phone ?? null, email: row.email ?? null, basis: row.basis ?? 'registration', validFrom, validTo,
  };
}

/** A date alone is midnight in Vietnam (UTC+7, no daylight saving); undefined when not a real date. */
function parseMoment(text: string): Date | undefined {
  // the common case (most columns are dates alone) without Date's string parser: a tenth of the cost
  if (text.length === 10) {
    const y = Number(text.slice(0, 4));
    const m = Number(text.slice(5, 7));
    const day = Number(text.slice(8, 10));
    // years below 100 are not of this registry (and Date.UTC would read them as 19xx)
    if (y < 100 || m < 1 || m > 12 || day < 1 || day > daysInMonth(y, m)) return undefined;
    return new Date(Date.UTC(y, m - 1, day) - VN_OFFSET_MS);
  }
  const d = new Date(text);
  if (Number.isNaN(d.getTime())) return undefined;
  // Date rolls 2024-02-30 over to March: compare the calendar date back
  const [y, m, day] = text.slice(0, 10).split('-').map(Number);
  const probe = new Date(Date.UTC(y!, m! - 1, day!));
  if (probe.getUTCFullYear() !== y || probe.getUTCMonth() !== m! - 1 || probe.getUTCDate() !== day) return undefined;
  return d;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1]!;
}
