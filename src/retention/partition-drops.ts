import { withTransaction, type Pool, type Queryable } from '../db/pool.js';
import { MONTHLY_PARTITIONED } from '../maintenance/month-partitions.js';

/** One month's range, with the partition each monthly-partitioned table has for it. */
interface MonthPartitions {
  from: Date;
  to: Date;
  /** in the order they can be detached: the referencing tables' first, captures last */
  partitions: Array<{ parent: string; name: string }>;
}

export interface PartitionDrops {
  /** the partitions dropped (in a dry run: that would be) */
  dropped: string[];
  /** months left for the next run because a transaction held their tables longer than the lock timeout */
  busy: string[];
  /** time the step took */
  ms: number;
}

// plate_reads and parking_sightings reference captures: their partitions of a month go before its captures'
const DETACH_ORDER: Record<typeof MONTHLY_PARTITIONED[number], number> = { plate_reads: 0, parking_sightings: 1, captures: 2 };

/**
 * The monthly partitions (not the default ones) whose whole month ended before `horizon`, grouped
 * by month, oldest first. Bounds are read from the catalogue, so a partition made by hand with
 * another name is found too.
 */
async function monthsEndedBefore(db: Queryable, horizon: Date): Promise<MonthPartitions[]> {
  const { rows } = await db.query<{ parent: string; part: string; lo: Date; hi: Date }>(
    `SELECT p.relname AS parent, c.relname AS part, b.m[1]::timestamptz AS lo, b.m[2]::timestamptz AS hi
     FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent,
          LATERAL (SELECT regexp_match(pg_get_expr(c.relpartbound, c.oid), '^FOR VALUES FROM \\(''([^'']+)''\\) TO \\(''([^'']+)''\\)$') AS m) b
     WHERE p.relname = ANY($1::text[]) AND b.m IS NOT NULL AND b.m[2]::timestamptz <= $2
     ORDER BY lo, p.relname`,
    [[...MONTHLY_PARTITIONED], horizon]);
  const months = new Map<number, MonthPartitions>();
  for (const r of rows) {
    const month = months.get(r.lo.getTime()) ?? { from: r.lo, to: r.hi, partitions: [] };
    month.partitions.push({ parent: r.parent, name: r.part });
    months.set(r.lo.getTime(), month);
  }
  const order = (p: { parent: string }) => DETACH_ORDER[p.parent as keyof typeof DETACH_ORDER];
  for (const month of months.values()) month.partitions.sort((a, b) => order(a) - order(b));
  return [...months.values()];
}

async function allEmpty(db: Queryable, month: MonthPartitions): Promise<boolean> {
  const { rows } = await db.query<{ empty: boolean }>(
    `SELECT NOT (${month.partitions.map((p) => `EXISTS (SELECT 1 FROM ${quoteIdent(p.name)})`).join(' OR ')}) AS empty`);
  return rows[0]!.empty;
}

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

// The tables whose rows name a capture or a read (evidence, media, keys, reads, sightings): detaching
// a month of captures locks them all, so they are locked first and together, in one order.
async function tablesToLock(db: Queryable): Promise<string[]> {
  const { rows } = await db.query<{ name: string }>(
    `SELECT DISTINCT conrelid::regclass::text AS name FROM pg_constraint
     WHERE contype = 'f' AND conparentid = 0 AND confrelid = ANY(ARRAY['captures', 'plate_reads']::regclass[])
     UNION SELECT unnest($1::text[]) ORDER BY 1`, [[...MONTHLY_PARTITIONED]]);
  return rows.map((r) => r.name);
}

export interface DropOptions {
  /** how long to wait for the tables' locks before leaving the month for the next run */
  lockTimeoutMs?: number;
}

/**
 * Drops the monthly partitions of captures, plate reads and parking sightings whose month ended
 * before `horizon` (the no-violation retention horizon) and that hold no row at all: what the batch
 * steps did not delete (evidence of an open case, a capture still in the pipeline) keeps its month.
 * One transaction per month, all three tables' partitions of the month or none: the tables are
 * locked (ACCESS EXCLUSIVE, what DETACH takes anyway) before the partitions are checked, so no row
 * can arrive between the check and the drop, and DETACH itself refuses a partition still referenced
 * (evidence, media, keys), so kept evidence cannot go even if the check were wrong. A month whose
 * locks are not granted within `lockTimeoutMs` (a long transaction on captures) is left for the
 * next run rather than stalling the pipeline behind the waiting lock.
 *
 * A capture stamped in a dropped month that arrives later lands in its table's default partition,
 * where retention deletes it like any other.
 */
export async function dropEmptiedPartitions(pool: Pool, horizon: Date, opts: DropOptions = {}): Promise<PartitionDrops> {
  const started = Date.now();
  const result: PartitionDrops = { dropped: [], busy: [], ms: 0 };
  const months = await monthsEndedBefore(pool, horizon);
  if (months.length === 0) return { ...result, ms: Date.now() - started };
  const lock = await tablesToLock(pool);
  for (const month of months) {
    try {
      const dropped = await withTransaction(pool, async (tx) => {
        await tx.query(`SET LOCAL lock_timeout = ${Math.max(1, Math.round(opts.lockTimeoutMs ?? 2000))}`);
        await tx.query(`LOCK TABLE ${lock.map(quoteIdent).join(', ')} IN ACCESS EXCLUSIVE MODE`);
        if (!(await allEmpty(tx, month))) return [];
        for (const part of month.partitions) {
          await tx.query(`ALTER TABLE ${quoteIdent(part.parent)} DETACH PARTITION ${quoteIdent(part.name)}`);
          await tx.query(`DROP TABLE ${quoteIdent(part.name)}`);
        }
        return month.partitions.map((p) => p.name);
      });
      result.dropped.push(...dropped);
    } catch (err) {
      // 55P03 lock_not_available (lock_timeout), 40P01 deadlock_detected: someone else was there first
      const code = (err as { code?: string }).code;
      if (code !== '55P03' && code !== '40P01') throw err;
      result.busy.push(...month.partitions.map((p) => p.name));
    }
  }
  return { ...result, ms: Date.now() - started };
}

/**
 * What `dropEmptiedPartitions` would drop, seen from inside a transaction (the dry run's, after its
 * uncommitted deletions): the months before `horizon` empty in that transaction's view. Takes no lock.
 */
export async function partitionsThatWouldGo(tx: Queryable, horizon: Date): Promise<string[]> {
  const gone: string[] = [];
  for (const month of await monthsEndedBefore(tx, horizon)) {
    if (await allEmpty(tx, month)) gone.push(...month.partitions.map((p) => p.name));
  }
  return gone;
}
