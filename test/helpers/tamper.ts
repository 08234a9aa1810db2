import type { Pool } from '../../src/db/pool.js';

/**
 * Runs SQL as a superuser who switches triggers off first (session_replication_role = replica): the
 * strongest database insider. What they change must still show on audit verification.
 */
export async function tamperAsSuperuser(pool: Pool, sql: string, params: unknown[] = []): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SET LOCAL session_replication_role = replica');
    await client.query(sql, params);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
