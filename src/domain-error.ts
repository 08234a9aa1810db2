/**
 * A step of a domain (procedure, payments) refused for a reason its user can act on: a stable machine code, the
 * HTTP status that code maps to in the domain's own table, and a Vietnamese message (it is shown to them).
 */
export class DomainError<Code extends string> extends Error {
  readonly statusCode: number;
  constructor(statuses: Readonly<Record<Code, number>>, readonly code: Code, message: string, readonly details?: Record<string, unknown>) {
    super(message);
    this.statusCode = statuses[code];
  }
}
