import pg from 'pg';
import { listMigrations, migrate } from '../../src/db/migrate.js';
import { createPool } from '../../src/db/pool.js';
import { createHash } from 'node:crypto';
import { TEST_ADMIN_DATABASE_URL, databaseUrl } from './env.js';

/**
 * Builds one migrated template database per set of migrations; every test file then copies it
 * (CREATE DATABASE ... TEMPLATE), so suites run in parallel on their own data and a fresh run
 * proves the migrations apply to an empty database.
 */
export default async function setup({ provide }: { provide: (key: 'templateDatabase', value: string) => void }) {
  const migrations = await listMigrations();
  const digest = createHash('sha256').update(migrations.map((m) => m.checksum).join()).digest('hex').slice(0, 12);
  const template = `phat_tpl_${digest}`;
  const admin = new pg.Client({ connectionString: TEST_ADMIN_DATABASE_URL });
  await admin.connect();
  try {
    // one vitest run at a time builds a template; others wait and reuse it
    await admin.query('SELECT pg_advisory_lock(7462002)');
    await dropStale(admin);
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [template]);
    if (!rowCount) {
      const building = `${template}_build`;
      await admin.query(`DROP DATABASE IF EXISTS ${building}`);
      await admin.query(`CREATE DATABASE ${building}`);
      const pool = createPool(databaseUrl(building), 1);
      try {
        await migrate(pool);
      } finally {
        await pool.end();
      }
      await admin.query(`ALTER DATABASE ${building} RENAME TO ${template}`);
    }
  } finally {
    await admin.query('SELECT pg_advisory_unlock(7462002)');
    await admin.end();
  }
  provide('templateDatabase', template);
}

/** Databases left by runs that were killed (older than an hour) and templates of old migration sets. */
async function dropStale(admin: pg.Client): Promise<void> {
  const { rows } = await admin.query<{ datname: string }>(
    `SELECT datname FROM pg_database WHERE datname ~ '^phat_t_[0-9]+_' OR datname ~ '^phat_tpl_'`,
  );
  const hourAgo = Date.now() - 3600_000;
  for (const { datname } of rows) {
    const created = Number(/^phat_t_(\d+)_/.exec(datname)?.[1] ?? NaN);
    const staleSuite = Number.isFinite(created) && created < hourAgo;
    if (staleSuite) await admin.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`).catch(() => undefined);
  }
}

declare module 'vitest' {
  export interface ProvidedContext {
    templateDatabase: string;
  }
}
