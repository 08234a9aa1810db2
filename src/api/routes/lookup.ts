import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import rateLimit from '@fastify/rate-limit';
import { type LookupFilter, lookupKey, lookupPublicViolations, PUBLIC_STATUS, publicPlateEvidence, UnparseablePlateError } from '../../lookup/public-lookup.js';
import { cropPlate } from '../../review/plate-crop.js';
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
  handlingUnit: Type.Object({ name: Type.String(), address: Type.Union([Type.String(), Type.Null()]), phone: Type.Union([Type.String(), Type.Null()]) },
    { description: 'đơn vị giải quyết vụ việc: where to go to resolve it' }),
  plateImageUrl: Type.Union([Type.String(), Type.Null()], { description: 'the plate area of the evidence photo, nothing else of it' }),
  status: Type.Union([Type.Literal(PUBLIC_STATUS.unpaid), Type.Literal(PUBLIC_STATUS.paid)]),
});

const PLATE_COLOURS = ['white', 'yellow', 'blue', 'red', 'white_red'] as const;
const VEHICLE_TYPES = ['car', 'truck', 'bus', 'motorbike', 'moped', 'electric_motorbike'] as const;
const LookupQuery = {
  plate: Type.String({ minLength: 1, maxLength: 32, description: 'e.g. 30A-123.45, 30a12345, 29-B1 123.45' }),
  plate_colour: Type.Optional(Type.Union(PLATE_COLOURS.map((c) => Type.Literal(c)), { description: 'only plates of this colour' })),
  vehicle_type: Type.Optional(Type.Union(VEHICLE_TYPES.map((c) => Type.Literal(c)), { description: 'only this kind of vehicle' })),
};

function parsePlate(input: string): { key: string; canonical: string } {
  try {
    return lookupKey(input);
  } catch (err) {
    if (err instanceof UnparseablePlateError) throw badRequest('invalid_plate', err.message);
    throw err;
  }
}

const filterOf = (q: { plate_colour?: string; vehicle_type?: string }): LookupFilter => ({ plateColour: q.plate_colour, vehicleType: q.vehicle_type });

/** The public plate lookup (procedure step 3): no login, rate limited per client IP, no personal data. */
export const lookupRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { pool, redis, config, storage } = app.deps;
  // counters live in Redis so every API process shares them; the queue prefix keeps deployments (and test runs) apart
  await app.register(rateLimit, {
    global: false,
    redis,
    nameSpace: `${config.QUEUE_PREFIX}:ratelimit:lookup:`,
    errorResponseBuilder: (_request, context) => new HttpError(429, 'rate_limited',
      `Quá nhiều lượt tra cứu từ địa chỉ này (tối đa ${context.max} lượt mỗi phút); vui lòng thử lại sau ${Math.ceil(context.ttl / 1000)} giây`),
  });

  app.get('/api/v1/lookup', {
    config: {
      access: 'public',
      rateLimit: { max: config.LOOKUP_RATE_LIMIT_PER_MINUTE, timeWindow: 60_000 },
    },
    schema: {
      summary: 'Public lookup of published camera violations of a plate: vehicle, time, place, violation, status; no personal data',
      tags: ['public'],
      querystring: Type.Object(LookupQuery, { additionalProperties: false }),
      response: {
        200: Type.Object({ plate: Type.String(), count: Type.Integer(), violations: Type.Array(PublicViolation) }),
        400: ErrorBody,
        429: ErrorBody,
      },
    },
  }, async (request) => {
    const plate = parsePlate(request.query.plate);
    const violations = await lookupPublicViolations(pool, plate.key,
      { detectingUnit: config.DETECTING_UNIT, address: config.NOTICE_UNIT_ADDRESS, contactPhone: config.NOTICE_CONTACT_PHONE }, filterOf(request.query));
    return { plate: plate.canonical, count: violations.length, violations };
  });

  app.get('/api/v1/lookup/plate-image', {
    config: {
      access: 'public',
      // a results page loads a few of these at once, so they get their own, larger allowance
      rateLimit: { max: config.LOOKUP_RATE_LIMIT_PER_MINUTE * 5, timeWindow: 60_000, keyGenerator: (request) => `image:${request.ip}` },
    },
    schema: {
      summary: 'The plate area (and nothing else) of the evidence photo of the n-th published violation of a plate, as PNG',
      tags: ['public'],
      querystring: Type.Object({ ...LookupQuery, index: Type.Integer({ minimum: 0, maximum: 99, description: 'position in the lookup result' }) },
        { additionalProperties: false }),
      response: { 200: Type.Unsafe<Buffer>({ type: 'string', format: 'binary' }), 400: ErrorBody, 404: ErrorBody, 429: ErrorBody },
    },
  }, async (request, reply) => {
    const plate = parsePlate(request.query.plate);
    const evidence = await publicPlateEvidence(pool, plate.key, request.query.index, filterOf(request.query));
    const original = evidence ? await storage.get(evidence.sha256) : null;
    if (!evidence || !original) throw new HttpError(404, 'not_found', 'Không có ảnh biển số cho vi phạm này');
    const png = await cropPlate(original, evidence.bbox, 0);
    return reply.type('image/png').header('Cache-Control', 'public, max-age=3600').send(png);
  });
};
