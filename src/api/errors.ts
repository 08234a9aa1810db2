import { DomainError } from '../domain-error.js';

/** An error the API reports to the caller as-is: status, a stable machine code and a human reason. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** A domain's refusal (procedure, payments) answered with its own status and code; anything else goes on up. */
export function domainErrorToHttp(err: unknown): never {
  if (err instanceof DomainError) throw new HttpError(err.statusCode, err.code, err.message, err.details);
  throw err;
}

export const badRequest = (code: string, message: string, details?: unknown) => new HttpError(400, code, message, details);
/** `what` in Vietnamese, e.g. `thông báo PN-PC08-2026-000001`. */
export const notFound = (what: string) => new HttpError(404, 'not_found', `Không tìm thấy ${what}`);
export const conflict = (code: string, message: string, details?: unknown) => new HttpError(409, code, message, details);
