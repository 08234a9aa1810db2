import type { Pool, Queryable } from '../db/pool.js';
import type { BlobStore } from './blob-store.js';

/**
 * Blobs are shared: the same bytes sent by two cameras are one object. A blob's references are the
 * rows naming it (captures.image_sha256, capture_media.sha256, the pdf_sha256 of notices, form04_notices,
 * violation_records and penalty_decisions), so the count is derived from the
 * database, never kept beside it where it could drift.
 *
 * Writers and the remover meet on a per-blob advisory lock: a writer holds it (shared) while it
 * checks the object is there and commits the row naming it; the remover holds it (exclusive) while
 * it checks no committed row names the blob and deletes the object. Either the writer's row is
 * committed first and the blob stays, or the object is already gone and the writer stores it again.
 */
const BLOB_LOCK_CLASS = 7462015;

/** Inside the caller's transaction, before it inserts a row naming `sha256`: makes sure the object exists until commit. */
export async function holdBlobForReference(tx: Queryable, storage: BlobStore, sha256: string, bytes: Buffer): Promise<void> {
  await tx.query('SELECT pg_advisory_xact_lock_shared($1, hashtext($2))', [BLOB_LOCK_CLASS, sha256]);
  // a retention run may have removed it between our put and this lock: store the bytes again
  if (!(await storage.has(sha256))) await storage.put(bytes);
}

/**
 * Of `candidates`, the blobs no row visible to `tx` names. Only a decision to delete when called with
 * the blob locks held (releaseUnreferencedBlobs); a dry run uses it to count.
 */
export async function unreferencedBlobs(tx: Queryable, candidates: string[]): Promise<string[]> {
  const { rows } = await tx.query<{ sha: string }>(
    `SELECT s AS sha FROM unnest($1::char(64)[]) s
     WHERE NOT EXISTS (SELECT 1 FROM captures c WHERE c.image_sha256 = s)
       AND NOT EXISTS (SELECT 1 FROM capture_media m WHERE m.sha256 = s)
       AND NOT EXISTS (SELECT 1 FROM notices n WHERE n.pdf_sha256 = s)
       AND NOT EXISTS (SELECT 1 FROM form04_notices f WHERE f.pdf_sha256 = s)
       AND NOT EXISTS (SELECT 1 FROM violation_records r WHERE r.pdf_sha256 = s)
       AND NOT EXISTS (SELECT 1 FROM penalty_decisions d WHERE d.pdf_sha256 = s)`,
    [candidates],
  );
  return rows.map((r) => r.sha.trim());
}

/**
 * Deletes the objects among `candidates` (blobs whose rows were just deleted and committed) that no
 * row names any more; returns how many went. A blob still named elsewhere is kept.
 */
export async function releaseUnreferencedBlobs(pool: Pool, storage: BlobStore, candidates: Iterable<string>): Promise<number> {
  const shas = [...new Set(candidates)].sort();
  if (shas.length === 0) return 0;
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    // sorted, so two removers never wait on each other's locks in opposite order
    await client.query(
      'SELECT pg_advisory_xact_lock($1, hashtext(s)) FROM (SELECT s FROM unnest($2::text[]) s ORDER BY s) sorted', [BLOB_LOCK_CLASS, shas]);
    const doomed = await unreferencedBlobs(client, shas);
    for (const sha of doomed) await storage.delete(sha);
    await client.query('COMMIT');
    return doomed.length;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
