import { appendAudit } from '../audit/audit-log.js';
import { hashPassword } from '../auth/passwords.js';
import { MIN_PASSWORD_LENGTH, passwordWeakness } from '../auth/password-policy.js';
import type { Role } from '../auth/roles.js';
import { keysetPage, type KeysetPage } from '../db/keyset.js';
import type { Queryable } from '../db/pool.js';

export interface UserRecord {
  id: number;
  username: string;
  fullName: string;
  role: Role;
  active: boolean;
  createdAt: Date;
  updatedAt: Date;
}

import type { Actor } from '../audit/audit-log.js';
export type { Actor };

export type UserErrorCode = 'not_found' | 'username_taken' | 'invalid_username' | 'weak_password' | 'last_admin';

export class UserError extends Error {
  constructor(readonly code: UserErrorCode, message: string) {
    super(message);
    this.name = 'UserError';
  }
}

export const USERNAME_PATTERN = '^[a-z0-9._-]{3,64}$';
export { MIN_PASSWORD_LENGTH };

interface UserRow {
  id: number;
  username: string;
  full_name: string;
  role: Role;
  active: boolean;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = 'id, username, full_name, role, active, created_at, updated_at';

function toRecord(row: UserRow): UserRecord {
  return { id: row.id, username: row.username, fullName: row.full_name, role: row.role, active: row.active,
    createdAt: row.created_at, updatedAt: row.updated_at };
}

export function checkPasswordStrength(password: string, userInputs: string[] = []): void {
  const weakness = passwordWeakness(password, userInputs);
  if (weakness) throw new UserError('weak_password', weakness);
}

export async function getUser(db: Queryable, id: number): Promise<UserRecord | null> {
  const { rows } = await db.query<UserRow>(`SELECT ${COLUMNS} FROM users WHERE id = $1`, [id]);
  return rows[0] ? toRecord(rows[0]) : null;
}

/** Users by username, optionally of one role or activity, one page at a time (`after` = last username shown). */
export async function listUsers(db: Queryable, filter: { role?: Role | undefined; active?: boolean | undefined },
  page: { limit: number; after?: string | undefined }): Promise<KeysetPage<UserRecord, string>> {
  const { rows } = await db.query<UserRow>(
    `SELECT ${COLUMNS} FROM users
     WHERE ($1::text IS NULL OR role = $1) AND ($2::boolean IS NULL OR active = $2) AND ($3::text IS NULL OR username > $3)
     ORDER BY username LIMIT $4`,
    [filter.role ?? null, filter.active ?? null, page.after ?? null, page.limit + 1],
  );
  return keysetPage(rows, page.limit, (r) => r.username, toRecord);
}

export async function usernameExists(db: Queryable, username: string): Promise<boolean> {
  return (await db.query('SELECT 1 FROM users WHERE username = $1', [username])).rows.length > 0;
}

/** Creates a user with a hashed password; audited `user.created` in the caller's transaction. */
export async function createUser(
  tx: Queryable,
  input: { username: string; fullName: string; role: Role; password: string },
  actor: Actor,
): Promise<UserRecord> {
  if (!new RegExp(USERNAME_PATTERN).test(input.username)) {
    throw new UserError('invalid_username', 'Tên đăng nhập dài 3–64 ký tự: chữ thường không dấu, số, dấu chấm, gạch ngang, gạch dưới');
  }
  checkPasswordStrength(input.password, [input.username, input.fullName]);
  const passwordHash = await hashPassword(input.password);
  const { rows } = await tx.query<UserRow>(
    `INSERT INTO users (username, full_name, role, password_hash) VALUES ($1, $2, $3, $4)
     ON CONFLICT (username) DO NOTHING RETURNING ${COLUMNS}`,
    [input.username, input.fullName, input.role, passwordHash],
  );
  const row = rows[0];
  if (!row) throw new UserError('username_taken', `Tên đăng nhập ${input.username} đã có người dùng`);
  await appendAudit(tx, { actorId: actor.id, actor: actor.username, action: 'user.created', entityType: 'user', entityId: row.id,
    details: { username: row.username, fullName: row.full_name, role: row.role } });
  return toRecord(row);
}

/**
 * Changes name, role or active flag. Role changes and (de)activation get their own audit actions so
 * they stand out in the trail; the last active admin can be neither demoted nor disabled, or nobody
 * could manage users any more.
 */
export async function updateUser(
  tx: Queryable,
  id: number,
  changes: { fullName?: string; role?: Role; active?: boolean },
  actor: Actor,
): Promise<UserRecord> {
  const { rows } = await tx.query<UserRow>(`SELECT ${COLUMNS} FROM users WHERE id = $1 FOR UPDATE`, [id]);
  const before = rows[0];
  if (!before) throw new UserError('not_found', `Không tìm thấy người dùng #${id}`);
  const losesAdmin = before.role === 'admin' && before.active
    && ((changes.role !== undefined && changes.role !== 'admin') || changes.active === false);
  if (losesAdmin) {
    // serialise admin removals so two admins cannot demote each other at the same moment
    await tx.query("SELECT id FROM users WHERE role = 'admin' AND active ORDER BY id FOR UPDATE");
    const { rows: admins } = await tx.query<{ n: number }>("SELECT count(*)::int AS n FROM users WHERE role = 'admin' AND active");
    if ((admins[0]?.n ?? 0) <= 1) throw new UserError('last_admin', `${before.username} là quản trị viên cuối cùng còn hoạt động; hãy tạo quản trị viên khác trước`);
  }
  const { rows: updated } = await tx.query<UserRow>(
    `UPDATE users SET full_name = coalesce($2, full_name), role = coalesce($3, role), active = coalesce($4, active), updated_at = now()
     WHERE id = $1 RETURNING ${COLUMNS}`,
    [id, changes.fullName ?? null, changes.role ?? null, changes.active ?? null],
  );
  const after = updated[0]!;
  const base = { actorId: actor.id, actor: actor.username, entityType: 'user', entityId: id };
  if (after.role !== before.role) {
    await appendAudit(tx, { ...base, action: 'user.role_changed', details: { username: after.username, from: before.role, to: after.role } });
  }
  if (after.active !== before.active) {
    await appendAudit(tx, { ...base, action: after.active ? 'user.enabled' : 'user.disabled', details: { username: after.username } });
    if (!after.active) await revokeSessions(tx, id);
  }
  if (after.full_name !== before.full_name) {
    await appendAudit(tx, { ...base, action: 'user.renamed', details: { username: after.username, from: before.full_name, to: after.full_name } });
  }
  return toRecord(after);
}

/**
 * Sets a new password and ends every session of the user (a reset usually means the old password
 * leaked). `action` tells the trail whether the user changed it or an admin reset it.
 */
export async function setPassword(
  tx: Queryable,
  id: number,
  password: string,
  actor: Actor,
  action: 'user.password_changed' | 'user.password_reset',
): Promise<void> {
  checkPasswordStrength(password);
  const passwordHash = await hashPassword(password);
  const { rows } = await tx.query<{ username: string }>(
    'UPDATE users SET password_hash = $2, updated_at = now() WHERE id = $1 RETURNING username',
    [id, passwordHash],
  );
  if (!rows[0]) throw new UserError('not_found', `Không tìm thấy người dùng #${id}`);
  await revokeSessions(tx, id);
  await appendAudit(tx, { actorId: actor.id, actor: actor.username, action, entityType: 'user', entityId: id, details: { username: rows[0].username } });
}

/**
 * Replaces a hash made with older parameters by one of the same password made with today's, unless
 * the password was changed meanwhile (the old hash no longer stored).
 */
export async function upgradePasswordHash(tx: Queryable, id: number, oldHash: string, newHash: string): Promise<void> {
  await tx.query('UPDATE users SET password_hash = $3 WHERE id = $1 AND password_hash = $2', [id, oldHash, newHash]);
}

/** The stored hash for a login attempt; null when no such user exists. */
export async function credentialsFor(db: Queryable, username: string): Promise<{ id: number; username: string; active: boolean; passwordHash: string } | null> {
  const { rows } = await db.query<{ id: number; username: string; active: boolean; password_hash: string }>(
    'SELECT id, username, active, password_hash FROM users WHERE username = $1',
    [username],
  );
  const row = rows[0];
  return row ? { id: row.id, username: row.username, active: row.active, passwordHash: row.password_hash } : null;
}

/** Sessions end with the user's access: a disabled user or a reset password must not stay logged in elsewhere. */
async function revokeSessions(tx: Queryable, userId: number): Promise<void> {
  await tx.query('DELETE FROM sessions WHERE user_id = $1', [userId]);
}
