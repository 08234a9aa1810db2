/**
 * Money received per notice: payments made on a notice, and a paid decision's payment split over the
 * notices it decided (each its decided fine; decisions are paid in full, so the shares add up to the payment).
 */
export const NOTICE_PAYMENTS = `(SELECT p.notice_id, p.amount, p.paid_at FROM payments p WHERE p.notice_id IS NOT NULL
  UNION ALL SELECT i.notice_id, i.fine_amount, p.paid_at FROM payments p JOIN decision_items i ON i.decision_id = p.decision_id)`;

/** Same as NOTICE_PAYMENTS, only payments received in [$from, $to) (parameter placeholders given). */
export const noticePaymentsBetween = (from: string, to: string) => `(SELECT p.notice_id, p.amount, p.paid_at FROM payments p
    WHERE p.notice_id IS NOT NULL AND p.paid_at >= ${from} AND p.paid_at < ${to}
  UNION ALL SELECT i.notice_id, i.fine_amount, p.paid_at FROM payments p JOIN decision_items i ON i.decision_id = p.decision_id
    WHERE p.paid_at >= ${from} AND p.paid_at < ${to})`;
