import { appendAudit } from '../audit/audit-log.js';
import type { PoolClient } from '../db/pool.js';
import { matchPlate, type MatchCandidate } from '../matching/matcher.js';
import { categoryOfVehicleType, VEHICLE_CATEGORY_LABELS, type VehicleCategory } from '../registry/types.js';
import { normalisePlate, plateKey } from '../vision/plate-grammar.js';
import { inferCategoryFromPlate } from './category.js';
import { ViolationInputError } from './errors.js';
import { defaultFineSchedules, offenceCategories, priceOffence, RULE_OFFENCES, scheduleInForce, type FineScheduleVersion, type Offence } from './fine-schedule.js';

export { ViolationInputError } from './errors.js';

interface ViolationRow {
  id: number;
  status: string;
  occurred_at: Date;
  plate_text: string;
  plate_key: string;
  plate_colour: string;
  vehicle_category: VehicleCategory;
  violation_code: string;
  description: string;
  fine_amount: number;
  match_status: string;
  details: Record<string, unknown>;
}

/**
 * An officer's reading of the plate replaces the camera's: the plate must be a well-formed
 * Vietnamese plate typed as issued (no look-alike repair). Matching is re-run as of the
 * violation's time; 'corrected' when a registered vehicle is found, otherwise the real status.
 * A change of vehicle category re-prices the violation under the schedule of its date.
 * Throws ViolationInputError (invalid_plate 400, not_found 404, not_pending_review 409).
 */
export async function correctViolationPlate(
  tx: PoolClient,
  violationId: number,
  plateText: string,
  actor: { id: number; username: string },
  schedules: readonly FineScheduleVersion[] = defaultFineSchedules(),
): Promise<{ matchStatus: string; vehicleId: number | null; ownerId: number | null; candidates: MatchCandidate[] }> {
  const { rows } = await tx.query<ViolationRow>(
    `SELECT id, status, occurred_at, plate_text, plate_key, plate_colour, vehicle_category, violation_code, description, fine_amount, match_status, details
     FROM violations WHERE id = $1 FOR UPDATE`,
    [violationId],
  );
  const v = rows[0];
  if (!v) throw new ViolationInputError(404, 'not_found', `Không tìm thấy vi phạm #${violationId}.`);
  if (v.status !== 'pending_review') {
    throw new ViolationInputError(409, 'not_pending_review', `Vi phạm #${violationId} không còn chờ duyệt: chỉ sửa được biển số của hồ sơ đang chờ duyệt.`);
  }
  const layout = v.details.plateLayout === 'two-line' ? 'two-line' : 'one-line';
  const typed = plateKey(plateText);
  const n = normalisePlate(plateText, 'vn', { layout });
  if (!n.valid || n.key !== typed || typed.length < 6 || typed.length > 10) {
    throw new ViolationInputError(400, 'invalid_plate', `"${plateText}" không phải biển số Việt Nam hợp lệ (ví dụ 30A-123.45 hoặc 29-B1 123.45).`);
  }

  const match = await matchPlate(tx, { plateText: n.canonical, profile: 'vn', observedColour: v.plate_colour, observedLayout: layout, at: v.occurred_at });
  const matchStatus = match.status === 'exact' ? 'corrected' : match.status;
  const category = match.vehicleType
    ? { category: categoryOfVehicleType(match.vehicleType), categorySource: 'registry', categoryReason: `registered ${match.vehicleType}` }
    : (() => { const i = inferCategoryFromPlate(n.canonical, layout); return { category: i.category, categorySource: 'plate_inference', categoryReason: i.reason }; })();

  let repriced: { from: { code: string; amount: number }; to: { code: string; amount: number } } | null = null;
  const sets: string[] = [];
  const params: unknown[] = [violationId, n.canonical, n.key, match.vehicleId, match.ownerId, matchStatus, JSON.stringify(match.candidates),
    match.suspectedClone, match.cloneReason, category.category];
  const offence = typeof v.details.offence === 'string' ? v.details.offence : offenceOfCode(v, schedules);
  const detailPatch: Record<string, unknown> = { categorySource: category.categorySource, categoryReason: category.categoryReason, offence,
    plateCorrectedFrom: v.plate_text };
  if (category.category !== v.vehicle_category) {
    const fined = (RULE_OFFENCES as readonly string[]).includes(offence) ? offenceCategories(offence as Offence) : null;
    if (fined && !fined.includes(category.category)) {
      // e.g. a seat-belt case whose corrected plate is a motorbike's: the decree has no such fine, the case cannot stand as it is
      throw new ViolationInputError(409, 'offence_not_for_category', `Biển số ${n.canonical} là của ${VEHICLE_CATEGORY_LABELS[category.category]}, `
        + `nhưng hành vi "${v.description}" chỉ bị xử phạt đối với ${fined.map((c) => VEHICLE_CATEGORY_LABELS[c]).join(', ')}: hãy từ chối hồ sơ thay vì sửa biển số.`);
    }
    const price = priceOffence(offence, category.category, v.occurred_at, schedules);
    repriced = { from: { code: v.violation_code, amount: v.fine_amount }, to: { code: price.violationCode, amount: price.fineAmount } };
    params.push(price.violationCode, price.legalClause, price.description, price.scheduleVersion, price.fineMin, price.fineMax, price.fineAmount, price.points);
    sets.push(`violation_code = $12, legal_clause = $13, description = $14, schedule_version = $15,
      fine_min = $16, fine_max = $17, fine_amount = $18, points = $19`);
  }
  await tx.query(
    `UPDATE violations SET plate_text = $2, plate_key = $3, vehicle_id = $4, owner_id = $5, match_status = $6,
       match_candidates = $7, suspected_clone = $8, clone_reason = $9, vehicle_category = $10, details = details || $11::jsonb,
       ${sets.length > 0 ? `${sets.join(', ')}, ` : ''}updated_at = now()
     WHERE id = $1`,
    [...params.slice(0, 10), JSON.stringify(detailPatch), ...params.slice(10)],
  );
  await appendAudit(tx, { actorId: actor.id, actor: actor.username, action: 'violation.plate_corrected', entityType: 'violation', entityId: violationId,
    details: { from: v.plate_text, to: n.canonical, matchStatusBefore: v.match_status, matchStatus, vehicleId: match.vehicleId, ownerId: match.ownerId,
      vehicleCategory: category.category, repriced } });
  return { matchStatus, vehicleId: match.vehicleId, ownerId: match.ownerId, candidates: match.candidates };
}

/** Violations written by hand (not by evaluateCapture) carry no offence name: recover it from the code. */
function offenceOfCode(v: ViolationRow, schedules: readonly FineScheduleVersion[]): string {
  const entry = scheduleInForce(schedules, v.occurred_at).entries.find((e) => e.code === v.violation_code && e.category === v.vehicle_category);
  if (!entry) throw new Error(`violation ${v.id}: code ${v.violation_code} is not in the fine schedule, cannot re-price`);
  return entry.offence;
}
