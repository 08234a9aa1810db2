import { appendAudit, type Actor } from '../audit/audit-log.js';
import { keysetPage, type KeysetPage } from '../db/keyset.js';
import type { Queryable } from '../db/pool.js';

export const UNIT_KINDS = ['traffic_police', 'commune_police'] as const;
export type UnitKind = (typeof UNIT_KINDS)[number];

/** A unit that detects violations or handles cases, as printed on notices and shown by the public lookup. */
export interface HandlingUnit {
  id: number;
  code: string;
  kind: UnitKind;
  name: string;
  /** the line above the unit's name on papers, e.g. "CÔNG AN TỈNH BẮC NINH" */
  parentName: string | null;
  address: string;
  phone: string;
  /** area served: the xã/phường of a commune police, null for a unit serving the whole province */
  commune: string | null;
  province: string;
}

export type UnitInput = Omit<HandlingUnit, 'id'>;

export class UnitError extends Error {
  override readonly name = 'UnitError';
  constructor(readonly code: 'unit_not_found' | 'unit_exists' | 'camera_not_found' | 'no_commune_unit' | 'invalid_unit', message: string) {
    super(message);
  }
}

interface Row { id: number; code: string; kind: UnitKind; name: string; parent_name: string | null; address: string; phone: string;
  commune: string | null; province: string }

export const UNIT_COLUMNS = 'u.id, u.code, u.kind, u.name, u.parent_name, u.address, u.phone, u.commune, u.province';

export function toUnit(r: Row): HandlingUnit {
  return { id: r.id, code: r.code, kind: r.kind, name: r.name, parentName: r.parent_name, address: r.address, phone: r.phone,
    commune: r.commune, province: r.province };
}

export async function createUnit(tx: Queryable, input: UnitInput, actor: Actor): Promise<HandlingUnit> {
  if ((input.kind === 'commune_police') !== (input.commune !== null)) {
    throw new UnitError('invalid_unit', 'Công an xã/phường phải ghi xã/phường phụ trách; Phòng Cảnh sát giao thông phụ trách cả tỉnh (không ghi xã/phường)');
  }
  const { rows } = await tx.query<Row>(
    `INSERT INTO handling_units AS u (code, kind, name, parent_name, address, phone, commune, province)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING RETURNING ${UNIT_COLUMNS}`,
    [input.code, input.kind, input.name, input.parentName, input.address, input.phone, input.commune, input.province],
  );
  const row = rows[0];
  if (!row) throw new UnitError('unit_exists', `Đã có đơn vị mã ${input.code} (hoặc đơn vị phụ trách ${input.commune ? `${input.commune}, ` : ''}${input.province})`);
  await appendAudit(tx, { actorId: actor.id, actor: actor.username, action: 'unit.created', entityType: 'handling_unit', entityId: row.id, details: { ...input } });
  return toUnit(row);
}

/** Where a unit stands in the list: by province, traffic police before commune police, then code. */
export type UnitKey = [province: string, kind: UnitKind, code: string];

/** Units by province (traffic police first, then commune police), one page at a time. */
export async function listUnits(db: Queryable, page: { limit: number; after?: UnitKey }): Promise<KeysetPage<HandlingUnit, UnitKey>> {
  const [province, kind, code] = page.after ?? [null, null, null];
  const { rows } = await db.query<Row>(
    `SELECT ${UNIT_COLUMNS} FROM handling_units u
     WHERE $1::text IS NULL OR u.province > $1 OR (u.province = $1 AND (u.kind < $2 OR (u.kind = $2 AND u.code > $3)))
     ORDER BY u.province, u.kind DESC, u.code LIMIT $4`, [province, kind, code, page.limit + 1]);
  return keysetPage(rows, page.limit, (r): UnitKey => [r.province, r.kind, r.code], toUnit);
}

export async function findUnitByCode(db: Queryable, code: string): Promise<HandlingUnit | null> {
  const { rows } = await db.query<Row>(`SELECT ${UNIT_COLUMNS} FROM handling_units u WHERE u.code = $1`, [code]);
  return rows[0] ? toUnit(rows[0]) : null;
}

/** Makes `unitCode` the detecting unit of a camera: its violations are noticed in that unit's name. */
export async function assignCameraUnit(tx: Queryable, cameraCode: string, unitCode: string, actor: Actor): Promise<void> {
  const unit = await findUnitByCode(tx, unitCode);
  if (!unit) throw new UnitError('unit_not_found', `Không có đơn vị mã ${unitCode}`);
  const { rows } = await tx.query<{ id: number; previous: number | null }>(
    `UPDATE cameras c SET detecting_unit_id = $2, updated_at = now() FROM cameras before
     WHERE c.code = $1 AND before.id = c.id RETURNING c.id, before.detecting_unit_id AS previous`, [cameraCode, unit.id]);
  const camera = rows[0];
  if (!camera) throw new UnitError('camera_not_found', `Không có camera mã ${cameraCode}`);
  await appendAudit(tx, { actorId: actor.id, actor: actor.username, action: 'camera.unit_assigned', entityType: 'camera', entityId: camera.id,
    details: { cameraCode, unitCode, previousUnitId: camera.previous } });
}

const fold = (s: string) => s.normalize('NFC').toLocaleLowerCase('vi').replace(/\s+/g, ' ').trim();

/**
 * The commune/ward police serving an address: the unit of the same province whose xã/phường the address
 * names ("Thôn Bảo Lộc, Xã Lạng Giang" is served by the police of Xã Lạng Giang). The longest name wins,
 * so "Phường Bắc Giang" is not taken for "Phường Bắc Giang Mới".
 */
export async function communeUnitFor(db: Queryable, address: string, province: string): Promise<HandlingUnit | null> {
  const { rows } = await db.query<Row>(`SELECT ${UNIT_COLUMNS} FROM handling_units u WHERE u.kind = 'commune_police'`);
  const where = fold(address);
  const candidates = rows.map(toUnit)
    .filter((u) => fold(u.province) === fold(province) && new RegExp(`(^|[ ,])${escapeRegExp(fold(u.commune!))}($|[ ,])`, 'u').test(where))
    .sort((a, b) => b.commune!.length - a.commune!.length);
  return candidates[0] ?? null;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
