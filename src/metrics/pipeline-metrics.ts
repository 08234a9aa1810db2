import { Counter, Histogram, Registry } from 'prom-client';

/**
 * The pipeline's metrics. Every process (API, workers, drop-folder watcher) creates the same set in
 * its own registry and publishes snapshots to Redis; /metrics sums them (see cluster-metrics.ts), so
 * one scrape shows the whole installation however many worker processes run.
 */
export interface PipelineMetrics {
  registry: Registry;
  capturesIngested: Counter<'source' | 'outcome'>;
  jobDuration: Histogram<'queue' | 'outcome'>;
  jobFailures: Counter<'queue' | 'kind'>;
  platesRead: Counter<'valid'>;
  deadLettered: Counter<'stage'>;
}

export function createPipelineMetrics(): PipelineMetrics {
  const registry = new Registry();
  return {
    registry,
    capturesIngested: new Counter({
      name: 'phat_captures_ingested_total', help: 'captures offered for ingest, by source and outcome (created, duplicate, rejected)',
      labelNames: ['source', 'outcome'], registers: [registry],
    }),
    jobDuration: new Histogram({
      name: 'phat_job_duration_seconds', help: 'time a pipeline job took, by queue and outcome (done, dead_lettered, skipped, error)',
      labelNames: ['queue', 'outcome'], buckets: [0.01, 0.025, 0.05, 0.1, 0.2, 0.35, 0.5, 1, 2, 5, 10, 30], registers: [registry],
    }),
    jobFailures: new Counter({
      name: 'phat_job_failures_total', help: 'failed job attempts, by queue and kind (transient = will be retried, final = dead-lettered)',
      labelNames: ['queue', 'kind'], registers: [registry],
    }),
    platesRead: new Counter({
      name: 'phat_plates_read_total', help: 'plate reads written, by whether the text fits a plate format',
      labelNames: ['valid'], registers: [registry],
    }),
    deadLettered: new Counter({
      name: 'phat_captures_dead_lettered_total', help: 'captures moved to the dead-letter state, by stage',
      labelNames: ['stage'], registers: [registry],
    }),
  };
}
