import type { Queryable } from '../db/pool.js';

/** Shortest gap between two sightings that still means "the vehicle left and came back". */
const MIN_BREAK_S = 900;

/** Records that a plate was seen by a no-parking camera; a retried capture adds nothing. */
export async function recordSighting(db: Queryable, s: { captureId: number; cameraId: number; plateKey: string }): Promise<void> {
  // two workers evaluating frames of the same parked car must see each other's sightings:
  // serialise them per camera and plate until the transaction ends
  await db.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`parking:${s.cameraId}:${s.plateKey}`]);
  await db.query(
    // seen_at is the capture's time exactly (to the microsecond): (capture_id, seen_at) names the capture (migration 180).
    // It is read from the capture's key row: captures looked up by id alone would be planned over every monthly partition.
    `INSERT INTO parking_sightings (capture_id, camera_id, plate_key, seen_at)
     SELECT $1, $2, $3, (SELECT captured_at FROM capture_keys WHERE capture_id = $1)
     ON CONFLICT (capture_id, seen_at) DO NOTHING`,
    [s.captureId, s.cameraId, s.plateKey],
  );
}

/**
 * How long the vehicle has stood in view, over the unbroken run of sightings that contains `at`
 * (a gap longer than max(allowed dwell, 15 min) means it had left). The run extends past `at` too:
 * frames are not always evaluated in the order they were taken, and the earlier frame of a stay
 * must still see the later one.
 */
export async function dwellSeconds(db: Queryable, cameraId: number, plateKey: string, at: Date, allowedDwellS: number): Promise<{ dwellS: number; since: Date }> {
  const breakS = Math.max(allowedDwellS, MIN_BREAK_S);
  const { rows } = await db.query<{ seen_at: Date }>(
    `SELECT seen_at FROM parking_sightings
     WHERE camera_id = $1 AND plate_key = $2 AND seen_at BETWEEN $3::timestamptz - make_interval(secs => $4) AND $3::timestamptz + make_interval(secs => $4)
     ORDER BY seen_at DESC`,
    [cameraId, plateKey, at, allowedDwellS + 86_400],
  );
  const times = rows.map((r) => r.seen_at.getTime());
  let since = at.getTime();
  for (const t of times.filter((t) => t <= at.getTime())) {
    if ((since - t) / 1000 > breakS) break;
    since = t;
  }
  let until = at.getTime();
  for (const t of times.filter((t) => t > at.getTime()).reverse()) {
    if ((t - until) / 1000 > breakS) break;
    until = t;
  }
  return { dwellS: Math.floor((until - since) / 1000), since: new Date(since) };
}
