import { appendAudit } from '../audit/audit-log.js';
import { withTransaction, type Pool } from '../db/pool.js';
import { releaseUnreferencedBlobs, unreferencedBlobs } from '../storage/blob-references.js';
import type { BlobStore } from '../storage/blob-store.js';
import { dropEmptiedPartitions, partitionsThatWouldGo, type PartitionDrops } from './partition-drops.js';
import { PURGE_STEPS, purgeBatch, zeroCounts, type PurgeCounts } from './purge-batches.js';
import { RETAINED_KINDS, type RetentionMetrics } from './retention-metrics.js';
import type { RetentionPolicy } from './retention-policy.js';
import { DAY_MS } from '../vietnam-time.js';

export interface RetentionDeps {
  pool: Pool;
  storage: BlobStore;
  /** absent for the command line: its deletions are in the audit entry */
  metrics?: RetentionMetrics;
}

export interface RetentionReport {
  dryRun: boolean;
  now: string;
  policy: RetentionPolicy;
  /** what was deleted, or in a dry run what would be */
  deleted: PurgeCounts;
  /** the emptied monthly partitions dropped (in a dry run: that would be), and those left because their tables were busy */
  partitions: PartitionDrops;
  ms: number;
}

export interface RetentionOptions {
  now?: Date;
  dryRun?: boolean;
  /** how long dropping a month's partitions waits for its tables' locks (default 2 s) */
  lockTimeoutMs?: number;
}

class DryRunRollback extends Error {}

/**
 * Applies the retention policy as of `now`: each step deletes in batches of one transaction each, so
 * the pipeline is never blocked for long and a crash loses nothing but the batch in flight; a blob is
 * released after its rows' batch committed, only if no row still names it. The run ends with ONE
 * audit entry counting everything it deleted (also when it failed part-way).
 *
 * Then the monthly partitions whose month ended before the no-violation horizon and that are now
 * empty in all three partitioned tables are dropped (partition-drops.ts), counted as `partitions`.
 *
 * A dry run does the same deletions in a single transaction and rolls it back: what it reports is
 * exactly what a run at that moment would delete (and which emptied partitions it would drop), and
 * nothing is changed (no audit entry either).
 */
export async function runRetention(deps: RetentionDeps, policy: RetentionPolicy, opts: RetentionOptions = {}): Promise<RetentionReport> {
  const now = opts.now ?? new Date();
  const started = Date.now();
  const deleted = zeroCounts();
  let partitions: PartitionDrops = { dropped: [], busy: [], ms: 0 };
  const report = (): RetentionReport => ({ dryRun: opts.dryRun ?? false, now: now.toISOString(), policy, deleted, partitions, ms: Date.now() - started });
  // a month whose captures are all older than this holds nothing a later batch could keep for 30 days more
  const horizon = new Date(now.getTime() - policy.noViolationDays * DAY_MS);
  if (opts.dryRun) {
    partitions = await dryRun(deps.pool, policy, now, horizon, deleted);
    return report();
  }
  let failure: unknown;
  try {
    for (const step of PURGE_STEPS) {
      for (let cursor = 0; ;) {
        const batch = await withTransaction(deps.pool, (tx) => purgeBatch(tx, step, policy, now, cursor));
        if (batch.selected === 0) break;
        cursor = batch.cursor;
        batch.counts.blobs = await releaseUnreferencedBlobs(deps.pool, deps.storage, batch.blobCandidates);
        for (const kind of RETAINED_KINDS) {
          deleted[kind] += batch.counts[kind];
          if (batch.counts[kind] > 0) deps.metrics?.deleted.inc({ kind }, batch.counts[kind]);
        }
      }
    }
    // last: the batches above have just emptied what they could
    partitions = await dropEmptiedPartitions(deps.pool, horizon, opts.lockTimeoutMs === undefined ? {} : { lockTimeoutMs: opts.lockTimeoutMs });
    deleted.partitions = partitions.dropped.length;
    if (deleted.partitions > 0) deps.metrics?.deleted.inc({ kind: 'partitions' }, deleted.partitions);
  } catch (err) {
    failure = err;
  }
  const result = report();
  deps.metrics?.runDuration.observe({ outcome: failure ? 'failed' : 'done' }, result.ms / 1000);
  await withTransaction(deps.pool, (tx) => appendAudit(tx, {
    actorId: null, actor: 'retention', action: 'retention.purged', entityType: 'retention_run', entityId: result.now,
    details: { deleted, partitions, policy, ms: result.ms, completed: !failure, ...(failure ? { error: String(failure) } : {}) },
  }));
  if (failure) throw failure;
  return result;
}

async function dryRun(pool: Pool, policy: RetentionPolicy, now: Date, horizon: Date, deleted: PurgeCounts): Promise<PartitionDrops> {
  let partitions: PartitionDrops = { dropped: [], busy: [], ms: 0 };
  try {
    await withTransaction(pool, async (tx) => {
      for (const step of PURGE_STEPS) {
        for (let cursor = 0; ;) {
          const batch = await purgeBatch(tx, step, policy, now, cursor);
          if (batch.selected === 0) break;
          cursor = batch.cursor;
          // counted per batch: a blob shared with rows of a later batch is counted when its last row goes
          batch.counts.blobs = (await unreferencedBlobs(tx, [...new Set(batch.blobCandidates)])).length;
          for (const kind of RETAINED_KINDS) deleted[kind] += batch.counts[kind];
        }
      }
      // seen after the (uncommitted) deletions: the months a run would empty and drop
      const started = Date.now();
      partitions = { dropped: await partitionsThatWouldGo(tx, horizon), busy: [], ms: 0 };
      partitions.ms = Date.now() - started;
      deleted.partitions = partitions.dropped.length;
      throw new DryRunRollback();
    });
  } catch (err) {
    if (!(err instanceof DryRunRollback)) throw err;
  }
  return partitions;
}
