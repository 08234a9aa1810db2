import { Redis } from 'ioredis';

export type { Redis };

/**
 * BullMQ needs `maxRetriesPerRequest: null` on connections used by workers so a Redis blip
 * pauses jobs instead of failing them; we use the same settings everywhere for one behaviour.
 */
export function createRedis(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true, lazyConnect: false });
}
