import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { escalateOverdue, form04Count, form04Page, registryCount, registryEntries, registryPage, type EscalationKey } from '../../escalation/escalate.js';
import { registryCsvChunks } from '../../escalation/registry-csv.js';
import { Form04Error } from '../../escalation/form04.js';
import { renderForm04 } from '../../escalation/form04-pdf.js';
import { HttpError } from '../errors.js';
import { ErrorBody } from './admin-schemas.js';
import { sendCsvStream } from './csv-reply.js';
import { AfterParam, decodeCursor, encodeCursor, NextCursor, pageLimit } from '../paging.js';

const escalationKey = (after: string | undefined) => decodeCursor(after, ['time', 'int']) as EscalationKey | undefined;

const Entry = Type.Object({
  plate: Type.String(), plateKey: Type.String(), vehicleType: Type.String(), noticeNumber: Type.String(),
  violationDate: Type.String({ format: 'date-time' }), dueDate: Type.String({ format: 'date-time' }),
  escalatedAt: Type.String({ format: 'date-time' }), liftedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});

/** The inspection registry list (vehicles held until their notice is resolved) and the escalation run. */
export const escalationRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { pool, storage, config } = app.deps;

  app.get('/api/v1/escalations', {
    config: { access: ['officer', 'admin'] },
    schema: {
      summary: 'Vehicles reported to the inspection registry: active holds, or holds lifted by resolution (?state=lifted)',
      tags: ['notices'], security: [{ bearer: [] }],
      querystring: Type.Object({
        state: Type.Union([Type.Literal('active'), Type.Literal('lifted')], { default: 'active' }),
        since: Type.Optional(Type.String({ format: 'date-time', description: 'lifted only: resolved at or after' })),
        format: Type.Union([Type.Literal('json'), Type.Literal('csv')], { default: 'json', description: 'csv: the whole list, streamed (limit and after do not apply)' }),
        limit: pageLimit(500, 100),
        after: AfterParam,
      }, { additionalProperties: false }),
      response: { 200: Type.Object({ state: Type.String(), count: Type.Integer({ description: 'entries of the whole list, not only this page' }),
        entries: Type.Array(Entry), nextCursor: NextCursor }), 400: ErrorBody },
    },
  }, async (request, reply) => {
    const q = request.query;
    const since = q.since ? new Date(q.since) : undefined;
    if (q.format === 'csv') return sendCsvStream(reply, `inspection-registry-${q.state}.csv`, registryCsvChunks(registryEntries(pool, q.state, since)));
    const after = escalationKey(q.after);
    const [page, count] = await Promise.all([registryPage(pool, q.state, { limit: q.limit, after, since }), registryCount(pool, q.state, since)]);
    return { state: q.state, count, entries: page.items, nextCursor: page.next ? encodeCursor(page.next) : null };
  });

  app.get('/api/v1/escalations/form04', {
    config: { access: ['officer', 'admin'] },
    schema: {
      summary: 'Motorbike cases unresolved 20 days after the notice: form-04 notices to the commune/ward police of the owner',
      tags: ['notices'], security: [{ bearer: [] }],
      querystring: Type.Object({ limit: pageLimit(200, 50), after: AfterParam }, { additionalProperties: false }),
      response: { 400: ErrorBody, 200: Type.Object({ count: Type.Integer({ description: 'entries of the whole list, not only this page' }), nextCursor: NextCursor, entries: Type.Array(Type.Object({
        noticeNumber: Type.String(), formNumber: Type.Union([Type.String(), Type.Null()]), plate: Type.String(), vehicleType: Type.String(), violationDate: Type.String({ format: 'date-time' }),
        escalatedAt: Type.String({ format: 'date-time' }), ownerName: Type.String(), ownerAddress: Type.String(),
        communePolice: Type.Union([Type.Object({ code: Type.String(), name: Type.String(), address: Type.String(), phone: Type.String() }), Type.Null()]),
      })) }) },
    },
  }, async (request) => {
    const after = escalationKey(request.query.after);
    const [page, count] = await Promise.all([form04Page(pool, { limit: request.query.limit, after }), form04Count(pool)]);
    return { count, entries: page.items, nextCursor: page.next ? encodeCursor(page.next) : null };
  });

  app.get('/api/v1/escalations/form04/:noticeNumber/pdf', {
    config: { access: ['officer', 'admin'] },
    schema: {
      summary: 'The form-04 notice to the commune/ward police of a motorbike case unresolved 20 days after its notice, as a Vietnamese PDF (rendered and stored on first request)',
      tags: ['notices'], security: [{ bearer: [] }], produces: ['application/pdf'],
      params: Type.Object({ noticeNumber: Type.String({ pattern: '^PN-[A-Z0-9]{2,12}-[0-9]{4}-[0-9]{6}$', description: 'the number of the original notice' }) }),
      response: { 200: Type.Unsafe<Buffer>({ type: 'string', format: 'binary' }), 404: ErrorBody },
    },
  }, async (request, reply) => {
    const configuredUnit = { name: config.DETECTING_UNIT, address: config.NOTICE_UNIT_ADDRESS, phone: config.NOTICE_CONTACT_PHONE };
    const { sha256, pdf, formNumber } = await renderForm04({ pool, storage, configuredUnit }, request.params.noticeNumber).catch((err: unknown) => {
      if (err instanceof Form04Error) throw new HttpError(err.status, err.code, err.message);
      throw err;
    });
    return reply.header('content-type', 'application/pdf').header('content-disposition', `inline; filename="${formNumber}.pdf"`)
      .header('x-content-sha256', sha256).send(pdf);
  });

  app.post('/api/v1/escalations/run', {
    config: { access: ['admin'] },
    schema: {
      summary: 'Run the daily escalation now: notices past their due date become escalated (normally run by npm run escalate)',
      tags: ['notices'], security: [{ bearer: [] }],
      response: {
        200: Type.Object({ escalated: Type.Array(Type.Object({ noticeNumber: Type.String(), plate: Type.String(), dueAt: Type.String({ format: 'date-time' }),
          kind: Type.Union([Type.Literal('inspection_registry'), Type.Literal('commune_police')]) })) }),
        401: ErrorBody,
      },
    },
  }, async () => {
    const escalated = await escalateOverdue(pool, new Date());
    return { escalated: escalated.map((e) => ({ noticeNumber: e.noticeNumber, plate: e.plate, dueAt: e.dueAt.toISOString(), kind: e.kind })) };
  });
};
