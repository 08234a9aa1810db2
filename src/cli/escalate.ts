import { createWriteStream } from 'node:fs';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { createPool } from '../db/pool.js';
import { escalateOverdue, registryEntries } from '../escalation/escalate.js';
import { registryCsvChunks } from '../escalation/registry-csv.js';
import { runCli } from './run-cli.js';
import { DAY_MS } from '../vietnam-time.js';

// The daily escalation run (cron/systemd timer): escalate overdue notices, then write the inspection
// registry's list of vehicles to hold (--out FILE, else stdout) and optionally the ones to release.
runCli(async () => {
  const { values } = parseArgs({
    options: {
      out: { type: 'string' },
      lifted: { type: 'string' },
      now: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
    },
  });
  const now = values.now ? new Date(values.now) : new Date();
  if (Number.isNaN(now.getTime())) throw new Error(`--now ${values.now} is not a date (use ISO 8601, e.g. 2026-11-22T00:00:00+07:00)`);
  const pool = createPool(loadConfig().DATABASE_URL, 2);
  try {
    if (!values['dry-run']) {
      const escalated = await escalateOverdue(pool, now);
      console.error(`${escalated.length} notice(s) escalated as of ${now.toISOString()}`);
      const form04 = escalated.filter((e) => e.form04Number !== null).length;
      if (form04 > 0) console.error(`${form04} form-04 notice(s) to the commune/ward police issued (GET /api/v1/escalations/form04)`);
    }
    // written a page of entries at a time: the list of a whole country never sits in memory
    const write = (chunks: AsyncIterable<string>, to: Writable) => pipeline(Readable.from(chunks), to, { end: to !== process.stdout });
    const active = registryCsvChunks(registryEntries(pool, 'active'));
    if (values.out) {
      await write(active, createWriteStream(values.out));
      console.error(`registry list written to ${values.out}`);
    } else {
      await write(active, process.stdout);
    }
    if (values.lifted) {
      const dayAgo = new Date(now.getTime() - DAY_MS);
      await write(registryCsvChunks(registryEntries(pool, 'lifted', dayAgo)), createWriteStream(values.lifted));
      console.error(`holds lifted in the last 24 h written to ${values.lifted}`);
    }
  } finally {
    await pool.end();
  }
});
