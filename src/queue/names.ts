/**
 * The two pipeline stages. Recognition is CPU-bound (ONNX), evaluation is database-bound; separate
 * queues let each be watched, retried and scaled on its own.
 */
export const QUEUE_NAMES = { recognise: 'recognise', evaluate: 'evaluate' } as const;
export type QueueName = (typeof QUEUE_NAMES)[keyof typeof QUEUE_NAMES];

/**
 * Job ids are derived from the capture id so enqueueing the same capture twice is one job
 * (BullMQ ignores an add whose id exists). BullMQ refuses purely numeric custom ids.
 */
export function jobIdFor(stage: QueueName, captureId: number): string {
  return `${stage === 'recognise' ? 'r' : 'e'}-${captureId}`;
}
