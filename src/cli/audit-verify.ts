import { verifyAuditLog } from '../audit/audit-log.js';
import { loadConfig } from '../config.js';
import { createPool } from '../db/pool.js';
import { runCli } from './run-cli.js';

runCli(async () => {
  const pool = createPool(loadConfig().DATABASE_URL, 1);
  try {
    const result = await verifyAuditLog(pool);
    if (result.ok) {
      console.log(`audit log intact: ${result.rows} rows`);
      return;
    }
    const what = { edited: 'was edited', missing_before: 'follows deleted rows', chain_broken: 'has a broken link' }[result.problem];
    console.error(`audit log TAMPERED: row ${result.firstBadId} ${what} (${result.rows} rows checked)`);
    process.exitCode = 2;
  } finally {
    await pool.end();
  }
});
