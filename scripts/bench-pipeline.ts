import { spawn, type ChildProcess } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { buildApp } from '../src/api/app.js';
import { createCamera } from '../src/cameras/camera-registry.js';
import { loadConfig } from '../src/config.js';
import { migrate } from '../src/db/migrate.js';
import { createPool } from '../src/db/pool.js';
import { createLogger } from '../src/logger.js';
import { createPipelineQueues } from '../src/queue/queues.js';
import { createRedis } from '../src/redis.js';
import { LocalBlobStore } from '../src/storage/blob-store.js';
import { createScratch } from './scratch-database.js';

/**
 * End-to-end pipeline benchmark: N images go over HTTP into the real API (in this process), through
 * BullMQ to worker processes (started here), recognition, rule evaluation, to 'processed'. Runs on a
 * scratch database and queue prefix that are removed afterwards. Last line:
 *   throughput <img/s> p95_latency_ms <x> lost <n> duplicated <n>
 */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    images: { type: 'string' },
    count: { type: 'string', default: '200' },
    workers: { type: 'string', default: '1', description: 'worker processes' },
    concurrency: { type: 'string', default: '2', description: 'jobs per worker process' },
    uploads: { type: 'string', default: '8', description: 'uploads in flight at once' },
    rate: { type: 'string', default: '0', description: 'uploads per second (0 = as fast as possible, which measures backlog drain)' },
    profile: { type: 'string', default: 'generic' },
    'timeout-s': { type: 'string', default: '600' },
    keep: { type: 'boolean', default: false },
  },
});
const usage = 'usage: npm run --silent bench:pipeline -- --images <dir of .jpg/.png> --count N [--workers 1] [--concurrency 2] [--uploads 8] [--rate img/s] [--profile vn|generic]';
const fail = (msg: string): never => { process.stderr.write(`${msg}\n${usage}\n`); process.exit(2); };
if (!values.images) fail('no --images folder given');
const dir = path.resolve(values.images!);
const files = (await readdir(dir).catch(() => fail(`--images ${dir} does not exist or is not readable`)))
  .filter((f) => /\.(jpe?g|png|webp)$/i.test(f)).sort();
if (files.length === 0) fail(`--images ${dir} holds no .jpg, .png or .webp images`);
const count = Number(values.count);
if (!Number.isInteger(count) || count < 1) fail('--count must be a positive integer');
const profile = values.profile === 'vn' ? 'vn' : values.profile === 'generic' ? 'generic' : fail('--profile must be vn or generic');
const images = await Promise.all(files.map((f) => readFile(path.join(dir, f))));

const log = (msg: string) => process.stderr.write(`${msg}\n`);
const scratch = await createScratch(loadConfig().DATABASE_URL, 'bench');
const { runId, storageDir } = scratch;
const config = loadConfig({ ...process.env, DATABASE_URL: scratch.databaseUrl, QUEUE_PREFIX: `bench_${runId}`, STORAGE_DIR: storageDir, LOG_LEVEL: 'error' });
const pool = createPool(config.DATABASE_URL, 10);
await migrate(pool);
const redis = createRedis(config.REDIS_URL);
const queues = createPipelineQueues(config, redis);
const children: ChildProcess[] = [];

try {
  // the same photo from another camera is another capture: enough cameras that every upload is new
  const { rows: [user] } = await pool.query<{ id: number }>(
    `INSERT INTO users (username, full_name, role, password_hash) VALUES ('bench', 'Benchmark', 'operator', 'x') RETURNING id`);
  const cameras = Math.ceil(count / images.length);
  const keys: string[] = [];
  for (let c = 0; c < cameras; c++) {
    const { apiKey } = await createCamera(pool, { code: `BENCH-${c}`, name: `bench ${c}`, province: 'Hà Nội', address: 'bench', cameraType: 'speed',
      speedLimitKmh: 60, plateProfile: profile }, { id: user!.id, username: 'bench' });
    keys.push(apiKey);
  }

  const workers = Number(values.workers);
  for (let i = 0; i < workers; i++) {
    children.push(spawn(process.execPath, ['--import', 'tsx', 'workers/main.ts'], {
      cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, DATABASE_URL: config.DATABASE_URL, QUEUE_PREFIX: config.QUEUE_PREFIX, STORAGE_DIR: storageDir,
        LOG_LEVEL: 'error', WORKER_CONCURRENCY: values.concurrency, RECONCILE_INTERVAL_MS: '10000' },
    }));
  }
  while ((await queues.recognise.getWorkersCount()) < workers) await sleep(200);

  const app = await buildApp({ config, pool, redis, logger: createLogger('error', 'bench'), storage: new LocalBlobStore(storageDir), queues });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  log(`bench: ${count} uploads of ${images.length} images from ${dir} over ${cameras} camera(s); ${workers} worker process(es) x ${values.concurrency}`);

  const started = Date.now();
  const rate = Number(values.rate);
  const uploadMs: number[] = [];
  let next = 0;
  let rejected = 0;
  const uploader = async () => {
    while (next < count) {
      const i = next++;
      const due = started + (rate > 0 ? (i / rate) * 1000 : 0);
      if (due > Date.now()) await sleep(due - Date.now());
      const form = new FormData();
      form.set('captured_at', new Date(Date.now() - 1000).toISOString());
      form.set('speed_kmh', String(40 + (i % 50)));
      form.set('image', new Blob([images[i % images.length]!], { type: 'image/jpeg' }), files[i % files.length]!);
      const t0 = performance.now();
      const res = await fetch(`${address}/api/v1/captures`, { method: 'POST', body: form, headers: { 'x-api-key': keys[Math.floor(i / images.length)]! } });
      uploadMs.push(performance.now() - t0);
      if (res.status !== 201) { rejected++; log(`upload ${i} answered ${res.status}: ${await res.text()}`); }
    }
  };
  await Promise.all(Array.from({ length: Number(values.uploads) }, uploader));
  const ingestS = (Date.now() - started) / 1000;

  const deadline = Date.now() + Number(values['timeout-s']) * 1000;
  let finished = 0;
  while (Date.now() < deadline) {
    const { rows } = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM captures WHERE status IN ('processed', 'dead_lettered')`);
    finished = rows[0]!.n;
    if (finished >= count - rejected) break;
    await sleep(250);
  }
  const { rows: [s] } = await pool.query<{ n: number; dead: number; first: Date; last: Date; p95: number; p50: number; rec: number; rec_p95: number; eval: number; queue_wait: number }>(
    `SELECT count(*)::int AS n, count(*) FILTER (WHERE status = 'dead_lettered')::int AS dead,
            min(received_at) AS first, max(processed_at) AS last,
            percentile_cont(0.95) WITHIN GROUP (ORDER BY extract(epoch FROM processed_at - received_at) * 1000) AS p95,
            percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM processed_at - received_at) * 1000) AS p50,
            avg(recognise_ms) AS rec, percentile_cont(0.95) WITHIN GROUP (ORDER BY recognise_ms) AS rec_p95,
            avg(extract(epoch FROM processed_at - recognised_at) * 1000) AS eval,
            avg(extract(epoch FROM recognised_at - received_at) * 1000 - recognise_ms) AS queue_wait
     FROM captures WHERE status IN ('processed', 'dead_lettered')`);
  const { rows: [d] } = await pool.query<{ reads: number; evidence: number; plated: number; violations: number }>(
    `SELECT (SELECT count(*) FROM (SELECT capture_id FROM plate_reads GROUP BY capture_id HAVING count(DISTINCT created_at) > 1) x)::int AS reads,
            (SELECT count(*) FROM (SELECT capture_id FROM violation_evidence GROUP BY capture_id HAVING count(*) > 1) y)::int AS evidence,
            (SELECT count(DISTINCT capture_id) FROM plate_reads)::int AS plated,
            (SELECT count(*) FROM violations)::int AS violations`);
  const { rows: [all] } = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM captures');
  const lost = count - rejected - finished + (all!.n - (count - rejected)); // never finished, plus uploads that made no row
  const duplicated = d!.reads + d!.evidence + Math.max(0, all!.n - (count - rejected));
  const spanS = (s!.last.getTime() - started) / 1000;
  const throughput = s!.n / spanS;
  uploadMs.sort((a, b) => a - b);
  log(`ingest: ${count} uploads in ${ingestS.toFixed(1)} s; upload latency p50 ${pct(uploadMs, 0.5)} ms p95 ${pct(uploadMs, 0.95)} ms; rejected ${rejected}`);
  log(`recognise: mean ${s!.rec?.toFixed(0)} ms p95 ${Number(s!.rec_p95).toFixed(0)} ms per image (inside the worker, decode+detect+read)`);
  log(`evaluate: mean ${s!.eval?.toFixed(0)} ms from recognised to processed (queue hop + match + rules + commit)`);
  log(`queue wait before recognition: mean ${Number(s!.queue_wait).toFixed(0)} ms; end-to-end latency p50 ${Number(s!.p50).toFixed(0)} ms`);
  log(`outcome: ${s!.n} finished (${s!.dead} dead-lettered), ${d!.plated} with a plate read, ${d!.violations} violations`);
  await app.close();
  process.stdout.write(`throughput ${throughput.toFixed(2)} p95_latency_ms ${Number(s!.p95).toFixed(0)} lost ${lost} duplicated ${duplicated}\n`);
} finally {
  for (const child of children) child.kill('SIGTERM');
  await Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.once('exit', r)))));
  await Promise.all(queues.all().map((q) => q.obliterate({ force: true }))).catch(() => undefined);
  await queues.close();
  redis.disconnect();
  await pool.end();
  if (!values.keep) await scratch.remove();
}

function sleep(ms: number) {
  return new Promise((r) => setTimeout(r, ms));
}

function pct(sorted: number[], p: number): string {
  return (sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0).toFixed(0);
}
