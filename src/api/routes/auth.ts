import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { appendAudit } from '../../audit/audit-log.js';
import { ROLES } from '../../auth/roles.js';
import { deleteSession } from '../../auth/sessions.js';
import { withTransaction } from '../../db/pool.js';
import { LoginLimiter } from '../../users/login-limiter.js';
import { changeOwnPassword, login } from '../../users/login.js';
import { bearerToken, SESSION_COOKIE } from '../access.js';
import { HttpError } from '../errors.js';
import { ErrorBody, StaffUserSchema, userErrorToHttp } from './admin-schemas.js';

export const authRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { config, pool, redis } = app.deps;
  const limiter = new LoginLimiter(redis, config.QUEUE_PREFIX, config.LOGIN_MAX_FAILURES, config.LOGIN_LOCKOUT_MINUTES * 60,
    config.LOGIN_ADDRESS_MAX_FAILURES);
  const secure = config.PUBLIC_BASE_URL.startsWith('https:');
  const cookie = (value: string, maxAgeSeconds: number) =>
    `${SESSION_COOKIE}=${encodeURIComponent(value)}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}${secure ? '; Secure' : ''}`;

  app.post('/api/v1/auth/login', {
    config: { access: 'public' },
    schema: {
      summary: 'Log in: returns a session token and sets the HttpOnly session cookie',
      description: `After ${config.LOGIN_MAX_FAILURES} failed attempts for one username from one address, or ${config.LOGIN_ADDRESS_MAX_FAILURES} from one address for any usernames, within ${config.LOGIN_LOCKOUT_MINUTES} minutes, logins are refused with 429 and Retry-After. When too many password checks are already running, 503 with Retry-After.`,
      tags: ['auth'],
      body: Type.Object({
        username: Type.String({ minLength: 1, maxLength: 64 }),
        password: Type.String({ minLength: 1, maxLength: 1024 }),
      }, { additionalProperties: false }),
      response: {
        200: Type.Object({ token: Type.String(), expiresAt: Type.String({ format: 'date-time' }), user: StaffUserSchema }),
        401: ErrorBody,
        429: ErrorBody,
        503: ErrorBody,
      },
    },
  }, async (request, reply) => {
    const result = await login({ pool, limiter, sessionTtlMinutes: config.SESSION_TTL_MINUTES },
      { username: request.body.username, password: request.body.password, ip: request.ip });
    if (!result.ok && result.reason === 'locked_out') {
      reply.header('Retry-After', String(result.retryAfterSeconds));
      throw new HttpError(429, 'too_many_attempts', `Đăng nhập sai quá nhiều lần; hãy thử lại sau ${Math.ceil(result.retryAfterSeconds / 60)} phút`);
    }
    if (!result.ok) throw new HttpError(401, 'invalid_credentials', 'Sai tên đăng nhập hoặc mật khẩu');
    const maxAge = Math.max(0, Math.floor((result.expiresAt.getTime() - Date.now()) / 1000));
    reply.header('Set-Cookie', cookie(result.token, maxAge));
    return { token: result.token, expiresAt: result.expiresAt.toISOString(), user: result.user };
  });

  app.post('/api/v1/auth/logout', {
    config: { access: ROLES },
    schema: {
      summary: 'End the current session (token or cookie) and clear the cookie',
      tags: ['auth'],
      security: [{ bearer: [] }],
      response: { 204: Type.Null() },
    },
  }, async (request, reply) => {
    const token = bearerToken(request)!;
    const user = request.user!;
    await withTransaction(pool, async (tx) => {
      await deleteSession(tx, token);
      await appendAudit(tx, { actorId: user.id, actor: user.username, action: 'user.logged_out', entityType: 'user', entityId: user.id });
    });
    reply.header('Set-Cookie', cookie('', 0));
    return reply.status(204).send(null);
  });

  app.get('/api/v1/auth/me', {
    config: { access: ROLES },
    schema: {
      summary: 'The logged-in user',
      tags: ['auth'],
      security: [{ bearer: [] }],
      response: { 200: StaffUserSchema },
    },
  }, async (request) => request.user!);

  app.post('/api/v1/auth/password', {
    config: { access: ROLES },
    schema: {
      summary: 'Change your own password; every session of yours ends, log in again',
      tags: ['auth'],
      security: [{ bearer: [] }],
      body: Type.Object({
        currentPassword: Type.String({ minLength: 1, maxLength: 1024 }),
        newPassword: Type.String({ minLength: 1, maxLength: 1024 }),
      }, { additionalProperties: false }),
      response: { 204: Type.Null(), 400: ErrorBody, 401: ErrorBody },
    },
  }, async (request, reply) => {
    const changed = await changeOwnPassword(pool, request.user!, request.body.currentPassword, request.body.newPassword)
      .catch(userErrorToHttp);
    if (!changed) throw new HttpError(400, 'wrong_password', 'Mật khẩu hiện tại không đúng');
    reply.header('Set-Cookie', cookie('', 0));
    return reply.status(204).send(null);
  });
};
