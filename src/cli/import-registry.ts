import { createReadStream, existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { spreadsheetCsv } from '../csv/spreadsheet-csv.js';
import { loadConfig } from '../config.js';
import { createPool } from '../db/pool.js';
import { importRegistryCsv, RegistryImportError } from '../registry/csv-import.js';
import { runCli } from './run-cli.js';

const USAGE = 'usage: npm run import:registry -- <export.csv> [--rejects <file.csv>] [--batch <rows>] [--no-initial-load]';

runCli(async () => {
  try {
    const rejected = await main();
    // runCli exits 0 on success: a partial import must be visible to scripts
    if (rejected > 0) process.exit(2);
  } catch (err) {
    if (!(err instanceof RegistryImportError)) throw err;
    console.error(`không nhập được: ${err.message}`);
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
  if (!existsSync(file)) throw new RegistryImportError(`${file}: không có tệp này`);
  const batchSize = Number(flag('--batch') ?? 5000);
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 50_000) throw new RegistryImportError('--batch phải là số dòng nguyên, 1-50000');
  const rejectsFile = flag('--rejects') ?? `${file.replace(/\.csv$/i, '')}.rejected.csv`;

  const pool = createPool(loadConfig().DATABASE_URL, 2);
  try {
    const report = await importRegistryCsv(pool, createReadStream(file), {
      batchSize, sourceName: path.basename(file), actor: 'registry-import',
      // by default a large file into an empty registry has the indexes built afterwards, holding readers up until it commits
      initialLoad: args.includes('--no-initial-load') ? false : undefined,
      onProgress: (p) => process.stderr.write(p.phase === 'reading'
        ? `\rđã đọc ${p.rows.toLocaleString('vi')} dòng, ${p.rejected.toLocaleString('vi')} dòng lỗi (${Math.round(p.rows / Math.max(p.elapsedMs / 1000, 0.001))} dòng/s)`
        : `\rđã ghi vào sổ đăng ký: ${p.accepted.toLocaleString('vi')} dòng, ${p.rejected.toLocaleString('vi')} dòng bị từ chối`),
    });
    process.stderr.write('\n');
    const o = report.ownerships;
    console.log(`lần nhập ${report.importId}: ${report.rows} dòng, ${report.accepted} dòng đã nhập `
      + `(${o.created} thời hạn sở hữu mới, ${o.closed_previous} khép thời hạn của chủ trước, ${o.updated} cập nhật ngày kết thúc, ${o.unchanged} không đổi), `
      + `${report.rejected} dòng bị từ chối, ${(report.elapsedMs / 1000).toFixed(1)} s `
      + `(${Math.round(report.rows / Math.max(report.elapsedMs / 1000, 0.001))} dòng/s)`);
    if (report.rejected > 0) {
      await writeFile(rejectsFile, spreadsheetCsv(report.rejectedRows, { header: true, columns: [{ key: 'line', header: 'dòng' }, { key: 'plate', header: 'biển số' }, { key: 'reason', header: 'lý do' }] }));
      for (const r of report.rejectedRows.slice(0, 10)) console.log(`  dòng ${r.line} (${r.plate}): ${r.reason}`);
      if (report.rejected > 10) console.log(`  ... và ${report.rejected - 10} dòng nữa`);
      console.log(`các dòng bị từ chối đã ghi vào ${rejectsFile}`);
    }
    return report.rejected;
  } finally {
    await pool.end();
  }
}
