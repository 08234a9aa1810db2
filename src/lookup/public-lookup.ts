import type { Queryable } from '../db/pool.js';
import { loadNoticeTemplate } from '../notices/template.js';
import { isGenericPlate, normalisePlate, plateKey } from '../vision/plate-grammar.js';

export class UnparseablePlateError extends Error {
  override readonly name = 'UnparseablePlateError';
}

/**
 * The plate key to look up. Vietnamese plates are repaired and validated by the plate grammar
 * (so "30a 12345" and "30A-123.45" are the same query); a foreign plate is taken as typed.
 */
export function lookupKey(input: string): { key: string; canonical: string } {
  const trimmed = input.trim();
  if (trimmed.length < 5 || trimmed.length > 20) throw new UnparseablePlateError(`"${input}" is not a plate number (e.g. 30A-123.45 or 29-B1 123.45)`);
  const vn = normalisePlate(trimmed, 'vn');
  if (vn.valid) return { key: vn.key, canonical: vn.canonical };
  const raw = plateKey(trimmed);
  if (isGenericPlate(raw)) return { key: raw, canonical: raw };
  throw new UnparseablePlateError(`"${input}" is not a plate number (e.g. 30A-123.45 or 29-B1 123.45)`);
}

export const PUBLIC_STATUS = { unpaid: 'Chưa xử phạt', paid: 'Đã xử phạt' } as const;

/** What procedure step 3 publishes about a violation: the vehicle and the event, never the owner. */
export interface PublicViolation {
  vehicleType: string;
  vehicleTypeLabel: string;
  plate: string;
  plateColour: string;
  plateColourLabel: string;
  occurredAt: string;
  place: string;
  violation: string;
  detectingUnit: string;
  contactPhone: string | null;
  status: (typeof PUBLIC_STATUS)[keyof typeof PUBLIC_STATUS];
}

/**
 * Violations of a plate that have been published, i.e. have a notice (published together with the
 * notice), newest first. Cancelled notices are withdrawn from publication.
 */
export async function lookupPublicViolations(db: Queryable, key: string, unit: { detectingUnit: string; contactPhone: string }): Promise<PublicViolation[]> {
  const t = loadNoticeTemplate('vi');
  // owners are deliberately not joined: nothing personal can leak through this query
  const { rows } = await db.query<{ vehicle_type: string; plate_text: string; plate_colour: string; occurred_at: Date; address: string;
    province: string; description: string; status: string }>(
    `SELECT coalesce(ve.vehicle_type, v.vehicle_category) AS vehicle_type, v.plate_text, v.plate_colour, v.occurred_at,
            c.address, c.province, v.description, n.status
     FROM notices n JOIN violations v ON v.id = n.violation_id JOIN cameras c ON c.id = v.camera_id
     LEFT JOIN vehicles ve ON ve.id = v.vehicle_id
     WHERE v.plate_key = $1 AND n.status <> 'cancelled'
     ORDER BY v.occurred_at DESC, n.id DESC
     LIMIT 100`,
    [key],
  );
  return rows.map((r) => ({
    vehicleType: r.vehicle_type,
    vehicleTypeLabel: t.vehicleTypes[r.vehicle_type] ?? r.vehicle_type,
    plate: r.plate_text,
    plateColour: r.plate_colour,
    plateColourLabel: t.plateColours[r.plate_colour] ?? r.plate_colour,
    occurredAt: r.occurred_at.toISOString(),
    place: `${r.address}, ${r.province}`,
    violation: r.description,
    detectingUnit: unit.detectingUnit,
    contactPhone: unit.contactPhone || null,
    status: r.status === 'resolved' ? PUBLIC_STATUS.paid : PUBLIC_STATUS.unpaid,
  }));
}
