import { availableParallelism } from 'node:os';
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
      threads: { type: 'string', default: String(availableParallelism()) },
      concurrency: { type: 'string' },
      limit: { type: 'string' },
    },
  });
  const threads = Number(values.threads);
  if (!Number.isInteger(threads) || threads < 0 || threads > 32) throw new Error('--threads must be a whole number from 0 (no render threads) to 32');
  const concurrency = values.concurrency === undefined ? Math.max(2, threads * 2) : Number(values.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) throw new Error('--concurrency must be a whole number from 1 to 64');
  const limit = values.limit === undefined ? undefined : Number(values.limit);
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) throw new Error('--limit must be a positive whole number');
  const config = loadConfig();
  const pool = createPool(config.DATABASE_URL, concurrency + 1);
  try {
    let lastPrinted = 0;
    const report = await renderPendingNotices({ pool, storage: createBlobStore(config), config }, {
      threads,
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
    console.log(`${report.rendered} of ${report.total} notices rendered in ${report.ms} ms (${report.perSecond} notices/s, ${threads} render threads)`);
    for (const f of report.failed) console.error(`notice ${f.noticeId}: ${f.error}`);
    if (report.failed.length) process.exitCode = 1;
  } finally {
    await pool.end();
  }
});
