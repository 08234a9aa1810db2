import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import multipart from '@fastify/multipart';
import { outstandingCsv, reconciliationCsv, totalsCsv } from '../../finance/csv-export.js';
import { PAYMENT_METHODS, recordPayment } from '../../finance/payments.js';
import { AGING_BUCKETS, outstandingItems, outstandingPage, outstandingSummary, TOTAL_GROUPS, totalsReport, type OutstandingCursor } from '../../finance/reports.js';
import { importStatement, StatementFormatError } from '../../finance/statement.js';
import { NOTICE_NUMBER_PATTERN } from '../../notices/notice-number.js';
import { DECISION_NUMBER_PATTERN } from '../../procedure/numbers.js';
import { HttpError, badRequest, domainErrorToHttp } from '../errors.js';
import { ErrorBody, oneOf } from './admin-schemas.js';
import { sendCsv, sendCsvStream, sendSpreadsheet } from './csv-reply.js';
import { PaymentSchema } from './notice-schemas.js';

const FINANCE = { access: ['finance', 'admin'] as const };
const STATEMENT_MAX_BYTES = 5_000_000;
const Format = Type.Union([Type.Literal('json'), Type.Literal('csv'), Type.Literal('xlsx')],
  { default: 'json', description: 'csv (UTF-8 with byte-order mark) or xlsx downloads the report for a spreadsheet' });

/** Largest page of the outstanding list a client may ask for. */
const OUTSTANDING_MAX_PAGE = 1000;

const encodeCursor = (c: OutstandingCursor) => Buffer.from(JSON.stringify([c.issuedAt, c.id])).toString('base64url');

/** null when the text is not a cursor this route made. */
function decodeCursor(text: string): OutstandingCursor | null {
  try {
    const v = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as unknown;
    if (!Array.isArray(v) || typeof v[0] !== 'string' || Number.isNaN(Date.parse(v[0])) || !Number.isSafeInteger(v[1])) return null;
    return { issuedAt: v[0], id: v[1] as number };
  } catch {
    return null;
  }
}

const Outcome = Type.Object({
  line: Type.Integer({ description: 'line number in the file, header = 1' }),
  status: Type.Union([Type.Literal('matched'), Type.Literal('already_recorded'), Type.Literal('unmatched')]),
  reason: Type.Optional(Type.String({ description: 'why a line is unmatched: invalid_line, no_notice_number, unknown_notice, unknown_decision, no_decision, amount_mismatch, decision_already_paid, notice_already_paid, notice_cancelled, reference_reused, paid_before_notice' })),
  message: Type.Optional(Type.String()),
  noticeNumber: Type.Union([Type.String(), Type.Null()], { description: 'the decision number (QD-…) or notice number (PN-…) the line carried' }),
  paymentId: Type.Optional(Type.Integer()),
  amount: Type.Union([Type.Integer(), Type.Null()]),
  reference: Type.Union([Type.String(), Type.Null()]),
});

const Reconciliation = Type.Object({
  method: Type.String(), lines: Type.Integer(), matched: Type.Integer(), alreadyRecorded: Type.Integer(), unmatched: Type.Integer(),
  matchedAmount: Type.Integer(), unmatchedAmount: Type.Integer(), outcomes: Type.Array(Outcome),
});

const Totals = Type.Object({ issuedCount: Type.Integer(), issued: Type.Integer(), collectedCount: Type.Integer(), collected: Type.Integer(), outstanding: Type.Integer() });

const OutstandingSummaryFields = {
  count: Type.Integer({ description: 'all unpaid notices, not only this page' }),
  total: Type.Integer(),
  buckets: Type.Array(Type.Object({ bucket: oneOf(AGING_BUCKETS), count: Type.Integer(), amount: Type.Integer() })),
};

/** Payments (manual and statement import) and the finance reports; finance staff and admins only. */
export const financeRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { pool } = app.deps;
  await app.register(multipart, { limits: { fileSize: STATEMENT_MAX_BYTES, files: 1, fields: 5, fieldSize: 200, parts: 6 } });

  app.post('/api/v1/payments', {
    config: FINANCE,
    schema: {
      summary: 'Record a full payment of a penalty decision; closes the cases it decided (resolves their notices)',
      description: 'The amount must equal the outstanding amount (partial and over-payments get 422 with the outstanding amount). '
        + 'The same method + reference again returns the payment already recorded with 200 (safe to retry); 201 when recorded now.',
      tags: ['finance'], security: [{ bearer: [] }],
      body: Type.Object({
        decisionNumber: Type.Optional(Type.String({ pattern: DECISION_NUMBER_PATTERN, description: 'the penalty decision paid' })),
        noticeNumber: Type.Optional(Type.String({ pattern: NOTICE_NUMBER_PATTERN, description: 'or the notice the payer quoted: paid against the decision covering it' })),
        amount: Type.Integer({ minimum: 1, description: 'VND' }),
        paidAt: Type.String({ format: 'date-time' }),
        method: oneOf(PAYMENT_METHODS),
        reference: Type.String({ minLength: 1, maxLength: 100, description: 'bank/treasury transaction id or receipt number' }),
      }, { additionalProperties: false }),
      response: { 201: PaymentSchema, 200: PaymentSchema, 400: ErrorBody, 404: ErrorBody, 409: ErrorBody, 422: ErrorBody },
    },
  }, async (request, reply) => {
    const b = request.body;
    const user = request.user!;
    if (!b.decisionNumber === !b.noticeNumber) throw badRequest('invalid_request', 'Cần đúng một trong hai: số quyết định (decisionNumber) hoặc số thông báo (noticeNumber)');
    const { payment, created } = await recordPayment(pool,
      { decisionNumber: b.decisionNumber, noticeNumber: b.noticeNumber, amount: b.amount, paidAt: new Date(b.paidAt), method: b.method, reference: b.reference.trim() },
      { id: user.id, username: user.username }, 'manual').catch(domainErrorToHttp);
    return reply.status(created ? 201 : 200).send(payment);
  });

  app.post('/api/v1/payments/import', {
    config: FINANCE,
    schema: {
      summary: 'Import a bank or treasury statement (CSV) and get the reconciliation report',
      description: 'multipart/form-data: `file` = CSV with header date,amount,reference,description (see docs/notices-and-finance.md), '
        + 'optional field `method` = bank_transfer (default) or treasury, sent BEFORE the file. Lines are matched by the notice number in the '
        + 'reference or description. Re-importing a statement records nothing twice (lines come back as already_recorded). ?format=csv returns the report as CSV.',
      tags: ['finance'], security: [{ bearer: [] }],
      consumes: ['multipart/form-data'],
      querystring: Type.Object({ format: Format }, { additionalProperties: false }),
      response: { 200: Reconciliation, 400: ErrorBody, 413: ErrorBody, 415: ErrorBody },
    },
  }, async (request, reply) => {
    if (!request.isMultipart()) throw new HttpError(415, 'not_multipart', 'Hãy gửi tệp sao kê dạng multipart/form-data, trong trường `file`');
    let method: 'bank_transfer' | 'treasury' = 'bank_transfer';
    let content: Buffer | null = null;
    for await (const part of request.parts()) {
      if (part.type === 'file') {
        if (part.fieldname !== 'file') throw badRequest('unexpected_file', `Trường chứa tệp sao kê phải tên là file, không phải ${part.fieldname}`);
        content = await part.toBuffer().catch((err: Error & { code?: string }) => {
          if (err.code === 'FST_REQ_FILE_TOO_LARGE') throw new HttpError(413, 'statement_too_large', `Tệp sao kê tối đa ${STATEMENT_MAX_BYTES} byte; hãy chia thành nhiều tệp`);
          throw err;
        });
      } else if (part.fieldname === 'method') {
        if (part.value !== 'bank_transfer' && part.value !== 'treasury') throw badRequest('invalid_method', 'Hình thức (method) phải là bank_transfer (chuyển khoản) hoặc treasury (kho bạc)');
        method = part.value;
      }
    }
    if (!content) throw badRequest('missing_file', 'Thiếu trường `file` chứa tệp sao kê CSV');
    const user = request.user!;
    const report = await importStatement(pool, content, method, { id: user.id, username: user.username }).catch((err: unknown) => {
      if (err instanceof StatementFormatError) throw badRequest('invalid_statement', err.message);
      throw err;
    });
    if (request.query.format === 'csv') return sendCsv(reply, 'reconciliation.csv', reconciliationCsv(report));
    if (request.query.format === 'xlsx') return sendSpreadsheet(reply, 'reconciliation.xlsx', reconciliationCsv(report));
    return report;
  });

  app.get('/api/v1/finance/outstanding', {
    config: FINANCE,
    schema: {
      summary: 'Unpaid notices with aging buckets by days since issue (0-20, 21-60, 61-180, >180)',
      tags: ['finance'], security: [{ bearer: [] }],
      querystring: Type.Object({
        asOf: Type.Optional(Type.String({ format: 'date-time', description: 'report the state at this time (default now)' })),
        format: Format,
        limit: Type.Integer({ minimum: 1, maximum: OUTSTANDING_MAX_PAGE, default: 200, description: 'notices per page (JSON); CSV and .xlsx hold them all' }),
        after: Type.Optional(Type.String({ maxLength: 200, description: '`nextCursor` of the previous page (same asOf)' })),
        summary: Type.Optional(Type.Boolean({ description: 'include count, total and buckets of the whole list (default: on the first page only; '
          + 'they read every unpaid notice, GET /api/v1/finance/outstanding/summary gives them alone)' })),
      }, { additionalProperties: false }),
      response: {
        200: Type.Object({
          asOf: Type.String(),
          nextCursor: Type.Union([Type.String(), Type.Null()], { description: 'pass as `after` for the next page; null on the last page' }),
          count: Type.Optional(OutstandingSummaryFields.count), total: Type.Optional(OutstandingSummaryFields.total),
          buckets: Type.Optional(OutstandingSummaryFields.buckets),
          items: Type.Array(Type.Object({
            noticeNumber: Type.String(), plate: Type.String(), cameraCode: Type.String(), rule: Type.String(), status: Type.String(),
            amount: Type.Integer(), outstanding: Type.Integer(), issuedAt: Type.String(), dueAt: Type.String(), ageDays: Type.Integer(), bucket: oneOf(AGING_BUCKETS),
          })),
        }),
      },
    },
  }, async (request, reply) => {
    const q = request.query;
    const asOf = q.asOf ? new Date(q.asOf) : new Date();
    if (q.format === 'csv') {
      // streamed a chunk of notices at a time: the export of a whole province never sits in memory
      return sendCsvStream(reply, 'outstanding.csv', (async function* () {
        let first = true;
        for await (const items of outstandingItems(pool, asOf)) {
          yield outstandingCsv(items, first);
          first = false;
        }
        if (first) yield outstandingCsv([], true);
      })());
    }
    if (q.format === 'xlsx') {
      // a workbook is built whole in memory; the CSV is the export for very long lists
      let csv = '';
      for await (const items of outstandingItems(pool, asOf)) csv += outstandingCsv(items, csv === '');
      return sendSpreadsheet(reply, 'outstanding.xlsx', csv || outstandingCsv([], true));
    }
    const after = q.after === undefined ? undefined : decodeCursor(q.after);
    if (after === null) throw badRequest('invalid_cursor', 'Con trỏ trang ("after") không hợp lệ: hãy dùng nextCursor của trang trước');
    const withSummary = q.summary ?? after === undefined;
    const [page, summary] = await Promise.all([
      outstandingPage(pool, asOf, { limit: q.limit, ...(after ? { after } : {}) }),
      withSummary ? outstandingSummary(pool, asOf) : undefined,
    ]);
    return { ...summary, ...page, nextCursor: page.nextCursor ? encodeCursor(page.nextCursor) : null };
  });

  app.get('/api/v1/finance/outstanding/summary', {
    config: FINANCE,
    schema: {
      summary: 'Count, total and aging buckets of all unpaid notices, without the list',
      tags: ['finance'], security: [{ bearer: [] }],
      querystring: Type.Object({
        asOf: Type.Optional(Type.String({ format: 'date-time', description: 'report the state at this time (default now)' })),
      }, { additionalProperties: false }),
      response: { 200: Type.Object({ asOf: Type.String(), ...OutstandingSummaryFields }) },
    },
  }, async (request) => outstandingSummary(pool, request.query.asOf ? new Date(request.query.asOf) : new Date()));

  app.get('/api/v1/finance/totals', {
    config: FINANCE,
    schema: {
      summary: 'Issued, collected and outstanding amounts over [from, to), by month, camera or violation type',
      tags: ['finance'], security: [{ bearer: [] }],
      querystring: Type.Object({
        from: Type.String({ format: 'date-time' }),
        to: Type.String({ format: 'date-time' }),
        group: oneOf(TOTAL_GROUPS),
        format: Format,
      }, { additionalProperties: false }),
      response: {
        200: Type.Object({
          from: Type.String(), to: Type.String(), group: Type.String(),
          rows: Type.Array(Type.Intersect([Type.Object({ key: Type.String() }), Totals])),
          total: Totals,
        }),
        400: ErrorBody,
      },
    },
  }, async (request, reply) => {
    const from = new Date(request.query.from);
    const to = new Date(request.query.to);
    if (!(from < to)) throw badRequest('invalid_range', 'Ngày bắt đầu (from) phải trước ngày kết thúc (to)');
    const report = await totalsReport(pool, { from, to }, request.query.group);
    if (request.query.format === 'csv') return sendCsv(reply, `totals-by-${report.group}.csv`, totalsCsv(report));
    if (request.query.format === 'xlsx') return sendSpreadsheet(reply, `totals-by-${report.group}.xlsx`, totalsCsv(report));
    return report;
  });
};
