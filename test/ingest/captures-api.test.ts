import { readdir } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { registerCamera } from '../helpers/fixtures.js';
import { multipartBody, staffToken, syntheticJpeg } from './fixtures.js';

let t: TestApp;
let operator: string;
let officer: string;
let cameraKey: string;

beforeAll(async () => {
  t = await createTestApp({ MAX_IMAGE_PIXELS: '1000000', METRICS_TOKEN: 'scrape-secret-123' });
  operator = (await staffToken(t.db.pool, 'operator')).token;
  officer = (await staffToken(t.db.pool, 'officer')).token;
  cameraKey = await registerCamera(t.app, { authorization: `Bearer ${operator}` },
    { code: 'HN-CG-001', name: 'Cầu Giấy 1', province: 'Hà Nội', address: 'Xuân Thủy', cameraType: 'speed', speedLimitKmh: 60 });
});
afterAll(async () => { await t.close(); });

const upload = (image: Buffer | undefined, fields: Record<string, string>, key: string | null = cameraKey) => {
  const body = multipartBody(fields, image ? { filename: 'x.jpg', data: image } : undefined);
  return t.app.inject({ method: 'POST', url: '/api/v1/captures', payload: body.payload, headers: { ...body.headers, ...(key ? { 'x-api-key': key } : {}) } });
};
const recent = () => new Date(Date.now() - 60_000).toISOString();
const captureCount = async () => Number((await t.db.pool.query('SELECT count(*) FROM captures')).rows[0].count);
const blobCount = async () => (await readdir(t.config.STORAGE_DIR, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).length;

describe('POST /api/v1/captures', () => {
  it('stores the image, records the capture and queues it once; the same image again is the same capture', async () => {
    const image = await syntheticJpeg();
    const first = await upload(image, { captured_at: recent(), speed_kmh: '72.5', lane: '2' });
    expect(first.statusCode).toBe(201);
    const body = first.json();
    expect(body).toMatchObject({ camera: 'HN-CG-001', status: 'queued', duplicate: false });
    expect(await t.redis.exists(`${t.config.QUEUE_PREFIX}:recognise:r-${body.captureId}`)).toBe(1);

    const again = await upload(image, { captured_at: recent() });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ captureId: body.captureId, duplicate: true, imageSha256: body.imageSha256 });
    const { rows } = await t.db.pool.query('SELECT measured_speed_kmh, lane, source, image_width, content_type FROM captures WHERE id = $1', [body.captureId]);
    expect(rows[0]).toEqual({ measured_speed_kmh: 72.5, lane: 2, source: 'http', image_width: 320, content_type: 'image/jpeg' });
    expect(await t.app.inject({ method: 'GET', url: `/api/v1/captures/${body.captureId}`, headers: { authorization: `Bearer ${officer}` } }))
      .toMatchObject({ statusCode: 200 });
  });

  describe('refuses bad input with a reason and stores nothing', () => {
    const cases: Array<[string, () => Promise<{ statusCode: number; json(): { error: string; message: string } }>, number, string]> = [
      ['a file that is not an image', async () => upload(Buffer.from('%PDF-1.4 not an image'), { captured_at: recent() }), 415, 'not_an_image'],
      ['a GIF', async () => upload(await sharp({ create: { width: 20, height: 20, channels: 3, background: '#fff' } }).gif().toBuffer(), { captured_at: recent() }), 415, 'unsupported_type'],
      ['a truncated JPEG', async () => { const img = await syntheticJpeg(); return upload(img.subarray(0, img.length - 400), { captured_at: recent() }); }, 400, 'corrupt_image'],
      ['an image above the pixel limit', async () => upload(await syntheticJpeg({ width: 1280, height: 960 }), { captured_at: recent() }), 413, 'too_many_pixels'],
      ['a capture time in the future', async () => upload(await syntheticJpeg(), { captured_at: new Date(Date.now() + 3600_000).toISOString() }), 400, 'captured_in_future'],
      ['a missing capture time', async () => upload(await syntheticJpeg(), { lane: '1' }), 400, 'missing_field'],
      ['a missing image', async () => upload(undefined, { captured_at: recent() }), 400, 'missing_field'],
      ['another camera\'s code', async () => upload(await syntheticJpeg(), { captured_at: recent(), camera: 'HN-CG-999' }), 403, 'camera_mismatch'],
      ['an unknown API key', async () => upload(await syntheticJpeg(), { captured_at: recent() }, 'cam_wrong'), 401, 'unauthenticated'],
      ['no API key', async () => upload(await syntheticJpeg(), { captured_at: recent() }, null), 401, 'unauthenticated'],
      ['a JSON body', async () => t.app.inject({ method: 'POST', url: '/api/v1/captures', headers: { 'x-api-key': cameraKey }, payload: { captured_at: recent() } }), 415, 'not_multipart'],
    ];
    for (const [what, send, status, code] of cases) {
      it(what, async () => {
        const before = [await captureCount(), await blobCount()];
        const res = await send();
        expect(res.statusCode).toBe(status);
        expect(res.json().error).toBe(code);
        expect(res.json().message.length).toBeGreaterThan(10);
        expect([await captureCount(), await blobCount()]).toEqual(before);
      });
    }
  });

  it('refuses images from a disabled camera with 403', async () => {
    const res = await t.app.inject({ method: 'PATCH', url: '/api/v1/cameras/HN-CG-001', headers: { authorization: `Bearer ${operator}` }, payload: { enabled: false } });
    expect(res.statusCode).toBe(200);
    expect((await upload(await syntheticJpeg(), { captured_at: recent() })).statusCode).toBe(403);
    await t.app.inject({ method: 'PATCH', url: '/api/v1/cameras/HN-CG-001', headers: { authorization: `Bearer ${operator}` }, payload: { enabled: true } });
  });
});

describe('cameras', () => {
  const auth = () => ({ authorization: `Bearer ${operator}` });

  it('changes settings the workers use and audits the old and new values', async () => {
    const res = await t.app.inject({ method: 'PATCH', url: '/api/v1/cameras/HN-CG-001', headers: auth(),
      payload: { roi: { x: 0, y: 100, width: 1280, height: 500 }, detectThreshold: 0.4, speedToleranceKmh: 3, plateProfile: 'generic' } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ roi: { x: 0, y: 100, width: 1280, height: 500 }, detectThreshold: 0.4, speedToleranceKmh: 3, plateProfile: 'generic' });
    const { rows } = await t.db.pool.query(`SELECT details FROM audit_log WHERE action = 'camera.updated' ORDER BY id DESC LIMIT 1`);
    expect(rows[0].details.changes.detectThreshold).toEqual({ from: 0.3, to: 0.4 });
  });

  it('refuses settings that contradict each other or are out of range', async () => {
    const patch = (payload: object) => t.app.inject({ method: 'PATCH', url: '/api/v1/cameras/HN-CG-001', headers: auth(), payload });
    expect((await patch({ speedLimitKmh: null })).json().error).toBe('speed_limit_required');
    expect((await patch({ cameraType: 'lane' })).json().error).toBe('allowed_lanes_required');
    expect((await patch({ detectThreshold: 1.5 })).statusCode).toBe(400);
    expect((await patch({ roi: { x: -1, y: 0, width: 10, height: 10 } })).statusCode).toBe(400);
    expect((await patch({ colour: 'blue' })).statusCode).toBe(400);
    expect((await patch({})).statusCode).toBe(400);
    expect((await t.app.inject({ method: 'PATCH', url: '/api/v1/cameras/NOPE-1', headers: auth(), payload: { enabled: true } })).statusCode).toBe(404);
  });

  it('stores overlay masks as image fractions and refuses one reaching outside the image', async () => {
    const patch = (payload: object) => t.app.inject({ method: 'PATCH', url: '/api/v1/cameras/HN-CG-001', headers: auth(), payload });
    const masks = [{ x: 0, y: 0, width: 0.4, height: 0.06 }, { x: 0.8, y: 0.9, width: 0.2, height: 0.1 }];
    const res = await patch({ overlayMasks: masks });
    expect(res.statusCode).toBe(200);
    expect(res.json().overlayMasks).toEqual(masks);
    const { rows } = await t.db.pool.query<{ overlay_masks: unknown }>("SELECT overlay_masks FROM cameras WHERE code = 'HN-CG-001'");
    expect(rows[0]!.overlay_masks).toEqual(masks);
    expect((await patch({ overlayMasks: [{ x: 0.9, y: 0, width: 0.2, height: 0.1 }] })).json().error).toBe('mask_outside_image');
    expect((await patch({ overlayMasks: [{ x: 10, y: 0, width: 20, height: 10 }] })).statusCode).toBe(400);
    expect((await patch({ overlayMasks: [] })).json().overlayMasks).toEqual([]);
  });

  it('serves the latest frame of a camera to draw on, and 404 when there is none', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/cameras/HN-CG-001/latest-frame', headers: auth() });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('image/jpeg');
    const none = await t.app.inject({ method: 'GET', url: '/api/v1/cameras/HN-NONE-01/latest-frame', headers: auth() });
    expect(none.statusCode).toBe(404);
    expect(none.json().error).toBe('no_frame');
  });

  it('issues a new key that replaces the old one', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/cameras/HN-CG-001/api-key', headers: auth() });
    const newKey = res.json().apiKey as string;
    expect((await upload(await syntheticJpeg(), { captured_at: recent() })).statusCode).toBe(401);
    cameraKey = newKey;
    expect((await upload(await syntheticJpeg(), { captured_at: recent() })).statusCode).toBe(201);
  });

  it('refuses a duplicate code with 409 and camera management to officers with 403', async () => {
    const body = { code: 'HN-CG-001', name: 'x', province: 'Hà Nội', address: 'y', cameraType: 'red_light' };
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/cameras', headers: auth(), payload: body })).statusCode).toBe(409);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/cameras', headers: { authorization: `Bearer ${officer}` } })).statusCode).toBe(403);
  });

  it('reports per-camera figures to operators', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/cameras/HN-CG-001/stats?hours=1', headers: auth() });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ code: 'HN-CG-001', captures: 2, capturesLastHour: 2, backlog: 2, processed: 0, readRate: null, deadLettered: 0 });
    expect(Date.parse(res.json().lastImageAt)).toBeGreaterThan(Date.now() - 60_000);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/cameras/stats', headers: auth() })).json().items).toHaveLength(1);
  });
});

describe('metrics and the queue dashboard', () => {
  it('serves Prometheus text to operators and to the scraper token, and nobody else', async () => {
    const op = await t.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${operator}` } });
    expect(op.statusCode).toBe(200);
    expect(op.body).toMatch(/phat_queue_jobs\{queue="recognise",state="waiting"\} 2/);
    expect(op.body).toMatch(/phat_captures_ingested_total\{source="http",outcome="created"\} 2/);
    expect(op.body).toMatch(/phat_captures_ingested_total\{source="http",outcome="rejected"\} \d+/);
    expect((await t.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: 'Bearer scrape-secret-123' } })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${officer}` } })).statusCode).toBe(403);
  });

  it('shows the dashboard to operators only', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/admin/queues' })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'GET', url: '/admin/queues', headers: { authorization: `Bearer ${officer}` } })).statusCode).toBe(403);
    const page = await t.app.inject({ method: 'GET', url: '/admin/queues', headers: { cookie: `pn_session=${operator}` } });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    const api = await t.app.inject({ method: 'GET', url: '/admin/queues/api/queues', headers: { authorization: `Bearer ${operator}` } });
    expect(api.statusCode).toBe(200);
    expect(api.json().queues.map((q: { name: string }) => q.name).sort()).toEqual(['evaluate', 'recognise']);
    expect((await t.app.inject({ method: 'GET', url: '/admin/queues/api/queues' })).statusCode).toBe(401);
  });
});

// last: the cameras created here would change the per-camera figures above
describe('rule cameras', () => {
  const auth = () => ({ authorization: `Bearer ${operator}` });

  it('configures the sign a rule camera enforces: banned kinds and hours, lanes per category, stop and park thresholds, amber tolerance', async () => {
    const create = (payload: object) => t.app.inject({ method: 'POST', url: '/api/v1/cameras', headers: auth(), payload });
    const noTrucks = await create({ code: 'HN-NOTRUCK-01', name: 'Cấm xe tải', province: 'Thành phố Hà Nội', address: 'Phố Tràng Thi, Phường Hoàn Kiếm',
      cameraType: 'no_entry', noEntryVehicleTypes: ['truck'], noEntryHours: [{ from: '06:00', to: '09:00' }, { from: '22:00', to: '05:00' }] });
    expect(noTrucks.statusCode).toBe(201);
    expect(noTrucks.json().camera).toMatchObject({ cameraType: 'no_entry', noEntryVehicleTypes: ['truck'],
      noEntryHours: [{ from: '06:00', to: '09:00' }, { from: '22:00', to: '05:00' }], amberToleranceMs: 200, stopDwellS: 60 });
    const { rows } = await t.db.pool.query("SELECT no_entry_vehicle_types, no_entry_hours FROM cameras WHERE code = 'HN-NOTRUCK-01'");
    expect(rows[0]).toEqual({ no_entry_vehicle_types: ['truck'], no_entry_hours: [{ from: '06:00', to: '09:00' }, { from: '22:00', to: '05:00' }] });

    const refused = await create({ code: 'HN-NOENTRY-02', name: 'Đường cấm', province: 'Thành phố Hà Nội', address: 'Phố Hàng Bông', cameraType: 'no_entry' });
    expect(refused.statusCode).toBe(400);
    expect(refused.json()).toMatchObject({ error: 'banned_vehicle_types_required', message: expect.stringContaining('loại xe mà biển báo cấm') });
    const patch = (payload: object) => t.app.inject({ method: 'PATCH', url: '/api/v1/cameras/HN-NOTRUCK-01', headers: auth(), payload });
    expect((await patch({ noEntryHours: [{ from: '07:00', to: '07:00' }] })).json().error).toBe('invalid_ban_hours');
    expect((await patch({ noEntryHours: [{ from: '7:00', to: '09:00' }] })).statusCode).toBe(400);
    expect((await patch({ noEntryHours: [{ from: '06:00', to: '24:00' }] })).json().noEntryHours).toEqual([{ from: '06:00', to: '24:00' }]);
    expect((await patch({ noEntryVehicleTypes: ['tank'] })).statusCode).toBe(400);
    expect((await patch({ noEntryVehicleTypes: [] })).json().error).toBe('banned_vehicle_types_required');

    const lanes = await patch({ cameraType: 'lane', allowedLanesByCategory: { car: [1, 2], motorbike: [3] } });
    expect(lanes.json()).toMatchObject({ cameraType: 'lane', allowedLanes: null, allowedLanesByCategory: { car: [1, 2], motorbike: [3] } });
    expect((await patch({ allowedLanesByCategory: { bicycle: [4] } })).statusCode).toBe(400);
    expect((await patch({ allowedLanesByCategory: null })).json().error).toBe('allowed_lanes_required');

    const noStopping = await patch({ cameraType: 'no_stopping', stopDwellS: 45, noParkingDwellS: 600 });
    expect(noStopping.json()).toMatchObject({ cameraType: 'no_stopping', stopDwellS: 45, noParkingDwellS: 600 });
    const inverted = await patch({ stopDwellS: 600 });
    expect(inverted.json()).toMatchObject({ error: 'stop_dwell_not_below_park', message: expect.stringContaining('phải ngắn hơn') });
    expect((await patch({ cameraType: 'wrong_way' })).json().cameraType).toBe('wrong_way');
    expect((await patch({ cameraType: 'red_light', amberToleranceMs: 150 })).json()).toMatchObject({ cameraType: 'red_light', amberToleranceMs: 150 });
    expect((await patch({ amberToleranceMs: 5000 })).statusCode).toBe(400);
  });
});
