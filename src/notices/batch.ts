import type { Queryable } from '../db/pool.js';
import { renderNotice, type RenderDeps } from './render.js';

export interface BatchProgress {
  done: number;
  total: number;
  failed: number;
}

export interface BatchOptions {
  /** notices rendered at once; PDF layout is CPU-bound, so about the number of cores */
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
}

/** Ids of notices without a stored PDF, oldest first: those whose render after approval failed or never ran. */
export async function unrenderedNoticeIds(db: Queryable, limit?: number): Promise<number[]> {
  const { rows } = await db.query<{ id: number }>(
    `SELECT id FROM notices WHERE pdf_sha256 IS NULL AND status <> 'cancelled' ORDER BY id ${limit ? 'LIMIT $1' : ''}`,
    limit ? [limit] : [],
  );
  return rows.map((r) => r.id);
}

/**
 * Renders every notice lacking a PDF. One failing notice (say, a missing evidence image) is
 * reported and the rest carry on; running it again retries only what is still missing.
 */
export async function renderPendingNotices(deps: RenderDeps, opts: BatchOptions = {}): Promise<BatchReport> {
  const started = performance.now();
  const ids = await unrenderedNoticeIds(deps.pool, opts.limit);
  const concurrency = Math.max(1, Math.min(opts.concurrency ?? 2, 32));
  const failed: BatchReport['failed'] = [];
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < ids.length) {
      const id = ids[next++]!;
      try {
        await renderNotice(deps, id);
      } catch (err) {
        failed.push({ noticeId: id, error: err instanceof Error ? err.message : String(err) });
      }
      done++;
      opts.onProgress?.({ done, total: ids.length, failed: failed.length });
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, ids.length) }, worker));
  const ms = performance.now() - started;
  return { total: ids.length, rendered: ids.length - failed.length, failed, ms: Math.round(ms), msPerNotice: ids.length ? Math.round((ms / ids.length) * 10) / 10 : 0 };
}
