import type { Queryable } from '../db/pool.js';

/** Tables partitioned by month (migrations 091, 113, 180); the workers keep their partitions created ahead. */
export const MONTHLY_PARTITIONED = ['captures', 'parking_sightings', 'plate_reads'] as const;

/**
 * Creates the missing monthly partitions from the current Vietnamese month to `monthsAhead` months
 * after it, so rows never fall into the default partition (which would then block creating their month).
 */
export async function ensureMonthPartitions(db: Queryable, now: Date, monthsAhead = 3): Promise<number> {
  let created = 0;
  for (const table of MONTHLY_PARTITIONED) {
    const { rows } = await db.query<{ created: number }>(
      `SELECT ensure_month_partitions($1, (date_trunc('month', $2::timestamptz AT TIME ZONE 'Asia/Ho_Chi_Minh'))::date, $3) AS created`,
      [table, now, monthsAhead + 1]);
    created += rows[0]!.created;
  }
  return created;
}
