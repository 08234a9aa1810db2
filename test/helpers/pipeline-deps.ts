import { createLogger } from '../../src/logger.js';
import type { StageDeps } from '../../src/pipeline/stage-deps.js';
import { evaluateCapture } from '../../src/violations/evaluate.js';

/** The pipeline's stages wired as the workers wire them, with the real rule engine and a silent logger. */
export function pipelineDeps(parts: Omit<StageDeps, 'evaluate' | 'logger'>, logName = 'test'): StageDeps {
  return { ...parts, evaluate: (tx, input) => evaluateCapture(tx, input), logger: createLogger('silent', logName) };
}
