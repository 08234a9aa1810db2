import type { Config } from '../config.js';
import type { Pool } from '../db/pool.js';
import { issueNotice, renderNotice } from '../notices/issue.js';
import type { BlobStore } from '../storage/blob-store.js';
import { correctViolationPlate, ViolationInputError } from '../violations/correct-plate.js';
import type { ReviewCollaborators } from './collaborators.js';

/** Review wired to the real matching and notice modules. */
export function defaultReviewCollaborators(deps: { pool: Pool; storage: BlobStore; config: Config }): ReviewCollaborators {
  return {
    correctPlate: (tx, violationId, plateText, actor) => correctViolationPlate(tx, violationId, plateText, actor),
    invalidPlateReason: (err) => (err instanceof ViolationInputError && err.code === 'invalid_plate' ? err.message : null),
    wrongCategoryReason: (err) => (err instanceof ViolationInputError && err.code === 'offence_not_for_category' ? err.message : null),
    issueNotice: (tx, violationId, actor) => issueNotice(tx, violationId, actor),
    renderNotice: (noticeId) => renderNotice(deps, noticeId),
  };
}
