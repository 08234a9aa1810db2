import { Type, type Static } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { writeAuditCheckpoint } from '../../audit/audit-checkpoint.js';
import { auditKey } from '../../audit/audit-key.js';
import { listVerificationRuns, type VerificationRecord } from '../../audit/audit-verify-run.js';
import { listAudit } from '../../audit/audit-query.js';
import { auditVerificationRequestStatus, requestAuditVerification, type VerifyRequestStatus } from '../../maintenance/audit-verify-requests.js';
import { createMaintenanceQueue } from '../../maintenance/maintenance-queue.js';
import { settleWithin } from '../../metrics/cluster-metrics.js';
import { within } from '../../queue/queue-errors.js';
import { reportQueueErrors } from '../../redis.js';
import { DependencyState } from '../../resilience/dependency-state.js';
import { notFound } from '../errors.js';

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
  const { pool, config, redis } = app.deps;

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

  // The API never walks the log itself (3M rows held the process for 28 s and 1.3 GB): it asks the workers
  // for a verification job and reports what became of it (src/maintenance/audit-verify-requests.ts).
  const maintenance = app.deps.maintenanceQueue ?? createMaintenanceQueue(config, redis);
  if (!app.deps.maintenanceQueue) app.addHook('onClose', async () => { await settleWithin(maintenance.close(), 2000); });
  reportQueueErrors(maintenance, app.deps.redisState ?? new DependencyState('redis', app.log), 'maintenance queue');
  const queued = <T>(work: Promise<T>) => within(work, config.ENQUEUE_TIMEOUT_MS, 'audit verification request');

  const VerificationRun = Type.Object({
    id: Type.Integer(), startedAt: Type.String({ format: 'date-time' }), finishedAt: Type.String({ format: 'date-time' }),
    resumedAfter: Type.Union([Type.Integer(), Type.Null()]), ok: Type.Boolean(), logRows: Type.Integer(),
    verifiedCheckpoint: Type.Union([Type.Integer(), Type.Null()]), problem: Type.Union([Problem, Type.Null()]),
    firstBadId: Type.Union([Type.Integer(), Type.Null()]),
    requestId: Type.Union([Type.String({ format: 'uuid' }), Type.Null()]), requestedBy: Type.Union([Type.Integer(), Type.Null()]),
  });
  const runJson = (r: VerificationRecord): Static<typeof VerificationRun> => ({ ...r, startedAt: r.startedAt.toISOString(),
    finishedAt: r.finishedAt.toISOString(), problem: r.problem as Static<typeof Problem> | null });
  const VerificationRequest = Type.Object({
    requestId: Type.String({ format: 'uuid' }),
    full: Type.Boolean({ description: 'the whole log from its first row, rather than from the last checkpoint a run verified' }),
    requestedBy: Type.Object({ id: Type.Union([Type.Integer(), Type.Null()]), username: Type.String() }),
    requestedAt: Type.String({ format: 'date-time' }),
    state: Type.Union([Type.Literal('queued'), Type.Literal('running'), Type.Literal('done'), Type.Literal('failed')], {
      description: 'queued: waiting for a worker; running; done: `run` holds the result; failed: the worker stopped without a result (see its log); ask again' }),
    progress: Type.Union([Type.Object({ rows: Type.Integer(), approxTotal: Type.Integer() }), Type.Null()]),
    run: Type.Union([VerificationRun, Type.Null()]),
  });
  const requestJson = (r: VerifyRequestStatus): Static<typeof VerificationRequest> => ({ ...r, run: r.run ? runJson(r.run) : null });

  app.post('/api/v1/audit/verifications', {
    config: { access: ['admin'] },
    schema: {
      summary: 'Ask the workers to verify the audit log (hash chain, row seals, keyed checkpoints); poll the request for its progress and result. '
        + 'While a verification is waiting or running, asking again returns that one (200) instead of starting another (202)',
      tags: ['audit'], security: [{ bearer: [] }],
      body: Type.Object({
        full: Type.Boolean({ default: true, description: 'false: resume after the newest checkpoint an earlier run verified, as the nightly run does' }),
      }, { additionalProperties: false, description: 'optional: no body asks for the whole log' }),
      response: { 200: Type.Object({ started: Type.Literal(false), request: VerificationRequest }),
        202: Type.Object({ started: Type.Literal(true), request: VerificationRequest }) },
    },
    // a bare POST (no body) asks for the defaults
    preValidation: async (request) => { request.body ??= { full: true }; },
  }, async (request, reply) => {
    const who = request.user!;
    const { started, status } = await queued(requestAuditVerification(maintenance, pool, { id: who.id, username: who.username }, request.body.full));
    return started ? reply.status(202).send({ started: true, request: requestJson(status) }) : { started: false as const, request: requestJson(status) };
  });

  app.get('/api/v1/audit/verifications/requests/:requestId', {
    config: { access: ['admin'] },
    schema: {
      summary: 'What became of a verification request: queued, running (rows checked so far), done (with the recorded run) or failed',
      tags: ['audit'], security: [{ bearer: [] }],
      params: Type.Object({ requestId: Type.String({ format: 'uuid' }) }),
      response: { 200: VerificationRequest },
    },
  }, async (request) => {
    const status = await queued(auditVerificationRequestStatus(maintenance, pool, request.params.requestId));
    if (!status) throw notFound(`yêu cầu kiểm tra nhật ký ${request.params.requestId}`);
    return requestJson(status);
  });

  app.get('/api/v1/audit/verifications', {
    config: { access: ['admin'] },
    schema: {
      summary: 'The verifications the workers ran (nightly, each resuming after the checkpoint the last good run verified, and those '
        + 'administrators asked for), newest first',
      tags: ['audit'], security: [{ bearer: [] }],
      querystring: Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }) }, { additionalProperties: false }),
      response: { 200: Type.Object({ runs: Type.Array(VerificationRun) }) },
    },
  }, async (request) => ({ runs: (await listVerificationRuns(pool, request.query.limit)).map(runJson) }));

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
