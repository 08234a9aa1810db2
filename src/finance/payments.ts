import { paymentMethodLabel, vnDateTime } from '../csv/vietnamese-labels.js';
import { appendAudit } from '../audit/audit-log.js';
import { withTransaction, type Pool, type PoolClient } from '../db/pool.js';
import { resolveNotice } from '../notices/resolve.js';
import { formatVnd } from '../notices/format.js';
import { PaymentError } from './errors.js';

export const PAYMENT_METHODS = ['cash', 'bank_transfer', 'treasury', 'online'] as const;
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];
export type PaymentSource = 'manual' | 'statement_import';

export interface PaymentInput {
  /** the penalty decision paid (QD-…); or, when the payer quoted the notice, */
  decisionNumber?: string;
  /** the notice number (PN-…): the payment goes to the decision that covers the notice */
  noticeNumber?: string;
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
  /** the notice paid (payments made before decisions existed), or the first notice of the decision paid */
  noticeNumber: string;
  decisionNumber: string | null;
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
 * Records a payment of a penalty decision (named, or found through a notice it covers). A decision is settled by one full payment, so the amount must equal
 * what is outstanding; partial and over-payments are refused with the outstanding amount (finance
 * then contacts the payer rather than the system holding half-paid notices). The same (method, reference) recorded again returns the
 * first payment (`created: false`): statements can be re-imported and requests retried safely.
 * The paying transaction marks the decision paid, resolves its notices and closes their violations.
 */
export async function recordPayment(pool: Pool, input: PaymentInput, actor: PaymentActor, source: PaymentSource): Promise<{ payment: Payment; created: boolean }> {
  if (input.paidAt.getTime() > Date.now() + FUTURE_TOLERANCE_MS) {
    throw new PaymentError('paid_in_future', `Thời điểm nộp ${vnDateTime(input.paidAt)} ở tương lai`);
  }
  // the reference is what makes a payment traceable and idempotent: blank ones would all collide or all differ
  if (input.reference.trim() === '') throw new PaymentError('blank_reference', 'Khoản nộp cần mã giao dịch ngân hàng/kho bạc hoặc số biên lai');
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
  const sameTarget = input.decisionNumber ? existing.decisionNumber === input.decisionNumber : existing.noticeNumber === input.noticeNumber
    || (existing.decisionNumber !== null && (await tx.query('SELECT 1 FROM decision_items i JOIN notices n ON n.id = i.notice_id JOIN penalty_decisions d ON d.id = i.decision_id WHERE n.notice_number = $1 AND d.decision_number = $2',
      [input.noticeNumber, existing.decisionNumber])).rowCount === 1);
  if (!sameTarget || existing.amount !== input.amount) {
    throw new PaymentError('reference_reused',
      `Mã giao dịch ${input.reference} (${paymentMethodLabel(input.method)}) đã dùng để nộp ${formatVnd(existing.amount)} cho ${existing.decisionNumber ? `quyết định ${existing.decisionNumber}` : `thông báo ${existing.noticeNumber}`}`,
      { existing });
  }
  return existing;
}

/**
 * The decision a payment settles, locked: named directly, or found through the notice the payer quoted.
 * A fine is paid against the penalty decision (NĐ 168 Đ47, TT 73 Đ24): a notice without a decision has nothing to pay yet.
 */
async function lockDecision(tx: PoolClient, input: PaymentInput): Promise<{ id: number; number: string; status: string; amount: number }> {
  if (input.decisionNumber) {
    const { rows } = await tx.query<{ id: number; decision_number: string; status: string; total_amount: number }>(
      'SELECT id, decision_number, status, total_amount FROM penalty_decisions WHERE decision_number = $1 FOR UPDATE', [input.decisionNumber]);
    const d = rows[0];
    if (!d) throw new PaymentError('unknown_decision', `Không có quyết định xử phạt số ${input.decisionNumber}`);
    return { id: d.id, number: d.decision_number, status: d.status, amount: d.total_amount };
  }
  const notice = await tx.query<{ status: string; issued_on: string; paid_before_issue: boolean }>(
    `SELECT status, to_char(issued_at AT TIME ZONE 'Asia/Ho_Chi_Minh', 'DD/MM/YYYY') AS issued_on,
            ($2::timestamptz AT TIME ZONE 'Asia/Ho_Chi_Minh')::date < (issued_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date AS paid_before_issue
     FROM notices WHERE notice_number = $1`, [input.noticeNumber, input.paidAt]);
  const n = notice.rows[0];
  if (!n) throw new PaymentError('unknown_notice', `Không có thông báo số ${input.noticeNumber}`);
  if (n.status === 'cancelled') throw new PaymentError('notice_cancelled', `Thông báo ${input.noticeNumber} đã bị huỷ; không phải nộp phạt`);
  const { rows } = await tx.query<{ id: number; decision_number: string; status: string; total_amount: number }>(
    `SELECT d.id, d.decision_number, d.status, d.total_amount FROM penalty_decisions d JOIN decision_items i ON i.decision_id = d.id
     JOIN notices n ON n.id = i.notice_id WHERE n.notice_number = $1 FOR UPDATE OF d`, [input.noticeNumber]);
  const d = rows[0];
  if (!d) {
    // a date before the quoted notice was issued is wrong whatever the case's stage: say so first, as a
    // decision issued later would not make it right (by calendar day in Vietnam, as below)
    if (n.paid_before_issue) throw paidBeforeNotice(input.paidAt, input.noticeNumber!, n.issued_on);
    throw new PaymentError('no_decision',
      `Thông báo ${input.noticeNumber} chưa có quyết định xử phạt: tiền phạt chỉ nộp theo quyết định ra khi người vi phạm đến giải quyết`);
  }
  return { id: d.id, number: d.decision_number, status: d.status, amount: d.total_amount };
}

function paidBeforeNotice(paidAt: Date, noticeNumber: string, issuedOn: string): PaymentError {
  return new PaymentError('paid_before_notice', `Thời điểm nộp ${vnDateTime(paidAt)} trước ngày ra thông báo ${noticeNumber} (${issuedOn})`);
}

async function recordInTransaction(tx: PoolClient, input: PaymentInput, actor: PaymentActor, source: PaymentSource): Promise<{ payment: Payment; created: boolean }> {
  const decision = await lockDecision(tx, input);
  // checked after the decision lock: a concurrent replay of this payment has committed by now
  const replay = await findReplay(tx, input);
  if (replay) return { payment: replay, created: false };
  // compared by calendar day in Vietnam: a statement line carries a date, a notice a time; no fine is
  // owed before its notice was issued, so an earlier date is a typing or matching mistake
  const early = await tx.query<{ notice_number: string; issued_on: string }>(
    `SELECT n.notice_number, to_char(n.issued_at AT TIME ZONE 'Asia/Ho_Chi_Minh', 'DD/MM/YYYY') AS issued_on
     FROM decision_items i JOIN notices n ON n.id = i.notice_id
     WHERE i.decision_id = $1
       AND ($2::timestamptz AT TIME ZONE 'Asia/Ho_Chi_Minh')::date < (n.issued_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date
     ORDER BY n.issued_at LIMIT 1`,
    [decision.id, input.paidAt],
  );
  if (early.rows[0]) throw paidBeforeNotice(input.paidAt, early.rows[0].notice_number, early.rows[0].issued_on);
  const paidSoFar = await tx.query<{ paid: number }>('SELECT coalesce(sum(amount), 0)::bigint AS paid FROM payments WHERE decision_id = $1', [decision.id]);
  const outstanding = decision.amount - paidSoFar.rows[0]!.paid;
  if (decision.status === 'paid' || outstanding <= 0) {
    throw new PaymentError('decision_already_paid', `Quyết định ${decision.number} đã nộp đủ; hãy hoàn trả khoản nộp này`, { outstanding: 0 });
  }
  if (input.amount !== outstanding) {
    const kind = input.amount < outstanding ? 'nộp thiếu' : 'nộp thừa';
    throw new PaymentError('amount_mismatch',
      `${formatVnd(input.amount)} là ${kind}: quyết định ${decision.number} còn phải nộp ${formatVnd(outstanding)} và chỉ nộp một lần đủ số tiền`,
      { outstanding, amount: input.amount });
  }
  const inserted = await tx.query<{ id: number }>(
    `INSERT INTO payments (decision_id, amount, paid_at, method, reference, source, recorded_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
    [decision.id, input.amount, input.paidAt, input.method, input.reference, source, actor.id],
  );
  const paymentId = inserted.rows[0]!.id;
  await appendAudit(tx, {
    actorId: actor.id, actor: actor.username, action: 'payment.recorded', entityType: 'payment', entityId: paymentId,
    details: { decisionNumber: decision.number, noticeNumber: input.noticeNumber ?? null, amount: input.amount, paidAt: input.paidAt.toISOString(),
      method: input.method, reference: input.reference, source },
  });
  // paid in full: the decision is executed and every case it decided closes (lifting any escalation)
  await tx.query(`UPDATE penalty_decisions SET status = 'paid', paid_at = $2 WHERE id = $1`, [decision.id, input.paidAt]);
  const notices = await tx.query<{ notice_id: number }>(
    `SELECT i.notice_id FROM decision_items i JOIN notices n ON n.id = i.notice_id WHERE i.decision_id = $1 AND n.status IN ('issued', 'escalated') ORDER BY i.notice_id`,
    [decision.id]);
  for (const n of notices.rows) await resolveNotice(tx, n.notice_id, actor, { paymentId, decisionNumber: decision.number });
  const payment = await paymentByReference(tx, input.method, input.reference);
  return { payment: payment!, created: true };
}

interface PaymentRow {
  id: number; notice_number: string; decision_number: string | null; amount: number; paid_at: Date; method: PaymentMethod; reference: string; source: PaymentSource;
  recorded_by: number | null; created_at: Date;
}

const SELECT_PAYMENT = `SELECT p.id, n.notice_number, d.decision_number, p.amount, p.paid_at, p.method, p.reference, p.source, p.recorded_by, p.created_at
  FROM payments p LEFT JOIN penalty_decisions d ON d.id = p.decision_id
  JOIN notices n ON n.id = coalesce(p.notice_id, (SELECT min(i.notice_id) FROM decision_items i WHERE i.decision_id = p.decision_id))`;

function toPayment(r: PaymentRow): Payment {
  return { id: r.id, noticeNumber: r.notice_number, decisionNumber: r.decision_number, amount: r.amount, paidAt: r.paid_at.toISOString(), method: r.method, reference: r.reference,
    source: r.source, recordedBy: r.recorded_by, createdAt: r.created_at.toISOString() };
}

async function paymentByReference(tx: PoolClient, method: PaymentMethod, reference: string): Promise<Payment | null> {
  const { rows } = await tx.query<PaymentRow>(`${SELECT_PAYMENT} WHERE p.method = $1 AND p.reference = $2`, [method, reference]);
  return rows[0] ? toPayment(rows[0]) : null;
}

/** Payments of a notice: made on the notice itself, or on the decision that covers it. */
export async function paymentsOfNotice(db: Pick<Pool, 'query'>, noticeNumber: string): Promise<Payment[]> {
  const { rows } = await db.query<PaymentRow>(
    `${SELECT_PAYMENT} WHERE n.notice_number = $1 OR p.decision_id IN (SELECT i.decision_id FROM decision_items i JOIN notices x ON x.id = i.notice_id WHERE x.notice_number = $1)
     ORDER BY p.paid_at, p.id`, [noticeNumber]);
  return rows.map(toPayment);
}

export async function paymentsOfDecision(db: Pick<Pool, 'query'>, decisionNumber: string): Promise<Payment[]> {
  const { rows } = await db.query<PaymentRow>(`${SELECT_PAYMENT} WHERE d.decision_number = $1 ORDER BY p.paid_at, p.id`, [decisionNumber]);
  return rows.map(toPayment);
}
