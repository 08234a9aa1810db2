import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { withTransaction } from '../../db/pool.js';
import { auditedPlateHistory, decodeCursor, encodeCursor } from '../../investigations/plate-history.js';
import { plateKey } from '../../vision/plate-grammar.js';
import { badRequest } from '../errors.js';

const ErrorSchema = Type.Object({ error: Type.String(), message: Type.String(), details: Type.Optional(Type.Unknown()) });

const SightingSchema = Type.Object({
  readId: Type.Integer(),
  captureId: Type.Integer(),
  capturedAt: Type.String({ format: 'date-time' }),
  plateText: Type.String({ description: 'the plate as read at this sighting' }),
  confidence: Type.Number(),
  camera: Type.Object({ id: Type.Integer(), code: Type.String(), name: Type.String(), address: Type.String(), province: Type.String() }),
  imageUrl: Type.String({ description: 'the original camera image (evidence route)' }),
});

/** Lookups for investigators: where and when cameras saw a vehicle. Every lookup is audited. */
export const investigationRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { pool } = app.deps;

  app.get('/api/v1/plates/:plate/sightings', {
    // officers investigating a case, and admins; reading people's movements is not an operator's or finance's task
    config: { access: ['officer', 'admin'] as const },
    schema: {
      summary: 'Every sighting of a plate in the last days (90 at most), newest first, paginated; the lookup is audited',
      description: 'The plate may be written as on the vehicle (`98A-123.45`) or as its key (`98A12345`). '
        + 'For the next page pass `cursor` = `nextCursor` of the previous page. Reads already removed by the retention policy do not show.',
      tags: ['investigations'], security: [{ bearer: [] }],
      params: Type.Object({ plate: Type.String({ minLength: 1, maxLength: 32 }) }),
      querystring: Type.Object({
        days: Type.Integer({ minimum: 1, maximum: 90, default: 90 }),
        limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
        cursor: Type.Optional(Type.String({ maxLength: 40 })),
      }, { additionalProperties: false }),
      response: {
        200: Type.Object({ plate: Type.String(), days: Type.Integer(), sightings: Type.Array(SightingSchema), nextCursor: Type.Union([Type.String(), Type.Null()]) }),
        400: ErrorSchema,
      },
    },
  }, async (request) => {
    const key = plateKey(request.params.plate);
    if (!/^[A-Z0-9]{4,10}$/.test(key)) {
      throw badRequest('invalid_plate', 'Biển số không hợp lệ: cần từ 4 đến 10 chữ cái hoặc chữ số (ví dụ 98A-123.45).');
    }
    const { days, limit, cursor } = request.query;
    const after = cursor === undefined ? undefined : decodeCursor(cursor);
    if (after === null) throw badRequest('invalid_cursor', 'Tham số cursor không hợp lệ: hãy dùng giá trị nextCursor của trang trước.');
    const user = request.user!;
    const page = await withTransaction(pool, (tx) =>
      auditedPlateHistory(tx, { id: user.id, username: user.username }, { plateKey: key, days, limit, ...(after ? { after } : {}) }));
    return {
      plate: key, days,
      sightings: page.sightings.map((s) => ({ ...s, capturedAt: s.capturedAt.toISOString(), imageUrl: `/api/v1/evidence/${s.captureId}/image` })),
      nextCursor: page.next ? encodeCursor(page.next) : null,
    };
  });
};
