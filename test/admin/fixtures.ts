import type { Role } from '../../src/auth/roles.js';
import { withTransaction, type Pool } from '../../src/db/pool.js';
import { LocalBlobStore } from '../../src/storage/blob-store.js';
import { createUser } from '../../src/users/user-store.js';
import type { TestApp } from '../helpers/app.js';
import { SCENE_PLATE_BOX, seedApprovedViolation, seedCamera, seedVehicle } from '../helpers/fixtures.js';

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

/** A red-light camera in Hà Nội (the shared builder), returning its id. */
export async function createCamera(pool: Pool, code = `CAM-${++cameraSeq}`): Promise<number> {
  return (await seedCamera(pool, { code, address: 'Ngã tư Kim Mã - Liễu Giai' })).id;
}

export const PLATE_BOX = SCENE_PLATE_BOX;

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

/** A case awaiting review as the pipeline leaves it: a stored capture, its plate read, the violation and the evidence link. */
export async function seedCase(t: TestApp, o: CaseOptions): Promise<{ violationId: number; captureId: number; imageSha256: string }> {
  return seedApprovedViolation(t.db.pool, new LocalBlobStore(t.config.STORAGE_DIR), {
    status: 'pending_review', cameraId: o.cameraId, plate: o.plateText ?? '30A-123.45', vehicleId: o.vehicleId ?? null,
    ownerId: o.ownerId ?? null, occurredAt: o.occurredAt ?? new Date('2026-11-01T08:00:00Z'), rule: o.rule,
    matchStatus: o.matchStatus ?? 'unknown', candidates: o.candidates, confidence: o.confidence ?? 0.93,
  });
}

/** A registered car and its owner (the shared builder), as review tests need them. */
export async function registerCar(pool: Pool, plate: string): Promise<{ vehicleId: number; ownerId: number }> {
  const { vehicleId, ownerId } = await seedVehicle(pool, { plate, owner: { fullName: 'Nguyễn Văn An', address: '12 Phố Huế, Hai Bà Trưng' } });
  return { vehicleId, ownerId };
}

export async function auditActions(pool: Pool, entityType: string, entityId: number | string): Promise<string[]> {
  const { rows } = await pool.query<{ action: string }>('SELECT action FROM audit_log WHERE entity_type = $1 AND entity_id = $2 ORDER BY id', [entityType, String(entityId)]);
  return rows.map((r) => r.action);
}
