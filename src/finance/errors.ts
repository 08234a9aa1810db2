import { DomainError } from '../domain-error.js';

export type PaymentErrorCode =
  | 'unknown_notice'
  | 'unknown_decision'
  | 'no_decision'
  | 'decision_already_paid'
  | 'notice_cancelled'
  | 'notice_already_paid'
  | 'amount_mismatch'
  | 'reference_reused'
  | 'paid_in_future'
  | 'paid_before_notice'
  | 'blank_reference';

const STATUS: Record<PaymentErrorCode, number> = {
  unknown_notice: 404,
  unknown_decision: 404,
  no_decision: 409,
  decision_already_paid: 409,
  notice_cancelled: 409,
  notice_already_paid: 409,
  amount_mismatch: 422,
  reference_reused: 409,
  paid_in_future: 400,
  paid_before_notice: 422,
  blank_reference: 400,
};

/** A payment refused with a reason finance staff can act on. */
export class PaymentError extends DomainError<PaymentErrorCode> {
  override readonly name = 'PaymentError';
  constructor(code: PaymentErrorCode, message: string, details?: Record<string, unknown>) {
    super(STATUS, code, message, details);
  }
}
