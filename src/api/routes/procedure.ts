import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { withTransaction } from '../../db/pool.js';
import { paymentsOfDecision } from '../../finance/payments.js';
import { NOTICE_NUMBER_PATTERN } from '../../notices/notice-number.js';
import { pointsLedger } from '../../points/ledger.js';
import { issueDecision } from '../../procedure/decisions.js';
import { forwardNotice } from '../../procedure/forward.js';
import { DECISION_NUMBER_PATTERN, RECORD_NUMBER_PATTERN } from '../../procedure/numbers.js';
import { OWNER_RESPONSES, recordOwnerResponse, type OwnerResponseInput } from '../../procedure/owner-response.js';
import { renderPaper } from '../../procedure/papers.js';
import { findDecision, findRecord, openRecordsOfViolator, procedureOfNotice } from '../../procedure/queries.js';
import { makeViolationRecord } from '../../procedure/records.js';
import { badRequest, domainErrorToHttp, notFound } from '../errors.js';
import { ErrorBody, oneOf } from './admin-schemas.js';

const OFFICERS = { access: ['officer', 'admin'] as const };
const secured = { tags: ['procedure'], security: [{ bearer: [] }] };
const NoticeParams = Type.Object({ number: Type.String({ pattern: NOTICE_NUMBER_PATTERN }) });
const RecordParams = Type.Object({ number: Type.String({ pattern: RECORD_NUMBER_PATTERN }) });
const DecisionParams = Type.Object({ number: Type.String({ pattern: DECISION_NUMBER_PATTERN }) });
const PersonalId = Type.String({ pattern: '^[0-9]{12}$', description: 'số định danh cá nhân, 12 digits' });
const Licence = Type.String({ pattern: '^[0-9]{12}$', description: 'driving licence number, 12 digits' });
const Errors = { 400: ErrorBody, 404: ErrorBody, 409: ErrorBody };

/** The penalty procedure after the notice: forwarding, the owner's answer, record, decision, their PDFs, and the points ledger. */
export const procedureRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { pool, storage } = app.deps;
  const actorOf = (request: { user: { id: number; username: string } | null }) => ({ id: request.user!.id, username: request.user!.username });

  app.get('/api/v1/notices/:number/procedure', {
    config: { access: ['officer', 'finance', 'admin'] },
    schema: { summary: 'Where a case stands: handling unit, owner response, record and decision', ...secured, params: NoticeParams,
      response: { 200: Type.Unknown(), 404: ErrorBody } },
  }, async (request) => {
    const p = await procedureOfNotice(pool, request.params.number);
    if (!p) throw notFound(`thông báo ${request.params.number}`);
    return p;
  });

  app.post('/api/v1/notices/:number/forward', {
    config: OFFICERS,
    schema: { summary: 'Forward a case to another unit; without unitCode, to the commune/ward police serving the owner\'s address', ...secured,
      params: NoticeParams, body: Type.Object({ unitCode: Type.Optional(Type.String({ pattern: '^[A-Z0-9]{2,12}$' })) }, { additionalProperties: false }),
      response: { 200: Type.Object({ noticeNumber: Type.String(), unitCode: Type.String(), unitName: Type.String() }), ...Errors } },
  }, async (request) => {
    const unit = await withTransaction(pool, (tx) => forwardNotice(tx, request.params.number, request.body.unitCode, actorOf(request))).catch(domainErrorToHttp);
    return { noticeNumber: request.params.number, unitCode: unit.code, unitName: unit.name };
  });

  app.post('/api/v1/notices/:number/owner-response', {
    config: OFFICERS,
    schema: {
      summary: 'Record the owner\'s answer: they drove (licenceNumber), they name the driver (driver), or they do not cooperate (fined as owner)',
      ...secured, params: NoticeParams,
      body: Type.Object({
        response: oneOf(OWNER_RESPONSES),
        licenceNumber: Type.Optional(Licence),
        driver: Type.Optional(Type.Object({ nationalId: PersonalId, fullName: Type.String({ minLength: 1, maxLength: 200 }), licenceNumber: Licence,
          address: Type.String({ minLength: 1, maxLength: 300 }) }, { additionalProperties: false })),
      }, { additionalProperties: false }),
      response: { 201: Type.Unknown(), ...Errors },
    },
  }, async (request, reply) => {
    const b = request.body;
    let input: OwnerResponseInput;
    if (b.response === 'owner_is_driver') {
      if (!b.licenceNumber || b.driver) throw badRequest('invalid_request', 'Chủ phương tiện là người điều khiển: cần số giấy phép lái xe (licenceNumber), không kèm driver');
      input = { response: 'owner_is_driver', licenceNumber: b.licenceNumber };
    } else if (b.response === 'driver_named') {
      if (!b.driver || b.licenceNumber) throw badRequest('invalid_request', 'Cần thông tin người điều khiển (driver: nationalId, fullName, licenceNumber, address)');
      input = { response: 'driver_named', driver: b.driver };
    } else {
      if (b.driver || b.licenceNumber) throw badRequest('invalid_request', 'Chủ phương tiện không hợp tác: không kèm thông tin người điều khiển');
      input = { response: 'non_cooperation' };
    }
    const r = await withTransaction(pool, (tx) => recordOwnerResponse(tx, request.params.number, input, actorOf(request))).catch(domainErrorToHttp);
    return reply.status(201).send(r);
  });

  app.post('/api/v1/notices/:number/record', {
    config: OFFICERS,
    schema: { summary: 'Make the violation record (biên bản) of a case whose violator is known; refused after the one-year limitation', ...secured,
      params: NoticeParams, body: Type.Object({ statement: Type.Optional(Type.String({ maxLength: 2000 })) }, { additionalProperties: false }),
      response: { 201: Type.Object({ recordNumber: Type.String() }), ...Errors } },
  }, async (request, reply) => {
    const r = await withTransaction(pool, (tx) => makeViolationRecord(tx, request.params.number, request.body, actorOf(request), new Date()))
      .catch(domainErrorToHttp);
    return reply.status(201).send({ recordNumber: r.recordNumber });
  });

  app.get('/api/v1/records', {
    config: { access: ['officer', 'admin'] },
    schema: { summary: 'Records of one violator no decision covers yet (open cases): what may be decided together', ...secured,
      querystring: Type.Object({ violator_id: Type.String({ pattern: '^[0-9]{10,12}(-?[0-9]{3})?$', description: 'personal ID number (12 digits) or tax code' }) },
        { additionalProperties: false }),
      response: { 200: Type.Object({ items: Type.Array(Type.Object({
        recordNumber: Type.String(), noticeNumber: Type.String(), madeAt: Type.String({ format: 'date-time' }), plate: Type.String(),
        occurredAt: Type.String({ format: 'date-time' }), description: Type.String(), legalClause: Type.String(), fineMin: Type.Integer(), fineMax: Type.Integer(),
        points: Type.Integer(), response: oneOf(OWNER_RESPONSES) })) }) } },
  }, async (request) => ({ items: await openRecordsOfViolator(pool, request.query.violator_id) }));

  app.get('/api/v1/records/:number', {
    config: { access: ['officer', 'finance', 'admin'] },
    schema: { summary: 'One violation record', ...secured, params: RecordParams, response: { 200: Type.Unknown(), 404: ErrorBody } },
  }, async (request) => {
    const r = await findRecord(pool, request.params.number);
    if (!r) throw notFound(`biên bản ${request.params.number}`);
    return r;
  });

  app.post('/api/v1/decisions', {
    config: OFFICERS,
    schema: {
      summary: 'Issue a penalty decision for one violator\'s records: fines added (midpoint unless an amount with a reason is given), the largest point deduction',
      ...secured,
      body: Type.Object({
        items: Type.Array(Type.Object({
          recordNumber: Type.String({ pattern: RECORD_NUMBER_PATTERN }),
          amount: Type.Optional(Type.Integer({ minimum: 1, description: 'VND, inside the legal range' })),
          reason: Type.Optional(Type.String({ minLength: 1, maxLength: 1000, description: 'required when the amount is not the midpoint' })),
        }, { additionalProperties: false }), { minItems: 1, maxItems: 20 }),
      }, { additionalProperties: false }),
      response: { 201: Type.Object({ decisionNumber: Type.String(), totalAmount: Type.Integer(), pointsDeducted: Type.Integer() }), ...Errors },
    },
  }, async (request, reply) => {
    const d = await withTransaction(pool, (tx) => issueDecision(tx, request.body.items, actorOf(request), new Date())).catch(domainErrorToHttp);
    return reply.status(201).send({ decisionNumber: d.decisionNumber, totalAmount: d.totalAmount, pointsDeducted: d.pointsDeducted });
  });

  app.get('/api/v1/decisions/:number', {
    config: { access: ['officer', 'finance', 'admin'] },
    schema: { summary: 'One penalty decision with its items and payments', ...secured, params: DecisionParams,
      response: { 200: Type.Unknown(), 404: ErrorBody } },
  }, async (request) => {
    const d = await findDecision(pool, { number: request.params.number });
    if (!d) throw notFound(`quyết định ${request.params.number}`);
    return { ...d, payments: await paymentsOfDecision(pool, d.decisionNumber) };
  });

  for (const kind of ['record', 'decision'] as const) {
    app.get(`/api/v1/${kind}s/:number/pdf`, {
      config: { access: ['officer', 'admin'] },
      schema: { summary: `The ${kind === 'record' ? 'violation record' : 'penalty decision'} as a Vietnamese PDF (rendered and stored on first request)`,
        ...secured, params: kind === 'record' ? RecordParams : DecisionParams, produces: ['application/pdf'],
        response: { 200: Type.Unsafe<Buffer>({ type: 'string', format: 'binary' }), 404: ErrorBody } },
    }, async (request, reply) => {
      const { number } = request.params as { number: string };
      const { sha256, pdf } = await renderPaper({ pool, storage }, kind, number).catch(domainErrorToHttp);
      return reply.header('content-type', 'application/pdf').header('content-disposition', `inline; filename="${number}.pdf"`)
        .header('x-content-sha256', sha256).send(pdf);
    });
  }

  app.get('/api/v1/points/:nationalId', {
    config: { access: ['officer', 'admin'] },
    schema: { summary: 'A driver\'s licence points: 12, deductions by effective decisions, restoration after 12 months without deduction', ...secured,
      params: Type.Object({ nationalId: PersonalId }), response: { 200: Type.Unknown() } },
  }, async (request) => pointsLedger(pool, request.params.nationalId, new Date()));
};
