import { Counter, Histogram, type Registry } from 'prom-client';

export const RETAINED_KINDS = [
  'captures', 'plateReads', 'sightings', 'evidenceLinks', 'violations', 'notices', 'payments',
  'ownerResponses', 'violationRecords', 'decisions', 'decisionItems', 'pointDeductions', 'blobs',
  // emptied monthly partitions of captures, plate reads and sightings (partition-drops.ts)
  'partitions',
] as const;
export type RetainedKind = typeof RETAINED_KINDS[number];

export interface RetentionMetrics {
  deleted: Counter<'kind'>;
  runDuration: Histogram<'outcome'>;
}

/** Registered in the worker's registry, so /metrics sums them with the pipeline's (cluster-metrics.ts). */
export function createRetentionMetrics(registry: Registry): RetentionMetrics {
  return {
    deleted: new Counter({
      name: 'phat_retention_deleted_total', help: 'rows and stored objects deleted by the retention job, by kind',
      labelNames: ['kind'], registers: [registry],
    }),
    runDuration: new Histogram({
      name: 'phat_retention_run_seconds', help: 'time a retention run took, by outcome (done, failed)',
      labelNames: ['outcome'], buckets: [1, 5, 15, 60, 300, 900, 3600], registers: [registry],
    }),
  };
}
