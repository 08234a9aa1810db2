import { readdir } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { decideNotice, seedCamera, seedNotice, registerCamera, staffWithSession, type TestStaff } from '../helpers/fixtures.js';
import { multipartBody, syntheticJpeg } from '../ingest/fixtures.js';

/**
 * Attacks with malformed input: each is answered 4xx with a reason, and nothing is stored (no capture,
 * no orphan image, no payment).
 */
let t: TestApp;
let operator: TestStaff;
let finance: TestStaff;
let cameraKey: string;
beforeAll(async () => {
  t = await createTestApp();
  operator = await staffWithSession(t.db.pool, 'operator');
  finance = await staffWithSession(t.db.pool, 'finance');
  cameraKey = await registerCamera(t.app, operator.headers, { code: 'SEC-SPD-1', name: 'Tốc độ', province: 'Hà Nội', address: 'Xuân Thủy', cameraType: 'speed', speedLimitKmh: 60 });
});
afterAll(async () => { await t.close(); });

const upload = (fields: Record<string, string>, file: { filename: string; data: Buffer }) => {
  const body = multipartBody(fields, file);
  return t.app.inject({ method: 'POST', url: '/api/v1/captures', payload: body.payload, headers: { ...body.headers, 'x-api-key': cameraKey } });
};
const now = () => new Date(Date.now() - 5000).toISOString();

async function nothingStored() {
  const { rows } = await t.db.pool.query('SELECT count(*)::int AS n FROM captures');
  expect(rows[0].n).toBe(0);
  const files = await readdir(t.config.STORAGE_DIR, { recursive: true }).catch(() => []);
  expect(files.filter((f) => /[0-9a-f]{64}$/.test(String(f)))).toEqual([]);
}

/** A JPEG whose scan data is damaged in the middle: libjpeg decodes it with a "Corrupt JPEG data" warning. */
async function corruptJpeg(): Promise<Buffer> {
  const jpeg = Buffer.from(await syntheticJpeg());
  const sos = jpeg.indexOf(Buffer.from([0xff, 0xda]));
  for (let i = sos + 400; i < sos + 460; i += 3) jpeg[i] = 0xff;
  return jpeg;
}

describe('malformed camera uploads', () => {
  it.each([
    ['a NUL byte in the file name', { captured_at: now() }, 'evil\0.jpg', 'invalid_file_name'],
    ['speed_kmh=0x50 (hex)', { captured_at: now(), speed_kmh: '0x50' }, 'a.jpg', 'invalid_field'],
    ['speed_kmh=true', { captured_at: now(), speed_kmh: 'true' }, 'a.jpg', 'invalid_field'],
    ['speed_kmh=1e2', { captured_at: now(), speed_kmh: '1e2' }, 'a.jpg', 'invalid_field'],
    ['lane=2.5', { captured_at: now(), lane: '2.5' }, 'a.jpg', 'invalid_field'],
    ['speed_kmh=-5', { captured_at: now(), speed_kmh: '-5' }, 'a.jpg', 'invalid_field'],
    ['speed_kmh=NaN', { captured_at: now(), speed_kmh: 'NaN' }, 'a.jpg', 'invalid_field'],
  ])('%s is refused with a reason', async (_what, fields, filename, error) => {
    const res = await upload(fields as Record<string, string>, { filename, data: await syntheticJpeg() });
    expect(res.statusCode).toBeGreaterThanOrEqual(400);
    expect(res.statusCode).toBeLessThan(500);
    expect(res.json().error).toBe(error);
    await nothingStored();
  });

  it('a JPEG that libjpeg flags as corrupt is refused as evidence', async () => {
    const res = await upload({ captured_at: now() }, { filename: 'a.jpg', data: await corruptJpeg() });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toBe('corrupt_image');
    await nothingStored();
  });

  it('multipart without a boundary is refused with 400', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/captures', payload: 'garbage',
      headers: { 'content-type': 'multipart/form-data', 'x-api-key': cameraKey } });
    expect(res.statusCode).toBe(400);
    await nothingStored();
  });
});

describe('malformed API requests', () => {
  it('a NUL byte in a query or a JSON field is refused with 400', async () => {
    const q = await t.app.inject({ method: 'GET', url: '/api/v1/lookup?plate=30A%00123' });
    expect(q.statusCode).toBe(400);
    expect(q.json().error).toBe('nul_byte');
    const body = await t.app.inject({ method: 'PATCH', url: '/api/v1/cameras/SEC-SPD-1', headers: operator.headers, payload: { name: 'x\u0000y' } });
    expect(body.statusCode).toBe(400);
  });

  it('an id past bigint is refused with 400', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/captures/99999999999999999999', headers: operator.headers });
    expect(res.statusCode).toBe(400);
  });
});

describe('malformed payments', () => {
  it('a blank reference and a payment dated before its notice are refused; nothing is recorded', async () => {
    const camera = await seedCamera(t.db.pool);
    const officer = await staffWithSession(t.db.pool, 'officer');
    const notice = await seedNotice(t.db.pool, t.app.deps.storage, { cameraId: camera.id, officer });
    const { rows } = await t.db.pool.query('SELECT amount FROM notices WHERE id = $1', [notice.noticeId]);
    const pay = (reference: string, paidAt: string) => t.app.inject({ method: 'POST', url: '/api/v1/payments', headers: finance.headers,
      payload: { noticeNumber: notice.noticeNumber, amount: rows[0].amount, paidAt, method: 'bank_transfer', reference } });
    const blank = await pay('   ', new Date().toISOString());
    expect(blank.statusCode).toBe(400);
    expect(blank.json().error).toBe('blank_reference');
    // the date is wrong whatever the case's stage: said before "no decision yet"
    const early = await pay('FT-0001', '2020-01-01T00:00:00+07:00');
    expect(early.statusCode).toBe(422);
    expect(early.json().error).toBe('paid_before_notice');
    // and once the fine is decided, paid against the decision quoted by its notice or by its own number
    const { decisionNumber, totalAmount } = await decideNotice(t.app, officer, notice.noticeNumber);
    const earlyDecided = await pay('FT-0002', '2020-01-01T00:00:00+07:00');
    expect(earlyDecided.statusCode).toBe(422);
    expect(earlyDecided.json().error).toBe('paid_before_notice');
    const earlyByDecision = await t.app.inject({ method: 'POST', url: '/api/v1/payments', headers: finance.headers,
      payload: { decisionNumber, amount: totalAmount, paidAt: '2020-01-01T00:00:00+07:00', method: 'bank_transfer', reference: 'FT-0003' } });
    expect(earlyByDecision.statusCode).toBe(422);
    expect(earlyByDecision.json().error).toBe('paid_before_notice');
    const { rows: paid } = await t.db.pool.query('SELECT count(*)::int AS n FROM payments');
    expect(paid[0].n).toBe(0);
  });
});
