import { DomainError } from '../domain-error.js';

const STATUS = {
  notice_not_found: 404,
  record_not_found: 404,
  decision_not_found: 404,
  unit_not_found: 404,
  notice_closed: 409,
  response_exists: 409,
  response_missing: 409,
  record_exists: 409,
  already_decided: 409,
  different_violators: 409,
  no_handling_unit: 409,
  no_commune_unit: 409,
  time_barred: 409,
  owner_not_person: 400,
  fine_out_of_range: 400,
  reason_required: 400,
  invalid_request: 400,
} as const;

export type ProcedureErrorCode = keyof typeof STATUS;

/** A procedure step refused for a reason the officer can act on (message in Vietnamese: it is shown to them). */
export class ProcedureError extends DomainError<ProcedureErrorCode> {
  override readonly name = 'ProcedureError';
  constructor(code: ProcedureErrorCode, message: string, details?: Record<string, unknown>) {
    super(STATUS, code, message, details);
  }
}
