import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { startPipelineWorkers, type PipelineWorkers } from '../../src/pipeline/workers.js';
import { createPipelineQueues, type PipelineQueues } from '../../src/queue/queues.js';
import { importRegistryCsv } from '../../src/registry/csv-import.js';
import { createPlateEngine, type PlateEngine } from '../../src/vision/engine.js';
import { bearer, staffMember, type Staff } from '../admin/fixtures.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { startMaintenanceWorker } from '../helpers/maintenance-worker.js';
import { tamperAsSuperuser } from '../helpers/tamper.js';
import { multipartBody, syntheticJpeg } from '../ingest/fixtures.js';
import { decideNotice } from '../helpers/fixtures.js';
import { readPdf } from '../notices/pdf-text.js';
import { pipelineDeps } from '../helpers/pipeline-deps.js';

/**
 * The whole product through its HTTP API, on real PostgreSQL and Redis with a real worker:
 * a camera reports a speeding car, the worker reads the plate and prices the violation, an officer
 * approves it, the owner's notice is rendered, the public lookup shows it, finance records the
 * payment and the case closes; the audit trail of all this verifies, and tampering is caught.
 */
let t: TestApp;
let queues: PipelineQueues;
let engine: PlateEngine;
let workers: PipelineWorkers;
let admin: Staff, operator: Staff, officer: Staff, finance: Staff;

const PLATE = '30A-123.45';
const REGISTRY_CSV = [
  'plate,plate_colour,vehicle_type,make,model,colour,registered_at,owner_kind,national_id,tax_code,full_name,address,province,phone,email,basis,valid_from,valid_to',
  `${PLATE},white,car,Toyota,Vios,trắng,2023-05-02,person,001090012345,,Nguyễn Văn Bình,"Số 12 Phố Huế, Hai Bà Trưng",Hà Nội,0912345678,,registration,2023-05-02,`,
].join('\n');

beforeAll(async () => {
  t = await createTestApp();
  admin = await staffMember(t, 'flow.admin', 'admin');
  operator = await staffMember(t, 'flow.operator', 'operator');
  officer = await staffMember(t, 'flow.officer', 'officer');
  finance = await staffMember(t, 'flow.finance', 'finance');
  queues = createPipelineQueues(t.config, t.redis);
  engine = await createPlateEngine();
  workers = startPipelineWorkers(t.config, pipelineDeps({ pool: t.db.pool, storage: t.app.deps.storage, queues, engine }, 'flow'));
}, 120_000);

afterAll(async () => {
  await workers?.close();
  await engine?.close();
  await Promise.all(queues?.all().map((q) => q.obliterate({ force: true })) ?? []);
  await queues?.close();
  await t?.close();
});

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('capture → review → notice → payment → closed', () => {
  let apiKey: string;
  let captureId: number;
  let violationId: number;
  let noticeNumber: string;

  it('an operator registers a speed camera and gets its API key once', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/cameras', headers: bearer(operator), payload: {
      code: 'HN-VD3-FLOW', name: 'Vành đai 3 - Khuất Duy Tiến', province: 'Hà Nội',
      address: 'Đường Vành đai 3 trên cao, Thanh Xuân, Hà Nội', cameraType: 'speed', speedLimitKmh: 80,
    } });
    expect(res.statusCode).toBe(201);
    apiKey = res.json().apiKey;
    expect(apiKey).toMatch(/^cam_/);
  });

  it('the registry export names the owner of the car', async () => {
    const report = await importRegistryCsv(t.db.pool, Readable.from([REGISTRY_CSV]));
    expect(report).toMatchObject({ rows: 1, accepted: 1, rejected: 0 });
  });

  it('the camera uploads a frame of the car at 95 km/h and a worker processes it', async () => {
    const image = await syntheticJpeg({ width: 640, height: 360, plate: PLATE });
    const body = multipartBody({ captured_at: new Date(Date.now() - 120_000).toISOString(), speed_kmh: '95', lane: '2' },
      { filename: 'frame.jpg', data: image });
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/captures', headers: { ...body.headers, 'x-api-key': apiKey }, payload: body.payload });
    expect(res.statusCode).toBe(201);
    captureId = res.json().captureId;

    const again = await t.app.inject({ method: 'POST', url: '/api/v1/captures', headers: { ...body.headers, 'x-api-key': apiKey }, payload: body.payload });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ captureId, duplicate: true });

    const detail = await until<{ reads: Array<{ plateText: string }> }>('the capture to be processed', async () => {
      const r = await t.app.inject({ method: 'GET', url: `/api/v1/captures/${captureId}`, headers: bearer(operator) });
      return r.json().status === 'processed' ? r.json() : undefined;
    });
    expect(detail.reads[0]?.plateText).toBe(PLATE);
  });

  it('the violation waits for review, priced under Decree 168 (car, 15 km/h over: 6.5.đ, 4-6M, 2 points)', async () => {
    const queue = await t.app.inject({ method: 'GET', url: '/api/v1/review/queue', headers: bearer(officer) });
    expect(queue.statusCode).toBe(200);
    const item = queue.json().items.find((i: { plateText: string }) => i.plateText === PLATE);
    expect(item).toBeDefined();
    violationId = item.id;
    const res = await t.app.inject({ method: 'GET', url: `/api/v1/violations/${violationId}`, headers: bearer(officer) });
    const c = res.json();
    expect(c.violation).toMatchObject({ rule: 'speeding', violationCode: '16824.6.5.đ.01', fineAmount: 5_000_000, points: 2, matchStatus: 'exact' });
    expect(c.violation.legalClause).toBe('Điểm đ khoản 5 Điều 6 Nghị định 168/2024/NĐ-CP');
    expect(c.registered).toMatchObject({ plate: PLATE, vehicleType: 'car', make: 'Toyota',
      owner: { fullName: 'Nguyễn Văn Bình', identifier: '001090012345', basis: 'registration' } });
  });

  it('an officer claims and approves it; the notice is issued and its PDF rendered', async () => {
    const claim = await t.app.inject({ method: 'POST', url: `/api/v1/violations/${violationId}/claim`, headers: bearer(officer) });
    expect(claim.statusCode).toBe(200);
    const approve = await t.app.inject({ method: 'POST', url: `/api/v1/violations/${violationId}/approve`, headers: bearer(officer) });
    expect(approve.statusCode).toBe(200);
    noticeNumber = approve.json().noticeNumber;
    expect(approve.json().pdfSha256).toMatch(/^[0-9a-f]{64}$/);

    const pdf = await t.app.inject({ method: 'GET', url: `/api/v1/notices/${encodeURIComponent(noticeNumber)}/pdf`, headers: bearer(officer) });
    expect(pdf.statusCode).toBe(200);
    expect(pdf.headers['content-type']).toContain('application/pdf');
    const { text } = await readPdf(pdf.rawPayload);
    for (const expected of [noticeNumber, PLATE, 'Nguyễn Văn Bình', '5.000.000', 'Nghị định 168/2024/NĐ-CP', 'Vành đai 3']) {
      expect(text).toContain(expected);
    }
  });

  it('the public lookup shows the fine without personal data', async () => {
    const res = await t.app.inject({ method: 'GET', url: `/api/v1/lookup?plate=${encodeURIComponent(PLATE)}` });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Chưa xử phạt');
    expect(res.body).not.toContain('Nguyễn Văn Bình');
    expect(res.body).not.toContain('001090012345');
  });

  it('the owner drove: a record and a decision; finance records the payment against it; the notice resolves, the case closes and the lookup says so', async () => {
    await decideNotice(t.app, { headers: bearer(officer) }, noticeNumber);
    const payment = { noticeNumber, amount: 5_000_000, paidAt: new Date().toISOString(), method: 'bank_transfer', reference: 'FT26326001' };
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/payments', headers: bearer(finance), payload: payment });
    expect(res.statusCode).toBe(201);
    const replay = await t.app.inject({ method: 'POST', url: '/api/v1/payments', headers: bearer(finance), payload: payment });
    expect(replay.statusCode).toBe(200);

    const notice = await t.app.inject({ method: 'GET', url: `/api/v1/notices/${encodeURIComponent(noticeNumber)}`, headers: bearer(finance) });
    expect(notice.json().status).toBe('resolved');
    const c = await t.app.inject({ method: 'GET', url: `/api/v1/violations/${violationId}`, headers: bearer(officer) });
    expect(c.json().violation.status).toBe('closed');
    const lookup = await t.app.inject({ method: 'GET', url: `/api/v1/lookup?plate=${encodeURIComponent(PLATE)}` });
    expect(lookup.body).toContain('Đã xử phạt');
  });

  it('the audit trail holds every step and verifies (in the workers); editing one row is detected', async () => {
    const worker = startMaintenanceWorker(t);
    const verify = async () => {
      const asked = await t.app.inject({ method: 'POST', url: '/api/v1/audit/verifications', headers: bearer(admin), payload: { full: true } });
      expect(asked.statusCode).toBe(202);
      for (let i = 0; i < 200; i++) {
        const status = (await t.app.inject({ method: 'GET', url: `/api/v1/audit/verifications/requests/${asked.json().request.requestId}`, headers: bearer(admin) })).json();
        if (status.state === 'done') return status.run;
        expect(status.state).not.toBe('failed');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error('the verification did not finish');
    };
    onTestFinished(() => worker.close());
    expect(await verify()).toMatchObject({ ok: true });
    const { rows } = await t.db.pool.query<{ action: string }>('SELECT action FROM audit_log ORDER BY id');
    const actions = rows.map((r) => r.action);
    for (const a of ['camera.created', 'violation.created', 'violation.approved', 'notice.issued', 'notice.owner_responded', 'record.made', 'decision.issued', 'payment.recorded']) {
      expect(actions).toContain(a);
    }
    // the table refuses UPDATE; a superuser who switches its triggers off is still caught
    await tamperAsSuperuser(t.db.pool, `UPDATE audit_log SET details = jsonb_set(details, '{amount}', '1') WHERE action = 'payment.recorded'`);
    expect(await verify()).toMatchObject({ ok: false, problem: 'edited' });
  });
});
