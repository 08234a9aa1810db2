import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { registerCamera } from '../helpers/fixtures.js';
import { multipartBody, staffToken, syntheticJpeg } from './fixtures.js';

/**
 * "A camera's retry gets the existing capture" across the monthly partitions of captures (migration
 * 180): the rule is capture_keys' primary key, not a key of the partitioned table.
 */
let t: TestApp;
let cameraKey: string;

beforeAll(async () => {
  t = await createTestApp();
  const operator = (await staffToken(t.db.pool, 'operator')).token;
  cameraKey = await registerCamera(t.app, { authorization: `Bearer ${operator}` },
    { code: 'HN-KM-010', name: 'Kim Mã 10', province: 'Hà Nội', address: 'Kim Mã', cameraType: 'red_light' });
});
afterAll(async () => { await t.close(); });

const upload = (image: Buffer, capturedAt: Date) => {
  const body = multipartBody({ captured_at: capturedAt.toISOString() }, { filename: 'x.jpg', data: image });
  return t.app.inject({ method: 'POST', url: '/api/v1/captures', payload: body.payload, headers: { ...body.headers, 'x-api-key': cameraKey } });
};
const daysAgo = (days: number) => new Date(Date.now() - 60_000 - days * 86_400_000);
const captureCount = async () => Number((await t.db.pool.query('SELECT count(*) FROM captures')).rows[0].count);

describe('one capture per camera and image', () => {
  it('answers a retry stamped in another month with the existing capture', async () => {
    const image = await syntheticJpeg();
    const first = await upload(image, daysAgo(0));
    expect(first.statusCode).toBe(201);
    const retry = await upload(image, daysAgo(45));
    expect(retry.statusCode).toBe(200);
    expect(retry.json()).toMatchObject({ captureId: first.json().captureId, duplicate: true, status: 'queued' });
    const { rows } = await t.db.pool.query('SELECT captured_at FROM captures WHERE id = $1', [first.json().captureId]);
    // the first upload's time stands
    expect(Math.abs(rows[0].captured_at.getTime() - daysAgo(0).getTime())).toBeLessThan(60_000);
  });

  it('makes one capture of concurrent uploads of the same image, whatever month each is stamped in', async () => {
    const image = await syntheticJpeg();
    const before = await captureCount();
    const answers = await Promise.all([0, 40, 80, 120].map((days) => upload(image, daysAgo(days))));
    expect(answers.map((a) => a.statusCode).sort()).toEqual([200, 200, 200, 201]);
    expect(new Set(answers.map((a) => a.json().captureId)).size).toBe(1);
    expect(answers.filter((a) => a.json().duplicate)).toHaveLength(3);
    expect(await captureCount()).toBe(before + 1);
  });
});
