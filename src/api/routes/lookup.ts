import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import rateLimit from '@fastify/rate-limit';
import { lookupKey, lookupPublicViolations, PUBLIC_STATUS, UnparseablePlateError } from '../../lookup/public-lookup.js';
import { HttpError, badRequest } from '../errors.js';
import { ErrorBody } from './admin-schemas.js';

const PublicViolation = Type.Object({
  vehicleType: Type.String(),
  vehicleTypeLabel: Type.String({ description: 'Vietnamese, e.g. Ô tô' }),
  plate: Type.String(),
  plateColour: Type.String(),
  plateColourLabel: Type.String({ description: 'Vietnamese, e.g. Nền trắng, chữ đen' }),
  occurredAt: Type.String({ format: 'date-time' }),
  place: Type.String(),
  violation: Type.String(),
  detectingUnit: Type.String(),
  contactPhone: Type.Union([Type.String(), Type.Null()]),
  status: Type.Union([Type.Literal(PUBLIC_STATUS.unpaid), Type.Literal(PUBLIC_STATUS.paid)]),
});

/** The public plate lookup (procedure step 3): no login, rate limited per client IP, no personal data. */
export const lookupRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { pool, redis, config } = app.deps;
  // counters live in Redis so every API process shares them; the queue prefix keeps deployments (and test runs) apart
  await app.register(rateLimit, {
    global: false,
    redis,
    nameSpace: `${config.QUEUE_PREFIX}:ratelimit:lookup:`,
    errorResponseBuilder: (_request, context) => new HttpError(429, 'rate_limited',
      `too many lookups from this address: ${context.max} per ${context.after}; try again in ${Math.ceil(context.ttl / 1000)} s`),
  });

  app.get('/api/v1/lookup', {
    config: {
      access: 'public',
      rateLimit: { max: config.LOOKUP_RATE_LIMIT_PER_MINUTE, timeWindow: 60_000 },
    },
    schema: {
      summary: 'Public lookup of published camera violations of a plate: vehicle, time, place, violation, status; no personal data',
      tags: ['public'],
      querystring: Type.Object({ plate: Type.String({ minLength: 1, maxLength: 32, description: 'e.g. 30A-123.45, 30a12345, 29-B1 123.45' }) },
        { additionalProperties: false }),
      response: {
        200: Type.Object({ plate: Type.String(), count: Type.Integer(), violations: Type.Array(PublicViolation) }),
        400: ErrorBody,
        429: ErrorBody,
      },
    },
  }, async (request) => {
    let plate: { key: string; canonical: string };
    try {
      plate = lookupKey(request.query.plate);
    } catch (err) {
      if (err instanceof UnparseablePlateError) throw badRequest('invalid_plate', err.message);
      throw err;
    }
    const violations = await lookupPublicViolations(pool, plate.key, { detectingUnit: config.DETECTING_UNIT, contactPhone: config.NOTICE_CONTACT_PHONE });
    return { plate: plate.canonical, count: violations.length, violations };
  });
};
