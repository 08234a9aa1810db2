import { appendAudit } from '../audit/audit-log.js';
import { hashPassword, needsRehash, verifyPassword } from '../auth/passwords.js';
import type { StaffUser } from '../auth/roles.js';
import { createSession } from '../auth/sessions.js';
import { withTransaction, type Pool } from '../db/pool.js';
import type { LoginLimiter } from './login-limiter.js';
import { credentialsFor, getUser, setPassword, upgradePasswordHash } from './user-store.js';

export type LoginResult =
  | { ok: true; token: string; expiresAt: Date; user: StaffUser }
  | { ok: false; reason: 'invalid_credentials' }
  | { ok: false; reason: 'locked_out'; retryAfterSeconds: number };

// Verified when the username is unknown, so a miss costs the same time as a wrong password and
// response timing does not reveal which usernames exist.
let decoyHash: Promise<string> | undefined;
const decoy = () => (decoyHash ??= hashPassword('decoy password that matches nothing'));

/**
 * Checks a username and password. Unknown user, disabled user and wrong password all give the same
 * answer. Each attempt is taken from the limiter before the password is checked (per username and
 * address, and per address); at a limit the login is refused, even with the right password, until the
 * window ends. A hash made with older, weaker parameters is replaced on a successful login.
 * Successful logins, failures of real accounts and lockouts are audited.
 */
export async function login(
  deps: { pool: Pool; limiter: LoginLimiter; sessionTtlMinutes: number },
  attempt: { username: string; password: string; ip: string },
): Promise<LoginResult> {
  const { pool, limiter } = deps;
  const username = attempt.username.trim().toLowerCase();
  const taken = await limiter.take(username, attempt.ip);
  if (taken.waitSeconds > 0) return { ok: false, reason: 'locked_out', retryAfterSeconds: taken.waitSeconds };

  const creds = await credentialsFor(pool, username);
  const matches = await verifyPassword(attempt.password, creds?.passwordHash ?? await decoy());
  if (creds && creds.active && matches) {
    await limiter.succeeded(username, attempt.ip);
    const rehashed = needsRehash(creds.passwordHash) ? await hashPassword(attempt.password) : null;
    return withTransaction(pool, async (tx) => {
      if (rehashed) await upgradePasswordHash(tx, creds.id, creds.passwordHash, rehashed);
      const session = await createSession(tx, creds.id, deps.sessionTtlMinutes);
      await appendAudit(tx, { actorId: creds.id, actor: creds.username, action: 'user.logged_in', entityType: 'user', entityId: creds.id,
        details: { ip: attempt.ip, sessionExpiresAt: session.expiresAt, ...(rehashed ? { passwordRehashed: true } : {}) } });
      const user = (await getUser(tx, creds.id))!;
      return { ok: true as const, ...session, user: { id: user.id, username: user.username, fullName: user.fullName, role: user.role } };
    });
  }

  const failures = taken.fromAddress;
  const lockedOut = taken.fromAddress === limiter.maxFailures || taken.addressTotal === limiter.maxPerAddress;
  if (creds || lockedOut) {
    await withTransaction(pool, async (tx) => {
      const base = { actorId: null, actor: 'anonymous', entityType: 'user', entityId: creds?.id ?? username };
      if (creds) {
        await appendAudit(tx, { ...base, action: 'user.login_failed',
          details: { username, ip: attempt.ip, failures, failuresFromAddress: taken.addressTotal, why: creds.active ? 'wrong_password' : 'disabled' } });
      }
      if (lockedOut) {
        await appendAudit(tx, { ...base, action: 'user.locked_out',
          details: { username, ip: attempt.ip, failures, failuresFromAddress: taken.addressTotal } });
      }
    });
  }
  return { ok: false, reason: 'invalid_credentials' };
}

/** A user changing their own password must prove they know the current one. */
export async function changeOwnPassword(
  pool: Pool,
  user: { id: number; username: string },
  currentPassword: string,
  newPassword: string,
): Promise<boolean> {
  const creds = await credentialsFor(pool, user.username);
  if (!creds || creds.id !== user.id || !(await verifyPassword(currentPassword, creds.passwordHash))) return false;
  await withTransaction(pool, (tx) => setPassword(tx, user.id, newPassword, user, 'user.password_changed'));
  return true;
}
