import { createReadStream } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import os, { availableParallelism } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { cameraStats } from '../src/cameras/camera-stats.js';
import { loadConfig } from '../src/config.js';
import { migrate } from '../src/db/migrate.js';
import { createPool, type Pool } from '../src/db/pool.js';
import { outstandingPage, outstandingReport, outstandingSummary, totalsReport, TOTAL_GROUPS } from '../src/finance/reports.js';
import { skeleton, skeletonNeighbours } from '../src/matching/confusion.js';
import { matchPlate } from '../src/matching/matcher.js';
import { findVehiclesBySkeletons, findVehiclesNearSkeleton } from '../src/registry/lookup.js';
import { plateKey } from '../src/vision/plate-grammar.js';
import { importRegistryCsv } from '../src/registry/csv-import.js';
import { renderPendingNotices } from '../src/notices/batch.js';
import { listReviewQueue } from '../src/review/queue.js';
import { LocalBlobStore } from '../src/storage/blob-store.js';
import { generateRenderableNotices } from './scale-notice-data.js';
import { syntheticPlateOf, writeRegistryCsv } from './scale-registry-data.js';
import { createScratch } from './scratch-database.js';

/**
 * Scale benchmark on a scratch database (removed afterwards unless --keep). Generates its own data:
 * a registry export of --vehicles vehicles (imported through the CSV import, then imported again),
 * --reads captures with plate reads over 30 days across --cameras cameras, --notices noticed
 * violations over 12 months with payments, --queue violations awaiting review, --render notices with
 * their evidence frames in storage; then times the operations of issue 14 and prints one line per
 * figure, and a last summary line. --only runs some sections (import, fuzzy, cameras, finance, queue,
 * render; fuzzy needs import).
 */
const SECTIONS = ['import', 'fuzzy', 'cameras', 'finance', 'queue', 'render'] as const;
const { values } = parseArgs({
  options: {
    vehicles: { type: 'string', default: '200000' },
    reads: { type: 'string', default: '1000000' },
    notices: { type: 'string', default: '200000' },
    queue: { type: 'string', default: '20000' },
    cameras: { type: 'string', default: '50' },
    lookups: { type: 'string', default: '500' },
    repeat: { type: 'string', default: '20' },
    render: { type: 'string', default: '1000' },
    'render-threads': { type: 'string', default: String(availableParallelism()) },
    'render-concurrency': { type: 'string' },
    only: { type: 'string', default: SECTIONS.join(',') },
    keep: { type: 'boolean', default: false },
    // the first import loads the empty registry row by row, as any later import would (no initial-load path)
    'no-initial-load': { type: 'boolean', default: false },
  },
});
const n = (name: Exclude<keyof typeof values, 'keep' | 'only' | 'no-initial-load'>) => Number(values[name]);
const only = new Set(values.only.split(',').map((x) => x.trim()));
const want = (section: (typeof SECTIONS)[number]) => only.has(section);
const badSections = [...only].filter((x) => !(SECTIONS as readonly string[]).includes(x));
if ([...(['vehicles', 'reads', 'notices', 'queue', 'cameras', 'lookups', 'repeat', 'render'] as const)].some((k) => !Number.isInteger(n(k)) || n(k) < 1)
  || !Number.isInteger(n('render-threads')) || n('render-threads') < 0 || n('render') > 99_999
  || (values['render-concurrency'] !== undefined && !(Number.isInteger(n('render-concurrency')) && n('render-concurrency') >= 1 && n('render-concurrency') <= 64))
  || badSections.length > 0 || (want('fuzzy') && !want('import'))) {
  process.stderr.write('usage: npm run --silent bench:scale -- [--vehicles 200000] [--reads 1000000] [--notices 200000] [--queue 20000] '
    + '[--cameras 50] [--lookups 500] [--repeat 20] [--render 1000 (at most 99999)] [--render-threads <cores>] [--render-concurrency <2 x threads, 1-64>] '
    + `[--only ${SECTIONS.join(',')} (fuzzy needs import)] [--no-initial-load] [--keep]\n`);
  process.exit(2);
}
const log = (msg: string) => process.stderr.write(`${msg}\n`);
const figure = (name: string, value: string) => console.log(`${name.padEnd(48)} ${value}`);
const ms = (since: bigint) => Number(process.hrtime.bigint() - since) / 1e6;

/**
 * CPU time (ms) the server processes of this database have used so far, read from /proc: NaN when the
 * server runs on another host (or /proc is not readable). Processes that ended are not counted.
 */
async function serverCpuMs(db: Pool): Promise<number> {
  const { rows } = await db.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = current_database()');
  let total = 0;
  try {
    for (const { pid } of rows) {
      const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
      // utime and stime, in clock ticks (USER_HZ: 100 a second on Linux)
      total += (Number(fields[11]) + Number(fields[12])) * 10;
    }
  } catch {
    return NaN;
  }
  return total;
}

/** Median and 99th percentile of `repeat` timed runs of `work`, after one untimed warm-up run. */
async function timed(repeat: number, work: (i: number) => Promise<unknown>): Promise<{ p50: number; p99: number; first: number }> {
  let t = process.hrtime.bigint();
  await work(-1);
  const first = ms(t);
  const times: number[] = [];
  for (let i = 0; i < repeat; i++) {
    t = process.hrtime.bigint();
    await work(i);
    times.push(ms(t));
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.ceil(q * times.length) - 1)]!;
  return { p50: at(0.5), p99: at(0.99), first };
}
const fmt = (r: { p50: number; p99: number }) => `p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms`;

const scratch = await createScratch(loadConfig().DATABASE_URL, 'bench_scale');
// database settings of the migrations (jit off) reach sessions opened after them: migrate on a pool of its own
const migrating = createPool(scratch.databaseUrl, 1);
await migrate(migrating).finally(() => migrating.end());
const pool = createPool(scratch.databaseUrl, 4);
const csvFile = path.join(os.tmpdir(), `phat-bench-scale-${scratch.runId}.csv`);
const summary: string[] = [];
try {
  const repeat = n('repeat');

  // cameras and the officer every later section uses
  await pool.query(`INSERT INTO cameras (code, name, province, address, camera_type)
                    SELECT 'BENCH-' || i, 'Camera ' || i, 'Bắc Ninh', 'Quốc lộ 1A', 'red_light' FROM generate_series(1, $1) i`, [n('cameras')]);
  const officer = (await pool.query<{ id: number }>(
    `INSERT INTO users (username, full_name, role, password_hash) VALUES ('bench', 'Bench', 'officer', 'x') RETURNING id`)).rows[0]!.id;
  let t = process.hrtime.bigint();

  // 1. registry import, twice (the second changes nothing)
  if (want('import')) {
    const rows = await writeRegistryCsv(csvFile, n('vehicles'));
    let peakRss = 0;
    const sampler = setInterval(() => { peakRss = Math.max(peakRss, process.memoryUsage().rss); }, 200);
    const rssBefore = process.memoryUsage().rss;
    for (const pass of ['first import', 're-import']) {
      const t = process.hrtime.bigint();
      const cpu = process.cpuUsage();
      const pgCpu = await serverCpuMs(pool);
      const report = await importRegistryCsv(pool, createReadStream(csvFile), {
        initialLoad: values['no-initial-load'] ? false : undefined,
        onProgress: (p) => { if (p.phase === 'reading' && p.rows % 100_000 < 5000) log(`  ${pass}: ${p.rows} rows read (${(ms(t) / 1000).toFixed(0)} s)`); },
      });
      const s = ms(t) / 1000;
      const used = process.cpuUsage(cpu);
      const pgUsed = (await serverCpuMs(pool)) - pgCpu;
      figure(`registry ${pass} (${rows} rows)`, `${s.toFixed(1)} s, ${Math.round(rows / s)} rows/s, ${report.rejected} rejected, ownerships ${JSON.stringify(report.ownerships)}`
        + (report.initialLoad ? ', initial load (indexes built after)' : ''));
      figure(`registry ${pass}: CPU a row`, `this process ${((used.user + used.system) / rows).toFixed(1)} µs, `
        + `PostgreSQL ${Number.isNaN(pgUsed) ? 'not measured' : `${((pgUsed * 1000) / rows).toFixed(1)} µs`}`);
      summary.push(`import_${pass === 'first import' ? 'first' : 'again'}_rows_per_s ${Math.round(rows / s)}`);
  }
  clearInterval(sampler);
  figure('registry import peak RSS', `${Math.round(peakRss / 2 ** 20)} MiB (before: ${Math.round(rssBefore / 2 ** 20)} MiB)`);
  }

  // 2. fuzzy matching: reads with one look-alike glyph swapped, against the imported registry
  if (want('fuzzy')) {
    const swaps: Record<string, string> = { '0': 'D', '8': 'B', '5': 'S', '2': 'Z', '6': 'G', '1': 'I', A: '4', B: '8', D: '0', S: '5' };
    const misread = (i: number) => {
      const plate = syntheticPlateOf(Math.abs(i * 7919) % n('vehicles'), Math.abs(i) % 10 < 3);
      const pos = 4 + (Math.abs(i) % 4);
      const ch = plate[pos]!;
      return plate.slice(0, pos) + (swaps[ch] ?? ch) + plate.slice(pos + 1);
    };
    const fuzzy = await timed(n('lookups'), async (i) => {
      await matchPlate(pool, { plateText: misread(i), profile: 'vn', observedColour: 'white', at: new Date() });
    });
    figure(`fuzzy match (${n('vehicles')} vehicles, ${n('lookups')} reads)`, fmt(fuzzy));
    // the candidate lookup alone, before (every skeleton one edit away, migration 020) and now (deletion keys, 170)
    const probeAll = await timed(n('lookups'), (i) => findVehiclesBySkeletons(pool, skeletonNeighbours(skeleton(plateKey(misread(i))))));
    figure('fuzzy candidates, ~500-skeleton probe (before)', fmt(probeAll));
    const probeDeletions = await timed(n('lookups'), (i) => {
      const sk = skeleton(plateKey(misread(i)));
      const within = new Set(skeletonNeighbours(sk));
      return findVehiclesNearSkeleton(pool, sk, (s) => within.has(s));
    });
    figure('fuzzy candidates, deletion keys', fmt(probeDeletions));
    summary.push(`fuzzy_p99_ms ${fuzzy.p99.toFixed(1)}`);
  }

  // 3. captures and plate reads; camera figures over 24 h
  if (want('cameras')) {
    t = process.hrtime.bigint();
    await generateReads(pool, n('reads'), n('cameras'));
    log(`generated ${n('reads')} captures + reads in ${(ms(t) / 1000).toFixed(0)} s`);
    t = process.hrtime.bigint();
    await cameraStats(pool, { hours: 24 });
    figure('camera figures: first fold of all buckets', `${(ms(t) / 1000).toFixed(1)} s (once, after bulk load or migration)`);
    // as autovacuum leaves a province's rollups: the folded buckets marked all-visible, so sums come from the index
    await pool.query('VACUUM ANALYZE camera_stat_buckets');
    const statsRaw = await timed(Math.min(repeat, 3), () => rawCameraStats(pool, 24));
    figure(`camera figures 24 h, raw query (before)`, fmt(statsRaw));
    const stats = await timed(repeat, () => cameraStats(pool, { hours: 24 }));
    figure(`camera figures 24 h, ${n('cameras')} cameras (rollups)`, fmt(stats));
    const stats30 = await timed(repeat, () => cameraStats(pool, { hours: 720 }));
    figure('camera figures 30 days (rollups)', fmt(stats30));
    const busy = await timed(repeat, async () => {
      await pool.query(`UPDATE captures SET status = 'dead_lettered', status_reason = 'bench', processed_at = now()
                        WHERE id IN (SELECT id FROM captures WHERE status = 'processed' AND received_at > now() - interval '20 hours' LIMIT 200)`);
      await cameraStats(pool, { hours: 24 });
    });
    figure('camera figures 24 h after 200 changed captures', `${fmt(busy)} (change + fold + read)`);
    summary.push(`camera_stats_24h_p50_ms ${stats.p50.toFixed(1)}`);
  }

  // 4. notices and payments over 12 months; finance totals
  if (want('finance')) {
    t = process.hrtime.bigint();
    await generateNotices(pool, n('notices'), officer);
    log(`generated ${n('notices')} notices in ${(ms(t) / 1000).toFixed(0)} s`);
    const now = new Date();
    const year = { from: new Date(Date.UTC(now.getUTCFullYear() - 1, now.getUTCMonth(), 1) - 7 * 3600_000), to: now };
    t = process.hrtime.bigint();
    await totalsReport(pool, year, 'month');
    figure('finance totals: first fold of all days', `${(ms(t) / 1000).toFixed(1)} s (once)`);
    for (const group of TOTAL_GROUPS) {
      const r = await timed(repeat, () => totalsReport(pool, year, group));
      figure(`finance totals 12 months by ${group} (${n('notices')} notices)`, fmt(r));
      if (group === 'month') summary.push(`finance_month_p50_ms ${r.p50.toFixed(1)}`);
  }
  const outstanding = await timed(Math.min(repeat, 5), () => outstandingReport(pool, new Date(), { limit: 200 }));
  const owed = await outstandingSummary(pool, new Date());
  figure(`outstanding page of 200 with summary (${owed.count} unpaid)`, fmt(outstanding));
  const owedSummary = await timed(Math.min(repeat, 5), () => outstandingSummary(pool, new Date()));
  figure('outstanding summary alone (once a list)', fmt(owedSummary));
  const firstPage = await timed(repeat, () => outstandingPage(pool, new Date(), { limit: 200 }));
  figure('outstanding first page of 200, no summary', fmt(firstPage));
  // a cursor half way down the list
  const asOf = new Date();
  let halfway = (await outstandingPage(pool, asOf, { limit: 1000 })).nextCursor;
  for (let i = 1; halfway && i < Math.floor(owed.count / 2000); i++) halfway = (await outstandingPage(pool, asOf, { limit: 1000, after: halfway })).nextCursor;
  const deepPage = await timed(repeat, () => outstandingPage(pool, asOf, { limit: 200, ...(halfway ? { after: halfway } : {}) }));
  figure('outstanding page of 200 after a cursor half way', fmt(deepPage));
  summary.push(`outstanding_page_p50_ms ${deepPage.p50.toFixed(1)}`);
  }

  // 5. review queue
  if (want('queue')) {
    await generateQueue(pool, n('queue'), n('cameras'));
    const depth = Math.min(5000, n('queue') - 50);
    const byOffset = await timed(repeat, () => listReviewQueue(pool, { limit: 50, offset: depth }));
    figure(`review queue page at offset ${depth} (${n('queue')} pending)`, fmt(byOffset));
    const atDepth = await listReviewQueue(pool, { limit: depth, offset: 0 });
    const cursor = atDepth.nextCursor!;
    const keyset = await timed(repeat, () => listReviewQueue(pool, { limit: 50, offset: 0, after: cursor }));
    figure(`review queue page after cursor at ${depth}`, fmt(keyset));
    const available = await timed(repeat, () => listReviewQueue(pool, { limit: 50, offset: 0, after: cursor, availableTo: officer }));
    figure('review queue page after cursor, available to officer', fmt(available));
    summary.push(`queue_keyset_p50_ms ${keyset.p50.toFixed(1)}`);
  }

  // 6. notice rendering: every notice that has no PDF yet, as npm run notices:render does it
  if (want('render')) {
    const storage = new LocalBlobStore(scratch.storageDir);
    t = process.hrtime.bigint();
    await generateRenderableNotices(pool, storage, { total: n('render'), cameras: n('cameras'), officerId: officer, log });
    log(`generated ${n('render')} notices with their evidence in ${(ms(t) / 1000).toFixed(0)} s`);
    const config = loadConfig({ DATABASE_URL: scratch.databaseUrl, STORAGE_DIR: scratch.storageDir });
    const threads = n('render-threads');
    const pgCpu = await serverCpuMs(pool);
    const cpu = process.cpuUsage();
    let lastLog = Date.now();
    const concurrency = values['render-concurrency'] === undefined ? undefined : n('render-concurrency');
    const report = await renderPendingNotices({ pool, storage, config }, { threads, ...(concurrency ? { concurrency } : {}), onProgress: (p) => {
      if (Date.now() - lastLog > 10_000) { lastLog = Date.now(); log(`  ${p.done} / ${p.total} rendered, ${p.failed} failed`); }
    } });
    const used = process.cpuUsage(cpu);
    figure(`notice rendering (${report.total} notices, ${threads} render threads, ${concurrency ?? Math.max(2, threads * 2)} in flight)`,
      `${report.perSecond} notices/s, ${(report.ms / 1000).toFixed(1)} s, ${report.failed.length} failed; `
      + `CPU ${((used.user + used.system) / 1000 / Math.max(1, report.total)).toFixed(1)} ms a notice (this process, all threads)`);
    const pgUsed = (await serverCpuMs(pool)) - pgCpu;
    figure('notice rendering: PostgreSQL CPU', Number.isNaN(pgUsed) ? 'not measured (server not on this host)'
      : `${(pgUsed / Math.max(1, report.total)).toFixed(1)} ms a notice (this database's server processes)`);
    figure('notice rendering: 10 000 notices at this rate', `${(10_000 / Math.max(report.perSecond, 0.001) / 60).toFixed(1)} min`);
    for (const f of report.failed.slice(0, 5)) figure(`  failed notice #${f.noticeId}`, f.error);
    // every stored PDF is what its recorded hash says (storage verifies the sha256 on read)
    const stored = await pool.query<{ pdf_sha256: string }>('SELECT pdf_sha256 FROM notices WHERE pdf_sha256 IS NOT NULL ORDER BY random() LIMIT 50');
    let verified = 0;
    for (const r of stored.rows) if (await storage.get(r.pdf_sha256)) verified++;
    figure('notice PDFs read back and verified (sample)', `${verified} of ${stored.rows.length}`);
    summary.push(`render_notices_per_s ${report.perSecond} render_failed ${report.failed.length}`);
  }

  const size = await pool.query<{ size: string }>('SELECT pg_size_pretty(pg_database_size(current_database())) AS size');
  figure('database size', size.rows[0]!.size);
  console.log(summary.join(' '));
} finally {
  await pool.end();
  await rm(csvFile, { force: true });
  if (!values.keep) await scratch.remove();
}

/** Captures spread over the last 30 days, one to two plate reads each, most processed. */
async function generateReads(db: Pool, total: number, cameras: number): Promise<void> {
  const chunk = 250_000;
  for (let from = 1; from <= total; from += chunk) {
    const to = Math.min(total, from + chunk - 1);
    await db.query(
      `INSERT INTO captures (camera_id, image_sha256, image_bytes, image_width, image_height, content_type, captured_at, received_at, source,
                             status, status_reason, processed_at, recognised_at)
       SELECT 1 + i % $3, encode(sha256(int8send(i)), 'hex'), 150000, 1280, 720, 'image/jpeg', t, t, 'http', s,
              CASE WHEN s = 'dead_lettered' THEN 'bench' END, CASE WHEN s IN ('processed', 'dead_lettered') THEN t END, CASE WHEN s = 'processed' THEN t END
       FROM generate_series($1::bigint, $2::bigint) i
       CROSS JOIN LATERAL (SELECT now() - make_interval(secs => 30 * 86400.0 * ($4 - i) / $4) AS t,
                                  CASE WHEN i % 97 = 0 THEN 'dead_lettered' WHEN i % 89 = 0 THEN 'queued' ELSE 'processed' END AS s) x`,
      [from, to, cameras, total]);
    await db.query(
      `INSERT INTO plate_reads (capture_id, rank, plate_text, plate_key, raw_text, confidence, char_confidences,
                                bbox_x, bbox_y, bbox_width, bbox_height, layout, colour, valid, low_confidence, captured_at)
       SELECT c.id, r, '98A-' || lpad((c.id % 100000)::text, 5, '0'), '98A' || lpad((c.id % 100000)::text, 5, '0'), '98A' || lpad((c.id % 100000)::text, 5, '0'),
              0.5 + (c.id % 50) / 100.0, ARRAY[0.93]::real[], 500, 400, 180, 44, 'one-line', 'white', c.id % 9 <> 0, false, c.captured_at
       FROM captures c CROSS JOIN generate_series(0, (c.id % 2)::int) r WHERE c.id BETWEEN $1 AND $2`, [from, to]);
    log(`  ${to} / ${total} captures`);
  }
  await db.query('VACUUM ANALYZE captures');
  await db.query('VACUUM ANALYZE plate_reads');
}

/** The per-camera query as it was before the rollups, for comparison. */
async function rawCameraStats(db: Pool, hours: number): Promise<void> {
  await db.query(
    `WITH w AS (
       SELECT c.camera_id, c.status, c.received_at,
              (SELECT r.confidence FROM plate_reads r WHERE r.capture_id = c.id ORDER BY r.rank LIMIT 1) AS best_confidence,
              EXISTS (SELECT 1 FROM plate_reads r WHERE r.capture_id = c.id AND r.valid) AS has_valid
       FROM captures c WHERE c.received_at > now() - make_interval(secs => $1))
     SELECT k.code, (SELECT count(*) FROM w WHERE w.camera_id = k.id) AS captures,
       (SELECT count(*) FROM w WHERE w.camera_id = k.id AND w.status = 'processed' AND w.has_valid) AS with_valid_read,
       (SELECT avg(w.best_confidence) FROM w WHERE w.camera_id = k.id AND w.status = 'processed') AS mean_confidence
     FROM cameras k`, [hours * 3600]);
}

/** Noticed violations over 12 months, a third paid (some in part), some cancelled or resolved. */
async function generateNotices(db: Pool, total: number, officerId: number): Promise<void> {
  const chunk = 100_000;
  for (let from = 1; from <= total; from += chunk) {
    const to = Math.min(total, from + chunk - 1);
    await db.query(
      `WITH v AS (
         INSERT INTO violations (camera_id, rule, violation_code, legal_clause, description, vehicle_category, occurred_at, plate_text, plate_key,
                                 plate_colour, match_status, schedule_version, fine_min, fine_max, fine_amount, points, read_confidence,
                                 status, decided_by, decided_at)
         SELECT 1 + i % (SELECT count(*) FROM cameras), (ARRAY['speeding', 'red_light', 'wrong_lane'])[1 + i % 3], 'X', 'Điều 6', 'Vi phạm', 'car', t,
                '30A-123.45', '30A12345', 'white', 'unknown', 'nd168-2024', 1000000 * (1 + i % 5), 1000000 * (1 + i % 5), 1000000 * (1 + i % 5), 0, 0.9,
                'noticed', $3, t
         FROM generate_series($1::bigint, $2::bigint) i
         CROSS JOIN LATERAL (SELECT now() - make_interval(secs => 365 * 86400.0 * (hashint8(i) & 2147483647) / 2147483648) AS t) x
         RETURNING id, occurred_at, fine_amount)
       INSERT INTO notices (violation_id, notice_number, amount, issued_at, due_at, status, resolved_at)
       SELECT v.id, 'PN-PC08-' || (2000 + v.id / 1000000) || '-' || lpad((v.id % 1000000)::text, 6, '0'), v.fine_amount, v.occurred_at,
              v.occurred_at + interval '20 days', CASE WHEN v.id % 11 = 0 THEN 'cancelled' WHEN v.id % 13 = 0 THEN 'resolved' ELSE 'issued' END,
              CASE WHEN v.id % 13 = 0 AND v.id % 11 <> 0 THEN v.occurred_at + interval '3 days' END
       FROM v`, [from, to, officerId]);
    log(`  ${to} / ${total} notices`);
  }
  await db.query(
    `INSERT INTO payments (notice_id, amount, paid_at, method, reference, source)
     SELECT n.id, CASE WHEN n.id % 2 = 0 THEN n.amount ELSE n.amount / 2 END,
            least(n.issued_at + make_interval(secs => (hashint8(n.id) & 2147483647) % (30 * 86400)), now()), 'bank_transfer', 'REF-' || n.id, 'statement_import'
     FROM notices n WHERE n.id % 3 = 0`);
  await db.query('VACUUM ANALYZE');
}

/** Violations awaiting review, detected over the last 10 days. */
async function generateQueue(db: Pool, total: number, cameras: number): Promise<void> {
  await db.query(
    `INSERT INTO violations (camera_id, rule, violation_code, legal_clause, description, vehicle_category, occurred_at, plate_text, plate_key,
                             plate_colour, match_status, schedule_version, fine_min, fine_max, fine_amount, points, read_confidence)
     SELECT 1 + i % $2, 'red_light', 'X', 'Điều 6', 'Vi phạm', 'car', now() - make_interval(secs => 10 * 86400.0 * i / $1),
            '30A-123.45', '30A12345', 'white', 'unknown', 'nd168-2024', 18000000, 20000000, 19000000, 4, 0.5 + (i % 50) / 100.0
     FROM generate_series(1, $1) i`, [total, cameras]);
  await db.query('VACUUM ANALYZE violations');
}
