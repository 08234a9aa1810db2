import { appendAudit } from '../audit/audit-log.js';
import type { PoolClient } from '../db/pool.js';
import { matchPlate, type MatchResult } from '../matching/matcher.js';
import { isTimeBarred } from '../procedure/deadlines.js';
import { categoryOfVehicleType } from '../registry/types.js';
import { inferCategoryFromPlate } from './category.js';
import { eventLabel, notForCategoryReason } from './analytics-events.js';
import { defaultFineSchedules, offenceCategories, priceOffence, type FineScheduleVersion } from './fine-schedule.js';
import { evaluateRule, isStandingCamera, ruleNeedsVehicle } from './rules.js';
import { dwellSeconds, recordSighting } from './sightings.js';
import { addEvidence, findDedupTarget, flagForReview, insertViolation, reclassifyPendingViolation, touchViolation, violationsOfCapture } from './store.js';
import type { CameraRules, CaptureFacts, EvaluationOutcome, ReadFacts, RuleName, VehicleKind } from './types.js';

export type { CameraRules, CaptureFacts, EvaluationOutcome, ReadFacts } from './types.js';

export interface EvaluateOptions {
  /** fine schedules to price with; default: data/fines */
  schedules?: readonly FineScheduleVersion[];
  /** "now" for the limitation period */
  now?: Date;
}

/**
 * Turns one processed capture into a priced violation awaiting review, extra evidence for an
 * existing one, or nothing. Runs in the caller's transaction and is idempotent: a capture that is
 * already evidence returns the same violations without writing anything.
 */
export async function evaluateCapture(
  tx: PoolClient,
  input: { capture: CaptureFacts; camera: CameraRules; read: ReadFacts | null },
  options: EvaluateOptions = {},
): Promise<EvaluationOutcome> {
  const { capture, camera, read } = input;
  const done = await violationsOfCapture(tx, capture.captureId);
  if (done.length > 0) {
    return { kind: done.some((v) => v.opened) ? 'created' : 'merged', violationIds: done.map((v) => v.id), reason: 'capture already evaluated' };
  }
  if (!read || read.plateKey === '') return { kind: 'no_plate', violationIds: [], reason: 'no plate was read' };
  const now = options.now ?? new Date();
  // counted as the records and decisions count it (one calendar year to the end of its last Vietnam day), so a
  // capture the procedure could still sanction is never dropped here, nor one it could not made into a case
  if (isTimeBarred(capture.capturedAt, now)) {
    return { kind: 'no_violation', violationIds: [], reason: 'older than the one-year limitation period' };
  }

  // one violation per vehicle and camera at a time, even with several workers
  await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`violation:${camera.id}:${read.plateKey}`]);

  let dwellS: number | null = null;
  let parkedSince: Date | null = null;
  if (isStandingCamera(camera)) {
    await recordSighting(tx, { captureId: capture.captureId, cameraId: camera.id, plateKey: read.plateKey });
    ({ dwellS, since: parkedSince } = await dwellSeconds(tx, camera.id, read.plateKey, capture.capturedAt, camera.noParkingDwellS));
  }
  // the registry is consulted before the rule only when the rule depends on the kind of vehicle
  let match: MatchResult | null = null;
  const lookUp = async (): Promise<{ match: MatchResult; vehicle: VehicleKind }> => {
    match ??= await matchPlate(tx, {
      plateText: read.plateText, profile: camera.plateProfile, observedColour: read.colour, observedLayout: read.layout, at: capture.capturedAt,
    });
    return { match, vehicle: vehicleKind(match, read) };
  };
  const known = ruleNeedsVehicle(camera) ? await lookUp() : null;
  const result = evaluateRule(capture, camera, { dwellS, vehicle: known?.vehicle ?? null });
  if (result.kind === 'none') return { kind: 'no_violation', violationIds: [], reason: result.reason };
  const { match: m, vehicle } = known ?? await lookUp();
  const fined = offenceCategories(result.offence);
  if (!fined.includes(vehicle.category)) {
    // only analytics events are fined for one category; anything else would be a schedule error, found at load
    const reason = capture.event ? notForCategoryReason(eventLabel(capture.event, camera.expressway === true), read.plateText, vehicle.category, vehicle.source, fined)
      : 'Biểu mức phạt không có hành vi này cho loại xe đã xác định: không lập vi phạm.';
    return { kind: 'refused', violationIds: [], reason };
  }

  const price = priceOffence(result.offence, vehicle.category, capture.capturedAt, options.schedules ?? defaultFineSchedules());
  // one stay under a "Cấm dừng" sign is one case, whether it has so far counted as stopping or parking
  const dedupRules: RuleName[] = isStandingCamera(camera) ? ['no_stopping', 'no_parking'] : [result.rule];
  const existing = await findDedupTarget(tx, {
    cameraId: camera.id, rules: dedupRules, plateKey: read.plateKey, vehicleId: m.vehicleId, at: capture.capturedAt, windowS: camera.dedupWindowS,
  });
  if (existing !== null) {
    await addEvidence(tx, existing.id, capture.captureId, read.plateReadId);
    await touchViolation(tx, existing.id, capture.capturedAt);
    if (capture.speedWarning && await flagForReview(tx, existing.id, capture.speedWarning)) {
      await appendAudit(tx, { actorId: null, actor: 'worker', action: 'violation.flagged', entityType: 'violation', entityId: existing.id,
        details: { captureId: capture.captureId, warning: capture.speedWarning } });
    }
    if (existing.rule === 'no_stopping' && result.rule === 'no_parking'
      && await reclassifyPendingViolation(tx, existing.id, result.rule, price, { ...result.details, offence: result.offence, ...(parkedSince ? { parkedSince: parkedSince.toISOString() } : {}) })) {
      await appendAudit(tx, { actorId: null, actor: 'worker', action: 'violation.reclassified', entityType: 'violation', entityId: existing.id,
        details: { captureId: capture.captureId, cameraCode: camera.code, from: existing.rule, to: result.rule, code: price.violationCode, fineAmount: price.fineAmount, ...result.details } });
    }
    await appendAudit(tx, { actorId: null, actor: 'worker', action: 'violation.evidence_added', entityType: 'violation', entityId: existing.id,
      details: { captureId: capture.captureId, plateReadId: read.plateReadId, cameraCode: camera.code, ...result.details } });
    return { kind: 'merged', violationIds: [existing.id] };
  }

  const details = {
    ...result.details,
    offence: result.offence,
    captureId: capture.captureId,
    cameraCode: camera.code,
    plateLayout: read.layout,
    plateValid: read.valid,
    lowConfidence: read.lowConfidence,
    categorySource: vehicle.source,
    categoryReason: vehicle.reason,
    ...(parkedSince ? { parkedSince: parkedSince.toISOString() } : {}),
  };
  const id = await insertViolation(tx, {
    cameraId: camera.id, rule: result.rule, category: vehicle.category, occurredAt: capture.capturedAt,
    plateText: read.plateText, plateKey: read.plateKey, plateColour: read.colour,
    vehicleId: m.vehicleId, ownerId: m.ownerId, matchStatus: m.status, candidates: m.candidates,
    suspectedClone: m.suspectedClone, cloneReason: m.cloneReason, price, details, readConfidence: read.confidence,
    // the price stands for what the reading would mean; only an officer who confirmed the reading can approve it
    reviewWarning: capture.speedWarning ?? null,
  });
  await addEvidence(tx, id, capture.captureId, read.plateReadId);
  await appendAudit(tx, { actorId: null, actor: 'worker', action: 'violation.created', entityType: 'violation', entityId: id,
    details: { captureId: capture.captureId, cameraCode: camera.code, rule: result.rule, offence: result.offence, code: price.violationCode,
      plate: read.plateText, matchStatus: m.status, vehicleId: m.vehicleId, ownerId: m.ownerId, fineAmount: price.fineAmount,
      scheduleVersion: price.scheduleVersion, suspectedClone: m.suspectedClone, ...(capture.speedWarning ? { reviewWarning: capture.speedWarning } : {}) } });
  return { kind: 'created', violationIds: [id] };
}

/** The vehicle's kind: registered type when the plate matched, else the category its plate suggests. */
function vehicleKind(match: MatchResult, read: ReadFacts): VehicleKind {
  if (match.vehicleType) {
    return { type: match.vehicleType, category: categoryOfVehicleType(match.vehicleType), source: 'registry', reason: `registered ${match.vehicleType}` };
  }
  return { type: null, ...inferCategoryFromPlate(read.plateText, read.layout), source: 'plate_inference' };
}
