import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { createHash } from 'node:crypto';
import { withTransaction } from '../../db/pool.js';
import { getCaseFile } from '../../review/case-file.js';
import { claimViolation, releaseClaim, takeOverClaim } from '../../review/claims.js';
import type { ReviewCollaborators } from '../../review/collaborators.js';
import { approveViolation, confirmMatch, correctPlate, REJECT_REASONS, rejectViolation } from '../../review/decisions.js';
import { captureImage, captureMediaItem, plateReadBox, type EvidenceMedia } from '../../review/evidence.js';
import { cropPlate } from '../../review/plate-crop.js';
import { decodeQueueCursor, encodeQueueCursor, listReviewQueue, QUEUE_SORTS } from '../../review/queue.js';
import { noticeNumberOfViolation } from '../../notices/queries.js';
import { ReviewError, type ReviewErrorCode } from '../../review/review-error.js';
import { HttpError, notFound } from '../errors.js';
import { ErrorBody, IdParams, Nullable, oneOf } from './admin-schemas.js';
import { RULE_NAMES } from '../../violations/types.js';

const REVIEWERS = { access: ['officer', 'admin'] as const };
const RULES = RULE_NAMES;
const MATCH_STATUSES = ['exact', 'fuzzy', 'ambiguous', 'unknown', 'foreign', 'corrected'] as const;

const STATUS: Record<ReviewErrorCode, number> = {
  not_found: 404, not_pending: 409, claimed_by_other: 409, claim_required: 409, owner_unidentified: 409, confirmation_required: 409,
  invalid_plate: 400, not_a_candidate: 409, offence_not_for_category: 409, note_required: 400,
};

function toHttp(err: unknown): never {
  if (err instanceof ReviewError) throw new HttpError(STATUS[err.code], err.code, err.message, err.details);
  throw err;
}

const Binary = (description: string) => Type.Unsafe<Buffer>({ type: 'string', format: 'binary', description });
const Claim = Type.Union([Type.Null(), Type.Object({ userId: Type.Integer(), username: Type.String(), expiresAt: Type.String({ format: 'date-time' }) })]);
const Bbox = Type.Object({ x: Type.Integer(), y: Type.Integer(), width: Type.Integer(), height: Type.Integer() });
const MatchOutcome = Type.Object({
  matchStatus: Type.String(),
  vehicleId: Type.Union([Type.Integer(), Type.Null()]),
  ownerId: Type.Union([Type.Integer(), Type.Null()]),
  candidates: Type.Array(Type.Unknown()),
});
const cropUrl = (captureId: number, rank: number) => `/api/v1/evidence/${captureId}/plate/${rank}`;
const mediaUrl = (captureId: number, m: EvidenceMedia) => m.kind === 'clip' ? `/api/v1/evidence/${captureId}/clip` : `/api/v1/evidence/${captureId}/frames/${m.seq}`;
const iso = (d: Date | null) => (d ? d.toISOString() : null);
const claimView = (c: { userId: number; username: string; expiresAt: Date } | null) => (c ? { ...c, expiresAt: c.expiresAt.toISOString() } : null);

const Particulars = Type.Object({
  vehicleId: Type.Integer(), plate: Type.String(), plateColour: Type.String(), vehicleType: Type.String(),
  make: Nullable(Type.String()), model: Nullable(Type.String()), colour: Nullable(Type.String()),
  owner: Type.Union([Type.Null(), Type.Object({
    ownerId: Type.Integer(), kind: Type.String(), fullName: Type.String(), identifier: Type.String(), address: Type.String(), basis: Type.String(),
  })]),
});

const CaseSchema = Type.Object({
  violation: Type.Object({
    id: Type.Integer(), status: Type.String(), rule: Type.String(), violationCode: Type.String(), legalClause: Type.String(),
    description: Type.String(), vehicleCategory: Type.String(), occurredAt: Type.String({ format: 'date-time' }),
    lastSeenAt: Nullable(Type.String({ format: 'date-time' })), plateText: Type.String(), plateColour: Type.String(),
    readConfidence: Type.Number(), matchStatus: Type.String(), vehicleId: Type.Union([Type.Integer(), Type.Null()]),
    ownerId: Type.Union([Type.Integer(), Type.Null()]), suspectedClone: Type.Boolean(), cloneReason: Nullable(Type.String()),
    reviewWarning: Nullable(Type.String({ description: 'why approval needs confirmWarning: true (e.g. an implausible speed reading)' })),
    scheduleVersion: Type.String(), fineMin: Type.Integer(), fineMax: Type.Integer(), fineAmount: Type.Integer(), points: Type.Integer(),
    details: Type.Record(Type.String(), Type.Unknown()), createdAt: Type.String({ format: 'date-time' }),
  }),
  camera: Type.Object({ id: Type.Integer(), code: Type.String(), name: Type.String(), province: Type.String(), address: Type.String(), cameraType: Type.String() }),
  registered: Type.Union([Type.Null(), Particulars]),
  matchCandidates: Type.Array(Type.Object({ particulars: Type.Union([Type.Null(), Particulars]) }, { additionalProperties: true })),
  claim: Claim,
  decision: Type.Union([Type.Null(), Type.Object({
    userId: Type.Integer(), username: Type.String(), at: Type.String({ format: 'date-time' }),
    rejectReason: Nullable(Type.String()), rejectNote: Nullable(Type.String()),
    noticeNumber: Nullable(Type.String({ description: 'the notice issued on approval' })),
  })]),
  evidence: Type.Array(Type.Object({
    captureId: Type.Integer(), capturedAt: Type.String({ format: 'date-time' }), imageSha256: Type.String(), imageUrl: Type.String(),
    contentType: Type.String(), width: Type.Integer(), height: Type.Integer(),
    measuredSpeedKmh: Type.Union([Type.Number(), Type.Null()]), signalPhase: Nullable(Type.String()),
    redElapsedMs: Type.Union([Type.Integer(), Type.Null()]),
    amberElapsedMs: Type.Union([Type.Integer(), Type.Null()], { description: 'time from amber to the stop-line crossing' }), lane: Type.Union([Type.Integer(), Type.Null()]), direction: Nullable(Type.String()),
    addedAt: Type.String({ format: 'date-time' }),
    plateRead: Type.Union([Type.Null(), Type.Object({
      id: Type.Integer(), rank: Type.Integer(), plateText: Type.String(), rawText: Type.String(), confidence: Type.Number(), bbox: Bbox,
      layout: Type.String(), colour: Type.String(), valid: Type.Boolean(), lowConfidence: Type.Boolean(), cropUrl: Type.String(),
    })]),
    media: Type.Array(Type.Object({
      seq: Type.Integer(), kind: Type.Union([Type.Literal('frame'), Type.Literal('clip')]), sha256: Type.String(), contentType: Type.String(),
      bytes: Type.Integer(), width: Type.Union([Type.Integer(), Type.Null()]), height: Type.Union([Type.Integer(), Type.Null()]), url: Type.String(),
    }), { description: 'further frames of the capture in order (the image is frame 0), then its video clip if any; each served verified by its sha256' }),
  })),
});

export interface ReviewRoutesOptions {
  collaborators: ReviewCollaborators;
}

export const reviewRoutes: FastifyPluginAsyncTypebox<ReviewRoutesOptions> = async (app, opts) => {
  const { pool, config, storage, logger } = app.deps;
  const deps = { pool, collaborators: opts.collaborators, logger };
  const secured = { security: [{ bearer: [] }] };

  app.get('/api/v1/review/queue', {
    config: REVIEWERS,
    schema: {
      summary: 'Violations awaiting review, oldest first', tags: ['review'], ...secured,
      querystring: Type.Object({
        camera_id: Type.Optional(Type.Integer({ minimum: 1 })),
        rule: Type.Optional(oneOf(RULES)),
        from: Type.Optional(Type.String({ format: 'date-time', description: 'occurred at or after' })),
        to: Type.Optional(Type.String({ format: 'date-time', description: 'occurred before' })),
        min_confidence: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
        max_confidence: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
        match_status: Type.Optional(oneOf(MATCH_STATUSES)),
        available: Type.Optional(Type.Boolean({ description: 'true: hide cases another officer is working on' })),
        max_days_left: Type.Optional(Type.Integer({ minimum: 0, maximum: 10, description: 'only cases with at most this many days left of the 10-day identification limit' })),
        sort: Type.Optional(oneOf(QUEUE_SORTS)),
        order: Type.Optional(oneOf(['asc', 'desc'] as const)),
        limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
        offset: Type.Integer({ minimum: 0, default: 0, description: 'rows to skip; deep pages are cheaper with `after`' }),
        after: Type.Optional(Type.String({ maxLength: 200, description: '`nextCursor` of the previous page (same filters and sort): the next page, read where that one stopped' })),
      }, { additionalProperties: false }),
      response: {
        200: Type.Object({
          total: Type.Integer(),
          nextCursor: Type.Union([Type.String(), Type.Null()], { description: 'pass as `after` for the next page; null on the last page' }),
          items: Type.Array(Type.Object({
            id: Type.Integer(), cameraId: Type.Integer(), cameraCode: Type.String(), rule: Type.String(), violationCode: Type.String(),
            occurredAt: Type.String({ format: 'date-time' }), plateText: Type.String(), plateColour: Type.String(), matchStatus: Type.String(),
            suspectedClone: Type.Boolean(), reviewWarning: Nullable(Type.String()), readConfidence: Type.Number(), fineAmount: Type.Integer(), evidenceCount: Type.Integer(),
            daysLeft: Type.Integer({ description: 'days left of the 10-day identification limit; negative when overdue' }),
            thumbnailUrl: Type.Union([Type.String(), Type.Null()], { description: 'plate crop of the first photo' }), claim: Claim,
            noticeDeadline: Type.Object({
              deadline: Type.String({ format: 'date-time', description: 'end of the 10th day after detection (Vietnam time)' }),
              daysLeft: Type.Integer({ description: 'days left to send the notice; 0 = today is the last day, negative = overdue' }),
              state: Type.Union([Type.Literal('ok'), Type.Literal('warning'), Type.Literal('overdue')], { description: 'warning when fewer than 3 days are left' }),
              message: Type.String({ description: 'Vietnamese, for the officer' }),
            }),
          })),
        }),
        400: ErrorBody,
      },
    },
  }, async (request) => {
    const q = request.query;
    const from = q.from ? new Date(q.from) : undefined;
    const to = q.to ? new Date(q.to) : undefined;
    if (from && to && from >= to) throw new HttpError(400, 'invalid_range', 'Thời điểm bắt đầu (from) phải trước thời điểm kết thúc (to)');
    if (q.min_confidence !== undefined && q.max_confidence !== undefined && q.min_confidence > q.max_confidence) {
      throw new HttpError(400, 'invalid_range', 'Độ tin cậy tối thiểu (min_confidence) không được lớn hơn độ tin cậy tối đa (max_confidence)');
    }
    const after = q.after === undefined ? undefined : decodeQueueCursor(q.after);
    if (after === null) throw new HttpError(400, 'invalid_cursor', 'Con trỏ trang ("after") không hợp lệ: hãy dùng nextCursor của trang trước');
    if (after && q.offset > 0) throw new HttpError(400, 'invalid_cursor', 'Không dùng "after" cùng với "offset"');
    const page = await listReviewQueue(pool, {
      cameraId: q.camera_id, rule: q.rule, from, to, minConfidence: q.min_confidence, maxConfidence: q.max_confidence,
      matchStatus: q.match_status, availableTo: q.available ? request.user!.id : undefined, maxDaysLeft: q.max_days_left,
      sort: q.sort, descending: q.order === 'desc', limit: q.limit, offset: q.offset, ...(after ? { after } : {}),
    });
    return { total: page.total, nextCursor: page.nextCursor ? encodeQueueCursor(page.nextCursor) : null, items: page.items.map(({ thumbnail, ...i }) => ({
      ...i, occurredAt: i.occurredAt.toISOString(), claim: claimView(i.claim),
      noticeDeadline: { ...i.noticeDeadline, deadline: i.noticeDeadline.deadline.toISOString() },
      thumbnailUrl: thumbnail ? cropUrl(thumbnail.captureId, thumbnail.rank) : null,
    })) };
  });

  app.get('/api/v1/violations/:id', {
    config: REVIEWERS,
    schema: {
      summary: 'One case: the violation, its camera, evidence photos with plate boxes, match candidates, claim and decision',
      tags: ['review'], ...secured, params: IdParams, response: { 200: CaseSchema, 404: ErrorBody },
    },
  }, async (request) => {
    const c = await getCaseFile(pool, request.params.id);
    if (!c) throw notFound(`vi phạm #${request.params.id}`);
    const noticeNumber = c.decision ? await noticeNumberOfViolation(pool, c.violation.id) : null;
    return {
      ...c,
      violation: { ...c.violation, occurredAt: c.violation.occurredAt.toISOString(), lastSeenAt: iso(c.violation.lastSeenAt),
        createdAt: c.violation.createdAt.toISOString() },
      claim: claimView(c.claim),
      decision: c.decision ? { ...c.decision, at: c.decision.at.toISOString(), noticeNumber } : null,
      evidence: c.evidence.map((e) => ({
        ...e,
        capturedAt: e.capturedAt.toISOString(),
        addedAt: e.addedAt.toISOString(),
        imageUrl: `/api/v1/evidence/${e.captureId}/image`,
        plateRead: e.plateRead ? { ...e.plateRead, cropUrl: cropUrl(e.captureId, e.plateRead.rank) } : null,
        media: e.media.map((m) => ({ ...m, url: mediaUrl(e.captureId, m) })),
      })),
    };
  });

  app.post('/api/v1/violations/:id/claim', {
    config: REVIEWERS,
    schema: {
      summary: `Claim a case for review for ${config.REVIEW_CLAIM_MINUTES} minutes (claiming again extends it); 409 names the officer holding it`,
      tags: ['review'], ...secured, params: IdParams,
      response: { 200: Type.Object({ violationId: Type.Integer(), expiresAt: Type.String({ format: 'date-time' }), extended: Type.Boolean() }), 404: ErrorBody, 409: ErrorBody },
    },
  }, async (request) => {
    const id = request.params.id;
    const claim = await withTransaction(pool, (tx) => claimViolation(tx, id, request.user!, config.REVIEW_CLAIM_MINUTES)).catch(toHttp);
    return { violationId: id, expiresAt: claim.expiresAt.toISOString(), extended: claim.extended };
  });

  app.post('/api/v1/violations/:id/release', {
    config: REVIEWERS,
    schema: { summary: 'Give a claimed case back to the queue', tags: ['review'], ...secured, params: IdParams, response: { 204: Type.Null(), 404: ErrorBody, 409: ErrorBody } },
  }, async (request, reply) => {
    await withTransaction(pool, (tx) => releaseClaim(tx, request.params.id, request.user!)).catch(toHttp);
    return reply.status(204).send(null);
  });

  app.post('/api/v1/violations/:id/take-over', {
    config: { access: ['admin'] },
    schema: {
      summary: 'An administrator takes over a case another officer holds (the previous holder is named in the audit)',
      tags: ['review'], ...secured, params: IdParams,
      response: {
        200: Type.Object({ violationId: Type.Integer(), expiresAt: Type.String({ format: 'date-time' }), previousHolder: Nullable(Type.String()) }),
        404: ErrorBody, 409: ErrorBody,
      },
    },
  }, async (request) => {
    const id = request.params.id;
    const taken = await withTransaction(pool, (tx) => takeOverClaim(tx, id, request.user!, config.REVIEW_CLAIM_MINUTES)).catch(toHttp);
    return { violationId: id, expiresAt: taken.expiresAt.toISOString(), previousHolder: taken.previousHolder };
  });

  app.post('/api/v1/violations/:id/approve', {
    config: REVIEWERS,
    schema: {
      summary: 'Approve a claimed case and issue its penalty notice; refused (409) while the owner is not identified, '
        + 'and for a case with a review warning unless the officer confirms it (confirmWarning: true)',
      tags: ['review'], ...secured, params: IdParams,
      body: Type.Object({
        confirmWarning: Type.Optional(Type.Boolean({ description: 'the officer checked what the case\'s reviewWarning names and approves anyway' })),
      }, { additionalProperties: false }),
      response: {
        200: Type.Object({ violationId: Type.Integer(), noticeId: Type.Integer(), noticeNumber: Type.String(), pdfSha256: Nullable(Type.String()) }),
        404: ErrorBody, 409: ErrorBody,
      },
    },
    // an approval without anything to confirm is sent with no body at all
    preValidation: async (request) => { request.body ??= {}; },
  }, async (request) => approveViolation(deps, request.params.id, request.user!, { confirmWarning: request.body.confirmWarning === true }).catch(toHttp));

  app.post('/api/v1/violations/:id/reject', {
    config: REVIEWERS,
    schema: {
      summary: "Reject a claimed case with a reason; 'other' needs a note",
      tags: ['review'], ...secured, params: IdParams,
      body: Type.Object({
        reason: oneOf(REJECT_REASONS),
        note: Type.Optional(Type.String({ maxLength: 2000 })),
      }, { additionalProperties: false }),
      response: { 200: Type.Object({ violationId: Type.Integer(), status: Type.Literal('rejected') }), 400: ErrorBody, 404: ErrorBody, 409: ErrorBody },
    },
  }, async (request) => {
    const { reason, note } = request.body;
    await rejectViolation(pool, request.params.id, request.user!, reason, note ?? null).catch(toHttp);
    return { violationId: request.params.id, status: 'rejected' as const };
  });

  app.post('/api/v1/violations/:id/correct-plate', {
    config: REVIEWERS,
    schema: {
      summary: 'Correct a misread plate on a claimed case; matching runs again and the case stays claimed for a decision',
      tags: ['review'], ...secured, params: IdParams,
      body: Type.Object({ plate: Type.String({ minLength: 4, maxLength: 20, description: "e.g. '30A-123.45' or '29-B1 123.45'" }) }, { additionalProperties: false }),
      response: { 200: MatchOutcome, 400: ErrorBody, 404: ErrorBody, 409: ErrorBody },
    },
  }, async (request) => correctPlate(deps, request.params.id, request.user!, request.body.plate).catch(toHttp));

  app.post('/api/v1/violations/:id/confirm-match', {
    config: REVIEWERS,
    schema: {
      summary: 'Confirm one of the match candidates as the vehicle in the photos (match status becomes corrected)',
      tags: ['review'], ...secured, params: IdParams,
      body: Type.Object({ vehicleId: Type.Integer({ minimum: 1 }) }, { additionalProperties: false }),
      response: { 200: MatchOutcome, 400: ErrorBody, 404: ErrorBody, 409: ErrorBody },
    },
  }, async (request) => confirmMatch(deps, request.params.id, request.user!, request.body.vehicleId).catch(toHttp));

  app.get('/api/v1/evidence/:captureId/image', {
    // operators too: they look at the frame of a dead-lettered capture before retrying it
    config: { access: ['officer', 'operator', 'admin'] as const },
    schema: {
      summary: 'The original camera image; ETag and X-Content-SHA256 carry its sha256 so it can be verified',
      tags: ['review'], ...secured,
      params: Type.Object({ captureId: Type.Integer({ minimum: 1 }) }),
      response: { 200: Binary('the original image (JPEG, PNG or WebP as uploaded)'), 304: Type.Null(), 404: ErrorBody },
    },
  }, async (request, reply) => {
    const image = await captureImage(pool, request.params.captureId);
    if (!image) throw notFound(`ảnh chụp #${request.params.captureId}`);
    const etag = `"${image.sha256}"`;
    reply.header('ETag', etag).header('X-Content-SHA256', image.sha256).header('Cache-Control', 'private, max-age=31536000, immutable');
    if (request.headers['if-none-match'] === etag) return reply.status(304).send(null);
    const bytes = await storage.get(image.sha256);
    if (!bytes) {
      logger.error({ captureId: image.captureId, sha256: image.sha256 }, 'evidence image missing from storage');
      throw new HttpError(404, 'evidence_missing', `Ảnh gốc của ảnh chụp #${image.captureId} không còn trong kho lưu trữ; hãy báo bộ phận vận hành`);
    }
    return reply.type(image.contentType).send(bytes);
  });

  for (const kind of ['frames', 'clip'] as const) {
    app.get(kind === 'frames' ? '/api/v1/evidence/:captureId/frames/:seq' : '/api/v1/evidence/:captureId/clip', {
      config: { access: ['officer', 'operator', 'admin'] as const },
      schema: {
        summary: kind === 'frames'
          ? 'A further frame of a capture (seq 1.., the image itself is frame 0), as uploaded; ETag and X-Content-SHA256 carry its sha256'
          : 'The video clip of a capture (MP4 or WebM), as uploaded; ETag and X-Content-SHA256 carry its sha256',
        tags: ['review'], ...secured,
        params: kind === 'frames'
          ? Type.Object({ captureId: Type.Integer({ minimum: 1 }), seq: Type.Integer({ minimum: 1, maximum: 6 }) })
          : Type.Object({ captureId: Type.Integer({ minimum: 1 }) }),
        response: { 200: Binary(kind === 'frames' ? 'the frame (JPEG, PNG or WebP)' : 'the clip (MP4 or WebM)'), 304: Type.Null(), 404: ErrorBody },
      },
    }, async (request, reply) => {
      const { captureId, seq } = request.params as { captureId: number; seq?: number };
      const item = await captureMediaItem(pool, captureId, kind === 'clip' ? 'clip' : { seq: seq! });
      if (!item) throw new HttpError(404, 'not_found', kind === 'clip' ? `Ảnh chụp ${captureId} không có đoạn video.` : `Ảnh chụp ${captureId} không có khung hình số ${seq}.`);
      const etag = `"${item.sha256}"`;
      reply.header('ETag', etag).header('X-Content-SHA256', item.sha256).header('Cache-Control', 'private, max-age=31536000, immutable');
      if (request.headers['if-none-match'] === etag) return reply.status(304).send(null);
      // get() re-hashes what it read: bytes that no longer match their sha256 are refused, never served
      const bytes = await storage.get(item.sha256);
      if (!bytes) {
        logger.error({ captureId, seq: item.seq, sha256: item.sha256 }, 'evidence media missing from storage');
        throw new HttpError(404, 'evidence_missing', `Tệp chứng cứ (${kind === 'clip' ? 'đoạn video' : `khung hình ${item.seq}`}) của ảnh chụp ${captureId} không còn trong kho lưu trữ; hãy báo bộ phận vận hành.`);
      }
      return reply.type(item.contentType).send(bytes);
    });
  }

  app.get('/api/v1/evidence/:captureId/plate/:rank', {
    config: REVIEWERS,
    schema: {
      summary: 'A PNG crop of one plate read (rank 0 = best) with a margin; X-Content-SHA256 is the sha256 of the PNG',
      tags: ['review'], ...secured,
      params: Type.Object({ captureId: Type.Integer({ minimum: 1 }), rank: Type.Integer({ minimum: 0, maximum: 100 }) }),
      response: { 200: Binary('PNG'), 404: ErrorBody },
    },
  }, async (request, reply) => {
    const { captureId, rank } = request.params;
    const [image, box] = await Promise.all([captureImage(pool, captureId), plateReadBox(pool, captureId, rank)]);
    if (!image || !box) throw notFound(`kết quả đọc biển số ${rank} của ảnh chụp #${captureId}`);
    const original = await storage.get(image.sha256);
    if (!original) throw new HttpError(404, 'evidence_missing', `Ảnh gốc của ảnh chụp #${captureId} không còn trong kho lưu trữ; hãy báo bộ phận vận hành`);
    const png = await cropPlate(original, box).catch((err: unknown) => {
      if (err instanceof RangeError) throw new HttpError(404, 'not_found', `Vùng biển số ${rank} của ảnh chụp #${captureId} nằm ngoài ảnh`);
      throw err;
    });
    const sha256 = createHash('sha256').update(png).digest('hex');
    return reply.type('image/png').header('ETag', `"${sha256}"`).header('X-Content-SHA256', sha256)
      .header('X-Source-SHA256', image.sha256).header('Cache-Control', 'private, max-age=31536000, immutable').send(png);
  });
};
