import pg from 'pg';
import type { DependencyState } from '../resilience/dependency-state.js';

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;
export type Queryable = Pick<pg.Pool, 'query'> | Pick<pg.PoolClient, 'query'>;

// bigint (int8) columns are ids and VND amounts: both fit a JS number far below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));
// numeric is used for speeds like 57.5 km/h
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (v) => Number(v));

export interface PoolOptions {
  /** told about connection errors and reconnections (one log line per change); without it they are only absorbed */
  state?: DependencyState;
  /** server-side limit per statement; 0 = none (migrations, one-off commands) */
  statementTimeoutMs?: number;
  /** how long to wait for a connection (new socket or a free pooled client) before failing the query */
  connectTimeoutMs?: number;
}

/**
 * A pool that survives a PostgreSQL restart: an idle client whose server went away emits 'error' on
 * the pool, which without a listener kills the process ("Unhandled 'error' event ... BoundPool");
 * the listener drops the dead client and the next query connects afresh. Timeouts make a query fail
 * (and the caller retry or answer 503) instead of hanging while the server is down.
 */
export function createPool(databaseUrl: string, max = 10, opts: PoolOptions = {}): Pool {
  const statementTimeout = opts.statementTimeoutMs ?? 0;
  const pool = new pg.Pool({
    connectionString: databaseUrl, max, application_name: 'phat-nguoi',
    connectionTimeoutMillis: opts.connectTimeoutMs ?? 10_000,
    keepAlive: true,
    ...(statementTimeout > 0 ? {
      statement_timeout: statementTimeout,
      // a transaction left open by a stuck client would hold row locks other workers wait on
      idle_in_transaction_session_timeout: statementTimeout,
      // client-side backstop for a half-open socket the server can no longer answer on
      query_timeout: statementTimeout + 5000,
    } : {}),
  });
  pool.on('error', (err) => opts.state?.down(err, 'idle client'));
  pool.on('connect', () => opts.state?.restored('new connection'));
  return pool;
}

/** Errors that mean PostgreSQL is unreachable or restarting, not that the query was wrong. */
export function isDatabaseUnavailable(err: unknown): boolean {
  const e = err as { code?: string; message?: string } | null;
  if (!e) return false;
  // 57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now, 08xxx connection exceptions
  if (e.code && /^(57P0[123]|08)/.test(e.code)) return true;
  if (e.code && ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN'].includes(e.code)) return true;
  return /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Query read timeout/.test(e.message ?? '');
}

/** Runs `work` in one transaction; anything thrown rolls everything back. */
export async function withTransaction<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  // a checked-out client has no pool listener: without this, the server going away mid-transaction
  // would crash the process instead of failing the query in flight
  const absorb = () => undefined;
  client.on('error', absorb);
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.removeListener('error', absorb);
    client.release();
  }
}
