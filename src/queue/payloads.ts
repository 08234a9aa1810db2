import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

/** Both stages carry only the capture id: everything else is read fresh from PostgreSQL. */
export const CaptureJobSchema = Type.Object({ captureId: Type.Integer({ minimum: 1 }) }, { additionalProperties: false });
export type CaptureJob = Static<typeof CaptureJobSchema>;

export class BadPayloadError extends Error {
  override readonly name = 'BadPayloadError';
}

/** Validates a job payload once, at the edge; a bad one can never succeed, so it is not retried. */
export function parseCaptureJob(data: unknown): CaptureJob {
  if (Value.Check(CaptureJobSchema, data)) return data;
  const first = [...Value.Errors(CaptureJobSchema, data)][0];
  throw new BadPayloadError(`bad job payload ${JSON.stringify(data)}: ${first ? `${first.path} ${first.message}` : 'invalid'}`);
}
