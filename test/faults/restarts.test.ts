import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Queue } from 'bullmq';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCamera } from '../../src/cameras/camera-registry.js';
import { migrate } from '../../src/db/migrate.js';
import { createPool, type Pool } from '../../src/db/pool.js';
import { loadConfig } from '../../src/config.js';
import { MAINTENANCE_QUEUE, schedulesFor } from '../../src/maintenance/scheduled-jobs.js';
import { createRedis } from '../../src/redis.js';
import { staffToken, syntheticJpeg } from '../ingest/fixtures.js';
import { freePort, PrivatePostgres, PrivateRedis } from './services.js';

/**
 * The API and a worker as separate processes on their own PostgreSQL and Redis, which are
 * restarted under load: PostgreSQL with `pg_ctl stop -m fast`, Redis killed without persistence
 * (every job and schedule lost). Nothing may exit, every accepted capture must end processed once,
 * the schedules must come back, and /health must tell the truth throughout.
 */
const CAPTURES = 90;
const ROOT = path.resolve(import.meta.dirname, '../..');
const PREFIX = 'faults';

let postgres: PrivatePostgres;
let redis: PrivateRedis;
let pool: Pool;
let storageDir: string;
let apiPort: number;
const children: ChildProcess[] = [];

function startProcess(entry: string, extra: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATABASE_URL: postgres.url('phat'), REDIS_URL: redis.url, QUEUE_PREFIX: PREFIX, STORAGE_DIR: storageDir, LOG_LEVEL: 'warn',
      PG_CONNECT_TIMEOUT_MS: '1500', ENQUEUE_TIMEOUT_MS: '1500', RECONCILE_INTERVAL_MS: '2000', SCHEDULE_CHECK_INTERVAL_MS: '2000',
      JOB_LOCK_MS: '4000', JOB_STALLED_INTERVAL_MS: '2000', JOB_BACKOFF_MS: '200', WORKER_CONCURRENCY: '2', ...extra,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stderr!.on('data', (chunk: Buffer) => { stderr.push(chunk.toString()); });
  child.stdout!.on('data', (chunk: Buffer) => { logs.push(...chunk.toString().split('\n').filter(Boolean)); });
  children.push(child);
  return child;
}
const stderr: string[] = [];
const logs: string[] = [];

interface HealthSample { start: number; end: number; status: number; database: string; redis: string }
/** begin: the stop was asked for; from..to: it was certainly down */
interface Window { begin: number; from: number; to: number }

beforeAll(async () => {
  [postgres, redis] = await Promise.all([PrivatePostgres.start(), PrivateRedis.start()]);
  const admin = new pg.Client({ connectionString: postgres.adminUrl });
  await admin.connect();
  await admin.query('CREATE DATABASE phat');
  await admin.end();
  pool = createPool(postgres.url('phat'), 3);
  await migrate(pool);
  storageDir = await mkdtemp(path.join(os.tmpdir(), 'phat-faults-storage-'));
  apiPort = await freePort();
}, 120_000);

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await pool?.end().catch(() => undefined);
  await Promise.allSettled([postgres?.stop(), redis?.stop()]);
  if (storageDir) await rm(storageDir, { recursive: true, force: true });
});

async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('PostgreSQL and Redis restarted under load', () => {
  it('loses and duplicates nothing, keeps every process up, restores schedules, and /health tells the truth', async () => {
    pool.on('error', () => undefined);
    const operator = await staffToken(pool, 'operator');
    const { apiKey } = await createCamera(pool, { code: 'HN-FAULT-1', name: 'fault test', province: 'Hà Nội', address: 'lab', cameraType: 'speed', speedLimitKmh: 50, dedupWindowS: 0 }, operator);
    const api = startProcess('src/server.ts', { PORT: String(apiPort) });
    const worker = startProcess('workers/main.ts', {});
    const base = `http://127.0.0.1:${apiPort}`;
    await waitFor(async () => (await fetch(`${base}/health`)).ok, 60_000, 'the API');

    // /health polled throughout
    const samples: HealthSample[] = [];
    let polling = true;
    const poller = (async () => {
      while (polling) {
        const start = Date.now();
        const res = await fetch(`${base}/health`, { signal: AbortSignal.timeout(5000) }).catch(() => null);
        const body = res ? await res.json() as { checks: { database: string; redis: string } } : null;
        samples.push({ start, end: Date.now(), status: res?.status ?? 0, database: body?.checks.database ?? 'no answer', redis: body?.checks.redis ?? 'no answer' });
        await new Promise((r) => setTimeout(r, 300));
      }
    })();

    // a camera that sends every image until it is accepted, honouring 503/507 + Retry-After (shortened here)
    const accepted = new Map<number, number>(); // capture id -> times the camera got it back
    const answers: number[] = [];
    const send = async (i: number) => {
      const image = await syntheticJpeg();
      for (;;) {
        const form = new FormData();
        form.set('image', new Blob([new Uint8Array(image)], { type: 'image/jpeg' }), `f${i}.jpg`);
        form.set('captured_at', new Date(Date.now() - 30_000).toISOString());
        form.set('speed_kmh', '40');
        const started = Date.now();
        const res = await fetch(`${base}/api/v1/captures`, { method: 'POST', body: form, headers: { 'x-api-key': apiKey }, signal: AbortSignal.timeout(20_000) }).catch(() => null);
        const status = res?.status ?? 0;
        answers.push(status);
        if (status === 200 || status === 201) {
          const body = await res!.json() as { captureId: number };
          accepted.set(body.captureId, (accepted.get(body.captureId) ?? 0) + 1);
          return;
        }
        if (status === 503 || status === 507) {
          expect(res!.headers.get('retry-after')).toMatch(/^\d+$/);
          // refused promptly, not after hanging for the whole outage
          expect(Date.now() - started).toBeLessThan(8000);
        } else if (res) {
          throw new Error(`unexpected answer ${status}: ${await res.text()}`);
        }
        await new Promise((r) => setTimeout(r, 500));
      }
    };
    const load = (async () => {
      for (let i = 0; i < CAPTURES; i += 3) await Promise.all([send(i), send(i + 1), send(i + 2)]);
    })();

    const restored: number[] = [];
    /** stops a service, keeps it down 4 s, starts it again; returns when it was certainly down */
    const outage = async (stop: () => Promise<void>, start: () => Promise<void>): Promise<Window> => {
      const begin = Date.now();
      await stop();
      const from = Date.now();
      await new Promise((r) => setTimeout(r, 4000));
      const window = { begin, from, to: Date.now() };
      await start();
      restored.push(Date.now());
      return window;
    };
    await waitFor(async () => accepted.size >= 20, 60_000, '20 accepted captures');
    const pgDown = [await outage(() => postgres.down(), () => postgres.up())];
    await waitFor(async () => accepted.size >= 45, 60_000, '45 accepted captures');
    const redisDown = [await outage(() => redis.crash(), () => redis.up())];

    await load;
    await waitFor(async () => {
      const { rows } = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM captures WHERE status = 'processed'`);
      return rows[0]!.n === accepted.size;
    }, 60_000, 'every accepted capture processed');
    // samples with everything up again for a while
    await new Promise((r) => setTimeout(r, Math.max(1500, restored[1]! + 6500 - Date.now())));
    polling = false;
    await poller;

    // no process exited
    expect(api.exitCode).toBe(null);
    expect(worker.exitCode).toBe(null);
    expect(stderr.join('')).not.toMatch(/Unhandled 'error' event|BoundPool/);
    // one structured line per outage per process, not a stack trace per reconnect attempt
    const downs = (dependency: string) => logs.filter((l) => l.includes(`"dependency":"${dependency}","state":"down"`)).length;
    expect(downs('postgres')).toBeGreaterThanOrEqual(1);
    expect(downs('postgres')).toBeLessThanOrEqual(2);
    expect(downs('redis')).toBeGreaterThanOrEqual(1);
    if (process.env.FAULTS_DEBUG) console.log(logs.join("\n"));
    expect(downs('redis')).toBeLessThanOrEqual(2);
    expect(logs.filter((l) => l.includes('"stack"'))).toEqual([]);
    expect(logs.filter((l) => l.includes('jobs were lost') && !l.includes('"reEnqueued":0'))).toSatisfy((lost: string[]) => lost.length <= 2);

    // every accepted capture once, processed once
    expect(accepted.size).toBe(CAPTURES);
    const { rows } = await pool.query<{ status: string; n: number }>('SELECT status, count(*)::int AS n FROM captures GROUP BY status');
    expect(rows).toEqual([{ status: 'processed', n: CAPTURES }]);
    const audits = await pool.query(`SELECT entity_id FROM audit_log WHERE entity_type = 'capture' GROUP BY entity_id, action HAVING count(*) > 1`);
    expect(audits.rows).toEqual([]);
    const evidence = await pool.query('SELECT capture_id FROM violation_evidence GROUP BY capture_id HAVING count(*) > 1');
    expect(evidence.rows).toEqual([]);
    // the outages were felt by the camera (503 with Retry-After), not hidden
    expect(answers.filter((s) => s === 503).length).toBeGreaterThan(0);

    // the schedules were lost with Redis's data and put back
    const connection = createRedis(redis.url);
    const queue = new Queue(MAINTENANCE_QUEUE, { connection, prefix: PREFIX });
    try {
      // every schedule the worker keeps (with the worker's configuration: the audit checkpoint's interval comes from it)
      const expected = schedulesFor(loadConfig(process.env));
      await waitFor(async () => (await queue.getJobSchedulers()).length === Object.keys(expected).length, 10_000, 'schedules');
      const schedulers = await queue.getJobSchedulers();
      expect(schedulers.map((s) => s.key).sort()).toEqual(Object.keys(expected).sort());
      for (const s of schedulers) {
        const repeat = expected[s.key as keyof typeof expected];
        if ('pattern' in repeat) expect(s).toMatchObject({ pattern: repeat.pattern, tz: repeat.tz });
        else expect(Number(s.every)).toBe(repeat.every);
      }
    } finally {
      await queue.close();
      connection.disconnect();
    }

    // /health: down while it was down, up once it was back (allowing a few seconds to reconnect)
    const inside = (s: HealthSample, w: Window) => s.start >= w.from + 300 && s.end <= w.to;
    const settled = (s: HealthSample) => [...pgDown, ...redisDown].every((w) => s.end < w.begin || s.start > w.to + 5000);
    const duringPg = samples.filter((s) => pgDown.some((w) => inside(s, w)));
    const duringRedis = samples.filter((s) => redisDown.some((w) => inside(s, w)));
    if (process.env.FAULTS_DEBUG) console.log(JSON.stringify({ pgDown, redisDown, restored, samples: samples.map((s) => ({ ...s, start: s.start - pgDown[0]!.from, end: s.end - pgDown[0]!.from })) }));
    expect(duringPg.length).toBeGreaterThan(0);
    expect(duringRedis.length).toBeGreaterThan(0);
    for (const s of duringPg) expect(s).toMatchObject({ status: 503, database: expect.stringMatching(/^error/) });
    for (const s of duringRedis) expect(s).toMatchObject({ status: 503, redis: expect.stringMatching(/^error/) });
    const healthy = samples.filter(settled);
    expect(healthy.length).toBeGreaterThan(3);
    for (const s of healthy) expect(s).toMatchObject({ status: 200, database: 'ok', redis: 'ok' });
    expect(samples.filter((s) => s.start > restored[1]! + 5000).length).toBeGreaterThan(0);
  }, 150_000);
});
