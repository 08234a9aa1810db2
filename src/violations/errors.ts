/** Errors a caller can show to a person: a stable code and the HTTP status the API should answer with. */
export class ViolationInputError extends Error {
  override readonly name = 'ViolationInputError';
  constructor(
    readonly statusCode: 400 | 404 | 409,
    readonly code: 'invalid_plate' | 'not_found' | 'not_pending_review' | 'offence_not_for_category',
    message: string,
  ) {
    super(message);
  }
}
