import { appendAudit } from '../audit/audit-log.js';
import { withTransaction, type Pool, type PoolClient } from '../db/pool.js';
import { resolveNotice } from '../notices/resolve.js';
import { formatVnd } from '../notices/format.js';
import { PaymentError } from './errors.js';

export const PAYMENT_METHODS = ['cash', 'bank_transfer', 'treasury', 'online'] as const;
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];
export type PaymentSource = 'manual' | 'statement_import';

export interface PaymentInput {
  noticeNumber: string;
  amount: number;
  paidAt: Date;
  method: PaymentMethod;
  /** bank/treasury transaction id, receipt number for cash */
  reference: string;
}

export interface PaymentActor {
  id: number | null;
  username: string;
}

export interface Payment {
  id: number;
  noticeNumber: string;
  amount: number;
  paidAt: string;
  method: PaymentMethod;
  reference: string;
  source: PaymentSource;
  recordedBy: number | null;
  createdAt: string;
}

/** Bank clocks and ours disagree a little; a payment dated further ahead than this is a typo. */
const FUTURE_TOLERANCE_MS = 10 * 60_000;

/**
 * Records a payment of a notice. A notice is settled by one full payment, so the amount must equal
 * what is outstanding; partial and over-payments are refused with the outstanding amount (finance
 * then contacts the payer rather than the system holding half-paid notices). The same (method, reference) recorded again returns the
 * first payment (`created: false`): statements can be re-imported and requests retried safely.
 * The paying transaction also resolves the notice and closes the violation.
 */
export async function recordPayment(pool: Pool, input: PaymentInput, actor: PaymentActor, source: PaymentSource): Promise<{ payment: Payment; created: boolean }> {
  if (input.paidAt.getTime() > Date.now() + FUTURE_TOLERANCE_MS) {
    throw new PaymentError('paid_in_future', `paidAt ${input.paidAt.toISOString()} is in the future`);
  }
  // the reference is what makes a payment traceable and idempotent: blank ones would all collide or all differ
  if (input.reference.trim() === '') throw new PaymentError('blank_reference', 'a payment needs its bank/treasury reference or receipt number');
  try {
    return await withTransaction(pool, (tx) => recordInTransaction(tx, input, actor, source));
  } catch (err) {
    // a concurrent request with the same reference committed first: answer as a replay would
    if ((err as { code?: string }).code === '23505') {
      const replay = await withTransaction(pool, (tx) => findReplay(tx, input));
      if (replay) return { payment: replay, created: false };
    }
    throw err;
  }
}

async function findReplay(tx: PoolClient, input: PaymentInput): Promise<Payment | null> {
  const existing = await paymentByReference(tx, input.method, input.reference);
  if (!existing) return null;
  if (existing.noticeNumber !== input.noticeNumber || existing.amount !== input.amount) {
    throw new PaymentError('reference_reused',
      `${input.method} reference ${input.reference} already paid ${formatVnd(existing.amount)} on notice ${existing.noticeNumber}`,
      { existing });
  }
  return existing;
}

async function recordInTransaction(tx: PoolClient, input: PaymentInput, actor: PaymentActor, source: PaymentSource): Promise<{ payment: Payment; created: boolean }> {
  const { rows } = await tx.query<{ id: number; status: string; amount: number; paid_before_issue: boolean; issued_on: string }>(
    `SELECT id, status, amount, to_char(issued_at AT TIME ZONE 'Asia/Ho_Chi_Minh', 'DD/MM/YYYY') AS issued_on,
            ($2::timestamptz AT TIME ZONE 'Asia/Ho_Chi_Minh')::date < (issued_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date AS paid_before_issue
     FROM notices WHERE notice_number = $1 FOR UPDATE`,
    [input.noticeNumber, input.paidAt],
  );
  const notice = rows[0];
  if (!notice) throw new PaymentError('unknown_notice', `no notice numbered ${input.noticeNumber}`);
  // checked after the notice lock: a concurrent replay of this payment has committed by now
  const replay = await findReplay(tx, input);
  if (replay) return { payment: replay, created: false };
  // compared by calendar day in Vietnam: a statement line carries a date, the notice a time
  if (notice.paid_before_issue) {
    throw new PaymentError('paid_before_notice', `paidAt ${input.paidAt.toISOString()} is before notice ${input.noticeNumber} was issued (${notice.issued_on})`);
  }
  if (notice.status === 'cancelled') throw new PaymentError('notice_cancelled', `notice ${input.noticeNumber} was cancelled; nothing is owed`);
  const paidSoFar = await tx.query<{ paid: number }>('SELECT coalesce(sum(amount), 0)::bigint AS paid FROM payments WHERE notice_id = $1', [notice.id]);
  const outstanding = notice.amount - paidSoFar.rows[0]!.paid;
  if (notice.status === 'resolved' || outstanding <= 0) {
    throw new PaymentError('notice_already_paid', `notice ${input.noticeNumber} is already paid; refund this payment`, { outstanding: 0 });
  }
  if (input.amount !== outstanding) {
    const kind = input.amount < outstanding ? 'a partial payment' : 'an overpayment';
    throw new PaymentError('amount_mismatch',
      `${formatVnd(input.amount)} is ${kind}: notice ${input.noticeNumber} has ${formatVnd(outstanding)} outstanding and is paid in full only`,
      { outstanding, amount: input.amount });
  }
  const inserted = await tx.query<{ id: number }>(
    `INSERT INTO payments (notice_id, amount, paid_at, method, reference, source, recorded_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
    [notice.id, input.amount, input.paidAt, input.method, input.reference, source, actor.id],
  );
  const paymentId = inserted.rows[0]!.id;
  await appendAudit(tx, {
    actorId: actor.id, actor: actor.username, action: 'payment.recorded', entityType: 'payment', entityId: paymentId,
    details: { noticeNumber: input.noticeNumber, amount: input.amount, paidAt: input.paidAt.toISOString(), method: input.method, reference: input.reference, source },
  });
  await resolveNotice(tx, notice.id, actor, { paymentId });
  const payment = await paymentByReference(tx, input.method, input.reference);
  return { payment: payment!, created: true };
}

interface PaymentRow {
  id: number; notice_number: string; amount: number; paid_at: Date; method: PaymentMethod; reference: string; source: PaymentSource;
  recorded_by: number | null; created_at: Date;
}

const SELECT_PAYMENT = `SELECT p.id, n.notice_number, p.amount, p.paid_at, p.method, p.reference, p.source, p.recorded_by, p.created_at
  FROM payments p JOIN notices n ON n.id = p.notice_id`;

function toPayment(r: PaymentRow): Payment {
  return { id: r.id, noticeNumber: r.notice_number, amount: r.amount, paidAt: r.paid_at.toISOString(), method: r.method, reference: r.reference,
    source: r.source, recordedBy: r.recorded_by, createdAt: r.created_at.toISOString() };
}

async function paymentByReference(tx: PoolClient, method: PaymentMethod, reference: string): Promise<Payment | null> {
  const { rows } = await tx.query<PaymentRow>(`${SELECT_PAYMENT} WHERE p.method = $1 AND p.reference = $2`, [method, reference]);
  return rows[0] ? toPayment(rows[0]) : null;
}

export async function paymentsOfNotice(db: Pick<Pool, 'query'>, noticeNumber: string): Promise<Payment[]> {
  const { rows } = await db.query<PaymentRow>(`${SELECT_PAYMENT} WHERE n.notice_number = $1 ORDER BY p.paid_at, p.id`, [noticeNumber]);
  return rows.map(toPayment);
}
