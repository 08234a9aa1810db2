import { randomBytes } from 'node:crypto';
import { listMigrations } from '../../src/db/migrate.js';
import { createPool, type Pool } from '../../src/db/pool.js';
import { adminQuery, dropDatabase } from './db.js';
import { databaseUrl } from './env.js';

/**
 * A scratch database migrated only below a version, for tests of a migration that converts data in
 * place: fill it as the old schema stood, then apply the rest and compare.
 */
export interface MigrationDb {
  pool: Pool;
  /** Applies the migrations whose version passes `filter`, each in its own transaction, in order. */
  applyMigrations(filter: (version: string) => boolean): Promise<void>;
  drop(): Promise<void>;
}

export async function databaseBefore(version: string): Promise<MigrationDb> {
  const name = `phat_t_mig_${Date.now()}_${randomBytes(3).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  const pool = createPool(databaseUrl(name), 2);
  async function applyMigrations(filter: (version: string) => boolean) {
    for (const m of (await listMigrations()).filter((x) => filter(x.version))) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        await client.query(m.sql);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK');
        throw new Error(`${m.version}_${m.name}: ${(err as Error).message}`);
      } finally {
        client.release();
      }
    }
  }
  await applyMigrations((v) => v < version);
  return {
    pool,
    applyMigrations,
    drop: () => dropDatabase(name, pool),
  };
}
