import { DelayedError, UnrecoverableError, Worker, type Job } from 'bullmq';
import { isDatabaseUnavailable } from '../db/pool.js';
import { RegistryBusyError } from '../registry/initial-load.js';
import { StorageUnavailableError } from '../storage/storage-errors.js';
import type { Config } from '../config.js';
import { createRedis, reportQueueErrors, type Redis } from '../redis.js';
import type { DependencyState } from '../resilience/dependency-state.js';
import { QUEUE_NAMES, type QueueName } from '../queue/names.js';
import { parseCaptureJob, type CaptureJob } from '../queue/payloads.js';
import { deadLetterCapture } from './dead-letter.js';
import { failureReason } from './failure-reasons.js';
import { runEvaluate } from './evaluate-stage.js';
import { runRecognise } from './recognise-stage.js';
import type { StageDeps, StageOutcome } from './stage-deps.js';

export interface PipelineWorkers {
  workers: Worker[];
  /** Stops taking jobs and waits for the ones in flight (BullMQ returns unfinished ones on lock expiry). */
  close(): Promise<void>;
}

const RUN: Record<QueueName, (deps: StageDeps, captureId: number) => Promise<StageOutcome>> = {
  recognise: runRecognise,
  evaluate: runEvaluate,
};

/**
 * Runs both stages in this process against the shared Redis. Any number of such processes may run
 * (on any machine): BullMQ hands each job to one of them, a job whose process died is found by
 * the stalled check of the others and run again, and the stages are idempotent per capture.
 */
export function startPipelineWorkers(config: Config, deps: StageDeps, redisState?: DependencyState): PipelineWorkers {
  const connections: Redis[] = [];
  const workers = (Object.values(QUEUE_NAMES) as QueueName[]).map((name) => {
    const connection = createRedis(config.REDIS_URL, redisState);
    connections.push(connection);
    const worker = new Worker<CaptureJob, StageOutcome>(name, (job, token) => processJob(config, deps, name, job, token), {
      connection,
      prefix: config.QUEUE_PREFIX,
      concurrency: config.WORKER_CONCURRENCY,
      lockDuration: config.JOB_LOCK_MS,
      stalledInterval: config.JOB_STALLED_INTERVAL_MS,
      maxStalledCount: config.JOB_MAX_STALLED,
    });
    // connection errors repeat on every reconnect attempt: they only change the Redis state (one line per outage)
    reportQueueErrors(worker, redisState, `worker ${name}`);
    worker.on('failed', (job, err) => {
      if (!job) return;
      const final = job.attemptsMade >= (job.opts.attempts ?? 1)  || err.name === 'UnrecoverableError';
      deps.logger.warn({ queue: name, jobId: job.id, attempt: job.attemptsMade, final, err: err.message }, 'job failed');
    });
    return worker;
  });
  return {
    workers,
    async close() {
      await Promise.all(workers.map((w) => w.close()));
      await Promise.all(connections.map((c) => c.quit().catch(() => c.disconnect())));
    },
  };
}

/** While PostgreSQL or storage is down, or the registry is being loaded, a job is put back for later without using up one of its attempts. */
const OUTAGE_RETRY_MS = 5000;

async function processJob(config: Config, deps: StageDeps, queue: QueueName, job: Job<CaptureJob, StageOutcome>, token?: string): Promise<StageOutcome> {
  const started = performance.now();
  const seconds = () => (performance.now() - started) / 1000;
  let captureId: number;
  try {
    captureId = parseCaptureJob(job.data).captureId;
  } catch (err) {
    deps.metrics?.jobFailures.inc({ queue, kind: 'final' });
    // no capture to dead-letter: the job itself ends failed, without retries, with the reason on the dashboard
    throw new UnrecoverableError((err as Error).message);
  }
  try {
    const outcome = await RUN[queue](deps, captureId);
    deps.metrics?.jobDuration.observe({ queue, outcome }, seconds());
    return outcome;
  } catch (err) {
    // an outage is not the capture's fault: counting it as an attempt would dead-let a whole backlog during a restart;
    // nor is a registry being loaded for the first time
    if (token && (isDatabaseUnavailable(err) || err instanceof StorageUnavailableError || err instanceof RegistryBusyError)) {
      deps.metrics?.jobDuration.observe({ queue, outcome: 'error' }, seconds());
      await job.moveToDelayed(Date.now() + OUTAGE_RETRY_MS, token);
      throw new DelayedError();
    }
    const attempts = job.opts.attempts ?? config.JOB_ATTEMPTS;
    const last = job.attemptsMade + 1 >= attempts;
    deps.metrics?.jobFailures.inc({ queue, kind: last ? 'final' : 'transient' });
    deps.metrics?.jobDuration.observe({ queue, outcome: 'error' }, seconds());
    if (last) {
      const reason = failureReason.stageFailed(queue, attempts);
      if (await deadLetterCapture(deps.pool, captureId, reason, queue, `last error: ${(err as Error).message}`).catch(() => false)) deps.metrics?.deadLettered.inc({ stage: queue });
    }
    throw err;
  }
}
