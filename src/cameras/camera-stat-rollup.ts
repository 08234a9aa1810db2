import { withTransaction, type Pool } from '../db/pool.js';

/** Folds run one at a time: a fold that started earlier must not overwrite a bucket a later one recomputed. */
const FOLD_LOCK = 7462016;

/** Bucket width of camera_stat_buckets (migration 100): a window's raw edges are at most twice this. */
export const CAMERA_STAT_BUCKET = '10 minutes';

/** Per-capture facts the figures are made of, for captures `c` (a capture's best read is its lowest rank). */
export const CAPTURE_FACTS = `c.camera_id, c.status, c.received_at,
  (SELECT r.confidence FROM plate_reads r WHERE r.capture_id = c.id AND r.captured_at = c.captured_at ORDER BY r.rank LIMIT 1) AS best_confidence,
  EXISTS (SELECT 1 FROM plate_reads r WHERE r.capture_id = c.id AND r.captured_at = c.captured_at AND r.valid) AS has_valid`;

/** Sums over facts `f`, the same columns as camera_stat_buckets. */
export const FACT_SUMS = `count(*)::int AS captures,
  count(*) FILTER (WHERE f.status = 'processed')::int AS processed,
  count(*) FILTER (WHERE f.status = 'processed' AND f.has_valid)::int AS with_valid_read,
  coalesce(sum(f.best_confidence) FILTER (WHERE f.status = 'processed'), 0)::float8 AS confidence_sum,
  count(f.best_confidence) FILTER (WHERE f.status = 'processed')::int AS confidence_n,
  count(*) FILTER (WHERE f.status = 'dead_lettered')::int AS dead_lettered`;

/**
 * Folds the committed dirty marks into camera_stat_buckets: each marked bucket is recomputed from its
 * captures, in the same statement that takes the marks, so the recomputation sees every change the
 * marks stand for. Marks of transactions still running are not visible and stay for the next call.
 * Idempotent; folds from several readers run one after the other.
 */
export async function refreshCameraStatBuckets(db: Pool): Promise<number> {
  // most reads find nothing to fold: one index probe instead of planning the whole fold
  const pending = await db.query<{ any: boolean }>({ name: 'camera-stat-dirty-any', text: 'SELECT EXISTS (SELECT 1 FROM camera_stat_dirty) AS any' });
  if (!pending.rows[0]!.any) return 0;
  const { rowCount } = await withTransaction(db, async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [FOLD_LOCK]);
    // the fold's snapshot is taken after the lock: it sees what every earlier fold committed
    return tx.query({
      name: 'camera-stat-refresh',
      text: `WITH marks AS (DELETE FROM camera_stat_dirty RETURNING camera_id, bucket),
     d AS (SELECT DISTINCT camera_id, bucket FROM marks),
     fresh AS (
       SELECT d.camera_id, d.bucket, s.*
       FROM d CROSS JOIN LATERAL (
         SELECT ${FACT_SUMS}
         FROM (SELECT ${CAPTURE_FACTS} FROM captures c
               WHERE c.camera_id = d.camera_id AND c.received_at >= d.bucket AND c.received_at < d.bucket + interval '${CAMERA_STAT_BUCKET}') f) s),
     emptied AS (
       DELETE FROM camera_stat_buckets b USING fresh f WHERE f.captures = 0 AND b.camera_id = f.camera_id AND b.bucket = f.bucket)
     INSERT INTO camera_stat_buckets (camera_id, bucket, captures, processed, with_valid_read, confidence_sum, confidence_n, dead_lettered)
     SELECT camera_id, bucket, captures, processed, with_valid_read, confidence_sum, confidence_n, dead_lettered FROM fresh WHERE captures > 0
     ON CONFLICT (camera_id, bucket) DO UPDATE SET captures = EXCLUDED.captures, processed = EXCLUDED.processed,
       with_valid_read = EXCLUDED.with_valid_read, confidence_sum = EXCLUDED.confidence_sum, confidence_n = EXCLUDED.confidence_n,
       dead_lettered = EXCLUDED.dead_lettered`,
    });
  });
  return rowCount ?? 0;
}
