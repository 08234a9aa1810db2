import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { ConcurrencyGate } from './concurrency-gate.js';

const scrypt = (password: string, salt: Buffer, keylen: number, opts: ScryptOptions) =>
  new Promise<Buffer>((resolve, reject) =>
    scryptCb(password, salt, keylen, opts, (err, key) => (err ? reject(err) : resolve(key))),
  );

// N=2^17, r=8 (OWASP's current minimum for scrypt) costs 128 MiB and a few hundred ms per guess.
const N = 131_072;
const R = 8;
const P = 1;
const KEYLEN = 32;
// 128 * N * r bytes, with room; verifying an old hash with larger parameters is allowed up to this
const MAX_MEM = 288 * 1024 * 1024;

/**
 * Every scrypt in this process passes through this gate. scrypt runs on libuv's small thread pool,
 * which file reads share: without a cap a flood of logins (even for unknown usernames) starves
 * evidence downloads and eats memory. A login check that finds the queue full is refused
 * (PasswordHashingBusy); setting a password (staff, seed) waits its turn.
 */
const gate = new ConcurrencyGate(1, 16);

export class PasswordHashingBusy extends Error {
  override readonly name = 'PasswordHashingBusy';
  constructor() {
    super('too many password checks in progress; try again shortly');
  }
}

/** How many hashes may run at once in this process (PASSWORD_HASH_CONCURRENCY) and how many may wait. */
export function setPasswordHashConcurrency(concurrency: number, maxWaiting = 16 * concurrency): void {
  gate.resize(concurrency, maxWaiting);
}

/** Active and peak hash computations (metrics, tests). */
export function passwordHashingLoad(): { active: number; waiting: number; peak: number } {
  return gate.load();
}

const gated = <T>(work: () => Promise<T>): Promise<T> => {
  const run = gate.tryRun(work);
  if (!run) throw new PasswordHashingBusy();
  return run;
};

/** Stored form: `scrypt$N$r$p$salt$hash` (base64), so parameters can be raised later without breaking old hashes. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await gate.run(() => scrypt(password.normalize('NFC'), salt, KEYLEN, { N, r: R, p: P, maxmem: MAX_MEM }));
  return ['scrypt', N, R, P, salt.toString('base64'), key.toString('base64')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !n || !r || !p || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const key = await gated(() => scrypt(password.normalize('NFC'), Buffer.from(salt, 'base64'), expected.length, {
    N: Number(n), r: Number(r), p: Number(p), maxmem: MAX_MEM,
  }));
  return timingSafeEqual(key, expected);
}

/** A stored hash made with weaker parameters than today's: rehashed at the next successful login. */
export function needsRehash(stored: string): boolean {
  const [scheme, n, r, p] = stored.split('$');
  return scheme !== 'scrypt' || Number(n) < N || Number(r) < R || Number(p) < P;
}
