import { sha256Hex } from '../auth/tokens.js';
import type { Redis } from '../redis.js';

/**
 * A username may fail this many times more across all addresses than from one address. Addresses
 * come from X-Forwarded-For behind the proxy and can be forged, so the per-address limit alone
 * would not stop a guesser rotating them; the wider limit does, while one mistyping officer only
 * locks themselves out at their own desk.
 */
export const ALL_ADDRESSES_FACTOR = 4;

export interface FailureCount {
  /** failures for this username from this address in the window */
  fromAddress: number;
  /** failures for this username from anywhere in the window */
  total: number;
}

/**
 * Counts failed logins in Redis, so the count is shared by every API process and survives
 * restarts. A lockout lasts until the window of its first counted failure ends.
 */
export class LoginLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    readonly maxFailures: number,
    private readonly windowSeconds: number,
  ) {}

  // hashed so odd characters in a guessed username cannot shape the key
  private pairKey(username: string, ip: string): string {
    return `${this.prefix}:login-failures:${sha256Hex(`${username}\n${ip}`)}`;
  }

  private userKey(username: string): string {
    return `${this.prefix}:login-failures:${sha256Hex(username)}`;
  }

  get maxTotal(): number {
    return this.maxFailures * ALL_ADDRESSES_FACTOR;
  }

  /** Seconds until this username may log in from this address again, or 0 when not locked out. */
  async lockedFor(username: string, ip: string): Promise<number> {
    const pair = this.pairKey(username, ip);
    const user = this.userKey(username);
    const [pairCount, pairTtl, userCount, userTtl] = await Promise.all([
      this.redis.get(pair), this.redis.ttl(pair), this.redis.get(user), this.redis.ttl(user),
    ]);
    let wait = 0;
    if (Number(pairCount ?? 0) >= this.maxFailures) wait = Math.max(wait, pairTtl, 1);
    if (Number(userCount ?? 0) >= this.maxTotal) wait = Math.max(wait, userTtl, 1);
    return wait;
  }

  /** Records one failure and returns the counts in the current windows. */
  async recordFailure(username: string, ip: string): Promise<FailureCount> {
    const pair = this.pairKey(username, ip);
    const user = this.userKey(username);
    const result = await this.redis.multi()
      .set(pair, 0, 'EX', this.windowSeconds, 'NX').incr(pair)
      .set(user, 0, 'EX', this.windowSeconds, 'NX').incr(user)
      .exec();
    const failed = result?.find(([err]) => err);
    if (!result || failed) throw failed?.[0] ?? new Error('login limiter: redis transaction aborted');
    return { fromAddress: Number(result[1]![1]), total: Number(result[3]![1]) };
  }

  /** After a successful login from an address; failures from elsewhere keep counting. */
  async reset(username: string, ip: string): Promise<void> {
    await this.redis.del(this.pairKey(username, ip));
  }
}
