import { availableParallelism } from 'node:os';
import type { Queryable } from '../db/pool.js';
import { layoutNotice } from './layout.js';
import { renderNotice, type NoticeLayout, type RenderDeps } from './render.js';
import { NoticeRenderPool } from './render-pool.js';

export interface BatchProgress {
  done: number;
  total: number;
  failed: number;
}

export interface BatchOptions {
  /**
   * threads laying out PDFs (default: one per core); 0 lays them out in this thread, between its database
   * and storage work
   */
  threads?: number;
  /** notices in hand at once (default: twice the threads, so a thread never waits for the database or storage) */
  concurrency?: number;
  /** render at most this many (oldest first) */
  limit?: number;
  onProgress?: (p: BatchProgress) => void;
}

export interface BatchReport {
  total: number;
  rendered: number;
  failed: Array<{ noticeId: number; error: string }>;
  ms: number;
  msPerNotice: number;
  /** notices rendered per second of the whole run */
  perSecond: number;
}

const UNRENDERED = `pdf_sha256 IS NULL AND status <> 'cancelled'`;

/** Ids of notices without a stored PDF up to `upTo`, oldest first, a chunk at a time: those whose render after approval failed or never ran. */
async function* unrenderedNoticeIds(db: Queryable, upTo: number, limit: number, chunk = 1000): AsyncGenerator<number> {
  let after = 0;
  let given = 0;
  while (given < limit) {
    const { rows } = await db.query<{ id: number }>(
      `SELECT id FROM notices WHERE ${UNRENDERED} AND id > $1 AND id <= $2 ORDER BY id LIMIT $3`, [after, upTo, Math.min(chunk, limit - given)]);
    for (const r of rows) yield r.id;
    given += rows.length;
    if (rows.length === 0) return;
    after = rows[rows.length - 1]!.id;
  }
}

/**
 * Renders every notice lacking a PDF (those there when the run starts). One failing notice (say, a missing
 * evidence image) is reported with its reason and the rest carry on; a failed notice keeps no PDF and no
 * record of one, so running it again retries only what is still missing. PDFs are laid out in worker
 * threads (NoticeRenderPool) while this thread reads the database and storage and records the results.
 */
export async function renderPendingNotices(deps: RenderDeps, opts: BatchOptions = {}): Promise<BatchReport> {
  const started = performance.now();
  const { rows } = await deps.pool.query<{ n: number; last: number | null }>(`SELECT count(*)::int AS n, max(id) AS last FROM notices WHERE ${UNRENDERED}`);
  const total = Math.min(rows[0]!.n, opts.limit ?? Infinity);
  const threads = Math.max(0, Math.min(opts.threads ?? availableParallelism(), 32));
  const concurrency = Math.max(1, Math.min(opts.concurrency ?? Math.max(2, threads * 2), 64));
  const pool = total > 0 && threads > 0 ? new NoticeRenderPool(threads) : null;
  const layout: NoticeLayout = pool ? pool.layout : layoutNotice;
  const failed: BatchReport['failed'] = [];
  let done = 0;
  try {
    const ids = unrenderedNoticeIds(deps.pool, rows[0]!.last ?? 0, total);
    // the generator is shared: each of the `concurrency` loops takes the next id when it is free
    const worker = async () => {
      for (let next = await ids.next(); !next.done; next = await ids.next()) {
        const id = next.value;
        try {
          await renderNotice(deps, id, layout);
        } catch (err) {
          failed.push({ noticeId: id, error: err instanceof Error ? err.message : String(err) });
        }
        done++;
        opts.onProgress?.({ done, total, failed: failed.length });
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, Math.max(total, 1)) }, worker));
  } finally {
    await pool?.close();
  }
  const ms = performance.now() - started;
  return { total: done, rendered: done - failed.length, failed, ms: Math.round(ms),
    msPerNotice: done ? Math.round((ms / done) * 10) / 10 : 0, perSecond: done ? Math.round((done / ms) * 10_000) / 10 : 0 };
}
