import type { FastifyInstance, FastifyRequest } from 'fastify';
import { SESSION_COOKIE } from './access.js';
import { HttpError } from './errors.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function originOf(value: string | undefined): string | null {
  if (!value) return null;
  try {
    return new URL(value).origin;
  } catch {
    return null;
  }
}

function carriesSessionCookie(request: FastifyRequest): boolean {
  return (request.headers.cookie ?? '').split(';').some((c) => c.trim().startsWith(`${SESSION_COOKIE}=`));
}

/**
 * Cross-site request forgery guard. The console authenticates with a SameSite=Strict cookie; as a second
 * line (older browsers, sibling subdomains) a state-changing request must come from our own origin:
 * - any unsafe request naming a foreign Origin is refused;
 * - an unsafe request authenticated by the cookie alone (no Bearer header) must show our Origin or,
 *   failing that, our Referer.
 * API clients using a Bearer token or a camera key send neither cookie nor Origin and are not affected.
 */
export function registerCsrfGuard(app: FastifyInstance, publicBaseUrl: string): void {
  const published = new URL(publicBaseUrl).origin;
  app.addHook('onRequest', async (request) => {
    if (SAFE_METHODS.has(request.method)) return;
    const own = new Set([published, `${request.protocol}://${request.host}`]);
    const origin = request.headers.origin;
    if (origin !== undefined && !own.has(originOf(origin) ?? origin)) {
      throw new HttpError(403, 'csrf_origin', `Yêu cầu từ trang ngoài (${origin}) bị từ chối`);
    }
    const cookieOnly = carriesSessionCookie(request) && !/^Bearer\s/i.test(request.headers.authorization ?? '');
    if (cookieOnly && origin === undefined) {
      const referer = originOf(request.headers.referer);
      if (!referer || !own.has(referer)) {
        throw new HttpError(403, 'csrf_origin', 'Yêu cầu dùng phiên đăng nhập (cookie) phải gửi từ trang quản lý (cần tiêu đề Origin hoặc Referer)');
      }
    }
  });
}
