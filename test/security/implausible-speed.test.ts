import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_PLAUSIBLE_SPEED_KMH, parseCaptureMetadata } from '../../src/ingest/metadata.js';
import { runEvaluate } from '../../src/pipeline/evaluate-stage.js';
import { runRecognise } from '../../src/pipeline/recognise-stage.js';
import type { StageDeps } from '../../src/pipeline/stage-deps.js';
import { createPipelineQueues, type PipelineQueues } from '../../src/queue/queues.js';
import { LocalBlobStore } from '../../src/storage/blob-store.js';
import { createPlateEngine, type PlateEngine } from '../../src/vision/engine.js';
import { bearer, registerCar, staffMember, type Staff } from '../admin/fixtures.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { multipartBody, syntheticJpeg } from '../ingest/fixtures.js';
import { registerCamera } from '../helpers/fixtures.js';
import { pipelineDeps } from '../helpers/pipeline-deps.js';

/**
 * A 399.99 km/h reading (issue 13, point 7): a radar fault, not a fine, but still a camera's evidence.
 * It is kept, its case waits for review flagged with the reason, and no officer approves it by accident.
 */
let t: TestApp;
let queues: PipelineQueues;
let engine: PlateEngine;
let deps: StageDeps;
let officer: Staff;
let cameraKey: string;

beforeAll(async () => {
  t = await createTestApp();
  queues = createPipelineQueues(t.config, t.redis);
  engine = await createPlateEngine();
  deps = pipelineDeps({ pool: t.db.pool, storage: new LocalBlobStore(t.config.STORAGE_DIR), queues, engine });
  officer = await staffMember(t, 'officer.speed', 'officer');
  const operator = await staffMember(t, 'operator.speed', 'operator');
  cameraKey = await registerCamera(t.app, bearer(operator), { code: 'SEC-SPD-2', name: 'Tốc độ', province: 'Hà Nội', address: 'Đại lộ Thăng Long', cameraType: 'speed', speedLimitKmh: 80 });
});
afterAll(async () => {
  await Promise.all(queues.all().map((q) => q.obliterate({ force: true })));
  await queues.close();
  await engine.close();
  await t.close();
});

/** Uploads a capture of `plate` at `speed` and runs it through recognition and evaluation; returns its violation. */
async function caseAt(plate: string, speed: string, o: { registered?: boolean; width?: number } = {}): Promise<{ captureId: number; violationId: number }> {
  if (!o.registered) await registerCar(t.db.pool, plate);
  const body = multipartBody({ captured_at: new Date(Date.now() - 60_000).toISOString(), speed_kmh: speed },
    { filename: 'a.jpg', data: await syntheticJpeg({ plate, ...(o.width ? { width: o.width } : {}) }) });
  const res = await t.app.inject({ method: 'POST', url: '/api/v1/captures', payload: body.payload, headers: { ...body.headers, 'x-api-key': cameraKey } });
  expect(res.statusCode).toBeLessThan(300);
  const { captureId } = res.json();
  expect(await runRecognise(deps, captureId)).toBe('done');
  expect(await runEvaluate(deps, captureId)).toBe('done');
  const { rows } = await t.db.pool.query<{ violation_id: number }>('SELECT violation_id FROM violation_evidence WHERE capture_id = $1', [captureId]);
  expect(rows).toHaveLength(1);
  return { captureId, violationId: rows[0]!.violation_id };
}

const post = (url: string, payload?: Record<string, unknown>) =>
  t.app.inject({ method: 'POST', url, headers: bearer(officer), ...(payload ? { payload } : {}) });

describe('an implausible speed reading', () => {
  it('is kept as evidence, and its case waits for review flagged with the reason in Vietnamese', async () => {
    const c = await caseAt('30A-399.99', '399.99');
    const capture = await t.db.pool.query('SELECT measured_speed_kmh, speed_warning FROM captures WHERE id = $1', [c.captureId]);
    expect(capture.rows[0].speed_warning).toContain('Tốc độ đo được bất thường (399,99 km/h');
    expect(capture.rows[0].speed_warning).toContain('cần kiểm tra thiết bị');

    const view = (await t.app.inject({ method: 'GET', url: `/api/v1/violations/${c.violationId}`, headers: bearer(officer) })).json();
    expect(view.violation.status).toBe('pending_review');
    expect(view.violation.reviewWarning).toBe(capture.rows[0].speed_warning);
    const queue = (await t.app.inject({ method: 'GET', url: '/api/v1/review/queue', headers: bearer(officer) })).json();
    expect(queue.items.find((i: { id: number }) => i.id === c.violationId)).toMatchObject({ reviewWarning: capture.rows[0].speed_warning });
  });

  it('cannot be approved without the officer confirming the reading; nothing changes until then', async () => {
    const c = await caseAt('30A-400.01', '399.99');
    expect((await post(`/api/v1/violations/${c.violationId}/claim`)).statusCode).toBe(200);
    const refused = await post(`/api/v1/violations/${c.violationId}/approve`);
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({ error: 'confirmation_required', message: expect.stringContaining('cần xác nhận') });
    const unchanged = await t.db.pool.query('SELECT v.status, (SELECT count(*)::int FROM notices n WHERE n.violation_id = v.id) AS notices FROM violations v WHERE v.id = $1', [c.violationId]);
    expect(unchanged.rows[0]).toEqual({ status: 'pending_review', notices: 0 });
    expect((await post(`/api/v1/violations/${c.violationId}/approve`, { confirmWarning: false })).statusCode).toBe(409);

    const approved = await post(`/api/v1/violations/${c.violationId}/approve`, { confirmWarning: true });
    expect(approved.statusCode).toBe(200);
    const audit = await t.db.pool.query<{ details: { confirmedWarning?: string } }>(
      `SELECT details FROM audit_log WHERE action = 'violation.approved' AND entity_id = $1`, [String(c.violationId)]);
    expect(audit.rows[0]!.details.confirmedWarning).toContain('399,99 km/h');
  });

  it('a plausible reading carries no warning and is approved as before', async () => {
    const c = await caseAt('30A-120.00', '120');
    const view = (await t.app.inject({ method: 'GET', url: `/api/v1/violations/${c.violationId}`, headers: bearer(officer) })).json();
    expect(view.violation.reviewWarning).toBeNull();
    await post(`/api/v1/violations/${c.violationId}/claim`);
    expect((await post(`/api/v1/violations/${c.violationId}/approve`)).statusCode).toBe(200);
  });

  it('flags a case awaiting review when it receives evidence with an implausible reading', async () => {
    const first = await caseAt('30A-135.00', '130');
    const second = await caseAt('30A-135.00', '399.99', { registered: true, width: 800 });
    expect(second.violationId).toBe(first.violationId);
    const view = (await t.app.inject({ method: 'GET', url: `/api/v1/violations/${first.violationId}`, headers: bearer(officer) })).json();
    expect(view.violation.reviewWarning).toContain('399,99 km/h');
    const audit = await t.db.pool.query(`SELECT 1 FROM audit_log WHERE action = 'violation.flagged' AND entity_id = $1`, [String(first.violationId)]);
    expect(audit.rowCount).toBe(1);
  });
});

describe('the plausibility limit', () => {
  const at = new Date();
  const parse = (speed: string, limit?: number) => parseCaptureMetadata({ captured_at: at.toISOString(), speed_kmh: speed }, at, 120, limit);

  it('defaults to 250 km/h and follows MAX_PLAUSIBLE_SPEED_KMH when set', () => {
    expect(MAX_PLAUSIBLE_SPEED_KMH).toBe(250);
    expect(parse('250').speedWarning).toBeNull();
    expect(parse('250.1').speedWarning).toContain('250,1 km/h');
    expect(parse('399.99', 400).speedWarning).toBeNull();
    expect(parse('180', 150).speedWarning).toContain('vượt ngưỡng hợp lý 150 km/h');
  });

  it('still refuses malformed speeds with 400', () => {
    for (const bad of ['-5', 'NaN', 'fast', '1e2']) expect(() => parse(bad)).toThrow(expect.objectContaining({ status: 400 }));
  });
});
