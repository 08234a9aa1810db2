import type { Logger } from '../logger.js';

export type DependencyName = 'postgres' | 'redis' | 'storage';

/**
 * Up/down state of one external dependency as this process last saw it. Clients report every error
 * and every successful (re)connection; only a change of state is logged, one structured line, so an
 * outage of a minute is two lines instead of a stack trace per reconnect attempt per connection.
 */
export class DependencyState {
  private up = true;
  private since = Date.now();
  private errors = 0;

  constructor(readonly name: DependencyName, private readonly logger: Pick<Logger, 'warn' | 'info'> | null) {}

  get isUp(): boolean {
    return this.up;
  }

  /** An error from any client of this dependency (connection refused, reset, timeout...). */
  down(err: unknown, source?: string): void {
    this.errors++;
    if (!this.up) return;
    this.up = false;
    this.since = Date.now();
    this.errors = 1;
    this.logger?.warn({ dependency: this.name, state: 'down', source, reason: reasonOf(err) }, `${this.name} unreachable`);
  }

  /** An error that does not mean the service is down (e.g. a job whose key vanished): one line, no stack. */
  note(err: unknown, source?: string): void {
    this.logger?.warn({ dependency: this.name, source, reason: reasonOf(err) }, `${this.name} error`);
  }

  /** A client (re)connected and answered. */
  restored(source?: string): void {
    if (this.up) return;
    const downForMs = Date.now() - this.since;
    this.logger?.info({ dependency: this.name, state: 'up', source, downForMs, errorsWhileDown: this.errors }, `${this.name} reachable again`);
    this.up = true;
    this.since = Date.now();
    this.errors = 0;
  }
}

/** One line for a log field: the error code and message, never the stack. */
export function reasonOf(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    const message = err.message || (err as AggregateError).errors?.map((e: unknown) => reasonOf(e)).join('; ') || err.name;
    return code && !message.includes(code) ? `${code}: ${message}` : message;
  }
  return String(err);
}
