import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Role, StaffUser } from '../auth/roles.js';
import { userForToken } from '../auth/sessions.js';
import { sha256Hex } from '../auth/tokens.js';
import type { Pool } from '../db/pool.js';
import { HttpError } from './errors.js';

const ROLE_NAMES: Record<Role, string> = { officer: 'cán bộ', operator: 'vận hành', finance: 'kế toán', admin: 'quản trị' };

/**
 * Who may call a route. Every route must declare one (`config: { access }`): an undeclared route
 * refuses to register, so nothing is reachable by accident.
 * - 'public': anyone
 * - 'camera': a camera's API key in `X-Api-Key`
 * - Role[]: a logged-in staff member (Bearer session token) with one of these roles
 */
export type Access = 'public' | 'camera' | readonly Role[];

export interface AuthedCamera {
  id: number;
  code: string;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyRequest {
    user: StaffUser | null;
    camera: AuthedCamera | null;
  }
}

export interface DeclaredRoute {
  method: string;
  url: string;
  access: Access;
}

const declared = new WeakMap<FastifyInstance, DeclaredRoute[]>();

/** Every route registered on `app` with the access it declared: lets a test walk all routes, including ones added later. */
export function declaredRoutes(app: FastifyInstance): readonly DeclaredRoute[] {
  return declared.get(app) ?? [];
}

const selfGuarded = new WeakMap<FastifyInstance, Array<{ method: string; url: string }>>();

/** Routes under SELF_GUARDED_PREFIXES, which check callers themselves (no declared access). */
export function selfGuardedRoutes(app: FastifyInstance): ReadonlyArray<{ method: string; url: string }> {
  return selfGuarded.get(app) ?? [];
}

/** URL prefixes served by plugins that guard themselves: API docs (public), the queue dashboard and Prometheus metrics (src/api/routes/queue-dashboard.ts, metrics.ts). */
const SELF_GUARDED_PREFIXES = ['/docs', '/admin/queues', '/metrics'];

export function registerAccessControl(app: FastifyInstance, pool: Pool): void {
  app.decorateRequest('user', null);
  app.decorateRequest('camera', null);

  app.addHook('onRoute', (route) => {
    const methods = [route.method].flat().filter((m) => m !== 'HEAD' && m !== 'OPTIONS');
    if (SELF_GUARDED_PREFIXES.some((p) => route.url.startsWith(p))) {
      selfGuarded.set(app, [...(selfGuarded.get(app) ?? []), ...methods.map((method) => ({ method, url: route.url }))]);
      return;
    }
    if (route.method === 'HEAD' || route.method === 'OPTIONS') return;
    const access = (route.config as { access?: Access } | undefined)?.access;
    if (!access) throw new Error(`route ${String(route.method)} ${route.url} declares no access`);
    declared.set(app, [...(declared.get(app) ?? []), ...methods.map((method) => ({ method, url: route.url, access }))]);
  });

  app.addHook('onRequest', async (request) => {
    const access = request.routeOptions.config.access;
    if (!access || access === 'public') return;
    if (access === 'camera') {
      request.camera = await cameraForKey(pool, request);
      return;
    }
    const token = bearerToken(request);
    if (!token) throw new HttpError(401, 'unauthenticated', 'Hãy đăng nhập trước (gửi tiêu đề Authorization: Bearer <token>)');
    const user = await userForToken(pool, token);
    if (!user) throw new HttpError(401, 'unauthenticated', 'Phiên đăng nhập đã hết hạn hoặc không hợp lệ; hãy đăng nhập lại');
    if (!access.includes(user.role)) {
      throw new HttpError(403, 'forbidden', `Thao tác này cần vai trò: ${access.map((r) => ROLE_NAMES[r]).join(', ')}`);
    }
    request.user = user;
  });
}

/** Name of the HttpOnly cookie the browser console logs in with (images and PDFs cannot send headers). */
export const SESSION_COOKIE = 'pn_session';

/** The session token from `Authorization: Bearer`, else from the session cookie. */
export function bearerToken(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  if (match?.[1]) return match[1];
  const cookies = request.headers.cookie?.split(';') ?? [];
  for (const cookie of cookies) {
    const [name, ...value] = cookie.trim().split('=');
    if (name === SESSION_COOKIE && value.length) return decodeURIComponent(value.join('='));
  }
  return null;
}

async function cameraForKey(pool: Pool, request: FastifyRequest): Promise<AuthedCamera> {
  const key = request.headers['x-api-key'];
  if (typeof key !== 'string' || key.length === 0) throw new HttpError(401, 'unauthenticated', 'Hãy gửi khoá API của camera trong tiêu đề X-Api-Key');
  const { rows } = await pool.query<{ id: number; code: string; enabled: boolean }>(
    'SELECT id, code, enabled FROM cameras WHERE api_key_hash = $1',
    [sha256Hex(key)],
  );
  const camera = rows[0];
  if (!camera) throw new HttpError(401, 'unauthenticated', 'Khoá API camera không đúng');
  if (!camera.enabled) throw new HttpError(403, 'camera_disabled', `Camera ${camera.code} đang bị tắt`);
  return { id: camera.id, code: camera.code };
}
