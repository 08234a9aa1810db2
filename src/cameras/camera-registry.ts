import { appendAudit } from '../audit/audit-log.js';
import { newSecret, sha256Hex } from '../auth/tokens.js';
import { keysetPage, type KeysetPage } from '../db/keyset.js';
import { withTransaction, type Pool, type Queryable } from '../db/pool.js';
import type { Camera, CameraSettings, CreateCamera, UpdateCamera } from './camera-schemas.js';

/** A refused camera change: `status` is what the API answers with. */
export class CameraError extends Error {
  override readonly name = 'CameraError';
  constructor(readonly status: 400 | 404 | 409, readonly code: string, message: string) {
    super(message);
  }
}

import type { Actor } from '../audit/audit-log.js';
export type { Actor };

interface CameraRow {
  id: number; code: string; name: string; province: string; address: string; latitude: number | null; longitude: number | null;
  camera_type: Camera['cameraType']; enabled: boolean; api_key_hash: string | null; plate_profile: Camera['plateProfile'];
  roi: Camera['roi']; overlay_masks: Camera['overlayMasks']; detect_threshold: number; read_threshold: number; speed_limit_kmh: number | null; speed_tolerance_kmh: number;
  allowed_lanes: number[] | null; allowed_lanes_by_category: Camera['allowedLanesByCategory']; no_entry_vehicle_types: Camera['noEntryVehicleTypes'];
  no_entry_hours: Camera['noEntryHours']; amber_tolerance_ms: number; stop_dwell_s: number; expressway: boolean; analytics_events: Camera['analyticsEvents'];
  dedup_window_s: number; no_parking_dwell_s: number; drop_folder: string | null;
  created_at: Date; updated_at: Date;
}

/** settings field → column */
const COLUMNS: Record<keyof CameraSettings, keyof CameraRow> = {
  name: 'name', province: 'province', address: 'address', latitude: 'latitude', longitude: 'longitude', cameraType: 'camera_type',
  enabled: 'enabled', plateProfile: 'plate_profile', roi: 'roi', overlayMasks: 'overlay_masks', detectThreshold: 'detect_threshold', readThreshold: 'read_threshold',
  speedLimitKmh: 'speed_limit_kmh', speedToleranceKmh: 'speed_tolerance_kmh', allowedLanes: 'allowed_lanes', allowedLanesByCategory: 'allowed_lanes_by_category',
  noEntryVehicleTypes: 'no_entry_vehicle_types', noEntryHours: 'no_entry_hours', amberToleranceMs: 'amber_tolerance_ms', stopDwellS: 'stop_dwell_s', expressway: 'expressway', analyticsEvents: 'analytics_events',
  dedupWindowS: 'dedup_window_s', noParkingDwellS: 'no_parking_dwell_s', dropFolder: 'drop_folder',
};

const DEFAULTS: Omit<CameraSettings, 'name' | 'province' | 'address' | 'cameraType'> = {
  latitude: null, longitude: null, enabled: true, plateProfile: 'vn', roi: null, overlayMasks: [], detectThreshold: 0.3, readThreshold: 0.6,
  speedLimitKmh: null, speedToleranceKmh: 0, allowedLanes: null, allowedLanesByCategory: null, noEntryVehicleTypes: [], noEntryHours: [],
  amberToleranceMs: 200, stopDwellS: 60, expressway: false, analyticsEvents: [], dedupWindowS: 300, noParkingDwellS: 300, dropFolder: null,
};

function toCamera(r: CameraRow): Camera {
  return {
    id: r.id, code: r.code, hasApiKey: r.api_key_hash !== null, createdAt: r.created_at.toISOString(), updatedAt: r.updated_at.toISOString(),
    name: r.name, province: r.province, address: r.address, latitude: r.latitude, longitude: r.longitude, cameraType: r.camera_type,
    enabled: r.enabled, plateProfile: r.plate_profile, roi: r.roi, overlayMasks: r.overlay_masks, detectThreshold: round3(r.detect_threshold), readThreshold: round3(r.read_threshold),
    speedLimitKmh: r.speed_limit_kmh, speedToleranceKmh: r.speed_tolerance_kmh, allowedLanes: r.allowed_lanes,
    allowedLanesByCategory: r.allowed_lanes_by_category, noEntryVehicleTypes: r.no_entry_vehicle_types, noEntryHours: r.no_entry_hours,
    amberToleranceMs: r.amber_tolerance_ms, stopDwellS: r.stop_dwell_s, expressway: r.expressway, analyticsEvents: r.analytics_events, dedupWindowS: r.dedup_window_s,
    noParkingDwellS: r.no_parking_dwell_s, dropFolder: r.drop_folder,
  };
}

// real columns come back as float4: 0.3 reads as 0.30000001192
const round3 = (v: number) => Math.round(v * 1000) / 1000;

/** Rules that span fields; the schema has already checked each field on its own. */
function checkSettings(s: CameraSettings): void {
  if (s.overlayMasks.some((m) => m.x + m.width > 1.000001 || m.y + m.height > 1.000001)) {
    throw new CameraError(400, 'mask_outside_image', 'Vùng che phải nằm trong ảnh: x + width và y + height không quá 1.');
  }
  if (s.cameraType === 'speed' && s.speedLimitKmh === null) {
    throw new CameraError(400, 'speed_limit_required', 'Camera đo tốc độ cần khai báo tốc độ tối đa cho phép (speedLimitKmh).');
  }
  if (s.cameraType === 'lane' && s.allowedLanes === null && s.allowedLanesByCategory === null) {
    throw new CameraError(400, 'allowed_lanes_required', 'Camera làn đường cần khai báo làn được phép (allowedLanes hoặc allowedLanesByCategory).');
  }
  if (s.cameraType === 'no_entry' && s.noEntryVehicleTypes.length === 0) {
    throw new CameraError(400, 'banned_vehicle_types_required', 'Camera đường cấm cần khai báo loại xe mà biển báo cấm (noEntryVehicleTypes).');
  }
  const window = s.noEntryHours.find((w) => w.from === w.to || (w.to === '24:00' && w.from === '00:00'));
  if (window) {
    throw new CameraError(400, 'invalid_ban_hours', `Khung giờ cấm ${window.from}-${window.to} không hợp lệ: giờ bắt đầu và kết thúc phải khác nhau (cấm cả ngày: để trống danh sách giờ).`);
  }
  if (s.cameraType === 'no_stopping' && s.stopDwellS >= s.noParkingDwellS) {
    throw new CameraError(400, 'stop_dwell_not_below_park', `Thời gian tính là dừng xe (${s.stopDwellS} giây) phải ngắn hơn thời gian tính là đỗ xe (${s.noParkingDwellS} giây).`);
  }
  if ((s.latitude === null) !== (s.longitude === null)) {
    throw new CameraError(400, 'invalid_location', 'Khai báo cả vĩ độ và kinh độ, hoặc để trống cả hai.');
  }
}

/** Registers a camera and issues its API key; the key is returned here once and only its hash is kept. */
export async function createCamera(pool: Pool, input: CreateCamera, actor: Actor): Promise<{ camera: Camera; apiKey: string }> {
  const { code, ...given } = input;
  const settings: CameraSettings = { ...DEFAULTS, ...given };
  checkSettings(settings);
  const apiKey = newSecret('cam');
  const fields = Object.keys(COLUMNS) as Array<keyof CameraSettings>;
  return withTransaction(pool, async (tx) => {
    const exists = await tx.query('SELECT 1 FROM cameras WHERE code = $1', [code]);
    if (exists.rowCount) throw new CameraError(409, 'camera_exists', `Đã có camera mã ${code}.`);
    const { rows } = await tx.query<CameraRow>(
      `INSERT INTO cameras (code, api_key_hash, ${fields.map((f) => COLUMNS[f]).join(', ')})
       VALUES ($1, $2, ${fields.map((_, i) => `$${i + 3}`).join(', ')}) RETURNING *`,
      [code, sha256Hex(apiKey), ...fields.map((f) => columnValue(f, settings[f]))],
    );
    const camera = toCamera(rows[0]!);
    await appendAudit(tx, { actorId: actor.id, actor: actor.username, action: 'camera.created', entityType: 'camera', entityId: camera.id,
      details: { code, settings } });
    return { camera, apiKey };
  });
}

/** Changes some settings; the audit entry records each changed field's old and new value. */
export async function updateCamera(pool: Pool, code: string, patch: UpdateCamera, actor: Actor): Promise<Camera> {
  return withTransaction(pool, async (tx) => {
    const current = await lockCamera(tx, code);
    const before = toCamera(current);
    const after: CameraSettings = { ...settingsOf(before), ...patch };
    checkSettings(after);
    const changed = (Object.keys(patch) as Array<keyof CameraSettings>).filter((f) => JSON.stringify(before[f]) !== JSON.stringify(after[f]));
    if (changed.length === 0) return before;
    const { rows } = await tx.query<CameraRow>(
      `UPDATE cameras SET ${changed.map((f, i) => `${COLUMNS[f]} = $${i + 2}`).join(', ')}, updated_at = now() WHERE id = $1 RETURNING *`,
      [current.id, ...changed.map((f) => columnValue(f, after[f]))],
    );
    await appendAudit(tx, { actorId: actor.id, actor: actor.username, action: 'camera.updated', entityType: 'camera', entityId: current.id,
      details: { code, changes: Object.fromEntries(changed.map((f) => [f, { from: before[f], to: after[f] }])) } });
    return toCamera(rows[0]!);
  });
}

/** Replaces the camera's API key (lost or leaked); the old key stops working at once. */
export async function issueApiKey(pool: Pool, code: string, actor: Actor): Promise<string> {
  const apiKey = newSecret('cam');
  await withTransaction(pool, async (tx) => {
    const current = await lockCamera(tx, code);
    await tx.query('UPDATE cameras SET api_key_hash = $2, updated_at = now() WHERE id = $1', [current.id, sha256Hex(apiKey)]);
    await appendAudit(tx, { actorId: actor.id, actor: actor.username, action: 'camera.key_issued', entityType: 'camera', entityId: current.id,
      details: { code, replaced: current.api_key_hash !== null } });
  });
  return apiKey;
}

/** Cameras in code order, one page at a time (`after` = the last code of the previous page). */
export async function listCameras(db: Queryable, page: { limit: number; after?: string }): Promise<KeysetPage<Camera, string>> {
  const { rows } = await db.query<CameraRow>('SELECT * FROM cameras WHERE ($1::text IS NULL OR code > $1) ORDER BY code LIMIT $2',
    [page.after ?? null, page.limit + 1]);
  return keysetPage(rows, page.limit, (r) => r.code, toCamera);
}

/** Only id, code and name (for filters), in code order, one page at a time. */
export async function cameraNames(db: Queryable, page: { limit: number; after?: string }): Promise<KeysetPage<{ id: number; code: string; name: string }, string>> {
  const { rows } = await db.query<{ id: number; code: string; name: string }>(
    'SELECT id, code, name FROM cameras WHERE ($1::text IS NULL OR code > $1) ORDER BY code LIMIT $2', [page.after ?? null, page.limit + 1]);
  return keysetPage(rows, page.limit, (r) => r.code, (r) => r);
}

export async function getCamera(db: Queryable, code: string): Promise<Camera | null> {
  const { rows } = await db.query<CameraRow>('SELECT * FROM cameras WHERE code = $1', [code]);
  return rows[0] ? toCamera(rows[0]) : null;
}

/** Cameras whose uploads arrive by FTP into a folder, for the drop-folder watcher. */
export async function dropFolderCameras(db: Queryable): Promise<Array<{ id: number; code: string; dropFolder: string }>> {
  const { rows } = await db.query<{ id: number; code: string; drop_folder: string }>(
    'SELECT id, code, drop_folder FROM cameras WHERE drop_folder IS NOT NULL AND enabled ORDER BY code');
  return rows.map((r) => ({ id: r.id, code: r.code, dropFolder: r.drop_folder }));
}

async function lockCamera(tx: Queryable, code: string): Promise<CameraRow> {
  const { rows } = await tx.query<CameraRow>('SELECT * FROM cameras WHERE code = $1 FOR UPDATE', [code]);
  if (!rows[0]) throw new CameraError(404, 'not_found', `Không có camera mã ${code}.`);
  return rows[0];
}

function settingsOf(c: Camera): CameraSettings {
  const { id: _id, code: _code, hasApiKey: _k, createdAt: _c, updatedAt: _u, ...settings } = c;
  return settings;
}

const JSONB_FIELDS: ReadonlySet<keyof CameraSettings> = new Set(['roi', 'overlayMasks', 'allowedLanesByCategory', 'noEntryHours']);

/** jsonb takes a JSON string; other arrays go to smallint[] / text[] as they are. */
function columnValue(field: keyof CameraSettings, v: unknown): unknown {
  return v !== null && JSONB_FIELDS.has(field) ? JSON.stringify(v) : v;
}
