import { Type, type Static } from '@sinclair/typebox';
import type { Queryable } from '../db/pool.js';

export const CameraStatsSchema = Type.Object({
  code: Type.String(),
  enabled: Type.Boolean(),
  windowHours: Type.Number(),
  captures: Type.Integer({ description: 'images received in the window' }),
  capturesPerHour: Type.Number({ description: 'captures / windowHours' }),
  capturesLastHour: Type.Integer(),
  processed: Type.Integer({ description: 'captures of the window that finished processing' }),
  readRate: Type.Union([Type.Number(), Type.Null()], { description: 'share of processed captures with a plate that fits a plate format; null when none processed' }),
  meanConfidence: Type.Union([Type.Number(), Type.Null()], { description: 'mean confidence of the best read of processed captures' }),
  deadLettered: Type.Integer({ description: 'captures of the window dead-lettered' }),
  deadLetteredOpen: Type.Integer({ description: 'dead-lettered captures of any age not yet retried' }),
  backlog: Type.Integer({ description: 'captures waiting or being processed now' }),
  lastImageAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description: 'when the last image arrived' }),
  lastCapturedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description: 'camera time of the newest image' }),
});
export type CameraStats = Static<typeof CameraStatsSchema>;

interface Row {
  code: string; enabled: boolean; captures: number; last_hour: number; processed: number; with_valid_read: number;
  mean_confidence: number | null; dead_window: number; dead_open: number; backlog: number; last_image_at: Date | null; last_captured_at: Date | null;
}

/** Operator figures per camera over the last `hours` (all cameras, or the one with `code`). */
export async function cameraStats(db: Queryable, opts: { hours: number; code?: string }): Promise<CameraStats[]> {
  const { rows } = await db.query<Row>(
    `WITH w AS (
       SELECT c.camera_id, c.status, c.received_at,
              (SELECT r.confidence FROM plate_reads r WHERE r.capture_id = c.id ORDER BY r.rank LIMIT 1) AS best_confidence,
              EXISTS (SELECT 1 FROM plate_reads r WHERE r.capture_id = c.id AND r.valid) AS has_valid
       FROM captures c WHERE c.received_at > now() - make_interval(secs => $1)
     )
     SELECT k.code, k.enabled,
       (SELECT count(*) FROM w WHERE w.camera_id = k.id)::int AS captures,
       (SELECT count(*) FROM w WHERE w.camera_id = k.id AND w.received_at > now() - interval '1 hour')::int AS last_hour,
       (SELECT count(*) FROM w WHERE w.camera_id = k.id AND w.status = 'processed')::int AS processed,
       (SELECT count(*) FROM w WHERE w.camera_id = k.id AND w.status = 'processed' AND w.has_valid)::int AS with_valid_read,
       (SELECT avg(w.best_confidence) FROM w WHERE w.camera_id = k.id AND w.status = 'processed')::float8 AS mean_confidence,
       (SELECT count(*) FROM w WHERE w.camera_id = k.id AND w.status = 'dead_lettered')::int AS dead_window,
       (SELECT count(*) FROM captures c WHERE c.camera_id = k.id AND c.status = 'dead_lettered')::int AS dead_open,
       (SELECT count(*) FROM captures c WHERE c.camera_id = k.id AND c.status IN ('queued', 'processing'))::int AS backlog,
       (SELECT max(c.received_at) FROM captures c WHERE c.camera_id = k.id) AS last_image_at,
       (SELECT max(c.captured_at) FROM captures c WHERE c.camera_id = k.id) AS last_captured_at
     FROM cameras k WHERE ($2::text IS NULL OR k.code = $2) ORDER BY k.code`,
    [opts.hours * 3600, opts.code ?? null],
  );
  return rows.map((r) => ({
    code: r.code,
    enabled: r.enabled,
    windowHours: opts.hours,
    captures: r.captures,
    capturesPerHour: Math.round((r.captures / opts.hours) * 100) / 100,
    capturesLastHour: r.last_hour,
    processed: r.processed,
    readRate: r.processed > 0 ? Math.round((r.with_valid_read / r.processed) * 1000) / 1000 : null,
    meanConfidence: r.mean_confidence === null ? null : Math.round(r.mean_confidence * 1000) / 1000,
    deadLettered: r.dead_window,
    deadLetteredOpen: r.dead_open,
    backlog: r.backlog,
    lastImageAt: r.last_image_at?.toISOString() ?? null,
    lastCapturedAt: r.last_captured_at?.toISOString() ?? null,
  }));
}
