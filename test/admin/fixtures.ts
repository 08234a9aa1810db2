import sharp from 'sharp';
import type { Role } from '../../src/auth/roles.js';
import { withTransaction, type Pool } from '../../src/db/pool.js';
import { LocalBlobStore } from '../../src/storage/blob-store.js';
import { createUser } from '../../src/users/user-store.js';
import type { TestApp } from '../helpers/app.js';

export const PASSWORD = 'correct horse battery';

export interface Staff {
  id: number;
  username: string;
  role: Role;
  token: string;
}

/** Creates a user through the user store and logs them in through the API. */
export async function staffMember(t: TestApp, username: string, role: Role, ip = '10.0.0.1'): Promise<Staff> {
  const user = await withTransaction(t.db.pool, (tx) =>
    createUser(tx, { username, fullName: `Test ${username}`, role, password: PASSWORD }, { id: null, username: 'test-setup' }));
  const res = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password: PASSWORD }, remoteAddress: ip });
  if (res.statusCode !== 200) throw new Error(`login of ${username} failed: ${res.body}`);
  return { id: user.id, username, role, token: res.json().token as string };
}

export const bearer = (s: Staff) => ({ authorization: `Bearer ${s.token}` });

let cameraSeq = 0;

export async function createCamera(pool: Pool, code = `CAM-${++cameraSeq}`): Promise<number> {
  const { rows } = await pool.query<{ id: number }>(
    `INSERT INTO cameras (code, name, province, address, camera_type) VALUES ($1, $2, 'Hà Nội', 'Ngã tư Kim Mã - Liễu Giai', 'red_light') RETURNING id`,
    [code, `Camera ${code}`],
  );
  return rows[0]!.id;
}

let sceneSeq = 0;

/** A distinct 640x480 JPEG each call: dark scene with a white plate-sized box where the plate read says the plate is. */
export async function sceneJpeg(): Promise<Buffer> {
  const seq = ++sceneSeq;
  const plate = await sharp({ create: { width: 120, height: 40, channels: 3, background: { r: 250, g: 250, b: 250 } } }).png().toBuffer();
  // a small marker whose position encodes the sequence number keeps every image's bytes distinct
  const marker = await sharp({ create: { width: 8, height: 8, channels: 3, background: { r: 255, g: 255, b: 0 } } }).png().toBuffer();
  return sharp({ create: { width: 640, height: 480, channels: 3, background: { r: 70, g: 70, b: 80 } } })
    .composite([{ input: plate, left: 300, top: 350 }, { input: marker, left: (seq * 16) % 624, top: 16 * (Math.floor((seq * 16) / 624) % 18) }])
    .jpeg({ quality: 90 })
    .toBuffer();
}

export const PLATE_BOX = { x: 300, y: 350, width: 120, height: 40 };

export interface CaseOptions {
  cameraId: number;
  occurredAt?: Date;
  plateText?: string;
  matchStatus?: 'exact' | 'fuzzy' | 'ambiguous' | 'unknown' | 'foreign' | 'corrected';
  vehicleId?: number | null;
  ownerId?: number | null;
  candidates?: unknown[];
  confidence?: number;
  rule?: 'red_light' | 'speeding';
}

/**
 * A red-light case awaiting review as the pipeline leaves it: a stored capture, its plate read,
 * the violation and the evidence link. Written directly: these tables belong to the pipeline.
 */
export async function seedCase(t: TestApp, o: CaseOptions): Promise<{ violationId: number; captureId: number; imageSha256: string }> {
  const occurredAt = o.occurredAt ?? new Date('2026-11-01T08:00:00Z');
  const image = await sceneJpeg();
  const sha = await new LocalBlobStore(t.config.STORAGE_DIR).put(image);
  const plateText = o.plateText ?? '30A-123.45';
  const key = plateText.replace(/[^A-Z0-9]/g, '');
  const confidence = o.confidence ?? 0.93;
  return withTransaction(t.db.pool, async (tx) => {
    const capture = await tx.query<{ id: number }>(
      `INSERT INTO captures (camera_id, image_sha256, image_bytes, image_width, image_height, content_type, captured_at, source,
                             signal_phase, red_elapsed_ms, status, processed_at, recognised_at)
       VALUES ($1, $2, $3, 640, 480, 'image/jpeg', $4, 'http', 'red', 2300, 'processed', now(), now()) RETURNING id`,
      [o.cameraId, sha, image.length, occurredAt],
    );
    const captureId = capture.rows[0]!.id;
    const read = await tx.query<{ id: number }>(
      `INSERT INTO plate_reads (capture_id, rank, plate_text, plate_key, raw_text, confidence, char_confidences,
                                bbox_x, bbox_y, bbox_width, bbox_height, layout, colour, valid, low_confidence)
       VALUES ($1, 0, $2, $3, $3, $4, '{0.9}', $5, $6, $7, $8, 'one-line', 'white', true, false) RETURNING id`,
      [captureId, plateText, key, confidence, PLATE_BOX.x, PLATE_BOX.y, PLATE_BOX.width, PLATE_BOX.height],
    );
    const car = o.rule === 'speeding'
      ? { rule: 'speeding', code: '16824.6.5.đ.01', clause: '6.5.đ', min: 4_000_000, max: 6_000_000, points: 2, offence: 'speeding_10_20' }
      : { rule: 'red_light', code: '16824.6.9.b.01', clause: '6.9.b', min: 18_000_000, max: 20_000_000, points: 4, offence: 'red_light' };
    const violation = await tx.query<{ id: number }>(
      `INSERT INTO violations (camera_id, rule, violation_code, legal_clause, description, vehicle_category, occurred_at,
                               plate_text, plate_key, plate_colour, vehicle_id, owner_id, match_status, match_candidates,
                               schedule_version, fine_min, fine_max, fine_amount, points, details, read_confidence)
       VALUES ($1, $2, $3, $4, 'Không chấp hành hiệu lệnh của đèn tín hiệu giao thông', 'car', $5, $6, $7, 'white', $8, $9, $10, $11,
               'nd168-2024', $12, $13, $14, $15, $16, $17) RETURNING id`,
      [o.cameraId, car.rule, car.code, car.clause, occurredAt, plateText, key, o.vehicleId ?? null, o.ownerId ?? null,
        o.matchStatus ?? 'unknown', JSON.stringify(o.candidates ?? []), car.min, car.max, (car.min + car.max) / 2, car.points,
        JSON.stringify({ offence: car.offence, plateLayout: 'one-line' }), confidence],
    );
    const violationId = violation.rows[0]!.id;
    await tx.query('INSERT INTO violation_evidence (violation_id, capture_id, plate_read_id) VALUES ($1, $2, $3)', [violationId, captureId, read.rows[0]!.id]);
    return { violationId, captureId, imageSha256: sha };
  });
}

let idSeq = 0;

/** A registered car and its owner since 2024, written straight into the registry tables. */
export async function registerCar(pool: Pool, plate: string): Promise<{ vehicleId: number; ownerId: number }> {
  const key = plate.replace(/[^A-Z0-9]/g, '');
  const nationalId = `001090${String(100000 + ++idSeq + Math.floor(Math.random() * 800000)).slice(-6)}`;
  return withTransaction(pool, async (tx) => {
    const owner = await tx.query<{ id: number }>(
      `INSERT INTO owners (kind, national_id, full_name, address, province) VALUES ('person', $1, 'Nguyễn Văn An', '12 Phố Huế, Hai Bà Trưng', 'Hà Nội') RETURNING id`,
      [nationalId],
    );
    const vehicle = await tx.query<{ id: number }>(
      `INSERT INTO vehicles (plate, plate_key, plate_colour, vehicle_type, make, model, registered_at) VALUES ($1, $2, 'white', 'car', 'Toyota', 'Vios', '2024-01-10') RETURNING id`,
      [plate, key],
    );
    await tx.query(`INSERT INTO vehicle_ownerships (vehicle_id, owner_id, valid_from) VALUES ($1, $2, '2024-01-10T00:00:00Z')`, [vehicle.rows[0]!.id, owner.rows[0]!.id]);
    return { vehicleId: vehicle.rows[0]!.id, ownerId: owner.rows[0]!.id };
  });
}

export async function auditActions(pool: Pool, entityType: string, entityId: number | string): Promise<string[]> {
  const { rows } = await pool.query<{ action: string }>('SELECT action FROM audit_log WHERE entity_type = $1 AND entity_id = $2 ORDER BY id', [entityType, String(entityId)]);
  return rows.map((r) => r.action);
}
