import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTransaction } from '../../src/db/pool.js';
import { lookupKey } from '../../src/lookup/public-lookup.js';
import { LocalBlobStore } from '../../src/storage/blob-store.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { decideNotice, SCENE_PLATE_BOX, seedApprovedViolation, seedCamera, seedNotice, staffWithSession, type SeededNotice } from '../helpers/fixtures.js';

// the payments below are dated early November 2026: their notices were issued before that
const ISSUED_BEFORE_PAYMENTS = new Date('2026-11-02T09:00:00+07:00');

describe('lookupKey', () => {
  it('accepts a plate however it is typed and refuses what is no plate', () => {
    expect(lookupKey('30a 123.45')).toEqual({ key: '30A12345', canonical: '30A-123.45' });
    expect(lookupKey(' 30A-123.45 ')).toEqual({ key: '30A12345', canonical: '30A-123.45' });
    expect(lookupKey('29-B1 123.45').key).toBe('29B112345');
    for (const bad of ['hello', '1234', "'; DROP TABLE notices; --", '99999999999999']) expect(() => lookupKey(bad)).toThrow(/không phải là biển số/);
  });
});

let t: TestApp;
let notice: SeededNotice;
const PLATE = '51G-246.13';

beforeAll(async () => {
  t = await createTestApp({ LOOKUP_RATE_LIMIT_PER_MINUTE: '4', DETECTING_UNIT: 'Phòng CSGT Công an TP Hồ Chí Minh', NOTICE_CONTACT_PHONE: '02838387888',
    NOTICE_UNIT_ADDRESS: '459 Trần Hưng Đạo, Quận 1' });
  const storage = new LocalBlobStore(t.config.STORAGE_DIR);
  const officer = await staffWithSession(t.db.pool, 'officer');
  const cam = await seedCamera(t.db.pool, { address: 'Nút giao Hàng Xanh', province: 'TP Hồ Chí Minh' });
  notice = await seedNotice(t.db.pool, storage, { cameraId: cam.id, officer, plate: PLATE, ownerName: 'Lê Văn Tám', issuedAt: ISSUED_BEFORE_PAYMENTS });
  // a second violation of the same car still under review: not published yet
  await seedApprovedViolation(t.db.pool, storage, { cameraId: cam.id, plate: PLATE, vehicleId: notice.vehicleId, ownerId: notice.ownerId,
    decidedBy: officer.id, status: 'pending_review', occurredAt: new Date('2026-11-05T10:00:00+07:00') });
});

afterAll(async () => {
  await t.close();
});

let ip = 0;
const lookup = (plate: string, remoteAddress = `10.1.0.${++ip}`) =>
  t.app.inject({ method: 'GET', url: `/api/v1/lookup?plate=${encodeURIComponent(plate)}`, remoteAddress });

describe('GET /api/v1/lookup', () => {
  it('shows the published violation with public fields only, status "Chưa xử phạt", without login', async () => {
    const res = await lookup('51g24613');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toEqual({
      plate: PLATE,
      count: 1,
      violations: [{
        vehicleType: 'car', vehicleTypeLabel: 'Ô tô', plate: PLATE, plateColour: 'white', plateColourLabel: 'Nền trắng, chữ đen',
        occurredAt: '2026-11-01T01:15:30.000Z', place: 'Nút giao Hàng Xanh, TP Hồ Chí Minh',
        violation: 'Không chấp hành hiệu lệnh của đèn tín hiệu giao thông',
        detectingUnit: 'Phòng CSGT Công an TP Hồ Chí Minh', contactPhone: '02838387888', status: 'Chưa xử phạt',
        handlingUnit: { name: 'Phòng CSGT Công an TP Hồ Chí Minh', address: '459 Trần Hưng Đạo, Quận 1', phone: '02838387888' },
        plateImageUrl: `/api/v1/lookup/plate-image?plate=${encodeURIComponent(PLATE)}&index=0`,
      }],
    });
    // nothing personal, in any field
    for (const secret of ['Lê Văn Tám', notice.nationalId, 'phố Huế', notice.noticeNumber]) expect(res.body).not.toContain(secret);
  });

  it('shows "Đã xử phạt" once the penalty decision is issued, and still after it is paid', async () => {
    const finance = await staffWithSession(t.db.pool, 'finance');
    await decideNotice(t.app, await staffWithSession(t.db.pool, 'officer'), notice.noticeNumber);
    expect((await lookup(PLATE)).json().violations.map((v: { status: string }) => v.status)).toEqual(['Đã xử phạt']);
    const paid = await t.app.inject({ method: 'POST', url: '/api/v1/payments', headers: finance.headers,
      payload: { noticeNumber: notice.noticeNumber, amount: 19_000_000, paidAt: '2026-11-09T08:00:00+07:00', method: 'cash', reference: 'LK-1' } });
    expect(paid.statusCode).toBe(201);
    const res = await lookup(PLATE);
    expect(res.json().violations.map((v: { status: string }) => v.status)).toEqual(['Đã xử phạt']);
  });

  it('answers an unknown but valid plate with an empty list, and an unparseable one with 400', async () => {
    expect((await lookup('30A-999.99')).json()).toEqual({ plate: '30A-999.99', count: 0, violations: [] });
    const bad = await lookup('not-a-plate');
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: 'invalid_plate', message: expect.stringContaining('không phải là biển số') });
  });

  it('narrows by plate colour and vehicle type like the traffic police site, and refuses an unknown colour', async () => {
    const get = (query: string) => t.app.inject({ method: 'GET', url: `/api/v1/lookup?plate=${encodeURIComponent(PLATE)}&${query}`, remoteAddress: `10.2.0.${++ip}` });
    expect((await get('plate_colour=white&vehicle_type=car')).json().count).toBe(1);
    expect((await get('plate_colour=yellow')).json().count).toBe(0);
    expect((await get('vehicle_type=motorbike')).json().count).toBe(0);
    expect((await get('plate_colour=purple')).statusCode).toBe(400);
  });

  it('serves the plate area of the published evidence photo and nothing of unpublished or unknown violations', async () => {
    const image = await t.app.inject({ method: 'GET', url: `/api/v1/lookup/plate-image?plate=${encodeURIComponent('51g24613')}&index=0`, remoteAddress: '10.3.0.1' });
    expect(image.statusCode).toBe(200);
    expect(image.headers['content-type']).toBe('image/png');
    const meta = await sharp(image.rawPayload).metadata();
    // exactly the plate box: no margin showing the driver, passengers or the car around it
    expect({ width: meta.width, height: meta.height }).toEqual({ width: SCENE_PLATE_BOX.width, height: SCENE_PLATE_BOX.height });
    // index 1 would be the second violation of this plate, still under review: not published
    const unpublished = await t.app.inject({ method: 'GET', url: `/api/v1/lookup/plate-image?plate=${encodeURIComponent(PLATE)}&index=1`, remoteAddress: '10.3.0.1' });
    expect(unpublished.statusCode).toBe(404);
    expect(unpublished.json().message).toContain('Không có ảnh biển số');
    const unknown = await t.app.inject({ method: 'GET', url: '/api/v1/lookup/plate-image?plate=30A-999.99&index=0', remoteAddress: '10.3.0.1' });
    expect(unknown.statusCode).toBe(404);
  });

  it('hides a violation again when its notice is cancelled', async () => {
    const storage = new LocalBlobStore(t.config.STORAGE_DIR);
    const officer = await staffWithSession(t.db.pool, 'officer');
    const cam = await seedCamera(t.db.pool);
    const cancelled = await seedNotice(t.db.pool, storage, { cameraId: cam.id, officer, plate: '43A-555.66', issuedAt: ISSUED_BEFORE_PAYMENTS });
    await withTransaction(t.db.pool, (tx) => tx.query(`UPDATE notices SET status = 'cancelled' WHERE id = $1`, [cancelled.noticeId]));
    expect((await lookup('43A-555.66')).json().count).toBe(0);
  });

  it('limits lookups per client address (429 with Retry-After) without affecting other addresses', async () => {
    const statuses = [];
    for (let i = 0; i < 6; i++) statuses.push((await lookup(PLATE, '203.0.113.7')).statusCode);
    expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
    const limited = await lookup(PLATE, '203.0.113.7');
    expect(limited.json()).toMatchObject({ error: 'rate_limited', message: expect.stringContaining('Quá nhiều lượt tra cứu') });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect((await lookup(PLATE, '203.0.113.8')).statusCode).toBe(200);
  });
});
