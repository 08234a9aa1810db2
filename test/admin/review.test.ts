import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { auditActions, bearer, createCamera, PLATE_BOX, registerCar, seedCase, staffMember, type Staff } from './fixtures.js';

let t: TestApp;
let anh: Staff;
let binh: Staff;
let cameraId: number;
beforeAll(async () => {
  t = await createTestApp();
  anh = await staffMember(t, 'officer.anh', 'officer');
  binh = await staffMember(t, 'officer.binh', 'officer');
  cameraId = await createCamera(t.db.pool, 'HN-KIMMA-01');
});
afterAll(async () => { await t.close(); });

const post = (who: Staff, url: string, payload?: Record<string, unknown>) =>
  t.app.inject({ method: 'POST', url, headers: bearer(who), ...(payload ? { payload } : {}) });
const get = (who: Staff, url: string, headers: Record<string, string> = {}) =>
  t.app.inject({ method: 'GET', url, headers: { ...bearer(who), ...headers } });
const claim = (who: Staff, id: number) => post(who, `/api/v1/violations/${id}/claim`);
const status = async (id: number) =>
  (await t.db.pool.query<{ status: string; claimed_by: number | null }>('SELECT status, claimed_by FROM violations WHERE id = $1', [id])).rows[0]!;
/** Time passes: the claim's expiry moves into the past. */
const expireClaim = (id: number) => t.db.pool.query("UPDATE violations SET claim_expires_at = now() - interval '1 second' WHERE id = $1", [id]);

describe('review queue', () => {
  it('lists pending cases oldest first with filters for camera, rule, date, confidence and match status', async () => {
    const queueCamera = await createCamera(t.db.pool, 'HN-QUEUE-01');
    const other = await createCamera(t.db.pool, 'HN-QUEUE-02');
    const late = await seedCase(t, { cameraId: queueCamera, occurredAt: new Date('2026-10-03T09:00:00Z'), confidence: 0.95 });
    const early = await seedCase(t, { cameraId: queueCamera, occurredAt: new Date('2026-10-01T09:00:00Z'), confidence: 0.55 });
    const speeding = await seedCase(t, { cameraId: queueCamera, occurredAt: new Date('2026-10-02T09:00:00Z'), rule: 'speeding', confidence: 0.8 });
    await seedCase(t, { cameraId: other, occurredAt: new Date('2026-09-30T09:00:00Z') });

    const all = await get(anh, `/api/v1/review/queue?camera_id=${queueCamera}`);
    expect(all.statusCode).toBe(200);
    expect(all.json().total).toBe(3);
    expect(all.json().items.map((i: { id: number }) => i.id)).toEqual([early.violationId, speeding.violationId, late.violationId]);
    expect(all.json().items[0]).toMatchObject({ cameraCode: 'HN-QUEUE-01', rule: 'red_light', plateText: '30A-123.45', evidenceCount: 1, claim: null });

    const ids = async (query: string) => (await get(anh, `/api/v1/review/queue?camera_id=${queueCamera}&${query}`)).json().items.map((i: { id: number }) => i.id);
    expect(await ids('rule=speeding')).toEqual([speeding.violationId]);
    expect(await ids('from=2026-10-02T00:00:00Z&to=2026-10-03T00:00:00Z')).toEqual([speeding.violationId]);
    expect(await ids('min_confidence=0.9')).toEqual([late.violationId]);
    expect(await ids('max_confidence=0.6')).toEqual([early.violationId]);
    expect(await ids('match_status=exact')).toEqual([]);
    expect(await ids('limit=1&offset=1')).toEqual([speeding.violationId]);
    const pastEnd = await get(anh, `/api/v1/review/queue?camera_id=${queueCamera}&offset=10`);
    expect(pastEnd.json()).toEqual({ total: 3, nextCursor: null, items: [] });

    // decided cases leave the queue; claimed ones show who holds them and can be hidden
    await claim(binh, early.violationId);
    const shown = (await get(anh, `/api/v1/review/queue?camera_id=${queueCamera}`)).json().items[0];
    expect(shown.claim).toMatchObject({ username: 'officer.binh' });
    expect(await ids('available=true')).toEqual([speeding.violationId, late.violationId]);
    await post(binh, `/api/v1/violations/${early.violationId}/reject`, { reason: 'duplicate' });
    expect(await ids('')).toEqual([speeding.violationId, late.violationId]);
  });

  it('refuses nonsense filters with 400', async () => {
    expect((await get(anh, '/api/v1/review/queue?rule=jaywalking')).statusCode).toBe(400);
    expect((await get(anh, '/api/v1/review/queue?from=yesterday')).statusCode).toBe(400);
    expect((await get(anh, '/api/v1/review/queue?from=2026-10-03T00:00:00Z&to=2026-10-01T00:00:00Z')).json().error).toBe('invalid_range');
    expect((await get(anh, '/api/v1/review/queue?min_confidence=0.9&max_confidence=0.1')).statusCode).toBe(400);
    expect((await get(anh, '/api/v1/review/queue?limit=5000')).statusCode).toBe(400);
  });
});

describe('case file and evidence', () => {
  it('shows the violation, camera, evidence with image sha256 and plate box, and links to the images', async () => {
    const c = await seedCase(t, { cameraId });
    const res = await get(anh, `/api/v1/violations/${c.violationId}`);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.violation).toMatchObject({ id: c.violationId, status: 'pending_review', rule: 'red_light', violationCode: '16824.6.9.b.01', fineAmount: 19_000_000 });
    expect(body.camera).toMatchObject({ code: 'HN-KIMMA-01', cameraType: 'red_light' });
    expect(body.evidence).toHaveLength(1);
    expect(body.evidence[0]).toMatchObject({
      captureId: c.captureId, imageSha256: c.imageSha256, imageUrl: `/api/v1/evidence/${c.captureId}/image`, signalPhase: 'red', redElapsedMs: 2300,
      plateRead: { rank: 0, plateText: '30A-123.45', bbox: PLATE_BOX, cropUrl: `/api/v1/evidence/${c.captureId}/plate/0` },
    });
    expect(body.claim).toBeNull();
    expect(body.decision).toBeNull();
    expect((await get(anh, '/api/v1/violations/999999')).statusCode).toBe(404);
  });

  it('serves the original image whose bytes hash to the sha256 in its headers, and honours If-None-Match', async () => {
    const c = await seedCase(t, { cameraId });
    const res = await get(anh, `/api/v1/evidence/${c.captureId}/image`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('image/jpeg');
    expect(res.headers['x-content-sha256']).toBe(c.imageSha256);
    expect(res.headers.etag).toBe(`"${c.imageSha256}"`);
    expect(createHash('sha256').update(res.rawPayload).digest('hex')).toBe(c.imageSha256);
    const again = await get(anh, `/api/v1/evidence/${c.captureId}/image`, { 'if-none-match': `"${c.imageSha256}"` });
    expect(again.statusCode).toBe(304);
    expect(again.rawPayload.length).toBe(0);
    expect((await get(anh, '/api/v1/evidence/999999/image')).statusCode).toBe(404);
  });

  it('serves a PNG crop of the plate with a margin and its own sha256', async () => {
    const c = await seedCase(t, { cameraId });
    const res = await get(anh, `/api/v1/evidence/${c.captureId}/plate/0`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('image/png');
    expect(createHash('sha256').update(res.rawPayload).digest('hex')).toBe(res.headers['x-content-sha256']);
    expect(res.headers['x-source-sha256']).toBe(c.imageSha256);
    const meta = await sharp(res.rawPayload).metadata();
    expect({ width: meta.width, height: meta.height }).toEqual({ width: 180, height: 60 });
    // the centre of the crop is the white plate
    const { data } = await sharp(res.rawPayload).extract({ left: 90, top: 30, width: 1, height: 1 }).raw().toBuffer({ resolveWithObject: true });
    expect(data[0]).toBeGreaterThan(230);
    const second = await get(anh, `/api/v1/evidence/${c.captureId}/plate/0`);
    expect(second.headers['x-content-sha256']).toBe(res.headers['x-content-sha256']);
    expect((await get(anh, `/api/v1/evidence/${c.captureId}/plate/3`)).statusCode).toBe(404);
  });

  it('reports an image missing from storage as 404 evidence_missing rather than a crash', async () => {
    const c = await seedCase(t, { cameraId });
    await t.db.pool.query("UPDATE captures SET image_sha256 = repeat('ab', 32) WHERE id = $1", [c.captureId]);
    const res = await get(anh, `/api/v1/evidence/${c.captureId}/image`);
    expect(res.statusCode).toBe(404);
    expect(res.json().error).toBe('evidence_missing');
  });
});

describe('claims', () => {
  it('when two officers claim the same case at once, exactly one gets it and the other is told who holds it', async () => {
    for (let round = 0; round < 5; round++) {
      const c = await seedCase(t, { cameraId });
      const [a, b] = await Promise.all([claim(anh, c.violationId), claim(binh, c.violationId)]);
      const codes = [a.statusCode, b.statusCode].sort();
      expect(codes).toEqual([200, 409]);
      const [winner, loser] = a.statusCode === 200 ? [anh, b] : [binh, a];
      expect(loser.json().error).toBe('claimed_by_other');
      expect(loser.json().message).toContain(winner.username);
      expect(loser.json().details.claimedBy).toBe(winner.username);
      expect((await status(c.violationId)).claimed_by).toBe(winner.id);
    }
  });

  it('re-claiming your own case extends it; the claim lasts REVIEW_CLAIM_MINUTES', async () => {
    const c = await seedCase(t, { cameraId });
    const first = await claim(anh, c.violationId);
    expect(first.json().extended).toBe(false);
    const minutes = (new Date(first.json().expiresAt).getTime() - Date.now()) / 60_000;
    expect(minutes).toBeGreaterThan(t.config.REVIEW_CLAIM_MINUTES - 1);
    expect(minutes).toBeLessThanOrEqual(t.config.REVIEW_CLAIM_MINUTES);
    const second = await claim(anh, c.violationId);
    expect(second.statusCode).toBe(200);
    expect(second.json().extended).toBe(true);
    expect(new Date(second.json().expiresAt).getTime()).toBeGreaterThanOrEqual(new Date(first.json().expiresAt).getTime());
    expect(await auditActions(t.db.pool, 'violation', c.violationId)).toEqual(['violation.claimed', 'violation.claim_extended']);
  });

  it('an expired claim frees the case for another officer and the first can no longer decide it', async () => {
    const c = await seedCase(t, { cameraId });
    await claim(anh, c.violationId);
    expect((await claim(binh, c.violationId)).statusCode).toBe(409);
    await expireClaim(c.violationId);
    expect((await get(binh, `/api/v1/violations/${c.violationId}`)).json().claim).toBeNull();
    expect((await claim(binh, c.violationId)).statusCode).toBe(200);
    const late = await post(anh, `/api/v1/violations/${c.violationId}/reject`, { reason: 'plate_unreadable' });
    expect(late.statusCode).toBe(409);
    expect(late.json().error).toBe('claimed_by_other');
    expect((await status(c.violationId)).status).toBe('pending_review');
  });

  it('an officer whose claim expired unclaimed must claim again before deciding', async () => {
    const c = await seedCase(t, { cameraId });
    await claim(anh, c.violationId);
    await expireClaim(c.violationId);
    const res = await post(anh, `/api/v1/violations/${c.violationId}/reject`, { reason: 'plate_unreadable' });
    expect(res.statusCode).toBe(409);
    expect(res.json().error).toBe('claim_required');
  });

  it('release gives the case back; only the holder can release it', async () => {
    const c = await seedCase(t, { cameraId });
    await claim(anh, c.violationId);
    expect((await post(binh, `/api/v1/violations/${c.violationId}/release`)).statusCode).toBe(409);
    expect((await post(anh, `/api/v1/violations/${c.violationId}/release`)).statusCode).toBe(204);
    expect((await status(c.violationId)).claimed_by).toBeNull();
    expect((await claim(binh, c.violationId)).statusCode).toBe(200);
    expect(await auditActions(t.db.pool, 'violation', c.violationId)).toEqual(['violation.claimed', 'violation.released', 'violation.claimed']);
  });

  it('cannot claim a decided or unknown case', async () => {
    const c = await seedCase(t, { cameraId });
    await claim(anh, c.violationId);
    await post(anh, `/api/v1/violations/${c.violationId}/reject`, { reason: 'equipment_fault' });
    const again = await claim(binh, c.violationId);
    expect(again.statusCode).toBe(409);
    expect(again.json().error).toBe('not_pending');
    expect((await claim(binh, 999999)).statusCode).toBe(404);
  });
});

describe('decisions', () => {
  it('deciding without a claim is refused and changes nothing', async () => {
    const c = await seedCase(t, { cameraId });
    const res = await post(anh, `/api/v1/violations/${c.violationId}/reject`, { reason: 'duplicate' });
    expect(res.statusCode).toBe(409);
    expect(res.json().error).toBe('claim_required');
    expect(res.json().message).toContain('/claim');
    expect((await status(c.violationId)).status).toBe('pending_review');
  });

  it('rejects with a reason from the fixed list, audited with the reason, releasing the claim', async () => {
    const c = await seedCase(t, { cameraId });
    await claim(anh, c.violationId);
    const res = await post(anh, `/api/v1/violations/${c.violationId}/reject`, { reason: 'emergency_vehicle', note: 'xe cứu thương đang làm nhiệm vụ' });
    expect(res.statusCode).toBe(200);
    const row = (await t.db.pool.query('SELECT status, reject_reason, reject_note, decided_by, claimed_by FROM violations WHERE id = $1', [c.violationId])).rows[0];
    expect(row).toEqual({ status: 'rejected', reject_reason: 'emergency_vehicle', reject_note: 'xe cứu thương đang làm nhiệm vụ', decided_by: anh.id, claimed_by: null });
    const audit = (await t.db.pool.query("SELECT actor, details FROM audit_log WHERE action = 'violation.rejected' AND entity_id = $1", [String(c.violationId)])).rows[0];
    expect(audit).toEqual({ actor: 'officer.anh', details: { reason: 'emergency_vehicle', note: 'xe cứu thương đang làm nhiệm vụ' } });
    const view = (await get(binh, `/api/v1/violations/${c.violationId}`)).json();
    expect(view.decision).toMatchObject({ username: 'officer.anh', rejectReason: 'emergency_vehicle' });
    const twice = await post(anh, `/api/v1/violations/${c.violationId}/reject`, { reason: 'duplicate' });
    expect(twice.statusCode).toBe(409);
    expect(twice.json().error).toBe('not_pending');
  });

  it("reason 'other' needs a note; an unlisted reason is refused", async () => {
    const c = await seedCase(t, { cameraId });
    await claim(anh, c.violationId);
    const bare = await post(anh, `/api/v1/violations/${c.violationId}/reject`, { reason: 'other' });
    expect(bare.statusCode).toBe(400);
    expect(bare.json().error).toBe('note_required');
    const blank = await post(anh, `/api/v1/violations/${c.violationId}/reject`, { reason: 'other', note: '   ' });
    expect(blank.statusCode).toBe(400);
    expect((await post(anh, `/api/v1/violations/${c.violationId}/reject`, { reason: 'bad_weather' })).statusCode).toBe(400);
    expect((await status(c.violationId)).status).toBe('pending_review');
    const ok = await post(anh, `/api/v1/violations/${c.violationId}/reject`, { reason: 'other', note: 'biển số giả, chuyển công an phường' });
    expect(ok.statusCode).toBe(200);
  });

  it('refuses to approve while the owner is not identified, telling the officer what to do', async () => {
    const c = await seedCase(t, { cameraId, matchStatus: 'unknown' });
    await claim(anh, c.violationId);
    const res = await post(anh, `/api/v1/violations/${c.violationId}/approve`);
    expect(res.statusCode).toBe(409);
    expect(res.json().error).toBe('owner_unidentified');
    expect(res.json().message).toMatch(/sửa biển số hoặc xác nhận một xe gần giống/);
    expect(await status(c.violationId)).toEqual({ status: 'pending_review', claimed_by: anh.id });
    expect(await auditActions(t.db.pool, 'violation', c.violationId)).toEqual(['violation.claimed']);
  });

  it('refuses to approve a fuzzy match until the candidate is confirmed', async () => {
    const car = await registerCar(t.db.pool, '30A-555.88');
    const c = await seedCase(t, { cameraId, plateText: '30A-555.86', matchStatus: 'fuzzy', vehicleId: car.vehicleId, ownerId: car.ownerId,
      candidates: [{ plate: '30A-555.88', plateKey: '30A55588', vehicleId: car.vehicleId, ownerId: car.ownerId, score: 0.7, distance: 0.3 }] });
    await claim(anh, c.violationId);
    expect((await post(anh, `/api/v1/violations/${c.violationId}/approve`)).json().error).toBe('owner_unidentified');
  });

  it('correcting the plate re-runs matching against the registry and keeps the case claimed', async () => {
    const car = await registerCar(t.db.pool, '30A-678.90');
    const c = await seedCase(t, { cameraId, plateText: '30A-678.98', matchStatus: 'unknown' });
    await claim(anh, c.violationId);
    const res = await post(anh, `/api/v1/violations/${c.violationId}/correct-plate`, { plate: '30A-678.90' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ matchStatus: 'corrected', vehicleId: car.vehicleId, ownerId: car.ownerId });
    const row = (await t.db.pool.query('SELECT plate_text, match_status, vehicle_id, owner_id, status, claimed_by FROM violations WHERE id = $1', [c.violationId])).rows[0];
    expect(row).toEqual({ plate_text: '30A-678.90', match_status: 'corrected', vehicle_id: car.vehicleId, owner_id: car.ownerId, status: 'pending_review', claimed_by: anh.id });
    expect(await auditActions(t.db.pool, 'violation', c.violationId)).toEqual(['violation.claimed', 'violation.plate_corrected']);
  });

  it('refuses a correction that is not a plate, or by an officer without the claim, and changes nothing', async () => {
    const c = await seedCase(t, { cameraId, plateText: '30A-111.22', matchStatus: 'unknown' });
    await claim(anh, c.violationId);
    const bad = await post(anh, `/api/v1/violations/${c.violationId}/correct-plate`, { plate: 'HELLO-WORLD' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toBe('invalid_plate');
    const other = await post(binh, `/api/v1/violations/${c.violationId}/correct-plate`, { plate: '30A-111.23' });
    expect(other.statusCode).toBe(409);
    const row = (await t.db.pool.query('SELECT plate_text, match_status FROM violations WHERE id = $1', [c.violationId])).rows[0];
    expect(row).toEqual({ plate_text: '30A-111.22', match_status: 'unknown' });
  });

  it('confirming a fuzzy candidate sets that vehicle and its owner as corrected; a vehicle not among the candidates is refused', async () => {
    const car = await registerCar(t.db.pool, '29A-246.80');
    const stranger = await registerCar(t.db.pool, '29A-999.99');
    const c = await seedCase(t, { cameraId, plateText: '29A-246.8O', matchStatus: 'fuzzy', vehicleId: car.vehicleId, ownerId: car.ownerId,
      candidates: [{ plate: '29A-246.80', plateKey: '29A24680', vehicleId: car.vehicleId, ownerId: car.ownerId, score: 0.7, distance: 0.3 }] });
    await claim(anh, c.violationId);
    const wrong = await post(anh, `/api/v1/violations/${c.violationId}/confirm-match`, { vehicleId: stranger.vehicleId });
    expect(wrong.statusCode).toBe(409);
    expect(wrong.json().error).toBe('not_a_candidate');
    const res = await post(anh, `/api/v1/violations/${c.violationId}/confirm-match`, { vehicleId: car.vehicleId });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ matchStatus: 'corrected', vehicleId: car.vehicleId, ownerId: car.ownerId });
    const actions = await auditActions(t.db.pool, 'violation', c.violationId);
    expect(actions).toEqual(['violation.claimed', 'violation.plate_corrected', 'violation.match_confirmed']);
  });
});
