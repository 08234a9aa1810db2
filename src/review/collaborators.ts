import type { PoolClient } from '../db/pool.js';
import type { Officer } from './claims.js';

export interface MatchOutcome {
  matchStatus: string;
  vehicleId: number | null;
  ownerId: number | null;
  candidates: unknown[];
}

/**
 * What review needs from the modules downstream of it: matching re-runs for a corrected plate,
 * and notices for an approved case. Passed in, so review depends on these contracts and not on
 * how the other modules do their work.
 */
export interface ReviewCollaborators {
  /** Re-runs matching for a corrected plate in the caller's transaction. */
  correctPlate(tx: PoolClient, violationId: number, plateText: string, actor: Officer): Promise<MatchOutcome>;
  /** The reason text when `err` means "this is not a plate", else null. */
  invalidPlateReason(err: unknown): string | null;
  /** The reason text when `err` means "the corrected plate is of a category this offence is not fined for", else null. */
  wrongCategoryReason?(err: unknown): string | null;
  /** Creates the notice and moves the violation to 'noticed', in the caller's transaction. */
  issueNotice(tx: PoolClient, violationId: number, actor: Officer): Promise<{ noticeId: number; noticeNumber: string }>;
  /** Renders the notice PDF after commit; idempotent, a failure is retried by the notices batch command. */
  renderNotice(noticeId: number): Promise<{ sha256: string }>;
}
