import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { verifyAuditLog } from '../../audit/audit-log.js';
import { listAudit } from '../../audit/audit-query.js';

const AuditRow = Type.Object({
  id: Type.Integer(),
  occurredAt: Type.String({ format: 'date-time' }),
  actorId: Type.Union([Type.Integer(), Type.Null()]),
  actor: Type.String(),
  action: Type.String(),
  entityType: Type.String(),
  entityId: Type.String(),
  details: Type.Unknown(),
  hash: Type.String(),
});

export const auditRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { pool } = app.deps;

  app.get('/api/v1/audit', {
    config: { access: ['admin'] },
    schema: {
      summary: 'The audit trail, newest first; page with before_id = the last id of the previous page',
      tags: ['audit'], security: [{ bearer: [] }],
      querystring: Type.Object({
        entity_type: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
        entity_id: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
        actor_id: Type.Optional(Type.Integer({ minimum: 1 })),
        action: Type.Optional(Type.String({ pattern: '^[a-z_]+\\.[a-z_]+$' })),
        before_id: Type.Optional(Type.Integer({ minimum: 1 })),
        limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
      }, { additionalProperties: false }),
      response: { 200: Type.Object({ entries: Type.Array(AuditRow), nextBeforeId: Type.Union([Type.Integer(), Type.Null()]) }) },
    },
  }, async (request) => {
    const q = request.query;
    const entries = await listAudit(pool, { entityType: q.entity_type, entityId: q.entity_id, actorId: q.actor_id, action: q.action,
      beforeId: q.before_id, limit: q.limit });
    const last = entries.at(-1);
    return {
      entries: entries.map((e) => ({ ...e, occurredAt: e.occurredAt.toISOString() })),
      nextBeforeId: entries.length === q.limit && last ? last.id : null,
    };
  });

  app.get('/api/v1/audit/verify', {
    config: { access: ['admin'] },
    schema: {
      summary: 'Re-check the hash chain of the whole audit log; reports the first edited row or the row after deleted ones',
      tags: ['audit'], security: [{ bearer: [] }],
      response: {
        200: Type.Object({
          ok: Type.Boolean(),
          rows: Type.Integer(),
          firstBadId: Type.Optional(Type.Integer()),
          problem: Type.Optional(Type.Union([Type.Literal('edited'), Type.Literal('missing_before'), Type.Literal('chain_broken')])),
        }),
      },
    },
  }, async () => verifyAuditLog(pool));
};
