import { createHash } from 'node:crypto';
import type { Pool, PoolClient } from '../../src/db/pool.js';
import { withTransaction } from '../../src/db/pool.js';
import { addOwnership, upsertOwners, upsertVehicles } from '../../src/registry/store.js';
import { ownerIdentity, type OwnerInput, type OwnershipBasis, type PlateColour, type VehicleType } from '../../src/registry/types.js';
import { parseRegistryPlate } from '../../src/registry/validation.js';
import type { CameraRules, CaptureFacts, ReadFacts } from '../../src/violations/types.js';
import { normalisePlate, plateKey } from '../../src/vision/plate-grammar.js';

let seq = 0;

/** Registers a vehicle with one owner from `since` (open-ended). Returns the ids. */
export async function registerVehicle(pool: Pool, v: { plate: string; type: VehicleType; colour?: PlateColour; ownerName?: string; since?: Date; basis?: OwnershipBasis; owner?: OwnerInput }):
  Promise<{ vehicleId: number; ownerId: number }> {
  const parsed = parseRegistryPlate(v.plate, v.type);
  if ('problem' in parsed) throw new Error(parsed.problem);
  seq++;
  const owner: OwnerInput = v.owner ?? { kind: 'person', nationalId: `0010900${String(seq).padStart(5, '0')}`, fullName: v.ownerName ?? `Chủ xe ${seq}`,
    address: 'Hà Nội', province: 'Hà Nội' };
  return withTransaction(pool, async (tx) => {
    const owners = await upsertOwners(tx, [owner]);
    const vehicles = await upsertVehicles(tx, [{ ...parsed, plateColour: v.colour ?? 'white', vehicleType: v.type, registeredAt: '2020-01-01' }]);
    const vehicleId = vehicles.get(parsed.plateKey)!;
    const ownerId = owners.get(ownerIdentity(owner))!;
    await addOwnership(tx, { vehicleId, ownerId, basis: v.basis ?? 'registration', validFrom: v.since ?? new Date('2020-01-01T00:00:00+07:00'), validTo: null });
    return { vehicleId, ownerId };
  });
}

export async function insertCamera(pool: Pool, c: Partial<CameraRules> & { cameraType: CameraRules['cameraType'] }): Promise<CameraRules> {
  seq++;
  const code = c.code ?? `CAM-T${seq}`;
  const speedLimit = c.speedLimitKmh ?? (c.cameraType === 'speed' ? 60 : null);
  const rules: CameraRules = {
    id: 0, code, cameraType: c.cameraType, speedLimitKmh: speedLimit, speedToleranceKmh: c.speedToleranceKmh ?? 0,
    allowedLanes: c.allowedLanes ?? null, allowedLanesByCategory: c.allowedLanesByCategory ?? null,
    noEntryVehicleTypes: c.noEntryVehicleTypes ?? (c.cameraType === 'no_entry' ? ['car', 'truck', 'bus', 'motorbike', 'moped', 'electric_motorbike'] : []),
    noEntryHours: c.noEntryHours ?? [], amberToleranceMs: c.amberToleranceMs ?? 200, stopDwellS: c.stopDwellS ?? 60,
    dedupWindowS: c.dedupWindowS ?? 300, noParkingDwellS: c.noParkingDwellS ?? 300, plateProfile: c.plateProfile ?? 'vn',
  };
  const { rows } = await pool.query<{ id: number }>(
    `INSERT INTO cameras (code, name, province, address, camera_type, speed_limit_kmh, speed_tolerance_kmh, allowed_lanes,
       dedup_window_s, no_parking_dwell_s, plate_profile, allowed_lanes_by_category, no_entry_vehicle_types, no_entry_hours,
       amber_tolerance_ms, stop_dwell_s)
     VALUES ($1, 'test camera', 'Hà Nội', 'Đường Láng', $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id`,
    [code, rules.cameraType, rules.speedLimitKmh, rules.speedToleranceKmh, rules.allowedLanes, rules.dedupWindowS, rules.noParkingDwellS, rules.plateProfile,
      rules.allowedLanesByCategory === null ? null : JSON.stringify(rules.allowedLanesByCategory), rules.noEntryVehicleTypes,
      JSON.stringify(rules.noEntryHours), rules.amberToleranceMs, rules.stopDwellS],
  );
  return { ...rules, id: rows[0]!.id };
}

export interface CaptureSpec {
  at: Date;
  plate?: string | null;
  colour?: ReadFacts['colour'];
  layout?: ReadFacts['layout'];
  speed?: number | null;
  phase?: CaptureFacts['signalPhase'];
  redMs?: number | null;
  amberMs?: number | null;
  lane?: number | null;
  direction?: CaptureFacts['direction'];
  profile?: 'vn' | 'generic';
}

/** A stored capture with its top plate read, as the pipeline worker would hand them over. */
export async function insertCapture(pool: Pool, camera: CameraRules, s: CaptureSpec): Promise<{ capture: CaptureFacts; read: ReadFacts | null }> {
  seq++;
  const sha = createHash('sha256').update(`capture-${seq}-${Math.random()}`).digest('hex');
  const { rows } = await pool.query<{ id: number }>(
    `INSERT INTO captures (camera_id, image_sha256, image_bytes, image_width, image_height, content_type, captured_at, source,
       measured_speed_kmh, signal_phase, red_elapsed_ms, amber_elapsed_ms, lane, direction, status)
     VALUES ($1, $2, 1000, 1920, 1080, 'image/jpeg', $3, 'http', $4, $5, $6, $7, $8, $9, 'processing') RETURNING id`,
    [camera.id, sha, s.at, s.speed ?? null, s.phase ?? null, s.redMs ?? null, s.amberMs ?? null, s.lane ?? null, s.direction ?? null],
  );
  const captureId = rows[0]!.id;
  const capture: CaptureFacts = { captureId, capturedAt: s.at, measuredSpeedKmh: s.speed ?? null, signalPhase: s.phase ?? null,
    redElapsedMs: s.redMs ?? null, amberElapsedMs: s.amberMs ?? null, lane: s.lane ?? null, direction: s.direction ?? null };
  if (s.plate === null) return { capture, read: null };
  const plate = s.plate ?? '30A-123.45';
  const layout = s.layout ?? 'one-line';
  const n = normalisePlate(plate, s.profile ?? 'vn', { layout });
  const key = plateKey(n.canonical);
  const read = await pool.query<{ id: number }>(
    `INSERT INTO plate_reads (capture_id, rank, plate_text, plate_key, raw_text, confidence, char_confidences, bbox_x, bbox_y, bbox_width, bbox_height,
       layout, colour, valid, low_confidence, captured_at)
     VALUES ($1, 0, $2, $3, $4, 0.93, $5, 100, 200, 300, 80, $6, $7, $8, false, (SELECT captured_at FROM captures WHERE id = $1)) RETURNING id`,
    [captureId, n.canonical, key, plate, n.charConfidences, layout, s.colour ?? 'white', n.valid],
  );
  return { capture, read: { plateReadId: read.rows[0]!.id, plateText: n.canonical, plateKey: key, colour: s.colour ?? 'white', confidence: 0.93,
    valid: n.valid, lowConfidence: false, layout } };
}

export async function inTx<T>(pool: Pool, work: (tx: PoolClient) => Promise<T>): Promise<T> {
  return withTransaction(pool, work);
}
