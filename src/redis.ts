import { Redis } from 'ioredis';
import type { DependencyState } from './resilience/dependency-state.js';

export type { Redis };

/**
 * BullMQ needs `maxRetriesPerRequest: null` on connections used by workers so a Redis blip
 * pauses jobs instead of failing them; we use the same settings everywhere for one behaviour.
 * ioredis reconnects by itself; its errors go to `state` (one log line per outage) instead of
 * ioredis's own "Unhandled error event" print on every reconnect attempt.
 */
export function createRedis(url: string, state?: DependencyState): Redis {
  const redis = new Redis(url, {
    maxRetriesPerRequest: null, enableReadyCheck: true, lazyConnect: false,
    // back off to at most 2 s between attempts so service resumes quickly after the outage
    retryStrategy: (times) => Math.min(times * 200, 2000),
  });
  watchRedis(redis, state);
  return redis;
}

/** Reports a Redis client's errors and reconnections to `state`. */
export function watchRedis(redis: Redis, state: DependencyState | undefined, source?: string): void {
  redis.on('error', (err: unknown) => state?.down(err, source));
  redis.on('ready', () => state?.restored(source));
}

/**
 * A BullMQ queue or worker re-emits the errors of the connections it duplicates for itself; without
 * a listener it prints each one with its stack. They count as Redis being down (the connections'
 * 'ready' events report it back up).
 */
export function reportQueueErrors(emitter: { on(event: 'error', listener: (err: Error) => void): unknown }, state: DependencyState | undefined, source: string): void {
  emitter.on('error', (err) => {
    if (isConnectionError(err)) state?.down(err, source);
    else state?.note(err, source);
  });
}

function isConnectionError(err: Error): boolean {
  const code = (err as NodeJS.ErrnoException).code ?? '';
  return ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN'].includes(code)
    || /Connection is closed|connect E|Stream isn't writeable|max retries per request/i.test(err.message);
}
