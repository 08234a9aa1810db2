import type { Queryable } from '../db/pool.js';

/** Shortest gap between two sightings that still means "the vehicle left and came back". */
const MIN_BREAK_S = 900;

/** Records that a plate was seen by a no-parking camera; a retried capture adds nothing. */
export async function recordSighting(db: Queryable, s: { captureId: number; cameraId: number; plateKey: string; seenAt: Date }): Promise<void> {
  await db.query(
    `INSERT INTO parking_sightings (capture_id, camera_id, plate_key, seen_at) VALUES ($1, $2, $3, $4)
     ON CONFLICT (capture_id) DO NOTHING`,
    [s.captureId, s.cameraId, s.plateKey, s.seenAt],
  );
}

/**
 * How long the vehicle has stood in view at `at`: back to the first sighting of an unbroken run,
 * where a gap longer than max(allowed dwell, 15 min) means it had left.
 */
export async function dwellSeconds(db: Queryable, cameraId: number, plateKey: string, at: Date, allowedDwellS: number): Promise<{ dwellS: number; since: Date }> {
  const breakS = Math.max(allowedDwellS, MIN_BREAK_S);
  const { rows } = await db.query<{ seen_at: Date }>(
    `SELECT seen_at FROM parking_sightings
     WHERE camera_id = $1 AND plate_key = $2 AND seen_at <= $3 AND seen_at >= $3 - make_interval(secs => $4)
     ORDER BY seen_at DESC`,
    [cameraId, plateKey, at, allowedDwellS + 86_400],
  );
  let since = at;
  for (const { seen_at } of rows) {
    if ((since.getTime() - seen_at.getTime()) / 1000 > breakS) break;
    since = seen_at;
  }
  return { dwellS: Math.floor((at.getTime() - since.getTime()) / 1000), since };
}
