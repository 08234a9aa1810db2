import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { seedCamera, staffWithSession, type TestStaff } from '../helpers/fixtures.js';

/**
 * "Every sighting of plate X in the last 90 days": investigators (officers, admins) see where and when
 * cameras read a plate, page by page, and every lookup leaves an audit row naming who looked up what.
 */
let t: TestApp;
let officer: TestStaff;
let cameraA: { id: number; code: string };
let cameraB: { id: number; code: string };
const DAY = 86_400_000;

/** A processed capture at `at` on `cameraId` with one read of `plate` (as recognition leaves it). */
async function sighting(cameraId: number, plate: string, at: Date): Promise<{ captureId: number; readId: number }> {
  const sha = randomBytes(32).toString('hex');
  const c = await t.db.pool.query<{ id: number }>(
    `INSERT INTO captures (camera_id, image_sha256, image_bytes, image_width, image_height, content_type, captured_at, source, status,
                           processed_at, recognised_at)
     VALUES ($1, $2, 1000, 640, 480, 'image/jpeg', $3, 'http', 'processed', now(), now()) RETURNING id`, [cameraId, sha, at]);
  const key = plate.replace(/[^A-Z0-9]/g, '');
  const r = await t.db.pool.query<{ id: number }>(
    `INSERT INTO plate_reads (capture_id, rank, plate_text, plate_key, raw_text, confidence, char_confidences,
                              bbox_x, bbox_y, bbox_width, bbox_height, layout, colour, valid, low_confidence, captured_at)
     VALUES ($1, 0, $2, $3, $3, 0.93, ARRAY[0.93::real], 10, 10, 100, 30, 'one-line', 'white', true, false, $4) RETURNING id`,
    [c.rows[0]!.id, plate, key, at]);
  return { captureId: c.rows[0]!.id, readId: r.rows[0]!.id };
}

const history = (url: string, staff: TestStaff = officer) => t.app.inject({ method: 'GET', url, headers: staff.headers });

beforeAll(async () => {
  t = await createTestApp();
  officer = await staffWithSession(t.db.pool, 'officer');
  cameraA = await seedCamera(t.db.pool, { code: 'CAM-HIST-A' });
  cameraB = await seedCamera(t.db.pool, { code: 'CAM-HIST-B', address: 'Cầu Xương Giang, TP Bắc Giang', province: 'Bắc Giang' });
});
afterAll(async () => { await t.close(); });

describe('GET /api/v1/plates/:plate/sightings', () => {
  it('lists the sightings of the plate in the last 90 days, newest first, with camera, time and capture link', async () => {
    const now = Date.now();
    const old = await sighting(cameraA.id, '98A-111.11', new Date(now - 100 * DAY));
    const a = await sighting(cameraA.id, '98A-111.11', new Date(now - 10 * DAY));
    const b = await sighting(cameraB.id, '98A-111.11', new Date(now - 2 * DAY));
    await sighting(cameraB.id, '98A-222.22', new Date(now - 1 * DAY));
    const res = await history('/api/v1/plates/98A-111.11/sightings');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ plate: '98A11111', days: 90, nextCursor: null });
    expect(body.sightings.map((s: { readId: number }) => s.readId)).toEqual([b.readId, a.readId]);
    expect(body.sightings.map((s: { readId: number }) => s.readId)).not.toContain(old.readId);
    expect(body.sightings[0]).toMatchObject({
      captureId: b.captureId, plateText: '98A-111.11', imageUrl: `/api/v1/evidence/${b.captureId}/image`,
      camera: { id: cameraB.id, code: 'CAM-HIST-B', address: 'Cầu Xương Giang, TP Bắc Giang', province: 'Bắc Giang' },
    });
    expect(new Date(body.sightings[0].capturedAt).getTime()).toBe(now - 2 * DAY);
  });

  it('accepts the plate as its key, and a shorter window', async () => {
    const body = (await history('/api/v1/plates/98a11111/sightings?days=5')).json();
    expect(body.sightings).toHaveLength(1);
    expect(body.sightings[0].camera.code).toBe('CAM-HIST-B');
  });

  it('pages with a cursor without skipping or repeating, even for reads taken within the same millisecond', async () => {
    const base = Date.now() - 3 * DAY;
    const ids: number[] = [];
    for (let i = 0; i < 7; i++) ids.push((await sighting(cameraA.id, '29C-333.33', new Date(base - Math.floor(i / 2) * 1000))).readId);
    // The third newest read, last of the first page, 0.4 ms after the fourth, which has a higher id
    // (sub-millisecond times come from other writers, e.g. SQL imports): a cursor rounded to the
    // millisecond would lose the fourth.
    // (the read's copy of its capture's time follows it: ON UPDATE CASCADE, migration 180)
    await t.db.pool.query(`UPDATE captures SET captured_at = captured_at + interval '400 microseconds'
                           WHERE id = (SELECT capture_id FROM plate_reads WHERE id = $1)`, [ids[2]]);
    const seen: number[] = [];
    let url = '/api/v1/plates/29C33333/sightings?limit=3';
    let pages = 0;
    for (;;) {
      const body = (await history(url)).json();
      pages++;
      seen.push(...body.sightings.map((s: { readId: number }) => s.readId));
      if (!body.nextCursor) break;
      url = `/api/v1/plates/29C33333/sightings?limit=3&cursor=${encodeURIComponent(body.nextCursor)}`;
    }
    expect(pages).toBe(3);
    expect([...seen].sort((x, y) => x - y)).toEqual([...ids].sort((x, y) => x - y));
    expect(new Set(seen).size).toBe(7);
  });

  it('audits every lookup: who looked up which plate, how far back and how many sightings were shown', async () => {
    const admin = await staffWithSession(t.db.pool, 'admin');
    await history('/api/v1/plates/98A-111.11/sightings?days=30', admin);
    const { rows } = await t.db.pool.query(
      `SELECT actor_id, actor, entity_type, entity_id, details FROM audit_log WHERE action = 'plate.history_viewed' ORDER BY id DESC LIMIT 1`);
    expect(rows[0]).toEqual({ actor_id: admin.id, actor: admin.username, entity_type: 'plate', entity_id: '98A11111',
      details: { days: 30, limit: 50, sightings: 2 } });
  });

  it('is for officers and admins only', async () => {
    for (const role of ['operator', 'finance'] as const) {
      const res = await history('/api/v1/plates/98A11111/sightings', await staffWithSession(t.db.pool, role));
      expect(res.statusCode).toBe(403);
    }
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/plates/98A11111/sightings' })).statusCode).toBe(401);
  });

  it('refuses a malformed plate, window or cursor with a reason in Vietnamese', async () => {
    const bad = await history('/api/v1/plates/%2D%2D/sightings');
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: 'invalid_plate', message: expect.stringContaining('Biển số không hợp lệ') });
    expect((await history('/api/v1/plates/98A11111/sightings?days=91')).statusCode).toBe(400);
    const cursor = await history('/api/v1/plates/98A11111/sightings?cursor=yesterday');
    expect(cursor.statusCode).toBe(400);
    expect(cursor.json()).toMatchObject({ error: 'invalid_cursor' });
  });

  it('answers a page from the index alone (no read or capture rows visited), and each read carries its capture time', async () => {
    const { rows: [copy] } = await t.db.pool.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM plate_reads r JOIN captures c ON c.id = r.capture_id WHERE r.captured_at IS DISTINCT FROM c.captured_at');
    expect(copy!.n).toBe(0);
    // the visibility map says the rows are visible to all (autovacuum does this for insert-only tables)
    await t.db.pool.query('VACUUM plate_reads');
    const client = await t.db.pool.connect();
    try {
      await client.query('SET enable_seqscan = off');
      await client.query('SET enable_bitmapscan = off');
      const { rows } = await client.query<{ 'QUERY PLAN': string }>(
        `EXPLAIN SELECT id, capture_id, captured_at, plate_text, confidence, camera_id FROM plate_reads
         WHERE plate_key = '98A11111' AND captured_at >= now() - interval '90 days' ORDER BY captured_at DESC, id DESC LIMIT 51`);
      const plan = rows.map((r) => r['QUERY PLAN']).join('\n');
      // plate_reads_sightings (migration 252), or on a monthly partition its copy <partition>_plate_key_captured_at_id_camera_id_..._idx
      expect(plan).toMatch(/Index Only Scan using plate_reads_\w*(sightings|plate_key_captured_at_id_camera_id)\w*/);
      expect(plan).not.toMatch(/Index Scan using|Seq Scan/);
    } finally {
      await client.query('RESET ALL');
      client.release();
    }
  });

  it("shows the capture's camera whatever camera the writer named, and follows a corrected capture to its camera", async () => {
    const s = await sighting(cameraA.id, '12B-444.44', new Date(Date.now() - 4 * DAY));
    // a writer that names another camera (or none) does not decide where the plate was seen
    const c2 = await t.db.pool.query<{ id: number; captured_at: Date }>(
      `INSERT INTO captures (camera_id, image_sha256, image_bytes, image_width, image_height, content_type, captured_at, source, status, processed_at, recognised_at)
       VALUES ($1, $2, 1000, 640, 480, 'image/jpeg', $3, 'http', 'processed', now(), now()) RETURNING id, captured_at`,
      [cameraA.id, randomBytes(32).toString('hex'), new Date(Date.now() - 3 * DAY)]);
    await t.db.pool.query(
      `INSERT INTO plate_reads (capture_id, rank, plate_text, plate_key, raw_text, confidence, char_confidences,
                                bbox_x, bbox_y, bbox_width, bbox_height, layout, colour, valid, low_confidence, captured_at, camera_id)
       VALUES ($1, 0, '12B-444.44', '12B44444', '12B44444', 0.9, ARRAY[0.9::real], 1, 1, 10, 5, 'one-line', 'white', true, false, $2, $3)`,
      [c2.rows[0]!.id, c2.rows[0]!.captured_at, cameraB.id]);
    let body = (await history('/api/v1/plates/12B44444/sightings')).json();
    expect(body.sightings.map((x: { camera: { code: string } }) => x.camera.code)).toEqual(['CAM-HIST-A', 'CAM-HIST-A']);

    // an operator corrects the capture's camera: its read's sighting moves with it
    await t.db.pool.query('UPDATE captures SET camera_id = $1 WHERE id = $2', [cameraB.id, s.captureId]);
    body = (await history('/api/v1/plates/12B44444/sightings')).json();
    expect(body.sightings.find((x: { readId: number }) => x.readId === s.readId).camera.code).toBe('CAM-HIST-B');
  });
});
