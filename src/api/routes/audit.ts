import { Type, type Static } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { writeAuditCheckpoint } from '../../audit/audit-checkpoint.js';
import { auditKey } from '../../audit/audit-key.js';
import { verifyAuditLog } from '../../audit/audit-verify.js';
import { listVerificationRuns } from '../../audit/audit-verify-run.js';
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

  const Problem = Type.Union([Type.Literal('edited'), Type.Literal('missing_before'), Type.Literal('chain_broken'), Type.Literal('forged'),
    Type.Literal('checkpoint_forged'), Type.Literal('rows_missing'), Type.Literal('checkpoint_mismatch')]);

  app.get('/api/v1/audit/verify', {
    config: { access: ['admin'] },
    schema: {
      summary: 'Re-check the whole audit log: hash chain, row seals and keyed checkpoints; reports the first problem',
      tags: ['audit'], security: [{ bearer: [] }],
      response: {
        200: Type.Object({
          ok: Type.Boolean(),
          rows: Type.Integer(),
          checkpoints: Type.Integer(),
          sealedRows: Type.Optional(Type.Integer()),
          firstBadId: Type.Optional(Type.Union([Type.Integer(), Type.Null()])),
          checkpointId: Type.Optional(Type.Integer()),
          problem: Type.Optional(Problem),
        }),
      },
    },
  }, async () => verifyAuditLog(pool, auditKey()));

  app.get('/api/v1/audit/verifications', {
    config: { access: ['admin'] },
    schema: {
      summary: 'The scheduled verifications the workers ran (nightly, each resuming after the checkpoint the last good run verified), newest first',
      tags: ['audit'], security: [{ bearer: [] }],
      querystring: Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }) }, { additionalProperties: false }),
      response: {
        200: Type.Object({ runs: Type.Array(Type.Object({
          id: Type.Integer(), startedAt: Type.String({ format: 'date-time' }), finishedAt: Type.String({ format: 'date-time' }),
          resumedAfter: Type.Union([Type.Integer(), Type.Null()]), ok: Type.Boolean(), logRows: Type.Integer(),
          verifiedCheckpoint: Type.Union([Type.Integer(), Type.Null()]), problem: Type.Union([Problem, Type.Null()]),
          firstBadId: Type.Union([Type.Integer(), Type.Null()]),
        })) }),
      },
    },
  }, async (request) => {
    const runs = await listVerificationRuns(pool, request.query.limit);
    return { runs: runs.map((r) => ({ ...r, startedAt: r.startedAt.toISOString(), finishedAt: r.finishedAt.toISOString(),
      problem: r.problem as Static<typeof Problem> | null })) };
  });

  app.post('/api/v1/audit/checkpoints', {
    config: { access: ['admin'] },
    schema: {
      summary: 'Seal the current audit chain head and row count in a keyed checkpoint now (workers also do it periodically)',
      tags: ['audit'], security: [{ bearer: [] }],
      response: {
        201: Type.Object({ id: Type.Integer(), takenAt: Type.String({ format: 'date-time' }), rowCount: Type.Integer(), headId: Type.Integer(),
          headHash: Type.String(), mac: Type.String() }),
      },
    },
  }, async (_request, reply) => {
    const c = await writeAuditCheckpoint(pool, auditKey());
    return reply.status(201).send({ id: c.id, takenAt: c.takenAt.toISOString(), rowCount: c.rowCount, headId: c.headId, headHash: c.headHash, mac: c.mac });
  });
};
