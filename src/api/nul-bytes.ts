import type { FastifyInstance } from 'fastify';
import { badRequest } from './errors.js';

/** The path to the first string holding a NUL byte (PostgreSQL text cannot store one), or null. */
export function nulBytePath(value: unknown, at = ''): string | null {
  if (typeof value === 'string') return value.includes('\0') ? at || '(value)' : null;
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) {
      const found = nulBytePath(v, `${at}[${i}]`);
      if (found) return found;
    }
    return null;
  }
  if (value && typeof value === 'object' && !Buffer.isBuffer(value)) {
    for (const [k, v] of Object.entries(value)) {
      const found = nulBytePath(k, at ? `${at}.${k}` : k) ?? nulBytePath(v, at ? `${at}.${k}` : k);
      if (found) return found;
    }
  }
  return null;
}

/** Refuses a NUL byte anywhere in the path parameters, query or JSON body with 400, before any handler runs. */
export function registerNulByteGuard(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    for (const [where, value] of [['path', request.params], ['query', request.query], ['body', request.body]] as const) {
      const found = nulBytePath(value);
      if (found) throw badRequest('nul_byte', `Trường ${found} (${where}) chứa ký tự NUL`);
    }
  });
}
