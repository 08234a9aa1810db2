import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { createPool, type Pool } from '../../src/db/pool.js';
import { TEST_ADMIN_DATABASE_URL, databaseUrl } from './env.js';

export interface TestDatabase {
  name: string;
  url: string;
  pool: Pool;
  drop(): Promise<void>;
}

/** A private, migrated, empty database for one test file. Call drop() in afterAll. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const template = inject('templateDatabase');
  const name = `phat_t_${Date.now()}_${randomBytes(4).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${name} TEMPLATE ${template}`);
  const url = databaseUrl(name);
  const pool = createPool(url, 5);
  return {
    name,
    url,
    pool,
    drop: () => dropDatabase(name, pool),
  };
}

/** Closes a test database's pool, then drops the database. */
export async function dropDatabase(name: string, pool: Pool): Promise<void> {
  // pool.end() can resolve before its sockets close; the forced DROP then kills them, which is expected
  pool.on('error', () => undefined);
  await pool.end();
  await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
}

export async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_ADMIN_DATABASE_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** A Redis key prefix no other test run shares, for BullMQ queues and rate-limit keys. */
export function uniquePrefix(label: string): string {
  return `test_${label}_${Date.now()}_${randomBytes(3).toString('hex')}`;
}
