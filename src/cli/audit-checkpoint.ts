import { writeAuditCheckpoint } from '../audit/audit-checkpoint.js';
import { loadAuditKey } from '../audit/audit-key.js';
import { loadConfig } from '../config.js';
import { createPool } from '../db/pool.js';
import { runCli } from './run-cli.js';

/** `npm run audit:checkpoint`: seal the audit chain head now (before an inspection, after a bulk import). */
runCli(async () => {
  const config = loadConfig();
  const pool = createPool(config.DATABASE_URL, 1);
  try {
    const c = await writeAuditCheckpoint(pool, loadAuditKey(config));
    console.log(`checkpoint #${c.id} ${c.takenAt.toISOString()} rows=${c.rowCount} head=${c.headId} mac=${c.mac}`);
  } finally {
    await pool.end();
  }
});
