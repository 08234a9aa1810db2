import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { paymentsOfNotice } from '../../finance/payments.js';
import { NoticeError } from '../../notices/errors.js';
import { NOTICE_NUMBER_PATTERN } from '../../notices/notice-number.js';
import { findNoticeByNumber, listNotices, NOTICE_STATUSES } from '../../notices/queries.js';
import { renderNotice } from '../../notices/render.js';
import { plateKey } from '../../vision/plate-grammar.js';
import { HttpError, notFound } from '../errors.js';
import { ErrorBody, oneOf } from './admin-schemas.js';
import { NoticeSchema, PaymentSchema } from './notice-schemas.js';

const NumberParams = Type.Object({ number: Type.String({ pattern: NOTICE_NUMBER_PATTERN, description: 'notice number, e.g. PN-PC08-2026-000001' }) });

function noticeErrorToHttp(err: unknown): never {
  if (err instanceof NoticeError) {
    const status = err.code === 'notice_not_found' ? 404 : err.code === 'evidence_missing' ? 503 : err.code === 'render_failed' ? 500 : 409;
    throw new HttpError(status, err.code, err.message);
  }
  throw err;
}

export const noticeRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { pool, storage, config } = app.deps;

  app.get('/api/v1/notices', {
    config: { access: ['officer', 'finance', 'admin'] },
    schema: {
      summary: 'Penalty notices, newest first, with paid and outstanding amounts',
      tags: ['notices'], security: [{ bearer: [] }],
      querystring: Type.Object({
        status: Type.Optional(oneOf(NOTICE_STATUSES)),
        plate: Type.Optional(Type.String({ minLength: 1, maxLength: 20, description: 'plate in any spelling (30A-123.45, 30a12345)' })),
        camera: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'camera code' })),
        number: Type.Optional(Type.String({ minLength: 2, maxLength: 32, pattern: '^[A-Za-z0-9-]+$', description: 'notice number or its beginning, e.g. PN-PC08-2026' })),
        owner_id: Type.Optional(Type.String({ pattern: '^[0-9]{10,12}(-?[0-9]{3})?$', description: "the owner's national ID (12 digits) or tax code" })),
        from: Type.Optional(Type.String({ format: 'date-time', description: 'issued at or after' })),
        to: Type.Optional(Type.String({ format: 'date-time', description: 'issued before' })),
        rendered: Type.Optional(Type.Boolean({ description: 'true: only notices with a stored PDF; false: only those still to render' })),
        limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
        offset: Type.Integer({ minimum: 0, default: 0 }),
      }, { additionalProperties: false }),
      response: { 200: Type.Object({ total: Type.Integer(), items: Type.Array(NoticeSchema) }) },
    },
  }, async (request) => {
    const q = request.query;
    return listNotices(pool, {
      status: q.status, plate: q.plate ? plateKey(q.plate) : undefined, cameraCode: q.camera,
      numberPrefix: q.number?.toUpperCase(), ownerIdentifier: q.owner_id,
      issuedFrom: q.from ? new Date(q.from) : undefined, issuedTo: q.to ? new Date(q.to) : undefined,
      rendered: q.rendered, limit: q.limit, offset: q.offset,
    });
  });

  app.get('/api/v1/notices/:number', {
    config: { access: ['officer', 'finance', 'admin'] },
    schema: {
      summary: 'One notice with its payments',
      tags: ['notices'], security: [{ bearer: [] }],
      params: NumberParams,
      response: { 200: Type.Intersect([NoticeSchema, Type.Object({ payments: Type.Array(PaymentSchema) })]), 404: ErrorBody },
    },
  }, async (request) => {
    const notice = await findNoticeByNumber(pool, request.params.number);
    if (!notice) throw notFound(`thông báo ${request.params.number}`);
    return { ...notice, payments: await paymentsOfNotice(pool, notice.noticeNumber) };
  });

  app.get('/api/v1/notices/:number/pdf', {
    config: { access: ['officer', 'admin'] },
    schema: {
      summary: 'The notice PDF as issued; X-Content-SHA256 carries the hash recorded at rendering',
      tags: ['notices'], security: [{ bearer: [] }],
      params: NumberParams,
      produces: ['application/pdf'],
      response: {
        200: Type.Unsafe<Buffer>({ type: 'string', format: 'binary', description: 'application/pdf' }),
        404: ErrorBody, 409: ErrorBody, 503: ErrorBody,
      },
    },
  }, async (request, reply) => {
    const notice = await findNoticeByNumber(pool, request.params.number);
    if (!notice) throw notFound(`thông báo ${request.params.number}`);
    if (!notice.pdfSha256) {
      throw new HttpError(409, 'pdf_not_rendered',
        `Thông báo ${notice.noticeNumber} chưa được tạo bản PDF; gọi POST /api/v1/notices/${notice.noticeNumber}/render hoặc chạy npm run notices:render`);
    }
    const pdf = await storage.get(notice.pdfSha256);
    if (!pdf) {
      throw new HttpError(503, 'pdf_unavailable', `Bản PDF của thông báo ${notice.noticeNumber} (sha256 ${notice.pdfSha256}) không còn trong kho lưu trữ; hãy tạo lại`);
    }
    return reply
      .header('content-type', 'application/pdf')
      .header('content-disposition', `inline; filename="${notice.noticeNumber}.pdf"`)
      .header('x-content-sha256', notice.pdfSha256)
      .send(pdf);
  });

  app.post('/api/v1/notices/:number/render', {
    config: { access: ['officer', 'admin'] },
    schema: {
      summary: 'Render (or re-render a lost) notice PDF now; returns the stored hash. Idempotent',
      tags: ['notices'], security: [{ bearer: [] }],
      params: NumberParams,
      response: { 200: Type.Object({ noticeNumber: Type.String(), sha256: Type.String() }), 404: ErrorBody, 503: ErrorBody },
    },
  }, async (request) => {
    const notice = await findNoticeByNumber(pool, request.params.number);
    if (!notice) throw notFound(`thông báo ${request.params.number}`);
    const { sha256 } = await renderNotice({ pool, storage, config }, notice.id).catch(noticeErrorToHttp);
    return { noticeNumber: notice.noticeNumber, sha256 };
  });
};
