import { Type, type Static } from '@sinclair/typebox';
import type { Pool } from '../db/pool.js';
import { CAMERA_STAT_BUCKET, CAPTURE_FACTS, FACT_SUMS, refreshCameraStatBuckets } from './camera-stat-rollup.js';

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
  confidence_sum: number; confidence_n: number; dead_window: number; dead_open: number; backlog: number; last_image_at: Date | null; last_captured_at: Date | null;
}

/**
 * Operator figures per camera over the last `hours` (the cameras after `after` in code order, `limit` of
 * them, or the one with `code`). The whole
 * 10-minute buckets of the window come from camera_stat_buckets, brought up to date first; only the two
 * partial buckets at its edges are read from the captures themselves.
 */
export async function cameraStats(db: Pool, opts: { hours: number; code?: string; after?: string; limit?: number }): Promise<CameraStats[]> {
  await refreshCameraStatBuckets(db);
  // prepared: planning this statement costs more than running it on the rollups
  const { rows } = await db.query<Row>({
    name: 'camera-stats',
    text: `WITH bounds AS (SELECT now() - make_interval(secs => $1) AS s, camera_stat_bucket(now()) AS bn),
     win AS (SELECT s, bn, camera_stat_bucket(s) + interval '${CAMERA_STAT_BUCKET}' AS b0 FROM bounds),
     k AS (SELECT id, code, enabled FROM cameras WHERE ($2::text IS NULL OR code = $2) AND ($3::text IS NULL OR code > $3) ORDER BY code LIMIT $4),
     rolled AS MATERIALIZED (
       SELECT k.id AS camera_id, s.*
       FROM k CROSS JOIN win CROSS JOIN LATERAL (
         SELECT sum(b.captures)::int AS captures, sum(b.processed)::int AS processed, sum(b.with_valid_read)::int AS with_valid_read,
                sum(b.confidence_sum)::float8 AS confidence_sum, sum(b.confidence_n)::int AS confidence_n, sum(b.dead_lettered)::int AS dead_lettered
         FROM camera_stat_buckets b WHERE b.camera_id = k.id AND b.bucket >= win.b0 AND b.bucket < win.bn) s),
     edges AS MATERIALIZED (
       SELECT f.camera_id, ${FACT_SUMS}
       FROM k CROSS JOIN win CROSS JOIN LATERAL (
         -- two ranges, each an index range of one camera (an OR of them would scan every capture)
         SELECT ${CAPTURE_FACTS} FROM captures c
         WHERE c.camera_id = k.id AND c.received_at > win.s AND c.received_at < least(win.b0, win.bn)
         UNION ALL
         SELECT ${CAPTURE_FACTS} FROM captures c
         WHERE c.camera_id = k.id AND c.received_at > win.s AND c.received_at >= win.bn) f
       GROUP BY f.camera_id),
     -- captures not processed are few (a partial index): counted once for all cameras, not scanned once per camera
     open AS (
       SELECT c.camera_id, count(*) FILTER (WHERE c.status = 'dead_lettered')::int AS dead_open,
              count(*) FILTER (WHERE c.status IN ('queued', 'processing'))::int AS backlog
       FROM captures c WHERE c.status <> 'processed' GROUP BY c.camera_id)
     SELECT k.code, k.enabled,
       coalesce(r.captures, 0) + coalesce(e.captures, 0) AS captures,
       coalesce(r.processed, 0) + coalesce(e.processed, 0) AS processed,
       coalesce(r.with_valid_read, 0) + coalesce(e.with_valid_read, 0) AS with_valid_read,
       coalesce(r.confidence_sum, 0) + coalesce(e.confidence_sum, 0) AS confidence_sum,
       coalesce(r.confidence_n, 0) + coalesce(e.confidence_n, 0) AS confidence_n,
       coalesce(r.dead_lettered, 0) + coalesce(e.dead_lettered, 0) AS dead_window,
       (SELECT count(*) FROM captures c WHERE c.camera_id = k.id AND c.received_at > now() - interval '1 hour')::int AS last_hour,
       coalesce(o.dead_open, 0) AS dead_open,
       coalesce(o.backlog, 0) AS backlog,
       (SELECT max(c.received_at) FROM captures c WHERE c.camera_id = k.id) AS last_image_at,
       (SELECT max(c.captured_at) FROM captures c WHERE c.camera_id = k.id) AS last_captured_at
     FROM k LEFT JOIN rolled r ON r.camera_id = k.id LEFT JOIN edges e ON e.camera_id = k.id LEFT JOIN open o ON o.camera_id = k.id
     ORDER BY k.code`,
    values: [opts.hours * 3600, opts.code ?? null, opts.after ?? null, opts.limit ?? null],
  });
  return rows.map((r) => ({
    code: r.code,
    enabled: r.enabled,
    windowHours: opts.hours,
    captures: r.captures,
    capturesPerHour: Math.round((r.captures / opts.hours) * 100) / 100,
    capturesLastHour: r.last_hour,
    processed: r.processed,
    readRate: r.processed > 0 ? Math.round((r.with_valid_read / r.processed) * 1000) / 1000 : null,
    meanConfidence: r.confidence_n === 0 ? null : Math.round((r.confidence_sum / r.confidence_n) * 1000) / 1000,
    deadLettered: r.dead_window,
    deadLetteredOpen: r.dead_open,
    backlog: r.backlog,
    lastImageAt: r.last_image_at?.toISOString() ?? null,
    lastCapturedAt: r.last_captured_at?.toISOString() ?? null,
  }));
}
