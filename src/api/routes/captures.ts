import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import multipart from '@fastify/multipart';
import { ingestCapture, MAX_EXTRA_FRAMES } from '../../ingest/ingest-capture.js';
import { IngestRejection } from '../../ingest/errors.js';
import { parseCaptureMetadata } from '../../ingest/metadata.js';
import { retryDeadLetter } from '../../pipeline/dead-letter.js';
import { CaptureDetailSchema, DeadLetterSchema, getCaptureDetail, listDeadLetters } from '../../pipeline/capture-queries.js';
import { HttpError, notFound } from '../errors.js';
import type { PipelineApiOptions } from './pipeline.js';

const ErrorSchema = Type.Object({ error: Type.String(), message: Type.String(), details: Type.Optional(Type.Unknown()) });
const IngestResultSchema = Type.Object({
  captureId: Type.Integer(),
  camera: Type.String(),
  imageSha256: Type.String(),
  status: Type.String({ description: 'queued, processing, processed or dead_lettered' }),
  duplicate: Type.Boolean({ description: 'true when this camera already sent exactly this image: nothing new was stored' }),
});

/** Camera uploads, capture status, and the dead-letter list operators work through. */
export const captureRoutes: FastifyPluginAsyncTypebox<PipelineApiOptions> = async (app, { queues, metrics }) => {
  const { config, pool, storage } = app.deps;
  await app.register(multipart, {
    limits: { fileSize: config.MAX_UPLOAD_BYTES, files: 2 + MAX_EXTRA_FRAMES, fields: 20, fieldSize: 1000, parts: 22 + MAX_EXTRA_FRAMES },
  });

  app.post('/api/v1/captures', {
    config: { access: 'camera' },
    schema: {
      summary: 'Upload one camera image with its metadata (multipart/form-data)',
      description: 'Fields: `image` (JPEG, PNG or WebP file; the plate is read from it), optionally `frame` files (up to 5 more frames of the '
        + 'same event, in order: before, at and after the stop line) and one `clip` file (MP4 or WebM), `captured_at` (ISO 8601 with offset), optional `camera` (code; must be the key\'s camera), '
        + '`speed_kmh`, `signal_phase` (green|amber|red: the signal when the vehicle crossed the stop line), `red_elapsed_ms`, '
        + '`amber_elapsed_ms` (time from amber to the crossing; needed to fine an amber crossing), `lane` (1-20), `direction` (forward|reverse); analytics cameras send `event` (what their analytics saw: stop_line, road_markings, '
        + 'no_left_turn, no_right_turn, solid_line, emergency_lane, pavement, no_helmet, phone, no_seat_belt, three_on_motorbike) and, with no_helmet '
        + 'and no_seat_belt, `subject` (driver|passenger); an unknown event is refused 400 unknown_event. '
        + 'The same image sent again by the same camera returns the existing capture with `duplicate: true` (200). '
        + 'While PostgreSQL or Redis is unreachable or storage is read-only the answer is 503, when storage is full 507, both with Retry-After: '
        + 'send the image again later (an image already stored is found and not stored twice).',
      tags: ['ingest'],
      consumes: ['multipart/form-data'],
      security: [{ cameraKey: [] }],
      response: { 201: IngestResultSchema, 200: IngestResultSchema, 400: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema, 413: ErrorSchema, 415: ErrorSchema, 503: ErrorSchema, 507: ErrorSchema },
    },
  }, async (request, reply) => {
    const camera = request.camera!;
    try {
      if (!request.isMultipart()) throw new IngestRejection(415, 'not_multipart', 'Hãy gửi ảnh dạng multipart/form-data, trong trường tệp `image`');
      const fields: Record<string, unknown> = {};
      let image: Buffer | null = null;
      let fileName: string | null = null;
      const frames: Buffer[] = [];
      let clip: Buffer | null = null;
      const parts = request.parts();
      for await (const part of guardMultipart(parts)) {
        if (part.type === 'file') {
          if (!['image', 'frame', 'clip'].includes(part.fieldname)) {
            throw new IngestRejection(400, 'unexpected_file', `Tệp gửi lên phải có tên trường image, frame (có thể lặp lại) hoặc clip, không phải ${part.fieldname}.`);
          }
          if ((part.fieldname === 'image' && image) || (part.fieldname === 'clip' && clip)) {
            throw new IngestRejection(400, 'unexpected_file', `Mỗi lần ghi hình chỉ có một tệp ${part.fieldname}.`);
          }
          const bytes = await part.toBuffer().catch((err: Error & { code?: string }) => {
            if (err.code === 'FST_REQ_FILE_TOO_LARGE') {
              throw new IngestRejection(413, part.fieldname === 'clip' ? 'clip_too_large' : 'image_too_large', `Tệp ${part.fieldname} vượt giới hạn ${config.MAX_UPLOAD_BYTES} byte.`);
            }
            throw err;
          });
          if (part.fieldname === 'frame') { frames.push(bytes); continue; }
          if (part.fieldname === 'clip') { clip = bytes; continue; }
          image = bytes;
          fileName = part.filename || null;
          if (fileName?.includes('\0')) throw new IngestRejection(400, 'invalid_file_name', 'Tên tệp chứa ký tự NUL');
        } else {
          if (typeof part.value === 'string' && part.value.includes('\0')) {
            throw new IngestRejection(400, 'invalid_field', `Trường ${part.fieldname} chứa ký tự NUL`);
          }
          fields[part.fieldname] = part.value;
        }
      }
      if (!image) throw new IngestRejection(400, 'missing_field', 'Thiếu trường tệp `image`');
      const { camera: code, ...meta } = fields;
      if (code !== undefined && code !== camera.code) {
        throw new IngestRejection(403, 'camera_mismatch', `Khoá API thuộc camera ${camera.code}, không phải ${String(code)}`);
      }
      const metadata = parseCaptureMetadata(meta, new Date(), config.CAPTURE_MAX_FUTURE_S, config.MAX_PLAUSIBLE_SPEED_KMH);
      const result = await ingestCapture(
        { pool, storage, queues, limits: { maxPixels: config.MAX_IMAGE_PIXELS, maxBytes: config.MAX_UPLOAD_BYTES }, enqueueTimeoutMs: config.ENQUEUE_TIMEOUT_MS },
        { camera: { id: camera.id }, image, frames, clip, metadata, source: 'http', sourceName: fileName },
      );
      metrics.capturesIngested.inc({ source: 'http', outcome: result.duplicate ? 'duplicate' : 'created' });
      return reply.status(result.duplicate ? 200 : 201).send({
        captureId: result.captureId, camera: result.cameraCode, imageSha256: result.imageSha256, status: result.status, duplicate: result.duplicate,
      });
    } catch (err) {
      if (err instanceof IngestRejection) {
        metrics.capturesIngested.inc({ source: 'http', outcome: 'rejected' });
        throw new HttpError(err.status, err.code, err.message, err.details);
      }
      throw err;
    }
  });

  app.get('/api/v1/captures/:id', {
    config: { access: ['officer', 'operator', 'admin'] },
    schema: {
      summary: 'A capture: processing status, the reason it was dead-lettered or what evaluation concluded, its plate reads and violations',
      tags: ['ingest'],
      security: [{ bearer: [] }],
      params: Type.Object({ id: Type.Integer({ minimum: 1 }) }),
      response: { 200: CaptureDetailSchema, 404: ErrorSchema },
    },
  }, async (request) => {
    const detail = await getCaptureDetail(pool, request.params.id);
    if (!detail) throw notFound(`ảnh chụp #${request.params.id}`);
    return detail;
  });

  app.get('/api/v1/dead-letters', {
    config: { access: ['operator', 'admin'] },
    schema: {
      summary: 'Captures that could not be processed, newest first, with the reason',
      tags: ['ingest'],
      security: [{ bearer: [] }],
      querystring: Type.Object({
        camera: Type.Optional(Type.String({ description: 'camera code' })),
        limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
        before: Type.Optional(Type.Integer({ minimum: 1, description: 'capture id to page back from' })),
      }),
      response: { 200: Type.Object({ items: Type.Array(DeadLetterSchema) }) },
    },
  }, async (request) => {
    const { camera, limit, before } = request.query;
    return { items: await listDeadLetters(pool, { limit, ...(camera ? { cameraCode: camera } : {}), ...(before ? { beforeId: before } : {}) }) };
  });

  app.post('/api/v1/dead-letters/:captureId/retry', {
    config: { access: ['operator', 'admin'] },
    schema: {
      summary: 'Send a dead-lettered capture through recognition and evaluation again (after fixing the cause)',
      tags: ['ingest'],
      security: [{ bearer: [] }],
      params: Type.Object({ captureId: Type.Integer({ minimum: 1 }) }),
      response: { 202: Type.Object({ captureId: Type.Integer(), status: Type.Literal('queued') }), 404: ErrorSchema, 409: ErrorSchema },
    },
  }, async (request, reply) => {
    const { captureId } = request.params;
    const result = await retryDeadLetter(pool, queues, captureId, request.user!);
    if (!result.ok && result.reason === 'not_found') throw notFound(`ảnh chụp #${captureId}`);
    if (!result.ok) throw new HttpError(409, 'not_dead_lettered', `Ảnh chụp #${captureId} không nằm trong danh sách lỗi xử lý nên không xử lý lại`, { status: result.status });
    return reply.status(202).send({ captureId, status: 'queued' as const });
  });
};

/**
 * The multipart parser's own failures (no boundary, a body cut short) carry no HTTP status: they are
 * the client's malformed request, answered 400 with the parser's reason rather than 500.
 */
async function* guardMultipart<T>(parts: AsyncIterable<T>): AsyncGenerator<T> {
  try {
    yield* parts;
  } catch (err) {
    if (err instanceof IngestRejection || (err as { statusCode?: number }).statusCode) throw err;
    throw new IngestRejection(400, 'bad_multipart', 'Dữ liệu multipart/form-data bị lỗi định dạng', { reason: (err as Error).message });
  }
}
