import type { Pool } from '../db/pool.js';
import type { Logger } from '../logger.js';
import type { PipelineMetrics } from '../metrics/pipeline-metrics.js';
import type { PipelineQueues } from '../queue/queues.js';
import type { BlobStore } from '../storage/blob-store.js';
import type { PlateEngine } from '../vision/engine.js';
import type { CameraRules, CaptureFacts, EvaluationOutcome, ReadFacts } from '../violations/evaluate.js';
import type { PoolClient } from '../db/pool.js';

/** The rule engine (src/violations) as the evaluate stage calls it: inside the stage's transaction. */
export type EvaluateCapture = (tx: PoolClient, input: { capture: CaptureFacts; camera: CameraRules; read: ReadFacts | null }) => Promise<EvaluationOutcome>;

export interface StageDeps {
  pool: Pool;
  storage: BlobStore;
  queues: Pick<PipelineQueues, 'enqueue'>;
  engine: Pick<PlateEngine, 'recognise'>;
  evaluate: EvaluateCapture;
  logger: Logger;
  metrics?: PipelineMetrics;
}

/** What a stage did with its job; 'skipped' = the capture was already past this stage. */
export type StageOutcome = 'done' | 'skipped' | 'dead_lettered';
