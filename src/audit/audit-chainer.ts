import type { Pool, Queryable } from '../db/pool.js';
import { withTransaction } from '../db/pool.js';
import type { AuditKey } from './audit-key.js';
import { AUDIT_CHAIN_LOCK, GENESIS, linkHash, linkMac } from './audit-log.js';

export interface ChainHead {
  /** id of the newest linked row (0 when nothing is linked) */
  id: number;
  /** its link, or for a log chained at write time (before migration 110) its hash */
  link: string;
}

export interface ChainOptions {
  /** rows linked per transaction */
  batch?: number;
  /** how long to wait for transactions that may still commit a lower id before skipping a gap */
  waitMs?: number;
}

export interface ChainResult {
  linked: number;
  head: ChainHead;
}

/** The newest link, else the head of the part of the log chained at write time, else the genesis. */
export async function chainHead(db: Queryable): Promise<ChainHead> {
  const linked = await db.query<{ id: number; link: string }>('SELECT id, link FROM audit_links ORDER BY id DESC LIMIT 1');
  if (linked.rows[0]) return linked.rows[0];
  const legacy = await db.query<{ id: number; hash: string }>(
    'SELECT id, hash FROM audit_log WHERE prev_hash IS NOT NULL ORDER BY id DESC LIMIT 1');
  return legacy.rows[0] ? { id: legacy.rows[0].id, link: legacy.rows[0].hash } : { id: 0, link: GENESIS };
}

/**
 * The highest audit id below which every gap is final (its transaction rolled back): the ids drawn so
 * far, once every transaction running when they were read has ended. Writers take their xid before
 * drawing an id (appendAudit), so a transaction that drew one of these ids was already running when
 * the snapshot was taken, or had ended. 0 when those transactions are still running after `waitMs`:
 * then only gapless rows are linked.
 */
async function settledHorizon(pool: Pool, waitMs: number): Promise<number> {
  const seq = await pool.query<{ last: number | null }>(
    `SELECT pg_sequence_last_value(pg_get_serial_sequence('audit_log', 'id')::regclass) AS last`);
  const horizon = Number(seq.rows[0]?.last ?? 0);
  const snap = await pool.query<{ snapshot: string }>('SELECT pg_current_snapshot()::text AS snapshot');
  const deadline = Date.now() + waitMs;
  for (;;) {
    const running = await pool.query<{ n: number }>(
      // transactions of other databases on the same server cannot write this log: not waited for (a
      // session pg_stat_activity does not show is waited for, which is only slower)
      `SELECT count(*)::int AS n FROM pg_snapshot_xip($1::pg_snapshot) AS x
       WHERE pg_xact_status(x) = 'in progress'
         AND x::xid NOT IN (SELECT backend_xid FROM pg_stat_activity
                            WHERE backend_xid IS NOT NULL AND datname IS DISTINCT FROM current_database())`,
      [snap.rows[0]!.snapshot]);
    if (running.rows[0]!.n === 0) return horizon;
    if (Date.now() >= deadline) return 0;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Links committed audit rows to the chain in id order, `batch` at a time, each batch in its own
 * transaction (idempotent: a run after a crash continues from the newest link). Runs in the workers
 * every few seconds and before each checkpoint; writers never wait for it.
 */
export async function chainAuditLog(pool: Pool, key: AuditKey, options: ChainOptions = {}): Promise<ChainResult> {
  const batch = options.batch ?? 1000;
  const horizon = await settledHorizon(pool, options.waitMs ?? 2000);
  let linked = 0;
  // the last id the previous batch read: rows it passed over after the head are not read again
  let readTo = 0;
  for (;;) {
    const step = await withTransaction(pool, async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [AUDIT_CHAIN_LOCK]);
      const head = await chainHead(tx);
      // Only the primary key in the condition: with `prev_hash IS NULL` there too, a log whose statistics
      // predate its newest rows (a backlog written since the last ANALYZE) was read by a full scan and a
      // sort for every batch (~350 ms a batch at 2M rows, the chainer down to ~1 700 rows/s).
      const { rows } = await tx.query<{ id: number; hash: string; chained_at_write: boolean }>(
        'SELECT id, hash, prev_hash IS NOT NULL AS chained_at_write FROM audit_log WHERE id > $1 ORDER BY id LIMIT $2',
        [Math.max(head.id, readTo), batch]);
      const ids: number[] = [];
      const prevs: string[] = [];
      const links: string[] = [];
      const macs: string[] = [];
      let prevId = head.id;
      let prev = head.link;
      let stopped = false;
      for (const row of rows) {
        // rows chained at write time all precede the head: one after it is no part of the chain, and is
        // passed over like a gap (the verifier refuses it)
        if (row.chained_at_write) continue;
        // a gap above the settled horizon may be a transaction that has not committed yet: wait for it
        if (row.id !== prevId + 1 && row.id > horizon) {
          stopped = true;
          break;
        }
        const link = linkHash(row.id, prev, row.hash);
        ids.push(row.id);
        prevs.push(prev);
        links.push(link);
        macs.push(linkMac(key, link));
        prevId = row.id;
        prev = link;
      }
      if (ids.length > 0) {
        await tx.query(
          `INSERT INTO audit_links (id, prev_link, link, mac)
           SELECT * FROM unnest($1::bigint[], $2::char(64)[], $3::char(64)[], $4::char(64)[])`, [ids, prevs, links, macs]);
      }
      return { linked: ids.length, head: { id: prevId, link: prev }, readTo: rows.at(-1)?.id ?? 0, more: !stopped && rows.length === batch };
    });
    linked += step.linked;
    readTo = step.readTo;
    if (!step.more) return { linked, head: step.head };
  }
}
