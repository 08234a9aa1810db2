import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { withTransaction } from '../../db/pool.js';
import { assignCameraUnit, createUnit, listUnits, UNIT_KINDS, UnitError, type UnitKey } from '../../units/units.js';
import { HttpError } from '../errors.js';
import { AfterParam, decodeCursor, encodeCursor, invalidCursor, NextCursor, pageLimit } from '../paging.js';
import { ErrorBody, Nullable, oneOf } from './admin-schemas.js';

const UNIT_ERROR_STATUS = { unit_not_found: 404, camera_not_found: 404, unit_exists: 409, no_commune_unit: 409, invalid_unit: 400 } as const;

function unitErrorToHttp(err: unknown): never {
  if (err instanceof UnitError) throw new HttpError(UNIT_ERROR_STATUS[err.code], err.code, err.message);
  throw err;
}

const UnitBody = Type.Object({
  code: Type.String({ pattern: '^[A-Z0-9]{2,12}$', description: 'unit code used in paper numbers, e.g. PC08BN' }),
  kind: oneOf(UNIT_KINDS),
  name: Type.String({ minLength: 1, maxLength: 200, description: 'e.g. Phòng Cảnh sát giao thông' }),
  parentName: Nullable(Type.String({ minLength: 1, maxLength: 200, description: 'e.g. CÔNG AN TỈNH BẮC NINH' })),
  address: Type.String({ minLength: 1, maxLength: 300 }),
  phone: Type.String({ pattern: '^\\+?[0-9]{9,12}$' }),
  commune: Nullable(Type.String({ minLength: 1, maxLength: 100, description: 'xã/phường served (commune police only), e.g. Xã Lạng Giang' })),
  province: Type.String({ minLength: 1, maxLength: 100, description: 'one of the 34 provinces, e.g. Tỉnh Bắc Ninh' }),
}, { additionalProperties: false });
const UnitSchema = Type.Intersect([Type.Object({ id: Type.Integer() }), UnitBody]);

/** Detecting and handling units, and which unit each camera detects for. */
export const unitRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { pool } = app.deps;

  app.get('/api/v1/units', {
    config: { access: ['officer', 'operator', 'finance', 'admin'] },
    schema: { summary: 'Handling units (traffic police and commune/ward police) by province, a page at a time', tags: ['units'], security: [{ bearer: [] }],
      querystring: Type.Object({ limit: pageLimit(500, 100), after: AfterParam }, { additionalProperties: false }),
      response: { 200: Type.Object({ items: Type.Array(UnitSchema), nextCursor: NextCursor }), 400: ErrorBody } },
  }, async (request) => {
    const after = decodeCursor(request.query.after, ['text', 'text', 'text']);
    if (after && !(UNIT_KINDS as readonly string[]).includes(after[1])) throw invalidCursor();
    const page = await listUnits(pool, { limit: request.query.limit, ...(after ? { after: after as UnitKey } : {}) });
    return { items: page.items, nextCursor: page.next ? encodeCursor(page.next) : null };
  });

  app.post('/api/v1/units', {
    config: { access: ['admin'] },
    schema: { summary: 'Add a handling unit', tags: ['units'], security: [{ bearer: [] }], body: UnitBody,
      response: { 201: UnitSchema, 400: ErrorBody, 409: ErrorBody } },
  }, async (request, reply) => {
    const user = request.user!;
    const unit = await withTransaction(pool, (tx) => createUnit(tx, request.body, { id: user.id, username: user.username })).catch(unitErrorToHttp);
    return reply.status(201).send(unit);
  });

  app.put('/api/v1/cameras/:code/detecting-unit', {
    config: { access: ['operator', 'admin'] },
    schema: { summary: 'Set the unit a camera detects for: its notices are issued in that unit\'s name', tags: ['units'], security: [{ bearer: [] }],
      params: Type.Object({ code: Type.String({ minLength: 1, maxLength: 64 }) }),
      body: Type.Object({ unitCode: Type.String({ pattern: '^[A-Z0-9]{2,12}$' }) }, { additionalProperties: false }),
      response: { 200: Type.Object({ cameraCode: Type.String(), unitCode: Type.String() }), 404: ErrorBody } },
  }, async (request) => {
    const user = request.user!;
    await withTransaction(pool, (tx) => assignCameraUnit(tx, request.params.code, request.body.unitCode, { id: user.id, username: user.username }))
      .catch(unitErrorToHttp);
    return { cameraCode: request.params.code, unitCode: request.body.unitCode };
  });
};
