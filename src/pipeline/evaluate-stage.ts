import { withTransaction } from '../db/pool.js';
import { registryReadableNow } from '../registry/initial-load.js';
import type { CameraRules, CaptureFacts, ReadFacts } from '../violations/evaluate.js';
import { captureTime } from './capture-queries.js';
import { deadLetterInTransaction } from './dead-letter.js';
import type { StageDeps, StageOutcome } from './stage-deps.js';

interface Row {
  status: string;
  recognised_at: Date | null;
  captured_at: Date;
  measured_speed_kmh: number | null;
  signal_phase: CaptureFacts['signalPhase'];
  red_elapsed_ms: number | null;
  amber_elapsed_ms: number | null;
  lane: number | null;
  direction: CaptureFacts['direction'];
  speed_warning: string | null;
  analytics_event: CaptureFacts['event'];
  event_subject: CaptureFacts['eventSubject'];
  camera_id: number;
  code: string;
  camera_type: CameraRules['cameraType'];
  speed_limit_kmh: number | null;
  speed_tolerance_kmh: number;
  allowed_lanes: number[] | null;
  allowed_lanes_by_category: CameraRules['allowedLanesByCategory'];
  no_entry_vehicle_types: CameraRules['noEntryVehicleTypes'];
  no_entry_hours: CameraRules['noEntryHours'];
  amber_tolerance_ms: number;
  stop_dwell_s: number;
  dedup_window_s: number;
  no_parking_dwell_s: number;
  expressway: boolean;
  plate_profile: CameraRules['plateProfile'];
}

interface ReadRow {
  id: number;
  plate_text: string;
  plate_key: string;
  colour: ReadFacts['colour'];
  confidence: number;
  valid: boolean;
  low_confidence: boolean;
  layout: ReadFacts['layout'];
}

/**
 * Stage 2: matches the best read to the registry and applies the camera's rules (src/violations),
 * then marks the capture processed, all in one transaction. The row lock makes concurrent runs of
 * the same capture wait for each other; the second sees 'processed' and does nothing.
 */
export async function runEvaluate(deps: StageDeps, captureId: number): Promise<StageOutcome> {
  const at = await captureTime(deps.pool, captureId);
  if (at === null) return 'skipped';
  const result = await withTransaction(deps.pool, async (tx): Promise<StageOutcome> => {
    // an initial registry load locks the registry until it commits (minutes at millions of rows): rather
    // than wait that long, holding this capture's row lock, the job comes back later (see workers.ts)
    await registryReadableNow(tx);
    const { rows } = await tx.query<Row>(
      `SELECT c.status, c.recognised_at, c.captured_at, c.measured_speed_kmh, c.signal_phase, c.red_elapsed_ms, c.amber_elapsed_ms, c.lane, c.direction, c.speed_warning,
              c.analytics_event, c.event_subject, k.id AS camera_id, k.code, k.camera_type, k.speed_limit_kmh, k.speed_tolerance_kmh, k.allowed_lanes, k.allowed_lanes_by_category,
              k.no_entry_vehicle_types, k.no_entry_hours, k.amber_tolerance_ms, k.stop_dwell_s, k.dedup_window_s,
              k.no_parking_dwell_s, k.expressway, k.plate_profile
       FROM captures c JOIN cameras k ON k.id = c.camera_id WHERE c.id = $1 AND c.captured_at = $2 FOR UPDATE OF c`,
      [captureId, at],
    );
    const c = rows[0];
    if (!c || !['queued', 'processing'].includes(c.status)) return 'skipped';
    if (!c.recognised_at) {
      // recognition has not run (e.g. an operator retried the capture meanwhile): send it back there
      await deps.queues.enqueue('recognise', captureId);
      return 'skipped';
    }
    const best = await tx.query<ReadRow>(
      `SELECT id, plate_text, plate_key, colour, confidence, valid, low_confidence, layout
       FROM plate_reads WHERE capture_id = $1 AND captured_at = $2 ORDER BY rank LIMIT 1`, [captureId, at]);
    const r = best.rows[0];
    const read: ReadFacts | null = r
      ? { plateReadId: r.id, plateText: r.plate_text, plateKey: r.plate_key, colour: r.colour, confidence: r.confidence,
          valid: r.valid, lowConfidence: r.low_confidence, layout: r.layout }
      : null;
    const outcome = await deps.evaluate(tx, {
      capture: { captureId, capturedAt: c.captured_at, measuredSpeedKmh: c.measured_speed_kmh, signalPhase: c.signal_phase,
        redElapsedMs: c.red_elapsed_ms, amberElapsedMs: c.amber_elapsed_ms, lane: c.lane, direction: c.direction, speedWarning: c.speed_warning,
        event: c.analytics_event, eventSubject: c.event_subject },
      camera: { id: c.camera_id, code: c.code, cameraType: c.camera_type, speedLimitKmh: c.speed_limit_kmh,
        speedToleranceKmh: c.speed_tolerance_kmh, allowedLanes: c.allowed_lanes, allowedLanesByCategory: c.allowed_lanes_by_category,
        noEntryVehicleTypes: c.no_entry_vehicle_types, noEntryHours: c.no_entry_hours, amberToleranceMs: c.amber_tolerance_ms,
        stopDwellS: c.stop_dwell_s, dedupWindowS: c.dedup_window_s, noParkingDwellS: c.no_parking_dwell_s, expressway: c.expressway,
        plateProfile: c.plate_profile },
      read,
    });
    if (outcome.kind === 'refused') {
      // nothing can be priced as the camera reported it: the operator sees why and may retry once the plate or registry is fixed
      await deadLetterInTransaction(tx, captureId, outcome.reason ?? 'Không lập được vi phạm.', 'evaluate');
      return 'dead_lettered';
    }
    const summary = outcome.kind === 'created' || outcome.kind === 'merged'
      ? `${outcome.kind} violation ${outcome.violationIds.join(', ')}`
      : `${outcome.kind}${outcome.reason ? `: ${outcome.reason}` : ''}`;
    await tx.query(`UPDATE captures SET status = 'processed', processed_at = now(), status_reason = $3 WHERE id = $1 AND captured_at = $2`,
      [captureId, at, summary.slice(0, 2000)]);
    return 'done';
  });
  if (result === 'dead_lettered') deps.metrics?.deadLettered.inc({ stage: 'evaluate' });
  return result;
}
