import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Config } from '../config.js';
import { isDatabaseUnavailable, type Pool } from '../db/pool.js';
import { QueueUnavailableError } from '../queue/queue-errors.js';
import { StorageUnavailableError } from '../storage/storage-errors.js';
import type { Logger } from '../logger.js';
import type { Redis } from '../redis.js';
import type { DependencyState } from '../resilience/dependency-state.js';
import type { BlobStore } from '../storage/blob-store.js';
import { installAuditKey, loadAuditKey } from '../audit/audit-key.js';
import { PasswordHashingBusy, setPasswordHashConcurrency } from '../auth/passwords.js';
import helmet from '@fastify/helmet';
import { registerAccessControl } from './access.js';
import { registerCsrfGuard } from './csrf.js';
import { registerNulByteGuard } from './nul-bytes.js';
import { HttpError } from './errors.js';
import { clientErrorMessage } from './client-error-message.js';
import { validationMessage, type SchemaFailure } from './validation-message.js';
import { BlobIntegrityError } from '../storage/blob-store.js';
import { reportTamperedBlob } from '../storage/report-tampering.js';
import { healthRoutes } from './routes/health.js';
import { consoleRoutes } from './routes/ui.js';
import { pipelineRoutes } from './routes/pipeline.js';
import type { PipelineQueues } from '../queue/queues.js';
import type { Queue } from 'bullmq';
import { auditRoutes } from './routes/audit.js';
import { authRoutes } from './routes/auth.js';
import { userRoutes } from './routes/users.js';
import { reviewRoutes } from './routes/review.js';
import { defaultReviewCollaborators } from '../review/default-collaborators.js';
import { noticeRoutes } from './routes/notices.js';
import { financeRoutes } from './routes/finance.js';
import { lookupRoutes } from './routes/lookup.js';
import { escalationRoutes } from './routes/escalations.js';
import { unitRoutes } from './routes/units.js';
import { investigationRoutes } from './routes/investigations.js';
import { procedureRoutes } from './routes/procedure.js';

/**
 * A dependency that is down is the server's temporary condition, not a bug: 503 (507 for full
 * storage) with Retry-After and the reason, so cameras and the console try again instead of giving up.
 */
function unavailableAnswer(err: Error): { status: 503 | 507; code: string; message: string; retryAfterS: number } | null {
  if (err instanceof StorageUnavailableError) {
    return err.kind === 'full'
      ? { status: 507, code: 'storage_full', message: 'Bộ nhớ lưu trữ đã đầy; chưa thể lưu ảnh hoặc tài liệu. Vui lòng gửi lại sau.', retryAfterS: 300 }
      : { status: 503, code: 'storage_unavailable', message: 'Bộ nhớ lưu trữ tạm thời không ghi được. Vui lòng gửi lại sau.', retryAfterS: 60 };
  }
  if (err instanceof QueueUnavailableError) {
    return { status: 503, code: 'queue_unavailable', message: 'Hàng đợi xử lý tạm thời không truy cập được. Vui lòng gửi lại sau ít giây.', retryAfterS: 10 };
  }
  if (isDatabaseUnavailable(err)) {
    return { status: 503, code: 'database_unavailable', message: 'Cơ sở dữ liệu tạm thời không truy cập được. Vui lòng thử lại sau ít giây.', retryAfterS: 5 };
  }
  return null;
}

/** What route plugins need; built once by the process entry point (or a test) and passed in. */
export interface AppDeps {
  config: Config;
  pool: Pool;
  redis: Redis;
  logger: Logger;
  /** originals: camera images, notice PDFs */
  storage: BlobStore;
  /** BullMQ queues of the capture pipeline; made from config on `redis` (and closed with the app) when absent */
  queues?: PipelineQueues;
  /** the workers' maintenance queue, where audit verifications are requested; made like `queues` when absent */
  maintenanceQueue?: Queue;
  /** the process's view of Redis, told about queue connection errors (one log line per outage) */
  redisState?: DependencyState;
}

declare module 'fastify' {
  interface FastifyInstance {
    deps: AppDeps;
  }
}

export type App = FastifyInstance;

/** TRUSTED_PROXIES as fastify's trustProxy: the list of addresses/ranges, or false when none. */
export function trustedProxies(setting: string): string[] | false {
  const list = setting.split(',').map((a) => a.trim()).filter(Boolean);
  return list.length ? list : false;
}

export async function buildApp(deps: AppDeps): Promise<App> {
  installAuditKey(loadAuditKey(deps.config));
  setPasswordHashConcurrency(deps.config.PASSWORD_HASH_CONCURRENCY);
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    bodyLimit: 1_000_000,
    // X-Forwarded-For is believed only from the configured proxies: from anyone else it would let a
    // client pick the address that rate limits, login limits and the audit log see
    trustProxy: trustedProxies(deps.config.TRUSTED_PROXIES),
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: true } },
  }).withTypeProvider<TypeBoxTypeProvider>();
  app.decorate('deps', deps);

  app.setErrorHandler(async (err: Error & { statusCode?: number; code?: string; validation?: SchemaFailure[]; validationContext?: string }, request, reply) => {
    if (err instanceof BlobIntegrityError) {
      await reportTamperedBlob(deps.pool, err, `${request.method} ${request.routeOptions.url ?? request.url}`, request.log)
        .catch((auditErr: unknown) => request.log.error({ err: auditErr }, 'could not audit an evidence integrity failure'));
      return reply.status(500).send({ error: 'evidence_integrity_failed',
        message: 'Tệp chứng cứ đã lưu không khớp mã băm gốc (có thể đã bị thay đổi); không được sử dụng. Sự việc đã được ghi nhật ký và báo cáo.' });
    }
    if (err instanceof PasswordHashingBusy) {
      return reply.status(503).header('Retry-After', '2').send({ error: 'busy', message: 'Hệ thống đang bận kiểm tra đăng nhập; vui lòng thử lại sau ít giây.' });
    }
    if (err instanceof HttpError) {
      return reply.status(err.statusCode).send({ error: err.code, message: err.message, details: err.details });
    }
    // last line behind the schemas: a number PostgreSQL cannot hold (an id past bigint) is the caller's error
    if (err.code === '22003') {
      return reply.status(400).send({ error: 'out_of_range', message: 'Một số trong yêu cầu vượt quá giới hạn cho phép' });
    }
    if (err.validation) {
      // the machine-readable failures stay in details; the message is for the person reading it
      return reply.status(400).send({ error: 'invalid_request', message: validationMessage(err.validationContext, err.validation),
        details: { reason: err.message } });
    }
    const unavailable = unavailableAnswer(err);
    if (unavailable) {
      request.log.warn({ reason: err.message, status: unavailable.status }, 'dependency unavailable; asked the client to retry');
      return reply.status(unavailable.status).header('retry-after', String(unavailable.retryAfterS))
        .send({ error: unavailable.code, message: unavailable.message, details: { reason: err.message } });
    }
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
      return reply.status(err.statusCode).send({ error: (err.code ?? 'bad_request').toLowerCase(), message: clientErrorMessage(err.code, err.statusCode),
        details: { reason: err.message } });
    }
    request.log.error({ err }, 'unhandled error');
    return reply.status(500).send({ error: 'internal', message: 'Lỗi hệ thống; sự cố đã được ghi lại, vui lòng thử lại sau' });
  });
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send({ error: 'not_found', message: `Không có đường dẫn ${request.method} ${request.url}` }),
  );

  await app.register(helmet, {
    // the console (dist/ui) and /docs load only their own scripts; Swagger UI sets inline styles and
    // data: icons, the PDF preview draws with pdf.js in a worker from our own origin
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"], scriptSrc: ["'self'"], styleSrc: ["'self'", "'unsafe-inline'"], imgSrc: ["'self'", 'data:', 'blob:'],
        workerSrc: ["'self'", 'blob:'], connectSrc: ["'self'"], fontSrc: ["'self'", 'data:'], objectSrc: ["'none'"], baseUri: ["'self'"],
        formAction: ["'self'"], frameAncestors: ["'none'"],
      },
    },
    frameguard: { action: 'deny' },
    // evidence images and PDFs are fetched by the console only
    crossOriginResourcePolicy: { policy: 'same-origin' },
    hsts: deps.config.PUBLIC_BASE_URL.startsWith('https:'),
  });
  registerCsrfGuard(app, deps.config.PUBLIC_BASE_URL);
  registerNulByteGuard(app);

  await app.register(swagger, {
    openapi: {
      info: {
        title: 'phat-nguoi API',
        version: '0.1.0',
        description: 'Traffic-camera fine processing: camera ingest, violation review, penalty notices, finance, public lookup.',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'staff session token from POST /api/v1/auth/login' },
          cameraKey: { type: 'apiKey', in: 'header', name: 'X-Api-Key', description: 'per-camera API key' },
        },
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  registerAccessControl(app, deps.pool);
  await app.register(healthRoutes);
  await app.register(pipelineRoutes);
  await app.register(authRoutes);
  await app.register(userRoutes);
  await app.register(auditRoutes);
  await app.register(reviewRoutes, { collaborators: defaultReviewCollaborators(deps) });
  await app.register(noticeRoutes);
  await app.register(financeRoutes);
  await app.register(lookupRoutes);
  await app.register(escalationRoutes);
  await app.register(unitRoutes);
  await app.register(procedureRoutes);
  await app.register(investigationRoutes);
  await app.register(consoleRoutes);
  return app;
}
