import { loadConfig } from '../config.js';
import { ensureDatabase } from '../db/create-database.js';
import { migrate } from '../db/migrate.js';
import { createPool } from '../db/pool.js';
import { runCli } from './run-cli.js';

runCli(async () => {
  const config = loadConfig();
  if (await ensureDatabase(config.DATABASE_URL)) console.log('created database');
  const pool = createPool(config.DATABASE_URL, 1);
  try {
    const applied = await migrate(pool, (m) => console.log(m));
    console.log(applied.length ? `${applied.length} migration(s) applied` : 'database is up to date');
  } finally {
    await pool.end();
  }
});
