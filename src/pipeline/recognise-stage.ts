import { withTransaction } from '../db/pool.js';
import { BlobIntegrityError } from '../storage/blob-store.js';
import { reportTamperedBlob } from '../storage/report-tampering.js';
import { ImageError, plateKey, type PlateRead } from '../vision/engine.js';
import { captureTime } from './capture-queries.js';
import { deadLetterCapture } from './dead-letter.js';
import { PermanentFailure } from './failures.js';
import { failureReason } from './failure-reasons.js';
import type { StageDeps, StageOutcome } from './stage-deps.js';

interface CaptureForRecognition {
  status: string;
  recognised_at: Date | null;
  image_sha256: string;
  enabled: boolean;
  code: string;
  plate_profile: 'vn' | 'generic';
  roi: { x: number; y: number; width: number; height: number } | null;
  overlay_masks: { x: number; y: number; width: number; height: number }[];
  detect_threshold: number;
  read_threshold: number;
}

/**
 * Stage 1: reads the plates of a capture and stores them as its plate_reads (rank 0 = best), then
 * hands the capture to the evaluate stage. Safe to run any number of times: reads are written once,
 * in the same transaction that sets recognised_at, and a capture already recognised is just passed on.
 */
export async function runRecognise(deps: StageDeps, captureId: number): Promise<StageOutcome> {
  const at = await captureTime(deps.pool, captureId);
  if (at === null) return 'skipped'; // unknown (or deleted): nothing left to do
  const { rows } = await deps.pool.query<CaptureForRecognition>(
    `UPDATE captures c SET status = 'processing', attempts = c.attempts + 1
     FROM cameras k
     WHERE c.id = $1 AND c.captured_at = $2 AND k.id = c.camera_id AND c.status IN ('queued', 'processing')
     RETURNING c.status, c.recognised_at, c.image_sha256, k.enabled, k.code, k.plate_profile, k.roi, k.overlay_masks, k.detect_threshold, k.read_threshold`,
    [captureId, at],
  );
  const capture = rows[0];
  if (!capture) return 'skipped'; // unknown, processed or dead-lettered: nothing left to do
  if (capture.recognised_at) {
    await deps.queues.enqueue('evaluate', captureId);
    return 'skipped';
  }
  try {
    if (!capture.enabled) throw new PermanentFailure(failureReason.cameraDisabled(capture.code));
    const image = await deps.storage.get(capture.image_sha256).catch(async (err: unknown) => {
      if (!(err instanceof BlobIntegrityError)) throw err;
      await reportTamperedBlob(deps.pool, err, `capture ${captureId}`);
      throw new PermanentFailure(failureReason.imageTampered(), err.message);
    });
    if (!image) throw new PermanentFailure(failureReason.imageMissing(), `blob ${capture.image_sha256} is missing from storage`);
    const result = await deps.engine.recognise(image, {
      profile: capture.plate_profile,
      ...(capture.roi ? { roi: capture.roi } : {}),
      overlayMasks: capture.overlay_masks,
      minConfidence: capture.detect_threshold,
      lowConfidence: capture.read_threshold,
    }).catch((err: unknown) => {
      if (err instanceof ImageError) throw new PermanentFailure(failureReason.imageUnreadable(err.code), err.message);
      throw err;
    });
    const written = await withTransaction(deps.pool, async (tx) => {
      const locked = await tx.query<{ status: string; recognised_at: Date | null }>(
        'SELECT status, recognised_at FROM captures WHERE id = $1 AND captured_at = $2 FOR UPDATE', [captureId, at]);
      const now = locked.rows[0];
      // another worker finished first (a stalled job that was in fact still running), or it was dead-lettered meanwhile
      if (!now || now.recognised_at || !['queued', 'processing'].includes(now.status)) return false;
      await tx.query('DELETE FROM plate_reads WHERE capture_id = $1 AND captured_at = $2', [captureId, at]);
      await insertReads(tx, { id: captureId, at }, result.plates);
      await tx.query('UPDATE captures SET recognised_at = now(), recognise_ms = $3 WHERE id = $1 AND captured_at = $2', [captureId, at, Math.round(result.ms)]);
      return true;
    });
    if (written) {
      for (const p of result.plates) deps.metrics?.platesRead.inc({ valid: String(p.valid) });
    }
    await deps.queues.enqueue('evaluate', captureId);
    return written ? 'done' : 'skipped';
  } catch (err) {
    if (!(err instanceof PermanentFailure)) throw err;
    await deadLetterCapture(deps.pool, captureId, err.message, 'recognise', err.detail);
    deps.metrics?.deadLettered.inc({ stage: 'recognise' });
    return 'dead_lettered';
  }
}

async function insertReads(tx: { query: (sql: string, params: unknown[]) => Promise<unknown> }, capture: { id: number; at: string }, plates: PlateRead[]): Promise<void> {
  if (plates.length === 0) return;
  const captureId = capture.id;
  // captured_at is the capture's: the table is partitioned by it and the foreign key names the capture by id and time
  const params: unknown[] = [capture.at];
  const tuples = plates.map((p, rank) => {
    const x = Math.max(0, Math.round(p.bbox.x));
    const y = Math.max(0, Math.round(p.bbox.y));
    const values = [captureId, rank, p.text, plateKey(p.text), p.raw, clamp01(p.confidence), p.charConfidences.map(clamp01),
      x, y, Math.max(1, Math.round(p.bbox.width)), Math.max(1, Math.round(p.bbox.height)),
      p.corners ? JSON.stringify(p.corners) : null, p.layout, p.colour, p.valid, p.lowConfidence];
    const start = params.length;
    params.push(...values);
    return `(${values.map((_, i) => `$${start + i + 1}`).join(', ')}, $1::timestamptz)`;
  });
  await tx.query(
    `INSERT INTO plate_reads (capture_id, rank, plate_text, plate_key, raw_text, confidence, char_confidences,
       bbox_x, bbox_y, bbox_width, bbox_height, corners, layout, colour, valid, low_confidence, captured_at)
     VALUES ${tuples.join(', ')}`,
    params,
  );
}

function clamp01(v: number): number {
  return Number.isFinite(v) ? Math.min(1, Math.max(0, v)) : 0;
}
