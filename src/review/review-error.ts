export type ReviewErrorCode =
  | 'not_found'
  | 'not_pending'
  | 'claimed_by_other'
  | 'claim_required'
  | 'owner_unidentified'
  | 'confirmation_required'
  | 'invalid_plate'
  | 'not_a_candidate'
  | 'offence_not_for_category'
  | 'note_required';

/** A review action that cannot happen, with what the officer should do instead. */
export class ReviewError extends Error {
  constructor(readonly code: ReviewErrorCode, message: string, readonly details?: Record<string, unknown>) {
    super(message);
    this.name = 'ReviewError';
  }
}
