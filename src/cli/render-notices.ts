import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { createPool } from '../db/pool.js';
import { renderPendingNotices } from '../notices/batch.js';
import { createBlobStore } from '../storage/create-blob-store.js';
import { runCli } from './run-cli.js';

// Renders every notice that has no stored PDF yet: after a bulk approval, or to retry renders that failed.
runCli(async () => {
  const { values } = parseArgs({
    options: {
      concurrency: { type: 'string', default: '2' },
      limit: { type: 'string' },
    },
  });
  const concurrency = Number(values.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 32) throw new Error('--concurrency must be a whole number from 1 to 32');
  const limit = values.limit === undefined ? undefined : Number(values.limit);
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) throw new Error('--limit must be a positive whole number');
  const config = loadConfig();
  const pool = createPool(config.DATABASE_URL, concurrency + 1);
  try {
    let lastPrinted = 0;
    const report = await renderPendingNotices({ pool, storage: createBlobStore(config), config }, {
      concurrency,
      limit,
      onProgress: (p) => {
        if (p.done === p.total || Date.now() - lastPrinted > 1000) {
          lastPrinted = Date.now();
          process.stderr.write(`\r${p.done}/${p.total} rendered${p.failed ? `, ${p.failed} failed` : ''}`);
        }
      },
    });
    if (report.total) process.stderr.write('\n');
    console.log(`${report.rendered} of ${report.total} notices rendered in ${report.ms} ms (${report.msPerNotice} ms/notice)`);
    for (const f of report.failed) console.error(`notice ${f.noticeId}: ${f.error}`);
    if (report.failed.length) process.exitCode = 1;
  } finally {
    await pool.end();
  }
});
