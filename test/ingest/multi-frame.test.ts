import { createHash, randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTransaction } from '../../src/db/pool.js';
import { issueNotice } from '../../src/notices/issue.js';
import { renderNotice } from '../../src/notices/render.js';
import { runRetention } from '../../src/retention/run-retention.js';
import { LocalBlobStore } from '../../src/storage/blob-store.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { seedApprovedViolation, seedCamera, seedVehicle, registerCamera, staffWithSession, type TestStaff } from '../helpers/fixtures.js';
import { readPdf } from '../notices/pdf-text.js';
import { syntheticJpeg } from './fixtures.js';

let t: TestApp;
let operator: TestStaff;
let officer: TestStaff;
let storage: LocalBlobStore;
let cameraKey: string;

/** A minimal MP4 (an ftyp box, then data) and WebM (EBML header) as cameras send them; never decoded. */
const mp4 = () => Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypisom'), Buffer.alloc(12), randomBytes(64)]);
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function multipart(fields: Record<string, string>, files: Array<{ name: string; data: Buffer; type: string }>) {
  const boundary = `----pn${randomBytes(8).toString('hex')}`;
  const chunks: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  for (const [i, f] of files.entries()) {
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${f.name}"; filename="f${i}"\r\nContent-Type: ${f.type}\r\n\r\n`), f.data, Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, 'x-api-key': cameraKey } };
}
const upload = (files: Array<{ name: string; data: Buffer; type: string }>) =>
  t.app.inject({ method: 'POST', url: '/api/v1/captures', ...multipart({ captured_at: new Date(Date.now() - 60_000).toISOString(), signal_phase: 'red' }, files) });
const jpeg = async () => ({ data: await syntheticJpeg(), type: 'image/jpeg' });
const mediaRows = async (captureId: number) =>
  (await t.db.pool.query('SELECT seq, kind, sha256, content_type, bytes, width, height FROM capture_media WHERE capture_id = $1 ORDER BY seq', [captureId])).rows;

beforeAll(async () => {
  t = await createTestApp();
  storage = new LocalBlobStore(t.config.STORAGE_DIR);
  operator = await staffWithSession(t.db.pool, 'operator');
  officer = await staffWithSession(t.db.pool, 'officer');
  cameraKey = await registerCamera(t.app, operator.headers, { code: 'HN-MF-001', name: 'Nút Kim Mã', province: 'Thành phố Hà Nội', address: 'Phố Kim Mã, Phường Giảng Võ', cameraType: 'red_light' });
});
afterAll(async () => { await t.close(); });

describe('a capture with several frames and a clip', () => {
  it('stores the further frames in order and the clip, each by its sha256; sending it again adds nothing', async () => {
    const image = await jpeg();
    const before = await jpeg();
    const after = await jpeg();
    const clip = mp4();
    const res = await upload([{ name: 'image', ...image }, { name: 'frame', ...before }, { name: 'frame', ...after }, { name: 'clip', data: clip, type: 'video/mp4' }]);
    expect(res.statusCode).toBe(201);
    const { captureId } = res.json();
    expect(await mediaRows(captureId)).toEqual([
      { seq: 1, kind: 'frame', sha256: sha(before.data), content_type: 'image/jpeg', bytes: before.data.length, width: 320, height: 180 },
      { seq: 2, kind: 'frame', sha256: sha(after.data), content_type: 'image/jpeg', bytes: after.data.length, width: 320, height: 180 },
      { seq: 3, kind: 'clip', sha256: sha(clip), content_type: 'video/mp4', bytes: clip.length, width: null, height: null },
    ]);
    for (const b of [before.data, after.data, clip]) expect(await storage.get(sha(b))).toEqual(b);
    const again = await upload([{ name: 'image', ...image }, { name: 'frame', ...before }]);
    expect(again.json()).toMatchObject({ captureId, duplicate: true });
    expect(await mediaRows(captureId)).toHaveLength(3);
  });

  it('goes with its capture when retention deletes it, frames and clip included', async () => {
    const frame = await jpeg();
    const clip = mp4();
    const res = await upload([{ name: 'image', ...await jpeg() }, { name: 'frame', ...frame }, { name: 'clip', data: clip, type: 'video/mp4' }]);
    const { captureId } = res.json();
    await t.db.pool.query(`UPDATE captures SET status = 'processed', recognised_at = now(), processed_at = now(), captured_at = now() - interval '40 days' WHERE id = $1`, [captureId]);
    await runRetention({ pool: t.db.pool, storage }, { noViolationDays: 30, appealDays: 90, archiveYears: 10, batchSize: 100 });
    expect(await mediaRows(captureId)).toEqual([]);
    expect(await storage.has(sha(frame.data))).toBe(false);
    expect(await storage.has(sha(clip))).toBe(false);
  });

  it('refuses the whole capture when a frame is not an image, the clip is not a video, or there are too many frames', async () => {
    const count = async () => Number((await t.db.pool.query('SELECT count(*) FROM captures')).rows[0].count);
    const n = await count();
    const badFrame = await upload([{ name: 'image', ...await jpeg() }, { name: 'frame', data: Buffer.from('not an image'), type: 'image/jpeg' }]);
    expect(badFrame.statusCode).toBe(415);
    expect(badFrame.json().error).toBe('not_an_image');
    const badClip = await upload([{ name: 'image', ...await jpeg() }, { name: 'clip', data: Buffer.from('GIF89a-not-a-video'), type: 'video/mp4' }]);
    expect(badClip.json()).toMatchObject({ error: 'unsupported_clip' });
    const six = await upload([{ name: 'image', ...await jpeg() }, ...await Promise.all([1, 2, 3, 4, 5, 6].map(async () => ({ name: 'frame', ...await jpeg() })))]);
    expect(six.statusCode).toBe(400);
    expect(six.json().error).toBe('too_many_frames');
    const twoImages = await upload([{ name: 'image', ...await jpeg() }, { name: 'image', ...await jpeg() }]);
    expect(twoImages.json().error).toBe('unexpected_file');
    expect(await count()).toBe(n);
  });
});

describe('the evidence viewer and the notice show every frame', () => {
  let violationId: number;
  let captureId: number;
  let frames: Buffer[];
  let clip: Buffer;

  beforeAll(async () => {
    const cam = await seedCamera(t.db.pool);
    const vehicle = await seedVehicle(t.db.pool, { plate: '30G-246.80' });
    ({ violationId, captureId } = await seedApprovedViolation(t.db.pool, storage, { cameraId: cam.id, plate: '30G-246.80', vehicleId: vehicle.vehicleId,
      ownerId: vehicle.ownerId, decidedBy: officer.id }));
    frames = [await syntheticJpeg(), await syntheticJpeg()];
    clip = mp4();
    const items = [...frames.map((f) => ({ kind: 'frame', data: f, type: 'image/jpeg' })), { kind: 'clip', data: clip, type: 'video/mp4' }];
    for (const [i, m] of items.entries()) {
      await storage.put(m.data);
      await t.db.pool.query(`INSERT INTO capture_media (capture_id, captured_at, seq, kind, sha256, bytes, content_type, width, height)
                             SELECT $1, captured_at, $2, $3, $4, $5, $6, $7, $8 FROM captures WHERE id = $1`,
        [captureId, i + 1, m.kind, sha(m.data), m.data.length, m.type, m.kind === 'frame' ? 320 : null, m.kind === 'frame' ? 180 : null]);
    }
  });

  it('lists the frames and the clip of each evidence capture with their sha256 and serves each one verified', async () => {
    const res = await t.app.inject({ method: 'GET', url: `/api/v1/violations/${violationId}`, headers: officer.headers });
    expect(res.statusCode).toBe(200);
    const media = res.json().evidence[0].media;
    expect(media).toEqual([
      expect.objectContaining({ seq: 1, kind: 'frame', sha256: sha(frames[0]!), url: `/api/v1/evidence/${captureId}/frames/1` }),
      expect.objectContaining({ seq: 2, kind: 'frame', sha256: sha(frames[1]!), url: `/api/v1/evidence/${captureId}/frames/2` }),
      expect.objectContaining({ seq: 3, kind: 'clip', sha256: sha(clip), contentType: 'video/mp4', url: `/api/v1/evidence/${captureId}/clip` }),
    ]);
    for (const [m, bytes] of [[media[0], frames[0]!], [media[1], frames[1]!], [media[2], clip]] as const) {
      const got = await t.app.inject({ method: 'GET', url: m.url, headers: officer.headers });
      expect(got.statusCode).toBe(200);
      expect(got.headers['x-content-sha256']).toBe(sha(bytes));
      expect(got.headers['content-type']).toBe(m.contentType);
      expect(Buffer.compare(got.rawPayload, bytes)).toBe(0);
    }
    const none = await t.app.inject({ method: 'GET', url: `/api/v1/evidence/${captureId}/frames/4`, headers: officer.headers });
    expect(none.statusCode).toBe(404);
    expect(none.json().message).toContain('không có khung hình số 4');
  });

  it('prints the further frames on the notice under the main photo', async () => {
    const notice = await withTransaction(t.db.pool, (tx) => issueNotice(tx, violationId, officer));
    const { sha256 } = await renderNotice({ pool: t.db.pool, storage, config: t.config }, notice.noticeId);
    const pdf = await readPdf((await storage.get(sha256))!);
    // photo, plate crop, QR code, and the two further frames
    expect(pdf.images).toBe(5);
    expect(pdf.text).toContain('Các khung hình khác của cùng lần ghi hình');
  });

  it('refuses a frame whose stored bytes no longer match their sha256, and reports it', async () => {
    const h = sha(frames[1]!);
    await writeFile(path.join(t.config.STORAGE_DIR, h.slice(0, 2), h.slice(2, 4), h), await syntheticJpeg());
    const res = await t.app.inject({ method: 'GET', url: `/api/v1/evidence/${captureId}/frames/2`, headers: officer.headers });
    expect(res.statusCode).toBe(500);
    expect(res.json().error).toBe('evidence_integrity_failed');
  });
});
