import type { CameraType } from '../../src/violations/types.js';
import { randomBytes } from 'node:crypto';
import sharp from 'sharp';
import type { App } from '../../src/api/app.js';
import type { Role } from '../../src/auth/roles.js';
import { createSession } from '../../src/auth/sessions.js';
import { withTransaction, type Pool } from '../../src/db/pool.js';
import { issueNotice } from '../../src/notices/issue.js';
import { addOwnership, upsertOwners, upsertVehicles } from '../../src/registry/store.js';
import { ownerIdentity, type OwnerInput, type PlateColour, type VehicleType } from '../../src/registry/types.js';
import type { BlobStore } from '../../src/storage/blob-store.js';
import { createUser } from '../../src/users/user-store.js';
import { plateKey } from '../../src/vision/plate-grammar.js';

/**
 * Shared builders of stored state for tests. Rows owned by the pipeline (captures, plate reads,
 * violations) are written directly, as the pipeline leaves them; users, owners and vehicles go
 * through their modules' own functions.
 */

const unique = () => randomBytes(4).toString('hex');

export interface TestStaff {
  id: number;
  username: string;
  role: Role;
  token: string;
  /** headers for app.inject */
  headers: { authorization: string };
}

/** A staff member with a live session (no login round-trip, so login rate limits never interfere). */
export async function staffWithSession(pool: Pool, role: Role, username = `${role}-${unique()}`): Promise<TestStaff> {
  const user = await withTransaction(pool, (tx) =>
    createUser(tx, { username, fullName: `Cán bộ ${username}`, role, password: 'correct horse battery' }, { id: null, username: 'test-setup' }));
  const { token } = await createSession(pool, user.id, 60);
  return { id: user.id, username, role, token, headers: { authorization: `Bearer ${token}` } };
}

export interface SeedCamera {
  code?: string;
  address?: string;
  province?: string;
  cameraType?: CameraType;
}

export async function seedCamera(pool: Pool, c: SeedCamera = {}): Promise<{ id: number; code: string; address: string }> {
  const code = c.code ?? `CAM-${unique().toUpperCase()}`;
  const address = c.address ?? 'Ngã tư Kim Mã - Liễu Giai, Ba Đình';
  const type = c.cameraType ?? 'red_light';
  const { rows } = await pool.query<{ id: number }>(
    `INSERT INTO cameras (code, name, province, address, camera_type, speed_limit_kmh, no_entry_vehicle_types, allowed_lanes)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
    [code, `Camera ${code}`, c.province ?? 'Hà Nội', address, type, type === 'speed' ? 60 : null,
      type === 'no_entry' ? ['car', 'truck', 'bus', 'motorbike', 'moped', 'electric_motorbike'] : [], type === 'lane' ? [1, 2] : null],
  );
  return { id: rows[0]!.id, code, address };
}

export interface SeedVehicle {
  /** canonical plate, e.g. 30A-123.45 */
  plate: string;
  vehicleType?: VehicleType;
  plateColour?: PlateColour;
  make?: string;
  model?: string;
  owner?: Partial<Extract<OwnerInput, { kind: 'person' }>>;
}

let nationalSeq = 0;

/** A registered vehicle and its owner (a person) since 2020, through the registry store. */
export async function seedVehicle(pool: Pool, v: SeedVehicle): Promise<{ vehicleId: number; ownerId: number; nationalId: string }> {
  // PPP=001 (Hà Nội), G=0 (male, 1900s), YY=90, then six digits unique within the test process
  const nationalId = v.owner?.nationalId ?? `001090${String((process.pid * 997 + ++nationalSeq) % 1_000_000).padStart(6, '0')}`;
  const owner: OwnerInput = {
    kind: 'person', nationalId, fullName: v.owner?.fullName ?? 'Nguyễn Thị Hương', address: v.owner?.address ?? 'Số 12 phố Huế, phường Hai Bà Trưng',
    province: v.owner?.province ?? 'Hà Nội',
  };
  return withTransaction(pool, async (tx) => {
    const owners = await upsertOwners(tx, [owner]);
    const vehicles = await upsertVehicles(tx, [{ plate: v.plate, plateKey: plateKey(v.plate), plateColour: v.plateColour ?? 'white',
      vehicleType: v.vehicleType ?? 'car', make: v.make ?? 'Toyota', model: v.model ?? 'Vios', registeredAt: '2020-01-01' }]);
    const vehicleId = vehicles.get(plateKey(v.plate))!;
    const ownerId = owners.get(ownerIdentity(owner))!;
    await addOwnership(tx, { vehicleId, ownerId, basis: 'registration', validFrom: new Date('2020-01-01T00:00:00+07:00'), validTo: null });
    return { vehicleId, ownerId, nationalId };
  });
}

export const SCENE_PLATE_BOX = { x: 260, y: 330, width: 120, height: 40 };

/** A 640x480 JPEG street scene with a light plate-sized box at SCENE_PLATE_BOX; `seed` varies the bytes. */
/**
 * Successive scenes of one process differ (the marker moves one place each time): a camera takes one
 * capture per image, so two random markers in the same place made a seeded violation collide with the last.
 */
let nextScene = Math.floor(Math.random() * 63_000);

export async function sceneJpeg(seed = nextScene++): Promise<Buffer> {
  const plate = await sharp({ create: { width: 120, height: 40, channels: 3, background: { r: 245, g: 245, b: 245 } } }).png().toBuffer();
  const marker = await sharp({ create: { width: 6, height: 6, channels: 3, background: { r: 255, g: 200, b: 0 } } }).png().toBuffer();
  return sharp({ create: { width: 640, height: 480, channels: 3, background: { r: 60, g: 64, b: 72 } } })
    .composite([{ input: plate, left: SCENE_PLATE_BOX.x, top: SCENE_PLATE_BOX.y }, { input: marker, left: seed % 630, top: Math.floor(seed / 630) % 100 }])
    .jpeg({ quality: 85 })
    .toBuffer();
}

export interface SeedViolation {
  cameraId: number;
  plate: string;
  vehicleId: number | null;
  ownerId: number | null;
  /** the approving officer; required for status 'approved' */
  decidedBy?: number;
  status?: 'pending_review' | 'approved';
  occurredAt?: Date;
  rule?: 'red_light' | 'speeding';
  plateColour?: PlateColour;
  /** default: exact when a vehicle is given, else unknown */
  matchStatus?: 'exact' | 'fuzzy' | 'ambiguous' | 'unknown' | 'foreign' | 'corrected';
  candidates?: unknown[];
  /** read confidence, default 0.95 */
  confidence?: number;
}

/**
 * A camera violation with one piece of evidence: the capture (image in `storage`), its plate read
 * and the evidence link, as the pipeline leaves them (status 'pending_review') or as an officer's
 * approval leaves them (status 'approved', the default).
 */
export async function seedApprovedViolation(pool: Pool, storage: BlobStore, v: SeedViolation):
  Promise<{ violationId: number; captureId: number; imageSha256: string }> {
  const occurredAt = v.occurredAt ?? new Date('2026-11-01T08:15:30+07:00');
  const image = await sceneJpeg();
  const sha = await storage.put(image);
  const key = plateKey(v.plate);
  const offence = v.rule === 'speeding'
    ? { rule: 'speeding', code: '16824.6.5.đ.01', clause: 'Điểm đ khoản 5 Điều 6 Nghị định 168/2024/NĐ-CP', min: 4_000_000, max: 6_000_000, points: 2,
      description: 'Điều khiển xe chạy quá tốc độ quy định từ 10 km/h đến 20 km/h', offence: 'speeding_10_20' }
    : { rule: 'red_light', code: '16824.6.9.b.01', clause: 'Điểm b khoản 9 Điều 6 Nghị định 168/2024/NĐ-CP', min: 18_000_000, max: 20_000_000, points: 4,
      description: 'Không chấp hành hiệu lệnh của đèn tín hiệu giao thông', offence: 'red_light' };
  const status = v.status ?? 'approved';
  if (status === 'approved' && v.decidedBy === undefined) throw new Error('an approved violation needs decidedBy');
  const confidence = v.confidence ?? 0.95;
  return withTransaction(pool, async (tx) => {
    const capture = await tx.query<{ id: number }>(
      `INSERT INTO captures (camera_id, image_sha256, image_bytes, image_width, image_height, content_type, captured_at, source,
                             signal_phase, red_elapsed_ms, status, processed_at, recognised_at)
       VALUES ($1, $2, $3, 640, 480, 'image/jpeg', $4, 'http', 'red', 2300, 'processed', now(), now()) RETURNING id`,
      [v.cameraId, sha, image.length, occurredAt],
    );
    const captureId = capture.rows[0]!.id;
    const read = await tx.query<{ id: number }>(
      `INSERT INTO plate_reads (capture_id, rank, plate_text, plate_key, raw_text, confidence, char_confidences,
                                bbox_x, bbox_y, bbox_width, bbox_height, layout, colour, valid, low_confidence, captured_at)
       VALUES ($1, 0, $2, $3, $3, $9, ARRAY[$9::real], $4, $5, $6, $7, 'one-line', $8, true, false, $10) RETURNING id`,
      [captureId, v.plate, key, SCENE_PLATE_BOX.x, SCENE_PLATE_BOX.y, SCENE_PLATE_BOX.width, SCENE_PLATE_BOX.height, v.plateColour ?? 'white', confidence, occurredAt],
    );
    const violation = await tx.query<{ id: number }>(
      `INSERT INTO violations (camera_id, rule, violation_code, legal_clause, description, vehicle_category, occurred_at,
                               plate_text, plate_key, plate_colour, vehicle_id, owner_id, match_status, match_candidates, schedule_version,
                               fine_min, fine_max, fine_amount, points, details, read_confidence, status, decided_by, decided_at)
       VALUES ($1, $2, $3, $4, $5, 'car', $6, $7, $8, $9, $10, $11, $12, $13, 'nd168-2024', $14, $15, $16, $17, $18, $19, $20, $21, $22) RETURNING id`,
      [v.cameraId, offence.rule, offence.code, offence.clause, offence.description, occurredAt, v.plate, key, v.plateColour ?? 'white',
        v.vehicleId, v.ownerId, v.matchStatus ?? (v.vehicleId === null ? 'unknown' : 'exact'), JSON.stringify(v.candidates ?? []),
        offence.min, offence.max, (offence.min + offence.max) / 2, offence.points,
        JSON.stringify({ offence: offence.offence, plateLayout: 'one-line' }), confidence,
        status, status === 'approved' ? v.decidedBy : null, status === 'approved' ? new Date() : null],
    );
    const violationId = violation.rows[0]!.id;
    await tx.query('INSERT INTO violation_evidence (violation_id, capture_id, captured_at, plate_read_id, plate_read_captured_at) VALUES ($1, $2, $4, $3, $4)',
      [violationId, captureId, read.rows[0]!.id, occurredAt]);
    return { violationId, captureId, imageSha256: sha };
  });
}

export interface SeededNotice {
  noticeId: number;
  noticeNumber: string;
  violationId: number;
  vehicleId: number;
  ownerId: number;
  nationalId: string;
}

/** A registered car, an approved violation of it and the notice issued for it (PDF not rendered). */
export async function seedNotice(pool: Pool, storage: BlobStore, o: { cameraId: number; officer: { id: number; username: string }; plate?: string;
  rule?: 'red_light' | 'speeding'; occurredAt?: Date; ownerName?: string;
  /** when the notice was issued (due date shifted alike); default now. Payments dated before it are refused. */
  issuedAt?: Date }): Promise<SeededNotice> {
  const plate = o.plate ?? randomCarPlate();
  const vehicle = await seedVehicle(pool, { plate, owner: o.ownerName ? { fullName: o.ownerName } : undefined });
  const { violationId } = await seedApprovedViolation(pool, storage, { cameraId: o.cameraId, plate, vehicleId: vehicle.vehicleId, ownerId: vehicle.ownerId,
    decidedBy: o.officer.id, rule: o.rule, occurredAt: o.occurredAt });
  const notice = await withTransaction(pool, (tx) => issueNotice(tx, violationId, o.officer));
  if (o.issuedAt) {
    await pool.query('UPDATE notices SET due_at = due_at - (issued_at - $2::timestamptz), issued_at = $2 WHERE id = $1', [notice.noticeId, o.issuedAt]);
  }
  return { ...notice, violationId, ...vehicle };
}

/** A valid, random Hà Nội car plate such as 30K-482.17. */
export function randomCarPlate(): string {
  const letters = 'ABCDEFGHKLMNPSTUVXYZ';
  const n = String(Math.floor(Math.random() * 100_000)).padStart(5, '0');
  return `30${letters[Math.floor(Math.random() * letters.length)]}-${n.slice(0, 3)}.${n.slice(3)}`;
}

/**
 * Moves a notice (issue and due dates, and its violation's time) `days` into the past, as if it had
 * been issued then: aging, escalation and period reports need notices of different ages.
 */
export async function backdateNotice(pool: Pool, noticeId: number, days: number): Promise<void> {
  await withTransaction(pool, async (tx) => {
    await tx.query(`UPDATE notices SET issued_at = issued_at - make_interval(days => $2), due_at = due_at - make_interval(days => $2) WHERE id = $1`, [noticeId, days]);
    await tx.query(`UPDATE violations SET occurred_at = occurred_at - make_interval(days => $2), last_seen_at = NULL
                    WHERE id = (SELECT violation_id FROM notices WHERE id = $1)`, [noticeId, days]);
  });
}

/**
 * Takes a notice through the procedure the way an officer does at the counter, through the API: the owner
 * accepts as driver, a violation record, a penalty decision at the midpoint. A notice whose camera has no
 * detecting unit is first given a test unit to handle it. Returns the decision number and amount.
 */
export async function decideNotice(app: App, officer: { headers: Record<string, string> }, noticeNumber: string): Promise<{ decisionNumber: string; totalAmount: number }> {
  const pool = app.deps.pool;
  await pool.query(`INSERT INTO handling_units (code, kind, name, parent_name, address, phone, province)
                    VALUES ('PC08T', 'traffic_police', 'Phòng Cảnh sát giao thông', 'CÔNG AN THÀNH PHỐ HÀ NỘI', 'Số 86 Lê Thánh Tông, Phường Cửa Nam', '02439424448', 'Thành phố Hà Nội')
                    ON CONFLICT DO NOTHING`);
  await pool.query(`UPDATE notices SET handling_unit_id = (SELECT id FROM handling_units WHERE code = 'PC08T') WHERE notice_number = $1 AND handling_unit_id IS NULL`, [noticeNumber]);
  const step = async (url: string, payload: unknown) => {
    const res = await app.inject({ method: 'POST', url, headers: officer.headers, payload: payload as Record<string, unknown> });
    if (res.statusCode !== 201) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
    return res.json();
  };
  await step(`/api/v1/notices/${noticeNumber}/owner-response`, { response: 'owner_is_driver', licenceNumber: '010203040506' });
  const { recordNumber } = await step(`/api/v1/notices/${noticeNumber}/record`, {});
  return step('/api/v1/decisions', { items: [{ recordNumber }] });
}

/**
 * The handling units of a Bắc Ninh case, registered through the API: the province's traffic police (detecting
 * unit of a new camera on Quốc lộ 1 in Xã Lạng Giang) and the commune police of Lạng Giang, at `communeAddress`.
 */
export async function seedBacNinhUnits(app: App, pool: Pool, admin: TestStaff, communeAddress = 'Xã Lạng Giang, Tỉnh Bắc Ninh'): Promise<{ id: number; code: string }> {
  const units = [
    { code: 'PC08BN', kind: 'traffic_police', name: 'Phòng Cảnh sát giao thông', parentName: 'CÔNG AN TỈNH BẮC NINH',
      address: 'Số 2 đường Lý Thái Tổ, Phường Kinh Bắc, Tỉnh Bắc Ninh', phone: '02223822456', commune: null, province: 'Tỉnh Bắc Ninh' },
    { code: 'CAXLGBN', kind: 'commune_police', name: 'Công an xã Lạng Giang', parentName: 'CÔNG AN TỈNH BẮC NINH',
      address: communeAddress, phone: '02043881234', commune: 'Xã Lạng Giang', province: 'Tỉnh Bắc Ninh' },
  ];
  for (const u of units) {
    const res = await app.inject({ method: 'POST', url: '/api/v1/units', headers: admin.headers, payload: u });
    if (res.statusCode !== 201) throw new Error(`unit ${u.code}: ${res.statusCode} ${res.body}`);
  }
  const cam = await seedCamera(pool, { address: 'Quốc lộ 1, Xã Lạng Giang', province: 'Tỉnh Bắc Ninh' });
  const res = await app.inject({ method: 'PUT', url: `/api/v1/cameras/${cam.code}/detecting-unit`, headers: admin.headers, payload: { unitCode: 'PC08BN' } });
  if (res.statusCode !== 200) throw new Error(`detecting unit: ${res.statusCode} ${res.body}`);
  return cam;
}

/**
 * Registers a camera through the API as the staff member whose headers are given (an operator or an
 * admin) and returns the API key the camera sends its captures with, shown once.
 */
export async function registerCamera(app: App, headers: Record<string, string>, camera: Record<string, unknown>): Promise<string> {
  const res = await app.inject({ method: 'POST', url: '/api/v1/cameras', headers, payload: camera });
  if (res.statusCode !== 201) throw new Error(`camera ${String(camera.code)} not registered: ${res.statusCode} ${res.body}`);
  return res.json().apiKey;
}
