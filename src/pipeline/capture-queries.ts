import { Type, type Static } from '@sinclair/typebox';
import type { Queryable } from '../db/pool.js';
import { Nullable } from '../schemas.js';

export const PlateReadSchema = Type.Object({
  id: Type.Integer(), rank: Type.Integer(), plateText: Type.String(), plateKey: Type.String(), rawText: Type.String(),
  confidence: Type.Number(), valid: Type.Boolean(), lowConfidence: Type.Boolean(),
  layout: Type.String(), colour: Type.String(),
  bbox: Type.Object({ x: Type.Integer(), y: Type.Integer(), width: Type.Integer(), height: Type.Integer() }),
});

export const CaptureDetailSchema = Type.Object({
  id: Type.Integer(),
  cameraCode: Type.String(),
  status: Type.Union([Type.Literal('queued'), Type.Literal('processing'), Type.Literal('processed'), Type.Literal('dead_lettered')]),
  statusReason: Nullable(Type.String({ description: 'why it was dead-lettered, or what evaluation concluded' })),
  attempts: Type.Integer(),
  source: Type.String(),
  sourceName: Nullable(Type.String()),
  imageSha256: Type.String(),
  imageWidth: Type.Integer(),
  imageHeight: Type.Integer(),
  contentType: Type.String(),
  capturedAt: Type.String({ format: 'date-time' }),
  receivedAt: Type.String({ format: 'date-time' }),
  recognisedAt: Nullable(Type.String({ format: 'date-time' })),
  processedAt: Nullable(Type.String({ format: 'date-time' })),
  recogniseMs: Nullable(Type.Integer()),
  measuredSpeedKmh: Nullable(Type.Number()),
  signalPhase: Nullable(Type.String()),
  redElapsedMs: Nullable(Type.Integer()),
  amberElapsedMs: Nullable(Type.Integer()),
  lane: Nullable(Type.Integer()),
  direction: Nullable(Type.String()),
  event: Nullable(Type.String({ description: 'the event an analytics camera reported' })),
  eventSubject: Nullable(Type.String({ description: 'driver or passenger, for the events that say who' })),
  reads: Type.Array(PlateReadSchema),
  violationIds: Type.Array(Type.Integer()),
});
export type CaptureDetail = Static<typeof CaptureDetailSchema>;

/** A capture with its status, reason, plate reads (best first) and the violations it is evidence of. */
export async function getCaptureDetail(db: Queryable, id: number): Promise<CaptureDetail | null> {
  const { rows } = await db.query<Record<string, unknown> & { id: number }>(
    `SELECT c.*, k.code AS camera_code FROM captures c JOIN cameras k ON k.id = c.camera_id WHERE c.id = $1`, [id]);
  const c = rows[0];
  if (!c) return null;
  const reads = await db.query<Record<string, unknown>>('SELECT * FROM plate_reads WHERE capture_id = $1 ORDER BY rank', [id]);
  const violations = await db.query<{ violation_id: number }>(
    'SELECT violation_id FROM violation_evidence WHERE capture_id = $1 ORDER BY violation_id', [id]);
  const iso = (v: unknown) => (v instanceof Date ? v.toISOString() : null);
  return {
    id: c.id, cameraCode: c.camera_code as string, status: c.status as CaptureDetail['status'], statusReason: c.status_reason as string | null,
    attempts: c.attempts as number, source: c.source as string, sourceName: c.source_name as string | null,
    imageSha256: c.image_sha256 as string, imageWidth: c.image_width as number, imageHeight: c.image_height as number,
    contentType: c.content_type as string, capturedAt: iso(c.captured_at)!, receivedAt: iso(c.received_at)!,
    recognisedAt: iso(c.recognised_at), processedAt: iso(c.processed_at), recogniseMs: c.recognise_ms as number | null,
    measuredSpeedKmh: c.measured_speed_kmh as number | null, signalPhase: c.signal_phase as string | null,
    redElapsedMs: c.red_elapsed_ms as number | null, amberElapsedMs: c.amber_elapsed_ms as number | null, lane: c.lane as number | null, direction: c.direction as string | null,
    event: c.analytics_event as string | null, eventSubject: c.event_subject as string | null,
    reads: reads.rows.map((r) => ({
      id: r.id as number, rank: r.rank as number, plateText: r.plate_text as string, plateKey: r.plate_key as string, rawText: r.raw_text as string,
      confidence: Math.round((r.confidence as number) * 1000) / 1000, valid: r.valid as boolean, lowConfidence: r.low_confidence as boolean,
      layout: r.layout as string, colour: r.colour as string,
      bbox: { x: r.bbox_x as number, y: r.bbox_y as number, width: r.bbox_width as number, height: r.bbox_height as number },
    })),
    violationIds: violations.rows.map((v) => v.violation_id),
  };
}

export const DeadLetterSchema = Type.Object({
  captureId: Type.Integer(),
  cameraCode: Type.String(),
  reason: Type.String(),
  attempts: Type.Integer(),
  capturedAt: Type.String({ format: 'date-time' }),
  receivedAt: Type.String({ format: 'date-time' }),
  deadLetteredAt: Type.String({ format: 'date-time' }),
  sourceName: Nullable(Type.String()),
});
export type DeadLetter = Static<typeof DeadLetterSchema>;

/** Dead-lettered captures, newest first; `beforeId` pages back. */
export async function listDeadLetters(db: Queryable, opts: { cameraCode?: string; limit: number; beforeId?: number }): Promise<DeadLetter[]> {
  const { rows } = await db.query<{ id: number; code: string; status_reason: string; attempts: number; captured_at: Date; received_at: Date; processed_at: Date; source_name: string | null }>(
    `SELECT c.id, k.code, c.status_reason, c.attempts, c.captured_at, c.received_at, c.processed_at, c.source_name
     FROM captures c JOIN cameras k ON k.id = c.camera_id
     WHERE c.status = 'dead_lettered' AND ($1::text IS NULL OR k.code = $1) AND ($2::bigint IS NULL OR c.id < $2)
     ORDER BY c.id DESC LIMIT $3`,
    [opts.cameraCode ?? null, opts.beforeId ?? null, opts.limit],
  );
  return rows.map((r) => ({
    captureId: r.id, cameraCode: r.code, reason: r.status_reason, attempts: r.attempts, capturedAt: r.captured_at.toISOString(),
    receivedAt: r.received_at.toISOString(), deadLetteredAt: r.processed_at.toISOString(), sourceName: r.source_name,
  }));
}

/** The stored image of a camera's most recent capture (what the operator draws the region and masks on). */
export async function latestCaptureImage(db: Queryable, cameraCode: string): Promise<{ captureId: number; sha256: string; contentType: string } | null> {
  const { rows } = await db.query<{ id: number; image_sha256: string; content_type: string }>(
    `SELECT ca.id, ca.image_sha256, ca.content_type FROM captures ca JOIN cameras c ON c.id = ca.camera_id
     WHERE c.code = $1 ORDER BY ca.captured_at DESC, ca.id DESC LIMIT 1`,
    [cameraCode],
  );
  const r = rows[0];
  return r ? { captureId: r.id, sha256: r.image_sha256, contentType: r.content_type } : null;
}

/**
 * A capture's time, exactly (as text, to the microsecond), from its key row; null for no such capture.
 * captures, plate_reads and parking_sightings are partitioned by it (migrations 091, 113, 180): a query
 * naming a capture by id alone is planned over every monthly partition (~1 ms of planning with a year
 * of months, each time), by id and time over one (~0.1 ms). The stages look the time up once per job.
 */
export async function captureTime(db: Queryable, captureId: number): Promise<string | null> {
  const { rows } = await db.query<{ t: string }>('SELECT captured_at::text AS t FROM capture_keys WHERE capture_id = $1', [captureId]);
  return rows[0]?.t ?? null;
}
