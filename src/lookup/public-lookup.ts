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
  if (trimmed.length < 5 || trimmed.length > 20) throw new UnparseablePlateError(notAPlate(input));
  const vn = normalisePlate(trimmed, 'vn');
  if (vn.valid) return { key: vn.key, canonical: vn.canonical };
  const raw = plateKey(trimmed);
  if (isGenericPlate(raw)) return { key: raw, canonical: raw };
  throw new UnparseablePlateError(notAPlate(input));
}

// citizens read this message on the lookup page: Vietnamese
const notAPlate = (input: string) => `"${input}" không phải là biển số xe (ví dụ 30A-123.45 hoặc 29-B1 123.45)`;

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
  /** đơn vị giải quyết vụ việc, with its address and phone (TT 73/2024 Đ24) */
  handlingUnit: { name: string; address: string | null; phone: string | null };
  /** the plate area of the evidence photo (nothing else of the picture), when a plate was read */
  plateImageUrl: string | null;
  status: (typeof PUBLIC_STATUS)[keyof typeof PUBLIC_STATUS];
}

export interface PublicUnit {
  detectingUnit: string;
  address: string;
  contactPhone: string;
}

/** Narrows a lookup like the traffic police's own site: the plate colour and the kind of vehicle. */
export interface LookupFilter {
  plateColour?: string;
  vehicleType?: string;
}

/** Where the page fetches the plate crop of the n-th published violation of a plate (the order of the lookup). */
export const plateImagePath = (plate: string, index: number) =>
  `/api/v1/lookup/plate-image?plate=${encodeURIComponent(plate)}&index=${index}`;

const PUBLISHED = `FROM notices n JOIN violations v ON v.id = n.violation_id
     LEFT JOIN vehicles ve ON ve.id = v.vehicle_id
     WHERE v.plate_key = $1 AND n.status <> 'cancelled'
       AND ($2::text IS NULL OR v.plate_colour = $2)
       AND ($3::text IS NULL OR coalesce(ve.vehicle_type, v.vehicle_category) = $3)`;
const PUBLISHED_ORDER = 'ORDER BY v.occurred_at DESC, n.id DESC';
const MAX_RESULTS = 100;

/**
 * Status "Đã xử phạt" once a penalty decision is issued (TT 73/2024 Đ24), whether paid yet or not.
 * Violations of a plate that have been published, i.e. have a notice (published together with the
 * notice), newest first. Cancelled notices are withdrawn from publication.
 */
export async function lookupPublicViolations(db: Queryable, key: string, unit: PublicUnit, filter: LookupFilter = {}): Promise<PublicViolation[]> {
  const t = loadNoticeTemplate('vi');
  // owners are deliberately not joined: nothing personal can leak through this query
  const { rows } = await db.query<{ vehicle_type: string; plate_text: string; plate_colour: string; occurred_at: Date; address: string;
    province: string; description: string; decided: boolean; has_plate_read: boolean; detecting_unit: string | null; detecting_phone: string | null;
    unit_name: string | null; unit_address: string | null; unit_phone: string | null }>(
    `SELECT coalesce(ve.vehicle_type, v.vehicle_category) AS vehicle_type, v.plate_text, v.plate_colour, v.occurred_at,
            c.address, c.province, v.description, EXISTS (SELECT 1 FROM decision_items i WHERE i.notice_id = n.id) AS decided,
            EXISTS (SELECT 1 FROM violation_evidence e WHERE e.violation_id = v.id AND e.plate_read_id IS NOT NULL) AS has_plate_read,
            du.name AS detecting_unit, du.phone AS detecting_phone, hu.name AS unit_name, hu.address AS unit_address, hu.phone AS unit_phone
     ${PUBLISHED.replace('LEFT JOIN vehicles', `JOIN cameras c ON c.id = v.camera_id
     LEFT JOIN handling_units du ON du.id = c.detecting_unit_id
     LEFT JOIN handling_units hu ON hu.id = n.handling_unit_id
     LEFT JOIN vehicles`)}
     ${PUBLISHED_ORDER}
     LIMIT ${MAX_RESULTS}`,
    [key, filter.plateColour ?? null, filter.vehicleType ?? null],
  );
  return rows.map((r, index) => ({
    vehicleType: r.vehicle_type,
    vehicleTypeLabel: t.vehicleTypes[r.vehicle_type] ?? r.vehicle_type,
    plate: r.plate_text,
    plateColour: r.plate_colour,
    plateColourLabel: t.plateColours[r.plate_colour] ?? r.plate_colour,
    occurredAt: r.occurred_at.toISOString(),
    place: `${r.address}, ${r.province}`,
    violation: r.description,
    detectingUnit: r.detecting_unit ?? unit.detectingUnit,
    contactPhone: r.unit_phone ?? r.detecting_phone ?? (unit.contactPhone || null),
    handlingUnit: r.unit_name !== null
      ? { name: r.unit_name, address: r.unit_address, phone: r.unit_phone }
      : { name: unit.detectingUnit, address: unit.address || null, phone: unit.contactPhone || null },
    plateImageUrl: r.has_plate_read ? plateImagePath(r.plate_text, index) : null,
    status: r.decided ? PUBLIC_STATUS.paid : PUBLIC_STATUS.unpaid,
  }));
}

/**
 * The stored image and plate box behind the n-th published violation of a plate (same order as the
 * lookup): the first evidence photo with a plate read. Only published violations are reachable.
 */
export async function publicPlateEvidence(db: Queryable, key: string, index: number, filter: LookupFilter = {}):
Promise<{ sha256: string; bbox: { x: number; y: number; width: number; height: number } } | null> {
  if (index >= MAX_RESULTS) return null;
  const { rows } = await db.query<{ image_sha256: string; x: number; y: number; width: number; height: number }>(
    `WITH published AS (SELECT v.id ${PUBLISHED} ${PUBLISHED_ORDER} OFFSET $4 LIMIT 1)
     SELECT ca.image_sha256, p.bbox_x AS x, p.bbox_y AS y, p.bbox_width AS width, p.bbox_height AS height
     FROM published JOIN violation_evidence e ON e.violation_id = published.id
     JOIN plate_reads p ON p.id = e.plate_read_id AND p.captured_at = e.plate_read_captured_at JOIN captures ca ON ca.id = e.capture_id AND ca.captured_at = e.captured_at
     ORDER BY e.added_at, e.capture_id LIMIT 1`,
    [key, filter.plateColour ?? null, filter.vehicleType ?? null, index],
  );
  const row = rows[0];
  return row ? { sha256: row.image_sha256, bbox: { x: row.x, y: row.y, width: row.width, height: row.height } } : null;
}
