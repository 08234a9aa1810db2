import type { Config } from '../config.js';
import { createPool, type Pool } from '../db/pool.js';
import type { Logger } from '../logger.js';
import { createRedis, type Redis } from '../redis.js';
import { DependencyState } from './dependency-state.js';

export interface ProcessConnections {
  pool: Pool;
  redis: Redis;
  postgresState: DependencyState;
  redisState: DependencyState;
}

/**
 * The PostgreSQL pool and Redis connection of a long-running process (API, worker, drop-folder
 * watcher), with timeouts and error listeners so that either service restarting is logged once
 * each way and ridden out instead of killing the process.
 */
export function connectDependencies(config: Config, logger: Logger, poolSize: number): ProcessConnections {
  const postgresState = new DependencyState('postgres', logger);
  const redisState = new DependencyState('redis', logger);
  const pool = createPool(config.DATABASE_URL, poolSize, {
    state: postgresState, statementTimeoutMs: config.PG_STATEMENT_TIMEOUT_MS, connectTimeoutMs: config.PG_CONNECT_TIMEOUT_MS,
  });
  const redis = createRedis(config.REDIS_URL, redisState);
  return { pool, redis, postgresState, redisState };
}
