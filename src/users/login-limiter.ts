import { sha256Hex } from '../auth/tokens.js';
import type { Redis } from '../redis.js';

/**
 * Takes one login attempt for (username, address) and for the address, in one atomic step: refused
 * (returns the seconds to wait) when either count is at its limit, otherwise both counts go up and 0
 * is returned. Counting before the password is checked means parallel guesses cannot all slip
 * through between a check and a later increment.
 */
const TAKE_ATTEMPT = `
local pair = tonumber(redis.call('GET', KEYS[1]) or '0')
local addr = tonumber(redis.call('GET', KEYS[2]) or '0')
if pair >= tonumber(ARGV[1]) then return {math.max(redis.call('TTL', KEYS[1]), 1), pair, addr} end
if addr >= tonumber(ARGV[2]) then return {math.max(redis.call('TTL', KEYS[2]), 1), pair, addr} end
pair = redis.call('INCR', KEYS[1])
if pair == 1 then redis.call('EXPIRE', KEYS[1], ARGV[3]) end
addr = redis.call('INCR', KEYS[2])
if addr == 1 then redis.call('EXPIRE', KEYS[2], ARGV[3]) end
return {0, pair, addr}`;

/** A successful login gives its attempt back: it clears the pair and takes one off the address. */
const GIVE_BACK = `
redis.call('DEL', KEYS[1])
if tonumber(redis.call('GET', KEYS[2]) or '0') > 0 then redis.call('DECR', KEYS[2]) end
return 0`;

export interface Attempt {
  /** 0 when the attempt may go ahead; else seconds until this username may try from this address again */
  waitSeconds: number;
  /** attempts not given back (failures, or in flight) for this username from this address, this one included */
  fromAddress: number;
  /** the same from this address for any username */
  addressTotal: number;
}

/**
 * Limits login attempts in Redis (shared by every API process, survives restarts), per username and
 * address and per address. There is deliberately no limit per username alone: it would let anyone,
 * from anywhere, lock any account (admin included) by guessing badly on purpose. Addresses are the
 * real peer or what a configured proxy reports (TRUSTED_PROXIES), so they cannot be rotated by a header.
 */
export class LoginLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    readonly maxFailures: number,
    private readonly windowSeconds: number,
    readonly maxPerAddress: number,
  ) {}

  // hashed so odd characters in a guessed username cannot shape the key
  private pairKey(username: string, ip: string): string {
    return `${this.prefix}:login-attempts:${sha256Hex(`${username}\n${ip}`)}`;
  }

  private addressKey(ip: string): string {
    return `${this.prefix}:login-attempts-addr:${sha256Hex(ip)}`;
  }

  /** Takes an attempt before the password is checked; `waitSeconds > 0` means refused. */
  async take(username: string, ip: string): Promise<Attempt> {
    const [wait, pair, addr] = await this.redis.eval(TAKE_ATTEMPT, 2, this.pairKey(username, ip), this.addressKey(ip),
      this.maxFailures, this.maxPerAddress, this.windowSeconds) as [number, number, number];
    return { waitSeconds: wait, fromAddress: pair, addressTotal: addr };
  }

  /** After a successful login: the attempt does not count, and earlier failures from this address are forgiven. */
  async succeeded(username: string, ip: string): Promise<void> {
    await this.redis.eval(GIVE_BACK, 2, this.pairKey(username, ip), this.addressKey(ip));
  }
}
