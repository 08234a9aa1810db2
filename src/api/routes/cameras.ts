import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { CameraError, cameraNames, createCamera, getCamera, issueApiKey, listCameras, updateCamera } from '../../cameras/camera-registry.js';
import { CameraCodeSchema, CameraSchema, CreateCameraSchema, UpdateCameraSchema } from '../../cameras/camera-schemas.js';
import { CameraStatsSchema, cameraStats } from '../../cameras/camera-stats.js';
import { dropFolderProblem } from '../../ingest/confined-files.js';
import { badRequest, HttpError, notFound } from '../errors.js';
import { AfterParam, decodeCursor, encodeCursor, NextCursor, pageLimit } from '../paging.js';
import { latestCaptureImage } from '../../pipeline/capture-queries.js';

const ErrorSchema = Type.Object({ error: Type.String(), message: Type.String(), details: Type.Optional(Type.Unknown()) });
const OPS = ['operator', 'admin'] as const;
const CodeParams = Type.Object({ code: CameraCodeSchema });
const HoursQuery = Type.Object({ hours: Type.Number({ minimum: 0.25, maximum: 720, default: 24, description: 'window in hours' }) });
/** Camera lists are read in code order; the same `limit` and `after` give the same cameras in the list and its figures. */
const CAMERA_MAX_PAGE = 500;
const CameraPage = { limit: pageLimit(CAMERA_MAX_PAGE, 100), after: AfterParam };
const NAMES_MAX_PAGE = 1000;
const afterCode = (after: string | undefined) => decodeCursor(after, ['text'])?.[0];
const cursorOf = (next: string | null) => (next === null ? null : encodeCursor([next]));
const KeySchema = Type.String({ description: 'the camera API key (send as X-Api-Key); shown only this once' });

async function mapped<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof CameraError) throw new HttpError(err.status, err.code, err.message);
    throw err;
  }
}

/** Camera registry and per-camera settings and statistics, for operators. */
export const cameraRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { pool, config, storage } = app.deps;
  const checkDropFolder = async (folder: string | null | undefined) => {
    const problem = folder ? await dropFolderProblem(config.DROP_FOLDER_ROOT, folder) : null;
    if (problem) throw badRequest('bad_drop_folder', problem);
  };
  const common = { tags: ['cameras'], security: [{ bearer: [] }] };

  app.get('/api/v1/cameras', {
    config: { access: OPS },
    schema: { ...common, summary: 'Cameras with their settings, in code order, a page at a time',
      querystring: Type.Object(CameraPage, { additionalProperties: false }),
      response: { 200: Type.Object({ items: Type.Array(CameraSchema), nextCursor: NextCursor }), 400: ErrorSchema } },
  }, async (request) => {
    const page = await listCameras(pool, { limit: request.query.limit, after: afterCode(request.query.after) });
    return { items: page.items, nextCursor: cursorOf(page.next) };
  });

  // the review queue filters by any camera, not only those on the page shown: officers need the names, not the settings
  app.get('/api/v1/cameras/names', {
    config: { access: ['officer', 'operator', 'finance', 'admin'] },
    schema: { ...common, summary: 'Every camera\'s id, code and name (for filters), in code order, a page at a time',
      querystring: Type.Object({ limit: pageLimit(NAMES_MAX_PAGE, NAMES_MAX_PAGE), after: AfterParam }, { additionalProperties: false }),
      response: { 200: Type.Object({ items: Type.Array(Type.Object({ id: Type.Integer(), code: Type.String(), name: Type.String() })), nextCursor: NextCursor }),
        400: ErrorSchema } },
  }, async (request) => {
    const page = await cameraNames(pool, { limit: request.query.limit, after: afterCode(request.query.after) });
    return { items: page.items, nextCursor: cursorOf(page.next) };
  });

  app.post('/api/v1/cameras', {
    config: { access: OPS },
    schema: {
      ...common, summary: 'Register a camera; the response carries its API key, shown only once',
      body: CreateCameraSchema,
      response: { 201: Type.Object({ camera: CameraSchema, apiKey: KeySchema }), 400: ErrorSchema, 409: ErrorSchema },
    },
  }, async (request, reply) => {
    await checkDropFolder(request.body.dropFolder);
    return reply.status(201).send(await mapped(() => createCamera(pool, request.body, request.user!)));
  });

  app.get('/api/v1/cameras/stats', {
    config: { access: OPS },
    schema: {
      ...common, summary: 'Per camera: captures/hour, read rate, mean confidence, dead-lettered, backlog, last image time; in code order, a page at a time',
      querystring: Type.Object({ ...HoursQuery.properties, ...CameraPage }, { additionalProperties: false }),
      response: { 200: Type.Object({ items: Type.Array(CameraStatsSchema), nextCursor: NextCursor }), 400: ErrorSchema },
    },
  }, async (request) => {
    const { hours, limit } = request.query;
    const after = afterCode(request.query.after);
    // one row more than asked says whether another page follows
    const rows = await cameraStats(pool, { hours, limit: limit + 1, ...(after !== undefined ? { after } : {}) });
    const items = rows.slice(0, limit);
    return { items, nextCursor: rows.length > limit ? cursorOf(items[items.length - 1]!.code) : null };
  });

  app.get('/api/v1/cameras/:code', {
    config: { access: OPS },
    schema: { ...common, summary: 'One camera with its settings', params: CodeParams, response: { 200: CameraSchema, 404: ErrorSchema } },
  }, async (request) => {
    const camera = await getCamera(pool, request.params.code);
    if (!camera) throw notFound(`camera ${request.params.code}`);
    return camera;
  });

  app.patch('/api/v1/cameras/:code', {
    config: { access: OPS },
    schema: {
      ...common, summary: 'Change camera settings (enabled, ROI, thresholds, speed limit and tolerance, type, plate profile, lanes, dedup window, drop folder)',
      description: 'Workers read the settings for every capture, so a change applies to the next capture processed.',
      params: CodeParams, body: UpdateCameraSchema, response: { 200: CameraSchema, 400: ErrorSchema, 404: ErrorSchema },
    },
  }, async (request) => {
    await checkDropFolder(request.body.dropFolder);
    return mapped(() => updateCamera(pool, request.params.code, request.body, request.user!));
  });

  app.post('/api/v1/cameras/:code/api-key', {
    config: { access: OPS },
    schema: {
      ...common, summary: 'Issue a new API key for the camera; the old key stops working at once',
      params: CodeParams, response: { 200: Type.Object({ apiKey: KeySchema }), 404: ErrorSchema },
    },
  }, async (request) => ({ apiKey: await mapped(() => issueApiKey(pool, request.params.code, request.user!)) }));

  app.get('/api/v1/cameras/:code/stats', {
    config: { access: OPS },
    schema: {
      ...common, summary: 'Operator figures for one camera over the last `hours`',
      params: CodeParams, querystring: HoursQuery, response: { 200: CameraStatsSchema, 404: ErrorSchema },
    },
  }, async (request) => {
    const [stats] = await cameraStats(pool, { hours: request.query.hours, code: request.params.code });
    if (!stats) throw notFound(`camera ${request.params.code}`);
    return stats;
  });

  app.get('/api/v1/cameras/:code/latest-frame', {
    config: { access: OPS },
    schema: {
      ...common, summary: "The camera's most recent image, to draw the region of interest and overlay masks on",
      params: CodeParams, response: { 200: Type.Unsafe<Buffer>({ type: 'string', format: 'binary' }), 404: ErrorSchema },
    },
  }, async (request, reply) => {
    const latest = await latestCaptureImage(pool, request.params.code);
    const bytes = latest ? await storage.get(latest.sha256) : null;
    if (!latest || !bytes) throw new HttpError(404, 'no_frame', `Camera ${request.params.code} chưa gửi ảnh nào`);
    return reply.type(latest.contentType).header('cache-control', 'no-cache').header('X-Capture-Id', String(latest.captureId)).send(bytes);
  });
};
