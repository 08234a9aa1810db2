import { Queue, type JobsOptions } from 'bullmq';
import type { Config } from '../config.js';
import type { Redis } from '../redis.js';
import { QUEUE_NAMES, jobIdFor, type QueueName } from './names.js';
import type { CaptureJob } from './payloads.js';

export interface PipelineQueues {
  recognise: Queue<CaptureJob>;
  evaluate: Queue<CaptureJob>;
  /**
   * Adds the capture's job for a stage; a no-op while a job with that id already exists.
   * `front` puts it ahead of the waiting backlog (a job that was lost has waited its turn already).
   */
  enqueue(stage: QueueName, captureId: number, opts?: { front?: boolean }): Promise<void>;
  all(): Array<Queue<CaptureJob>>;
  close(): Promise<void>;
}

/** Retry policy shared by both stages; the worker dead-letters the capture after the last attempt. */
export function defaultJobOptions(config: Config): JobsOptions {
  return {
    attempts: config.JOB_ATTEMPTS,
    backoff: { type: 'exponential', delay: config.JOB_BACKOFF_MS },
    // finished jobs are kept a while for the dashboard; the capture row is the lasting record
    removeOnComplete: { age: 3600, count: 20_000 },
    removeOnFail: { age: 14 * 24 * 3600 },
  };
}

/**
 * Queue handles on a shared connection (queues issue no blocking commands). Workers make their own
 * connections; see src/pipeline/workers.ts.
 */
export function createPipelineQueues(config: Config, connection: Redis): PipelineQueues {
  const opts = { connection, prefix: config.QUEUE_PREFIX, defaultJobOptions: defaultJobOptions(config) };
  const recognise = new Queue<CaptureJob>(QUEUE_NAMES.recognise, opts);
  const evaluate = new Queue<CaptureJob>(QUEUE_NAMES.evaluate, opts);
  const byName = { recognise, evaluate } as const;
  return {
    recognise,
    evaluate,
    async enqueue(stage, captureId, opts) {
      await byName[stage].add(stage, { captureId }, { jobId: jobIdFor(stage, captureId), ...(opts?.front ? { lifo: true } : {}) });
    },
    all: () => [recognise, evaluate],
    async close() {
      await Promise.all([recognise.close(), evaluate.close()]);
    },
  };
}
