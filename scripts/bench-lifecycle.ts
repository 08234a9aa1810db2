import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { writeAuditCheckpoint } from '../src/audit/audit-checkpoint.js';
import { chainAuditLog } from '../src/audit/audit-chainer.js';
import { installAuditKey } from '../src/audit/audit-key.js';
import { runAuditVerification } from '../src/audit/audit-verify-run.js';
import { loadConfig } from '../src/config.js';
import { migrate } from '../src/db/migrate.js';
import { createPool, withTransaction } from '../src/db/pool.js';
import { auditedPlateHistory } from '../src/investigations/plate-history.js';
import { ensureMonthPartitions } from '../src/maintenance/month-partitions.js';
import { retentionPolicy } from '../src/retention/retention-policy.js';
import { runRetention } from '../src/retention/run-retention.js';
import { LocalBlobStore } from '../src/storage/blob-store.js';
import { createScratch } from './scratch-database.js';

/**
 * Data-lifecycle benchmark on a scratch database (removed afterwards unless --keep): generates
 * --reads captures with one plate read each, spread evenly over --months months ending now (the
 * province rate is ~100 000 a day), a share of them evidence of closed cases, then times a retention
 * run with the configured policy (RETENTION_* settings). Rows are generated in SQL: the images are
 * not written to disk, so blob removal is an unlink of an absent file (the database side is what is
 * measured). With --history N, before the retention run, N plate-history lookups (the investigators'
 * endpoint: one keyset page of 50 and its audit row, in one transaction) of random plates over the
 * last 90 days are timed one after another; --no-retention stops there. --reads 0 skips the reads.
 *
 * With --audit-rows N: N audit rows are generated in SQL (sealed with a key of the run, as appendAudit
 * seals them), linked by the real chainer and sealed by a checkpoint, then the whole log is verified
 * as the workers' audit-verify job does it (runAuditVerification, full), with the process's resident
 * memory sampled every 10 000 rows. Last lines:
 *   reads <n> generate_s <x> [history_p50_ms <x> history_p99_ms <x>] retention_s <x> deleted_captures <n> deleted_per_s <x> partitions_dropped <n>
 *   audit_rows <n> generate_s <x> chain_s <x> verify_s <x> verify_rows_per_s <x> rss_start_mib <x> rss_peak_mib <x>
 *
 * With --chain-rows N: N unlinked audit rows are generated the same way (a backlog, e.g. after the
 * workers were down), then the real chainer (chainAuditLog, --chain-batch rows a transaction) links
 * them alone and is timed; a checkpoint and a full verification then confirm what it linked. With
 * --chain-base M, a log of M rows is generated and linked first (not timed): the backlog is then
 * linked onto a chain that has grown for a while. Last line:
 *   chain_rows <n> chain_base <m> generate_s <x> chain_s <x> chain_rows_per_s <x> verify_s <x>
 */
const { values } = parseArgs({
  options: {
    reads: { type: 'string', default: '1000000' },
    months: { type: 'string', default: '5' },
    chunk: { type: 'string', default: '250000' },
    'dry-run': { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    history: { type: 'string', default: '0' },
    'no-retention': { type: 'boolean', default: false },
    'audit-rows': { type: 'string', default: '0' },
    'chain-rows': { type: 'string', default: '0' },
    'chain-batch': { type: 'string' },
    'chain-base': { type: 'string', default: '0' },
  },
});
const auditRows = Number(values['audit-rows']);
const chainRows = Number(values['chain-rows']);
const chainBase = Number(values['chain-base']);
const chainBatch = values['chain-batch'] === undefined ? undefined : Number(values['chain-batch']);
const lookups = Number(values.history);
const reads = Number(values.reads);
const months = Number(values.months);
const chunk = Number(values.chunk);
if (![months, chunk].every((n) => Number.isInteger(n) && n > 0) || ![reads, lookups, auditRows, chainRows, chainBase].every((n) => Number.isInteger(n) && n >= 0)
  || (chainBatch !== undefined && !(Number.isInteger(chainBatch) && chainBatch > 0))) {
  process.stderr.write('usage: npm run --silent bench:lifecycle -- [--reads 1000000] [--months 5] [--chunk 250000] [--history 0] [--no-retention] [--dry-run] [--keep] [--audit-rows 0] [--chain-rows 0 [--chain-batch n] [--chain-base 0]]\n');
  process.exit(2);
}
const log = (msg: string) => process.stderr.write(`${msg}\n`);
const scratch = await createScratch(loadConfig().DATABASE_URL, 'bench_life');
const storageDir = scratch.storageDir;
const config = loadConfig({ ...process.env, DATABASE_URL: scratch.databaseUrl, STORAGE_DIR: storageDir });
const pool = createPool(config.DATABASE_URL, 4);
// the run seals its audit rows (retention's, plate history's, the generated ones) with a key of its own
const auditKeyText = randomBytes(32).toString('hex');
installAuditKey(Buffer.from(auditKeyText, 'utf8'));
const seconds = (since: bigint) => Number(process.hrtime.bigint() - since) / 1e9;
try {
  await migrate(pool);
  if (reads > 0) {
    const now = new Date();
    const spanS = months * 30 * 86_400;
    await pool.query(`INSERT INTO cameras (code, name, province, address, camera_type)
                      SELECT 'BENCH-' || i, 'Camera ' || i, 'Bắc Ninh', 'Quốc lộ 1A', 'red_light' FROM generate_series(1, 50) i`);
    const officer = await pool.query<{ id: number }>(`INSERT INTO users (username, full_name, role, password_hash) VALUES ('bench', 'Bench', 'officer', 'x') RETURNING id`);

    // a province's database has had its monthly partitions created ahead by the workers all along
    // (migrations 091, 113, 180): the months of the window, not only the current one, have theirs
    await ensureMonthPartitions(pool, new Date(now.getTime() - spanS * 1000), months + 4);

    const genStart = process.hrtime.bigint();
    // Rows are valid by construction: generated with foreign-key checks and triggers off (replica role),
    // the capture keys written here as the captures' trigger would, so generation is not what takes the time
    const gen = await pool.connect();
    await gen.query(`SET session_replication_role = replica`);
    for (let from = 1; from <= reads; from += chunk) {
      const to = Math.min(reads, from + chunk - 1);
      // capture i is taken at an even step through the window; its bytes (and so its blob) are unique
      await gen.query(
        `INSERT INTO captures (id, camera_id, image_sha256, image_bytes, image_width, image_height, content_type, captured_at, received_at,
                               source, status, processed_at, recognised_at)
         SELECT i, 1 + i % 50, encode(sha256(int8send(i)), 'hex'), 150000, 1280, 720, 'image/jpeg', t, t, 'http', 'processed', t, t
         FROM generate_series($1::bigint, $2::bigint) i, LATERAL (SELECT $3::timestamptz - make_interval(secs => ($4::float8 * ($5 - i) / $5)) AS t) tt`,
        [from, to, now, spanS, reads]);
      await gen.query(
        `INSERT INTO capture_keys (camera_id, image_sha256, capture_id, captured_at)
         SELECT camera_id, image_sha256, id, captured_at FROM captures WHERE id BETWEEN $1 AND $2`, [from, to]);
      await gen.query(
        `INSERT INTO plate_reads (capture_id, rank, plate_text, plate_key, raw_text, confidence, char_confidences,
                                  bbox_x, bbox_y, bbox_width, bbox_height, layout, colour, valid, low_confidence, created_at, captured_at, camera_id)
         SELECT c.id, 0, '98A-' || lpad((c.id % 100000)::text, 5, '0'), '98A' || lpad((c.id % 100000)::text, 5, '0'), '98A' || lpad((c.id % 100000)::text, 5, '0'),
                0.93, ARRAY[0.93, 0.95, 0.9]::real[], 500, 400, 180, 44, 'one-line', 'white', true, false, c.captured_at, c.captured_at, c.camera_id
         FROM captures c WHERE c.id BETWEEN $1 AND $2`, [from, to]);
      log(`generated ${to} / ${reads} reads (${seconds(genStart).toFixed(0)} s)`);
    }
    await gen.query(`RESET session_replication_role`);
    gen.release();
    await pool.query(`SELECT setval('captures_id_seq', $1)`, [reads]);
    // one capture in 200 is evidence of a violation; half of those cases ended (rejected) and half are still awaiting review
    await pool.query(
      `WITH ev AS (SELECT id, camera_id, captured_at, row_number() OVER (ORDER BY id) AS n FROM captures WHERE id % 200 = 0),
       v AS (
         INSERT INTO violations (camera_id, rule, violation_code, legal_clause, description, vehicle_category, occurred_at, plate_text, plate_key,
                                 plate_colour, match_status, schedule_version, fine_min, fine_max, fine_amount, points, read_confidence, status,
                                 decided_by, decided_at, reject_reason, details)
         SELECT camera_id, 'red_light', '16824.6.9.b.01', '6.9.b', 'Không chấp hành hiệu lệnh của đèn tín hiệu giao thông', 'car', captured_at,
                '98A-00000', '98A00000', 'white', 'unknown', 'nd168-2024', 18000000, 20000000, 19000000, 4, 0.93,
                CASE WHEN n % 2 = 0 THEN 'rejected' ELSE 'pending_review' END,
                CASE WHEN n % 2 = 0 THEN $1::bigint END, CASE WHEN n % 2 = 0 THEN captured_at END, CASE WHEN n % 2 = 0 THEN 'duplicate' END,
                jsonb_build_object('captureId', id)
         FROM ev RETURNING id, (details->>'captureId')::bigint AS capture_id)
       INSERT INTO violation_evidence (violation_id, capture_id, captured_at, plate_read_id, plate_read_captured_at)
       SELECT v.id, v.capture_id, r.captured_at, r.id, r.captured_at FROM v JOIN plate_reads r ON r.capture_id = v.capture_id`, [officer.rows[0]!.id]);
    await pool.query('VACUUM ANALYZE');
    const generateS = seconds(genStart);
    const size = await pool.query<{ size: string }>('SELECT pg_size_pretty(pg_database_size(current_database())) AS size');
    log(`generated ${reads} captures + reads over ${months} months in ${generateS.toFixed(1)} s; database ${size.rows[0]!.size}`);

    let historyFigures = '';
    if (lookups > 0) {
      // plate i is read by capture ids ≡ i (mod 100 000): about reads / 100 000 sightings each over the months
      const plates = Math.min(100_000, reads);
      const timings: number[] = [];
      let shown = 0;
      for (let i = 0; i < lookups; i++) {
        const key = `98A${String(Math.floor(Math.random() * plates)).padStart(5, '0')}`;
        const start = process.hrtime.bigint();
        const page = await withTransaction(pool, (tx) => auditedPlateHistory(tx, { id: officer.rows[0]!.id, username: 'bench' },
          { plateKey: key, days: 90, limit: 50, now }));
        timings.push(Number(process.hrtime.bigint() - start) / 1e6);
        shown += page.sightings.length;
      }
      timings.sort((a, b) => a - b);
      const pct = (p: number) => timings[Math.min(timings.length - 1, Math.ceil((p / 100) * timings.length) - 1)]!;
      log(`plate history: ${lookups} lookups, ${(shown / lookups).toFixed(1)} sightings each on average; p50 ${pct(50).toFixed(2)} ms, ` +
        `p99 ${pct(99).toFixed(2)} ms, max ${timings.at(-1)!.toFixed(2)} ms`);
      historyFigures = ` history_p50_ms ${pct(50).toFixed(2)} history_p99_ms ${pct(99).toFixed(2)}`;
    }

    if (values['no-retention']) {
      console.log(`reads ${reads} generate_s ${generateS.toFixed(1)}${historyFigures}`);
    } else {
      const policy = retentionPolicy(config);
      const retStart = process.hrtime.bigint();
      const report = await runRetention({ pool, storage: new LocalBlobStore(storageDir) }, policy, { now, dryRun: values['dry-run'] });
      const retentionS = seconds(retStart);
      const left = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM captures');
      log(`retention${report.dryRun ? ' (dry run)' : ''} with ${JSON.stringify(policy)}: ${JSON.stringify(report.deleted)} in ${retentionS.toFixed(1)} s; ${left.rows[0]!.n} captures left`);
      console.log(`reads ${reads} generate_s ${generateS.toFixed(1)}${historyFigures} retention_s ${retentionS.toFixed(1)} deleted_captures ${report.deleted.captures} ` +
        `deleted_per_s ${(report.deleted.captures / retentionS).toFixed(0)} partitions_dropped ${report.partitions.dropped.length}`);
    }
  }
  if (auditRows > 0) await benchAuditVerify(auditRows);
  if (chainRows > 0) await benchChainer(chainRows, chainBase);
} finally {
  await pool.end();
  if (!values.keep) await scratch.remove();
}

/**
 * N audit rows as appendAudit writes them (content hash, seal with the key), generated in SQL with
 * pgcrypto in chunks; then linked by the real chainer, sealed by a checkpoint, and verified whole.
 */
async function benchAuditVerify(n: number): Promise<void> {
  const key = Buffer.from(auditKeyText, 'utf8');
  // the rows written so far (retention's, plate history's) are linked by the real chainer first
  await chainAuditLog(pool, key);
  const { generateS } = await generateAuditRows(n);
  const chainStart = process.hrtime.bigint();
  const chained = await chainAuditLog(pool, key);
  const chainS = seconds(chainStart);
  const checkpoint = await writeAuditCheckpoint(pool, key);
  await pool.query('VACUUM ANALYZE audit_log, audit_links');
  const size = await pool.query<{ size: string }>(`SELECT pg_size_pretty(pg_total_relation_size('audit_log') + pg_total_relation_size('audit_links')) AS size`);
  log(`audit log: ${n} rows generated in ${generateS.toFixed(1)} s, ${chained.linked} linked in ${chainS.toFixed(1)} s, checkpoint #${checkpoint.id} ` +
    `of ${checkpoint.rowCount} rows; audit_log + audit_links ${size.rows[0]!.size}`);

  const mib = (b: number) => b / 1048576;
  const rssStart = process.memoryUsage().rss;
  let rssPeak = rssStart;
  let heapPeak = process.memoryUsage().heapUsed;
  const samples: string[] = [];
  const verifyStart = process.hrtime.bigint();
  const run = await runAuditVerification(pool, key, new Date(), {
    full: true,
    onProgress: (rows) => {
      const m = process.memoryUsage();
      rssPeak = Math.max(rssPeak, m.rss);
      heapPeak = Math.max(heapPeak, m.heapUsed);
      if (rows % 1_000_000 === 0) {
        samples.push(`${rows / 1e6}M: rss ${mib(m.rss).toFixed(0)} MiB heap ${mib(m.heapUsed).toFixed(0)} MiB`);
        log(`verified ${rows} rows (${seconds(verifyStart).toFixed(0)} s), rss ${mib(m.rss).toFixed(0)} MiB, heap ${mib(m.heapUsed).toFixed(0)} MiB`);
      }
    },
  });
  const verifyS = seconds(verifyStart);
  const r = run.result;
  if (!r.ok) throw new Error(`the generated audit log did not verify: ${r.problem} at row ${r.firstBadId}`);
  log(`verified ${r.rows} rows, ${r.checkpoints} checkpoint(s), in ${verifyS.toFixed(1)} s; rss start ${mib(rssStart).toFixed(0)} MiB, peak ` +
    `${mib(rssPeak).toFixed(0)} MiB, heap peak ${mib(heapPeak).toFixed(0)} MiB, maxRSS of the process ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
  log(samples.join('; '));
  console.log(`audit_rows ${r.rows} generate_s ${generateS.toFixed(1)} chain_s ${chainS.toFixed(1)} verify_s ${verifyS.toFixed(1)} ` +
    `verify_rows_per_s ${(r.rows / verifyS).toFixed(0)} rss_start_mib ${mib(rssStart).toFixed(0)} rss_peak_mib ${mib(rssPeak).toFixed(0)}`);
}

/**
 * N unlinked audit rows after the newest one, as appendAudit writes them (content hash, seal with the
 * run's key), generated in SQL with pgcrypto in chunks of --chunk.
 */
async function generateAuditRows(n: number): Promise<{ first: number; generateS: number }> {
  await pool.query('CREATE EXTENSION IF NOT EXISTS pgcrypto');
  const first = Number((await pool.query<{ n: number }>('SELECT coalesce(max(id), 0) + 1 AS n FROM audit_log')).rows[0]!.n);
  const genStart = process.hrtime.bigint();
  // occurred_at to the millisecond (as appendAudit stores it), one row a millisecond ending now
  const base = new Date(Date.now() - n);
  for (let from = first; from < first + n; from += chunk) {
    const to = Math.min(first + n - 1, from + chunk - 1);
    // rowHash: sha256 of JSON.stringify([id, ISO time, actor_id, actor, action, entity_type, entity_id, canonical details, prev_hash])
    await pool.query(
      `INSERT INTO audit_log (id, occurred_at, actor_id, actor, action, entity_type, entity_id, details, prev_hash, hash, mac)
       SELECT i, t, NULL, 'bench', 'bench.recorded', 'bench', i::text, jsonb_build_object('n', i), NULL, h,
              encode(hmac(convert_to('audit-row' || chr(10) || h, 'UTF8'), convert_to($3, 'UTF8'), 'sha256'), 'hex')
       FROM generate_series($1::bigint, $2::bigint) i,
            LATERAL (SELECT $4::timestamptz + (i - $1) * interval '1 millisecond' AS t) tt,
            LATERAL (SELECT encode(digest(convert_to(format('[%s,"%s",null,"bench","bench.recorded","bench","%s","{\\"n\\":%s}",null]',
                       i, to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), i, i), 'UTF8'), 'sha256'), 'hex') AS h) hh`,
      [from, to, auditKeyText, base]);
    log(`audit rows ${to - first + 1} / ${n} (${seconds(genStart).toFixed(0)} s)`);
  }
  await pool.query(`SELECT setval(pg_get_serial_sequence('audit_log', 'id'), $1)`, [first + n - 1]);
  return { first, generateS: seconds(genStart) };
}

/**
 * The real chainer alone on a backlog of N unlinked rows, after a chain of `base` rows; a checkpoint
 * and a full verification then check its links. The backlog is not vacuumed (autovacuum may not have
 * reached rows written during an outage): the chainer is the first to read them.
 */
async function benchChainer(n: number, base: number): Promise<void> {
  const key = Buffer.from(auditKeyText, 'utf8');
  if (base > 0) {
    await generateAuditRows(base);
    log('linking the base chain (not timed)');
  }
  // the rows written so far (retention's, plate history's, --audit-rows, the base) are linked first: not timed
  await chainAuditLog(pool, key, { batch: 10_000 });
  const { generateS } = await generateAuditRows(n);
  const chainStart = process.hrtime.bigint();
  const chained = await chainAuditLog(pool, key, chainBatch === undefined ? {} : { batch: chainBatch });
  const chainS = seconds(chainStart);
  log(`chainer linked ${chained.linked} rows in ${chainS.toFixed(1)} s (${(chained.linked / chainS).toFixed(0)} rows/s), head ${chained.head.id}`);
  if (chained.linked !== n) throw new Error(`the chainer linked ${chained.linked} of the ${n} generated rows`);
  await writeAuditCheckpoint(pool, key);
  const verifyStart = process.hrtime.bigint();
  const run = await runAuditVerification(pool, key, new Date(), { full: true });
  const verifyS = seconds(verifyStart);
  if (!run.result.ok) throw new Error(`the chained log did not verify: ${run.result.problem} at row ${run.result.firstBadId}`);
  log(`verified ${run.result.rows} rows in ${verifyS.toFixed(1)} s`);
  console.log(`chain_rows ${n} chain_base ${base} generate_s ${generateS.toFixed(1)} chain_s ${chainS.toFixed(1)} chain_rows_per_s ${(n / chainS).toFixed(0)} ` +
    `verify_s ${verifyS.toFixed(1)}`);
}
