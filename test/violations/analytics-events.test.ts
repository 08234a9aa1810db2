import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ruleLabel } from '../../src/csv/vietnamese-labels.js';
import { runEvaluate } from '../../src/pipeline/evaluate-stage.js';
import { runRecognise } from '../../src/pipeline/recognise-stage.js';
import type { StageDeps } from '../../src/pipeline/stage-deps.js';
import { createPipelineQueues, type PipelineQueues } from '../../src/queue/queues.js';
import { LocalBlobStore } from '../../src/storage/blob-store.js';
import { createPlateEngine, type PlateEngine } from '../../src/vision/engine.js';
import { RULE_NAMES } from '../../src/violations/types.js';
import { bearer, staffMember, type Staff } from '../admin/fixtures.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { registerCamera, seedVehicle } from '../helpers/fixtures.js';
import { multipartBody, syntheticJpeg } from '../ingest/fixtures.js';
import { readPdf } from '../notices/pdf-text.js';
import { pipelineDeps } from '../helpers/pipeline-deps.js';

/**
 * Analytics cameras (issue 11): the camera's own analytics reports the event; we check it, price it at
 * its Decree 168 clause for the vehicle's category and keep its frames as evidence. Through HTTP, the
 * real plate reader and PostgreSQL.
 */
let t: TestApp;
let queues: PipelineQueues;
let engine: PlateEngine;
let deps: StageDeps;
let officer: Staff;
let operator: Staff;
let analyticsKey: string;
let redLightKey: string;
let expresswayKey: string;
const CAR = '30A-246.80';
const BIKE = '29-B1 135.79';

beforeAll(async () => {
  t = await createTestApp();
  queues = createPipelineQueues(t.config, t.redis);
  engine = await createPlateEngine();
  deps = pipelineDeps({ pool: t.db.pool, storage: new LocalBlobStore(t.config.STORAGE_DIR), queues, engine });
  officer = await staffMember(t, 'officer.events', 'officer');
  operator = await staffMember(t, 'operator.events', 'operator');
  const place = { province: 'Thành phố Hà Nội', address: 'Nút giao Kim Mã - Liễu Giai, Phường Ngọc Hà' };
  analyticsKey = await registerCamera(t.app, bearer(operator), { code: 'HN-AI-001', name: 'Camera AI Kim Mã', ...place, cameraType: 'analytics' });
  redLightKey = await registerCamera(t.app, bearer(operator), { code: 'HN-RL-009', name: 'Đèn đỏ Kim Mã', ...place, cameraType: 'red_light' });
  expresswayKey = await registerCamera(t.app, bearer(operator), { code: 'HN-CTPL-AI-01', name: 'Cao tốc Pháp Vân - Cầu Giẽ Km 195', cameraType: 'analytics',
    province: 'Thành phố Hà Nội', address: 'Cao tốc Pháp Vân - Cầu Giẽ, Km 195, Xã Thường Tín', expressway: true });
  await seedVehicle(t.db.pool, { plate: CAR, vehicleType: 'car' });
  await seedVehicle(t.db.pool, { plate: BIKE, vehicleType: 'motorbike', make: 'Honda', model: 'Wave Alpha' });
});
afterAll(async () => {
  await Promise.all(queues.all().map((q) => q.obliterate({ force: true })));
  await queues.close();
  await engine.close();
  await t.close();
});

const capturedAt = () => new Date(Date.now() - 60_000).toISOString();

async function upload(fields: Record<string, string>, image: Buffer, key = analyticsKey) {
  const body = multipartBody({ captured_at: capturedAt(), ...fields }, { filename: 'event.jpg', data: image });
  return t.app.inject({ method: 'POST', url: '/api/v1/captures', payload: body.payload, headers: { ...body.headers, 'x-api-key': key } });
}

/** Uploads an event of `plate`, runs recognition and evaluation; the capture and what evaluation did. */
async function report(plate: string, fields: Record<string, string>, key = fields.event === 'emergency_lane' ? expresswayKey : analyticsKey) {
  const res = await upload(fields, await syntheticJpeg({ plate }), key);
  expect(res.statusCode).toBe(201);
  const { captureId } = res.json() as { captureId: number };
  expect(await runRecognise(deps, captureId)).toBe('done');
  const stage = await runEvaluate(deps, captureId);
  const { rows } = await t.db.pool.query('SELECT v.* FROM violation_evidence e JOIN violations v ON v.id = e.violation_id WHERE e.capture_id = $1', [captureId]);
  return { captureId, stage, violations: rows };
}

const countCaptures = async () => Number((await t.db.pool.query('SELECT count(*) FROM captures')).rows[0].count);

describe('an analytics camera event is priced at its clause for the vehicle\'s category', () => {
  it.each([
    ['car', 'stop_line', undefined, 'stop_line', '16824.6.1.a.01', 'Điểm a khoản 1 Điều 6', 400_000, 600_000, 0],
    ['car', 'road_markings', undefined, 'road_markings', '16824.6.1.a.01', 'Điểm a khoản 1 Điều 6', 400_000, 600_000, 0],
    ['car', 'no_left_turn', undefined, 'no_left_turn', '16824.6.4.k.01', 'Điểm k khoản 4 Điều 6', 2_000_000, 3_000_000, 0],
    ['car', 'no_right_turn', undefined, 'no_right_turn', '16824.6.4.k.01', 'Điểm k khoản 4 Điều 6', 2_000_000, 3_000_000, 0],
    ['car', 'solid_line', undefined, 'solid_line', '16824.6.2.a.01', 'Điểm a khoản 2 Điều 6', 600_000, 800_000, 0],
    ['car', 'emergency_lane', undefined, 'emergency_lane', '16824.6.5.d.01', 'Điểm d khoản 5 Điều 6', 4_000_000, 6_000_000, 2],
    ['car', 'pavement', undefined, 'pavement', '16824.6.6.d.01', 'Điểm d khoản 6 Điều 6', 6_000_000, 8_000_000, 4],
    ['car', 'phone', undefined, 'phone', '16824.6.5.h.01', 'Điểm h khoản 5 Điều 6', 4_000_000, 6_000_000, 4],
    ['car', 'no_seat_belt', 'driver', 'no_seat_belt_driver', '16824.6.3.k.01', 'Điểm k khoản 3 Điều 6', 800_000, 1_000_000, 0],
    ['car', 'no_seat_belt', 'passenger', 'no_seat_belt_passenger', '16824.6.3.l.01', 'Điểm l khoản 3 Điều 6', 800_000, 1_000_000, 0],
    ['motorbike', 'stop_line', undefined, 'stop_line', '16824.7.1.a.01', 'Điểm a khoản 1 Điều 7', 200_000, 400_000, 0],
    ['motorbike', 'road_markings', undefined, 'road_markings', '16824.7.1.a.01', 'Điểm a khoản 1 Điều 7', 200_000, 400_000, 0],
    ['motorbike', 'no_left_turn', undefined, 'no_left_turn', '16824.7.3.a.01', 'Điểm a khoản 3 Điều 7', 600_000, 800_000, 0],
    ['motorbike', 'no_right_turn', undefined, 'no_right_turn', '16824.7.3.a.01', 'Điểm a khoản 3 Điều 7', 600_000, 800_000, 0],
    ['motorbike', 'solid_line', undefined, 'solid_line', '16824.7.1.e.01', 'Điểm e khoản 1 Điều 7', 200_000, 400_000, 0],
    ['motorbike', 'pavement', undefined, 'pavement', '16824.7.7.a.01', 'Điểm a khoản 7 Điều 7', 4_000_000, 6_000_000, 2],
    ['motorbike', 'phone', undefined, 'phone', '16824.7.4.đ.01', 'Điểm đ khoản 4 Điều 7', 800_000, 1_000_000, 4],
    ['motorbike', 'no_helmet', 'driver', 'no_helmet_rider', '16824.7.2.h.01', 'Điểm h khoản 2 Điều 7', 400_000, 600_000, 0],
    ['motorbike', 'no_helmet', 'passenger', 'no_helmet_passenger', '16824.7.2.i.01', 'Điểm i khoản 2 Điều 7', 400_000, 600_000, 0],
    ['motorbike', 'three_on_motorbike', undefined, 'three_on_motorbike', '16824.7.3.b.01', 'Điểm b khoản 3 Điều 7', 600_000, 800_000, 2],
  ] as const)('%s: %s (%s) is %s, %s (%s), %i-%i VND, %i points', async (category, event, subject, rule, code, clause, min, max, points) => {
    const r = await report(category === 'car' ? CAR : BIKE, { event, ...(subject ? { subject } : {}) });
    expect(r.stage).toBe('done');
    expect(r.violations).toHaveLength(1);
    expect(r.violations[0]).toMatchObject({ rule, vehicle_category: category, violation_code: code, legal_clause: `${clause} Nghị định 168/2024/NĐ-CP`,
      fine_min: min, fine_max: max, fine_amount: (min + max) / 2, points, status: 'pending_review', match_status: 'exact' });
    expect(r.violations[0].details).toMatchObject({ event, offence: rule, ...(subject ? { eventSubject: subject } : {}) });
  });
});

describe('an event the decree has only for the other category', () => {
  it.each([
    ['no_seat_belt', 'driver', BIKE, 'không thắt dây đai an toàn', 'mô tô, xe máy', 'ô tô'],
    ['emergency_lane', undefined, BIKE, 'chạy trong làn dừng xe khẩn cấp trên đường cao tốc', 'mô tô, xe máy', 'ô tô'],
    ['no_helmet', 'passenger', CAR, 'không đội mũ bảo hiểm', 'ô tô', 'mô tô, xe máy'],
    ['three_on_motorbike', undefined, CAR, 'chở từ 03 người trở lên trên xe mô tô, xe máy', 'ô tô', 'mô tô, xe máy'],
  ] as const)('%s (%s) by %s is not priced: the capture is dead-lettered with the reason in Vietnamese', async (event, subject, plate, name, is, only) => {
    const r = await report(plate, { event, ...(subject ? { subject } : {}) });
    expect(r.stage).toBe('dead_lettered');
    expect(r.violations).toEqual([]);
    const list = await t.app.inject({ method: 'GET', url: '/api/v1/dead-letters', headers: bearer(operator) });
    const item = (list.json().items as Array<{ captureId: number; reason: string }>).find((i) => i.captureId === r.captureId);
    // the plate as the camera read it (a motorbike plate on one line reads 29B1-135.79)
    expect(item?.reason).toMatch(new RegExp(`^Camera báo sự kiện "${name}" nhưng xe biển số \\S+ là ${is} \\(theo đăng ký xe\\)`));
    expect(item?.reason).toContain(`chỉ xử phạt hành vi này đối với ${only}`);
    const audit = await t.db.pool.query(`SELECT details FROM audit_log WHERE action = 'capture.dead_lettered' AND entity_id = $1`, [String(r.captureId)]);
    expect(audit.rows[0].details).toMatchObject({ stage: 'evaluate', reason: item!.reason });
    // evaluating again finds nothing left to do and still prices nothing
    expect(await runEvaluate(deps, r.captureId)).toBe('skipped');
  });
});

describe('a camera on an expressway', () => {
  it('is one by its settings: a solid-line lane change there is 6.5.g for a car, and the emergency lane is reported only there', async () => {
    const cameras = await t.app.inject({ method: 'GET', url: '/api/v1/cameras', headers: bearer(operator) });
    const byCode = new Map((cameras.json().items as Array<{ code: string; expressway: boolean }>).map((c) => [c.code, c.expressway]));
    expect([byCode.get('HN-CTPL-AI-01'), byCode.get('HN-AI-001')]).toEqual([true, false]);

    const r = await report(CAR, { event: 'solid_line' }, expresswayKey);
    expect(r.violations[0]).toMatchObject({ rule: 'solid_line', violation_code: '16824.6.5.g.01', legal_clause: 'Điểm g khoản 5 Điều 6 Nghị định 168/2024/NĐ-CP',
      fine_min: 4_000_000, fine_max: 6_000_000, fine_amount: 5_000_000, points: 2 });
    expect(r.violations[0].details).toMatchObject({ event: 'solid_line', offence: 'solid_line_expressway', expressway: true });

    const bike = await report(BIKE, { event: 'solid_line' }, expresswayKey);
    expect(bike.stage).toBe('dead_lettered');
    const reason = (await t.db.pool.query('SELECT status_reason FROM captures WHERE id = $1', [bike.captureId])).rows[0].status_reason as string;
    expect(reason).toMatch(/^Camera báo sự kiện "chuyển làn qua vạch liền trên đường cao tốc" nhưng xe biển số \S+ là mô tô, xe máy/);

    const offExpressway = await upload({ event: 'emergency_lane' }, await syntheticJpeg({ plate: CAR }));
    expect(offExpressway.statusCode).toBe(400);
    expect(offExpressway.json()).toMatchObject({ error: 'event_not_expected', message: expect.stringContaining('không đặt trên đường cao tốc') });
  });
});

describe('an officer correcting the plate of an event case', () => {
  it('cannot turn a seat-belt case into a motorbike\'s: the decree has no such fine, the case is to be rejected instead', async () => {
    await seedVehicle(t.db.pool, { plate: '30A-579.13', vehicleType: 'car' });
    const r = await report('30A-579.13', { event: 'no_seat_belt', subject: 'passenger' });
    const id = r.violations[0].id as number;
    expect((await t.app.inject({ method: 'POST', url: `/api/v1/violations/${id}/claim`, headers: bearer(officer) })).statusCode).toBe(200);
    const res = await t.app.inject({ method: 'POST', url: `/api/v1/violations/${id}/correct-plate`, headers: bearer(officer), payload: { plate: '29-B1 135.79' } });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ error: 'offence_not_for_category' });
    expect(res.json().message).toContain('chỉ bị xử phạt đối với ô tô: hãy từ chối hồ sơ');
    const after = await t.db.pool.query('SELECT plate_text, vehicle_category, violation_code FROM violations WHERE id = $1', [id]);
    expect(after.rows[0]).toEqual({ plate_text: r.violations[0].plate_text, vehicle_category: 'car', violation_code: '16824.6.3.l.01' });
  });
});

describe('the event is checked at the edge', () => {
  it('refuses an unknown event with 400 and the list of known events in Vietnamese, storing nothing', async () => {
    const before = await countCaptures();
    const res = await upload({ event: 'jaywalking' }, await syntheticJpeg({ plate: CAR }));
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: 'unknown_event' });
    expect(res.json().message).toContain('Sự kiện "jaywalking" không có trong danh sách');
    expect(res.json().message).toContain('no_helmet (không đội mũ bảo hiểm)');
    expect(await countCaptures()).toBe(before);
  });

  it('needs the subject where the clause depends on it, and refuses one where it does not', async () => {
    const image = await syntheticJpeg({ plate: BIKE });
    const missing = await upload({ event: 'no_helmet' }, image);
    expect(missing.statusCode).toBe(400);
    expect(missing.json()).toMatchObject({ error: 'missing_field', message: expect.stringContaining('cần trường subject') });
    const odd = await upload({ event: 'no_helmet', subject: 'pillion' }, image);
    expect(odd.json()).toMatchObject({ error: 'invalid_field', message: expect.stringContaining('driver (người điều khiển) hoặc passenger') });
    const stray = await upload({ event: 'phone', subject: 'driver' }, image);
    expect(stray.json()).toMatchObject({ error: 'invalid_field', message: expect.stringContaining('không có trường subject') });
    const alone = await upload({ subject: 'driver' }, image, redLightKey);
    expect(alone.statusCode).toBe(400);
  });

  it('refuses an event from a camera that is not an analytics camera, and an analytics capture without one', async () => {
    const before = await countCaptures();
    const fromRedLight = await upload({ event: 'phone', signal_phase: 'red' }, await syntheticJpeg({ plate: CAR }), redLightKey);
    expect(fromRedLight.statusCode).toBe(400);
    expect(fromRedLight.json()).toMatchObject({ error: 'event_not_expected', message: expect.stringContaining('không phải camera phân tích sự kiện') });
    const without = await upload({}, await syntheticJpeg({ plate: CAR }));
    expect(without.statusCode).toBe(400);
    expect(without.json()).toMatchObject({ error: 'missing_field', message: expect.stringContaining('phải kèm trường event') });
    expect(await countCaptures()).toBe(before);
  });

  it('refuses an event the camera is not set up to report (a misconfigured or spoofed camera), naming what it does report', async () => {
    const key = await registerCamera(t.app, bearer(operator), { code: 'HN-AI-HELMET', name: 'Camera mũ bảo hiểm', province: 'Thành phố Hà Nội',
      address: 'Phố Kim Mã, Phường Ngọc Hà', cameraType: 'analytics', analyticsEvents: ['no_helmet', 'phone'] });
    const listed = await t.app.inject({ method: 'GET', url: '/api/v1/cameras?limit=200', headers: bearer(operator) });
    expect((listed.json() as { items: { code: string; analyticsEvents: string[] }[] }).items.find((c) => c.code === 'HN-AI-HELMET')?.analyticsEvents)
      .toEqual(['no_helmet', 'phone']);
    const before = await countCaptures();
    const stray = await upload({ event: 'pavement' }, await syntheticJpeg({ plate: BIKE }), key);
    expect(stray.statusCode).toBe(400);
    expect(stray.json()).toMatchObject({ error: 'event_not_expected',
      message: expect.stringMatching(/không được cài đặt để báo sự kiện "đi trên vỉa hè".*không đội mũ bảo hiểm; dùng tay cầm/) });
    expect(await countCaptures()).toBe(before);
    const expected = await upload({ event: 'phone' }, await syntheticJpeg({ plate: BIKE }), key);
    expect(expected.statusCode).toBe(201);
  });

  it('takes only known events in a camera\'s list, each once', async () => {
    for (const analyticsEvents of [['no_helmet', 'speeding'], ['phone', 'phone']]) {
      const res = await t.app.inject({ method: 'POST', url: '/api/v1/cameras', headers: bearer(operator),
        payload: { code: `HN-AI-BAD-${analyticsEvents[1]}`, name: 'Camera', province: 'Thành phố Hà Nội', address: 'Phường Ngọc Hà', cameraType: 'analytics', analyticsEvents } });
      expect(res.statusCode).toBe(400);
    }
  });
});

describe('evidence, re-upload and what people read', () => {
  it('keeps every frame of the event as evidence; the same upload again is the same capture and the same case', async () => {
    const image = await syntheticJpeg({ plate: CAR });
    const frames = [await syntheticJpeg(), await syntheticJpeg()];
    const at = capturedAt();
    const boundary = `----pnevents${Date.now()}`;
    const part = (name: string, value: string) => Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`);
    const file = (name: string, data: Buffer) => Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"; filename="${name}.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`), data, Buffer.from('\r\n')]);
    const payload = Buffer.concat([part('captured_at', at), part('event', 'pavement'), file('image', image), file('frame', frames[0]!), file('frame', frames[1]!),
      Buffer.from(`--${boundary}--\r\n`)]);
    const post = () => t.app.inject({ method: 'POST', url: '/api/v1/captures', payload,
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, 'x-api-key': analyticsKey } });

    const first = await post();
    expect(first.statusCode).toBe(201);
    const { captureId } = first.json();
    expect(await runRecognise(deps, captureId)).toBe('done');
    expect(await runEvaluate(deps, captureId)).toBe('done');
    const again = await post();
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ captureId, duplicate: true });
    expect(await runRecognise(deps, captureId)).toBe('skipped');
    expect(await runEvaluate(deps, captureId)).toBe('skipped');
    const cases = await t.db.pool.query('SELECT violation_id FROM violation_evidence WHERE capture_id = $1', [captureId]);
    expect(cases.rows).toHaveLength(1);

    const view = await t.app.inject({ method: 'GET', url: `/api/v1/violations/${cases.rows[0].violation_id}`, headers: bearer(officer) });
    expect(view.json().violation).toMatchObject({ rule: 'pavement', legalClause: 'Điểm d khoản 6 Điều 6 Nghị định 168/2024/NĐ-CP',
      description: 'Điều khiển xe đi trên vỉa hè, trừ trường hợp điều khiển xe đi qua vỉa hè để vào nhà, cơ quan' });
    // the car's earlier pavement case on this camera is still open: this capture is more evidence of it, with its own frames
    const ours = (view.json().evidence as Array<{ captureId: number; media: Array<{ kind: string }> }>).find((e) => e.captureId === captureId);
    expect(ours?.media.map((m) => m.kind)).toEqual(['frame', 'frame']);
    const capture = await t.app.inject({ method: 'GET', url: `/api/v1/captures/${captureId}`, headers: bearer(operator) });
    expect(capture.json()).toMatchObject({ event: 'pavement', eventSubject: null });
  });

  it('prints the behaviour and its clause on the notice, in Vietnamese', async () => {
    const r = await report(CAR, { event: 'phone' });
    const id = r.violations[0].id as number;
    expect((await t.app.inject({ method: 'POST', url: `/api/v1/violations/${id}/claim`, headers: bearer(officer) })).statusCode).toBe(200);
    const approved = await t.app.inject({ method: 'POST', url: `/api/v1/violations/${id}/approve`, headers: bearer(officer) });
    expect(approved.statusCode).toBe(200);
    const pdf = await readPdf((await deps.storage.get(approved.json().pdfSha256))!);
    expect(pdf.text).toContain('Dùng tay cầm và sử dụng điện thoại');
    expect(pdf.text).toContain('Điểm h khoản 5 Điều 6');
    expect(pdf.text).not.toContain('phone');
  });

  it('names every rule in Vietnamese for spreadsheets and the console, never by its code', () => {
    // the console's dictionary is browser code (it reads the chosen language from the browser): read its Vietnamese half
    const dictionary = readFileSync(new URL('../../src/ui/i18n.ts', import.meta.url), 'utf8');
    const vietnamese = dictionary.slice(dictionary.indexOf('const vi = {'), dictionary.indexOf('const en'));
    for (const rule of RULE_NAMES) {
      expect(ruleLabel(rule)).not.toBe('Vi phạm khác');
      expect(vietnamese).toMatch(new RegExp(`\\brule_${rule}: '[^'_]+'`));
    }
    expect(ruleLabel('no_seat_belt_passenger')).toBe('Chở người không thắt dây an toàn');
  });
});
