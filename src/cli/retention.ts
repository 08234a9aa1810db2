import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { createPool } from '../db/pool.js';
import { retentionPolicy } from '../retention/retention-policy.js';
import { runRetention } from '../retention/run-retention.js';
import { LocalBlobStore } from '../storage/blob-store.js';
import { runCli } from './run-cli.js';

// The retention run the workers schedule nightly, by hand: `--dry-run` lists what would be deleted
// and changes nothing; `--now` evaluates the policy as of another moment (a dry run "next month").
runCli(async () => {
  const { values } = parseArgs({
    options: {
      'dry-run': { type: 'boolean', default: false },
      now: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  const now = values.now ? new Date(values.now) : new Date();
  if (Number.isNaN(now.getTime())) throw new Error(`--now ${values.now} is not a date (use ISO 8601, e.g. 2026-11-22T00:00:00+07:00)`);
  const config = loadConfig();
  const pool = createPool(config.DATABASE_URL, 3);
  try {
    const report = await runRetention({ pool, storage: new LocalBlobStore(config.STORAGE_DIR) }, retentionPolicy(config), { now, dryRun: values['dry-run'] });
    if (values.json) {
      console.log(JSON.stringify(report));
      return;
    }
    const p = report.policy;
    console.log(`${report.dryRun ? 'DRY RUN, nothing deleted: would delete' : 'deleted'} as of ${report.now} ` +
      `(no-violation captures after ${p.noViolationDays} d, evidence after the 1-year limitation and ${p.appealDays} d after resolution, ` +
      `case records after ${p.archiveYears} y), in ${report.ms} ms:`);
    for (const [kind, n] of Object.entries(report.deleted)) console.log(`  ${kind.padEnd(16)} ${n}`);
    if (report.partitions.dropped.length > 0) console.log(`emptied partitions${report.dryRun ? ' that would be dropped' : ' dropped'}: ${report.partitions.dropped.join(', ')}`);
    if (report.partitions.busy.length > 0) console.log(`partitions left for the next run (tables busy): ${report.partitions.busy.join(', ')}`);
  } finally {
    await pool.end();
  }
});
