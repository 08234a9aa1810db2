import type { Queryable } from '../db/pool.js';
import type { Role, StaffUser } from './roles.js';
import { newSecret, sha256Hex } from './tokens.js';

export async function createSession(db: Queryable, userId: number, ttlMinutes: number): Promise<{ token: string; expiresAt: Date }> {
  const token = newSecret('pn');
  const { rows } = await db.query<{ expires_at: Date }>(
    `INSERT INTO sessions (token_hash, user_id, expires_at) VALUES ($1, $2, now() + make_interval(mins => $3))
     RETURNING expires_at`,
    [sha256Hex(token), userId, ttlMinutes],
  );
  return { token, expiresAt: rows[0]!.expires_at };
}

/** The active user behind a bearer token, or null when the token is unknown, expired or the user disabled. */
export async function userForToken(db: Queryable, token: string): Promise<StaffUser | null> {
  const { rows } = await db.query<{ id: number; username: string; full_name: string; role: Role }>(
    `SELECT u.id, u.username, u.full_name, u.role FROM sessions s JOIN users u ON u.id = s.user_id
     WHERE s.token_hash = $1 AND s.expires_at > now() AND u.active`,
    [sha256Hex(token)],
  );
  const row = rows[0];
  return row ? { id: row.id, username: row.username, fullName: row.full_name, role: row.role } : null;
}

export async function deleteSession(db: Queryable, token: string): Promise<void> {
  await db.query('DELETE FROM sessions WHERE token_hash = $1', [sha256Hex(token)]);
}
