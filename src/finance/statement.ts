import { parse } from 'csv-parse/sync';
import type { Pool } from '../db/pool.js';
import { PaymentError } from './errors.js';
import { recordPayment, type PaymentActor, type PaymentMethod } from './payments.js';

/**
 * Accepted statement format (CSV, UTF-8, comma or semicolon separated, header row required):
 *   date        2026-11-03 | 2026-11-03T09:15:00+07:00 | 03/11/2026 | 03/11/2026 09:15  (no zone = Vietnam time)
 *   amount      credited VND, whole: 18000000 | 18.000.000 | 18,000,000 (optional "đ"/"VND")
 *   reference   the bank/treasury transaction id, unique per statement
 *   description free text; the notice number PN-<unit>-<year>-<sequence> is looked for here and in reference
 * Vietnamese headers are accepted too (ngày, số tiền, mã giao dịch, nội dung). Extra columns are ignored.
 */
export const STATEMENT_COLUMNS = ['date', 'amount', 'reference', 'description'] as const;
type Column = (typeof STATEMENT_COLUMNS)[number];

const HEADER_ALIASES: Record<string, Column> = {
  date: 'date', 'ngày': 'date', ngay: 'date', 'ngày giao dịch': 'date',
  amount: 'amount', 'số tiền': 'amount', 'so tien': 'amount', credit: 'amount',
  reference: 'reference', 'mã giao dịch': 'reference', 'ma giao dich': 'reference', 'số tham chiếu': 'reference', ref: 'reference',
  description: 'description', 'nội dung': 'description', 'noi dung': 'description', 'diễn giải': 'description',
};

export type LineOutcome =
  | { line: number; status: 'matched'; noticeNumber: string; paymentId: number; amount: number; reference: string }
  | { line: number; status: 'already_recorded'; noticeNumber: string; paymentId: number; amount: number; reference: string }
  | { line: number; status: 'unmatched'; reason: UnmatchedReason; message: string; noticeNumber: string | null; amount: number | null; reference: string | null };

export type UnmatchedReason = 'invalid_line' | 'no_notice_number' | 'unknown_notice' | 'amount_mismatch' | 'notice_already_paid'
  | 'notice_cancelled' | 'reference_reused' | 'paid_before_notice' | 'unknown_decision' | 'no_decision' | 'decision_already_paid';

export interface ReconciliationReport {
  method: PaymentMethod;
  lines: number;
  matched: number;
  alreadyRecorded: number;
  unmatched: number;
  matchedAmount: number;
  unmatchedAmount: number;
  outcomes: LineOutcome[];
}

export class StatementFormatError extends Error {
  override readonly name = 'StatementFormatError';
}

export interface StatementLine {
  line: number;
  date: string;
  amount: string;
  reference: string;
  description: string;
}

/** Splits a statement into lines; throws StatementFormatError when the file as a whole is unusable. */
export function parseStatement(content: Buffer | string): StatementLine[] {
  const text = (typeof content === 'string' ? content : content.toString('utf8')).replace(/^\uFEFF/, '');
  const firstLine = text.split(/\r?\n/, 1)[0] ?? '';
  const delimiter = (firstLine.match(/;/g)?.length ?? 0) > (firstLine.match(/,/g)?.length ?? 0) ? ';' : ',';
  let records: string[][];
  try {
    records = parse(text, { delimiter, relax_column_count: true, skip_empty_lines: true, trim: true }) as string[][];
  } catch (err) {
    throw new StatementFormatError(`Tệp sao kê không đọc được dạng CSV: ${(err as Error).message}`);
  }
  const header = records[0];
  if (!header) throw new StatementFormatError('Tệp sao kê trống');
  const index = new Map<Column, number>();
  header.forEach((h, i) => {
    const column = HEADER_ALIASES[h.normalize('NFC').toLowerCase().trim()];
    if (column && !index.has(column)) index.set(column, i);
  });
  const missing = STATEMENT_COLUMNS.filter((c) => !index.has(c));
  if (missing.length) {
    throw new StatementFormatError(`Dòng tiêu đề của tệp sao kê thiếu cột ${missing.join(', ')}; cần các cột ${STATEMENT_COLUMNS.join(', ')} (hoặc ngày, số tiền, mã giao dịch, nội dung; tệp có: ${header.join(', ')})`);
  }
  const cell = (r: string[], c: Column) => r[index.get(c)!] ?? '';
  return records.slice(1).map((r, i) => ({ line: i + 2, date: cell(r, 'date'), amount: cell(r, 'amount'), reference: cell(r, 'reference'), description: cell(r, 'description') }));
}

/** Credited amount in whole VND, or null when the text is not one. */
export function parseAmount(text: string): number | null {
  const t = text.replace(/\s+/g, '').replace(/(đ|₫|vnd|vnđ)$/i, '');
  let digits: string;
  if (/^\d+$/.test(t)) digits = t;
  else if (/^\d{1,3}([.,]\d{3})+$/.test(t)) digits = t.replace(/[.,]/g, '');
  else if (/^\d+[.,]00$/.test(t)) digits = t.slice(0, -3);
  else return null;
  const n = Number(digits);
  return Number.isSafeInteger(n) && n > 0 ? n : null;
}

/** A statement date; times without a zone are Vietnam time (UTC+7). */
export function parseStatementDate(text: string): Date | null {
  const t = text.trim();
  let ymd: [string, string, string];
  let time = '00:00:00';
  let zone = '+07:00';
  const vn = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$/.exec(t);
  const iso = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.exec(t);
  if (vn) {
    ymd = [vn[3]!, vn[2]!.padStart(2, '0'), vn[1]!.padStart(2, '0')];
    if (vn[4]) time = `${vn[4].padStart(2, '0')}:${vn[5]}:${vn[6] ?? '00'}`;
  } else if (iso) {
    ymd = [iso[1]!, iso[2]!, iso[3]!];
    if (iso[4]) time = `${iso[4]}:${iso[5]}:${iso[6] ?? '00'}`;
    if (iso[7]) zone = iso[7];
  } else {
    return null;
  }
  const [y, m, d] = ymd;
  // Date rolls 31/02 over into March; a statement line with an impossible date is a bad line
  const calendar = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)));
  if (calendar.getUTCFullYear() !== Number(y) || calendar.getUTCMonth() !== Number(m) - 1 || calendar.getUTCDate() !== Number(d)) return null;
  const date = new Date(`${y}-${m}-${d}T${time}${zone}`);
  return Number.isNaN(date.getTime()) ? null : date;
}

// banks often strip or replace the dashes of a transfer note: PN PC08 2026 000123, PNPC082026000123
const NOTICE_IN_TEXT = /\bPN[\s._-]?([A-Z0-9]{2,12}?)[\s._-]?(\d{4})[\s._-]?(\d{6})(?!\d)/i;

const DECISION_IN_TEXT = /\bQ[DĐ][\s._-]?([A-Z0-9]{2,12}?)[\s._-]?(\d{4})[\s._-]?(\d{6})(?!\d)/iu;

/** The penalty decision number a transfer note mentions (QD-… or QĐ-…), in canonical form, or null. */
export function findDecisionNumber(...texts: string[]): string | null {
  for (const text of texts) {
    const m = DECISION_IN_TEXT.exec(text.normalize('NFC'));
    if (m) return `QD-${m[1]!.toUpperCase()}-${m[2]}-${m[3]}`;
  }
  return null;
}

/** The notice number a transfer note mentions, in canonical form, or null. */
export function findNoticeNumber(...texts: string[]): string | null {
  for (const text of texts) {
    const m = NOTICE_IN_TEXT.exec(text.normalize('NFC'));
    if (m) return `PN-${m[1]!.toUpperCase()}-${m[2]}-${m[3]}`;
  }
  return null;
}

/**
 * Records the payments of a bank/treasury statement and reports every line: matched (payment
 * recorded), already recorded (the statement or line was imported before), or unmatched with the
 * reason, for finance to follow up. Each line commits on its own, so one bad line never undoes the others.
 */
export async function importStatement(pool: Pool, content: Buffer | string, method: PaymentMethod, actor: PaymentActor): Promise<ReconciliationReport> {
  const lines = parseStatement(content);
  const outcomes: LineOutcome[] = [];
  for (const l of lines) outcomes.push(await importLine(pool, l, method, actor));
  const sum = (xs: LineOutcome[]) => xs.reduce((s, o) => s + (o.amount ?? 0), 0);
  const matched = outcomes.filter((o) => o.status === 'matched');
  const unmatched = outcomes.filter((o) => o.status === 'unmatched');
  return {
    method,
    lines: lines.length,
    matched: matched.length,
    alreadyRecorded: outcomes.filter((o) => o.status === 'already_recorded').length,
    unmatched: unmatched.length,
    matchedAmount: sum(matched),
    unmatchedAmount: sum(unmatched),
    outcomes,
  };
}

async function importLine(pool: Pool, l: StatementLine, method: PaymentMethod, actor: PaymentActor): Promise<LineOutcome> {
  const amount = parseAmount(l.amount);
  const reference = l.reference.trim() || null;
  // the decision number is what the fine is paid against; a notice number leads to the decision covering it
  const decisionNumber = findDecisionNumber(l.reference, l.description);
  const noticeNumber = decisionNumber ?? findNoticeNumber(l.reference, l.description);
  const unmatched = (reason: UnmatchedReason, message: string): LineOutcome =>
    ({ line: l.line, status: 'unmatched', reason, message, noticeNumber, amount, reference });
  if (amount === null) return unmatched('invalid_line', `Số tiền "${l.amount}" không phải số tiền ghi có (đồng, số nguyên)`);
  const paidAt = parseStatementDate(l.date);
  if (!paidAt) return unmatched('invalid_line', `Ngày "${l.date}" không đúng dạng (YYYY-MM-DD hoặc DD/MM/YYYY)`);
  if (!reference) return unmatched('invalid_line', 'Dòng không có mã giao dịch');
  if (!noticeNumber) return unmatched('no_notice_number', 'Không tìm thấy số quyết định (QD-<đơn vị>-<năm>-<số>) hoặc số thông báo (PN-<đơn vị>-<năm>-<số>) trong mã giao dịch hoặc nội dung');
  try {
    const target = decisionNumber ? { decisionNumber } : { noticeNumber };
    const { payment, created } = await recordPayment(pool, { ...target, amount, paidAt, method, reference }, actor, 'statement_import');
    return { line: l.line, status: created ? 'matched' : 'already_recorded', noticeNumber, paymentId: payment.id, amount, reference };
  } catch (err) {
    if (err instanceof PaymentError) {
      if (err.code === 'paid_in_future' || err.code === 'blank_reference') return unmatched('invalid_line', err.message);
      return unmatched(err.code, err.message);
    }
    throw err;
  }
}
