import { appendAudit } from '../audit/audit-log.js';
import { withTransaction, type Pool } from '../db/pool.js';
import type { Logger } from '../logger.js';
import type { BlobIntegrityError } from './blob-store.js';

/**
 * Records a failed integrity check of stored evidence, once: an error log line for the operators (when
 * a logger is at hand) and an audit row in its own transaction (the read that found it fails and rolls back).
 */
export async function reportTamperedBlob(pool: Pool, err: BlobIntegrityError, where: string, logger?: Pick<Logger, 'error'>): Promise<void> {
  if (err.reported) return;
  err.reported = true;
  logger?.error({ expectedSha256: err.expectedSha256, actualSha256: err.actualSha256, where }, 'stored evidence fails its integrity check');
  await withTransaction(pool, (tx) => appendAudit(tx, {
    actorId: null, actor: 'integrity-check', action: 'evidence.integrity_failed', entityType: 'blob', entityId: err.expectedSha256,
    details: { actualSha256: err.actualSha256, where },
  }));
}
