import { createReadStream, existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { spreadsheetCsv } from '../csv/spreadsheet-csv.js';
import { loadConfig } from '../config.js';
import { createPool } from '../db/pool.js';
import { importRegistryCsv, RegistryImportError } from '../registry/csv-import.js';
import { runCli } from './run-cli.js';

const USAGE = 'usage: npm run import:registry -- <export.csv> [--rejects <file.csv>] [--batch <rows>]';

runCli(async () => {
  try {
    const rejected = await main();
    // runCli exits 0 on success: a partial import must be visible to scripts
    if (rejected > 0) process.exit(2);
  } catch (err) {
    if (!(err instanceof RegistryImportError)) throw err;
    console.error(`import refused: ${err.message}`);
    process.exit(1);
  }
});

/** Returns the number of rejected rows. */
async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const file = args.find((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--'));
  const flag = (name: string) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };
  if (!file || args.includes('--help')) {
    throw new RegistryImportError(USAGE);
  }
  if (!existsSync(file)) throw new RegistryImportError(`${file}: no such file`);
  const batchSize = Number(flag('--batch') ?? 500);
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) throw new RegistryImportError('--batch must be a whole number of rows, 1-10000');
  const rejectsFile = flag('--rejects') ?? `${file.replace(/\.csv$/i, '')}.rejected.csv`;

  const pool = createPool(loadConfig().DATABASE_URL, 2);
  try {
    const report = await importRegistryCsv(pool, createReadStream(file), {
      batchSize, sourceName: path.basename(file), actor: 'registry-import',
      onProgress: (p) => process.stderr.write(`\r${p.rows.toLocaleString('en')} rows: ${p.accepted.toLocaleString('en')} imported, `
        + `${p.rejected.toLocaleString('en')} rejected (${Math.round(p.rows / Math.max(p.elapsedMs / 1000, 0.001))} rows/s)`),
    });
    process.stderr.write('\n');
    const o = report.ownerships;
    console.log(`import ${report.importId}: ${report.rows} rows, ${report.accepted} imported `
      + `(${o.created} new ownership periods, ${o.closed_previous} closing an earlier owner's period, ${o.updated} updated, ${o.unchanged} unchanged), `
      + `${report.rejected} rejected, ${(report.elapsedMs / 1000).toFixed(1)} s`);
    if (report.rejected > 0) {
      await writeFile(rejectsFile, spreadsheetCsv(report.rejectedRows, { header: true, columns: ['line', 'plate', 'reason'] }));
      for (const r of report.rejectedRows.slice(0, 10)) console.log(`  line ${r.line} (${r.plate}): ${r.reason}`);
      if (report.rejected > 10) console.log(`  ... ${report.rejected - 10} more`);
      console.log(`rejected rows written to ${rejectsFile}`);
    }
    return report.rejected;
  } finally {
    await pool.end();
  }
}
