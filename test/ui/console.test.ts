import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS, CHROMIUM, accessibilityProblems, consoleLogin } from './browser.js';
import { CONSOLE_DIR } from '../../src/api/routes/ui.js';
import { startPipelineWorkers, type PipelineWorkers } from '../../src/pipeline/workers.js';
import { createPipelineQueues, type PipelineQueues } from '../../src/queue/queues.js';
import { seedDemo } from '../../src/seed/demo.js';
import { seedDemoCaptures } from '../../src/seed/demo-captures.js';
import { plateLines, renderPlateFrame } from '../../src/seed/synthetic-frames.js';
import { ingestCapture } from '../../src/ingest/ingest-capture.js';
import { createHash } from 'node:crypto';
import { createPlateEngine, type PlateEngine } from '../../src/vision/engine.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { decideNotice, staffWithSession } from '../helpers/fixtures.js';
import { startMaintenanceWorker } from '../helpers/maintenance-worker.js';
import { pipelineDeps } from '../helpers/pipeline-deps.js';

/**
 * The console in a real browser (Debian's Chromium driven by playwright-core) against the real API,
 * with cases made by the real pipeline from demo camera frames. Screenshots go to test-artifacts/ui/.
 */
const PASSWORD = 'console-test-password';

let t: TestApp;
let base: string;
let browser: Browser;
let queues: PipelineQueues;
let engine: PlateEngine;
let workers: PipelineWorkers;
// the workers' maintenance handler: the audit chain check the console asks for runs there
let maintenance: { close(): Promise<void> };

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install chromium (or set CHROMIUM_PATH)`);
  if (!existsSync(path.join(CONSOLE_DIR, 'index.html'))) throw new Error('the console is not built: run npm run build:console');
  await mkdir(ARTIFACTS, { recursive: true });
  t = await createTestApp();
  await seedDemo(t.db.pool, { owners: 60, password: PASSWORD, seed: 3 });
  queues = createPipelineQueues(t.config, t.redis);
  engine = await createPlateEngine({ tesseract: false });
  workers = startPipelineWorkers(t.config, pipelineDeps({ pool: t.db.pool, storage: t.app.deps.storage, queues, engine }, 'ui'));
  const sent = await seedDemoCaptures({ pool: t.db.pool, storage: t.app.deps.storage, queues, limits: { maxPixels: 4e7, maxBytes: 2e7 } },
    { count: 7, seed: 3 });
  const deadline = Date.now() + 60_000;
  for (;;) {
    const { rows } = await t.db.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM captures WHERE status IN ('processed', 'dead_lettered')");
    if (rows[0]!.n >= sent.created) break;
    if (Date.now() > deadline) throw new Error('demo captures were not processed in time');
    await new Promise((r) => setTimeout(r, 200));
  }
  maintenance = startMaintenanceWorker(t);
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--no-first-run', '--disable-quic'],
  });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await workers?.close();
  await maintenance?.close();
  await engine?.close();
  await Promise.all(queues?.all().map((q) => q.obliterate({ force: true })) ?? []);
  await queues?.close();
  await t?.close();
});

const loggedIn = (username: string): Promise<Page> => consoleLogin(browser, base, username, PASSWORD);

const shot = (page: Page, name: string) => page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`) });

async function violationStatus(id: number): Promise<{ status: string; reject_reason: string | null }> {
  const { rows } = await t.db.pool.query<{ status: string; reject_reason: string | null }>('SELECT status, reject_reason FROM violations WHERE id = $1', [id]);
  return rows[0]!;
}

describe('the review console', () => {
  it('refuses a wrong password with the reason on the login page', async () => {
    const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    await page.goto(`${base}/console/`);
    await page.fill('#username', 'canbo1');
    await page.fill('#password', 'wrong-password-1');
    await page.click('button[type=submit]');
    // a password check costs about a second now (scrypt N=2^17): wait longer than the default poll
    await expect.poll(() => page.textContent('.login .error'), { timeout: 10_000 }).toContain('Đăng nhập không thành công');
    await page.close();
  });

  it('an officer sees the queue, opens a case with its evidence and owner, approves it with A and sees the notice', async () => {
    const page = await loggedIn('canbo1');
    await page.waitForSelector('#queue .queue-row');
    const rows = await page.$$('#queue .queue-row');
    expect(rows.length).toBeGreaterThanOrEqual(2);
    // page functions run in the browser: given as source text, since this file is type-checked without the DOM
    await expect.poll(() => page.evaluate("[...document.querySelectorAll('.thumb img')].every((i) => i.complete && i.naturalWidth > 0)"), { timeout: 10_000 }).toBe(true);
    await shot(page, '1-queue');

    const id = Number(await rows[0]!.getAttribute('data-id'));
    await rows[0]!.click();
    await page.waitForSelector('#approve:not([disabled])');
    expect(await page.textContent('#claim-note')).toContain('Bạn đang xử lý hồ sơ này');
    await expect.poll(() => page.evaluate("(() => { const img = document.querySelector('.photo img'); return !!img && img.complete && img.naturalWidth > 0; })()"), { timeout: 10_000 }).toBe(true);
    expect(await page.$('.photo .box')).not.toBeNull();
    expect(await page.textContent('#owner-name')).toMatch(/\S/);
    await shot(page, '2-case');

    expect(await accessibilityProblems(page)).toEqual([]);
    await page.keyboard.press('a');
    // a corrected, fuzzy or suspected-clone match first asks the officer to accept the named risk
    await page.waitForSelector('#notice-number, #risk-dialog[open]');
    if (await page.$('#risk-dialog[open]')) {
      await page.click('#risk-confirm');
      expect(await page.textContent('#risk-error')).toContain('đánh dấu xác nhận');
      await page.check('#risk-accept');
      await page.click('#risk-confirm');
    }
    await page.waitForSelector('#notice-number');
    const number = (await page.textContent('#notice-number'))!.trim();
    expect(number).toMatch(/^PN-/);
    const pdf = await page.evaluate(async (url) => {
      const res = await fetch(url);
      return { status: res.status, type: res.headers.get('content-type'), size: (await res.arrayBuffer()).byteLength };
    }, `/api/v1/notices/${encodeURIComponent(number)}/pdf`);
    expect(pdf).toMatchObject({ status: 200, type: 'application/pdf' });
    expect(pdf.size).toBeGreaterThan(10_000);
    // the preview draws the PDF itself (pdf.js bundled with the console), so it shows in any browser
    await page.waitForSelector('#pdf-preview[data-pages="1"] canvas');
    await shot(page, '3-notice');
    expect(await accessibilityProblems(page)).toEqual([]);

    // the decided case shows who decided, when, and links to its notice
    await page.goto(`${base}/console/#/case/${id}`);
    await page.waitForSelector('#decision');
    expect(await page.textContent('#decided-by')).toBe('canbo1');
    expect(await page.textContent('#case-status')).toBe('Đã ra thông báo');
    expect(await page.getAttribute('#decision-notice', 'href')).toBe(`#/notice/${encodeURIComponent(number)}`);
    await shot(page, '3b-decided-case');

    // the notice list finds it by its number
    await page.goto(`${base}/console/#/notices`);
    await page.waitForSelector('#notice-search');
    await page.fill('#search-owner', '12ab');
    await page.click('#search-notices');
    expect(await page.textContent('#owner-error')).toContain('12 chữ số');
    await page.fill('#search-owner', '');
    await page.fill('#search-number', number);
    await page.click('#search-notices');
    await page.waitForFunction(`document.querySelectorAll('#notices .notice-row').length === 1 && location.hash.includes('number=')`);
    expect(await page.textContent('#notices .notice-row a')).toBe(number);
    await shot(page, '3c-notices');
    expect(await accessibilityProblems(page)).toEqual([]);
    expect((await violationStatus(id)).status).toBe('noticed');
    await page.context().close();
  });

  it('an officer rejects a case with a reason from the list', async () => {
    const page = await loggedIn('canbo2');
    await page.waitForSelector('#queue .queue-row');
    const row = (await page.$$('#queue .queue-row'))[0]!;
    const id = Number(await row.getAttribute('data-id'));
    await row.click();
    await page.waitForSelector('#reject:not([disabled])');
    await page.keyboard.press('r');
    await page.waitForSelector('#reject-dialog[open]');
    await page.selectOption('#reject-reason', 'plate_obstructed');
    await shot(page, '4-reject');
    await page.click('#reject-confirm');
    await page.waitForSelector('#queue, #queue-empty');
    expect(await violationStatus(id)).toEqual({ status: 'rejected', reject_reason: 'plate_obstructed' });
    await page.context().close();
  });

  it('an officer filters, sorts and pages the queue, and leaving a case gives it back', async () => {
    const page = await loggedIn('canbo2');
    await page.waitForSelector('#queue .queue-row');
    const total = (await page.$$('#queue .queue-row')).length;
    await page.selectOption('#filter-rule', 'red_light');
    await page.selectOption('#filter-sort', 'read_confidence');
    await page.selectOption('#filter-order', 'desc');
    await page.click('#apply-filters');
    await page.waitForFunction("location.hash.includes('rule=red_light') && location.hash.includes('sort=read_confidence')");
    await page.waitForSelector('#queue .queue-row, #queue-empty');
    const { rows: expected } = await t.db.pool.query<{ id: number }>(
      "SELECT id FROM violations WHERE status = 'pending_review' AND rule = 'red_light' ORDER BY read_confidence DESC, id DESC");
    const shown = await page.$$eval('#queue .queue-row', (trs) => trs.map((tr) => Number(tr.getAttribute('data-id'))));
    expect(shown).toEqual(expected.map((r) => r.id));
    expect(await page.inputValue('#filter-rule')).toBe('red_light');
    await shot(page, '4a-queue-filtered');
    expect(await accessibilityProblems(page)).toEqual([]);

    // a filter nothing matches says what to do (no violation is older than the product; a perfect read can score 1)
    await page.fill('#filter-to', '2001-01-01');
    await page.click('#apply-filters');
    await page.waitForSelector('#queue-empty');
    expect(await page.textContent('#queue-empty')).toContain('Bỏ lọc');

    // open a case: claimed; the visible button gives it back, and so does simply leaving it
    await page.goto(`${base}/console/#/queue`);
    await page.waitForSelector('#queue .queue-row');
    expect((await page.$$('#queue .queue-row')).length).toBe(total);
    const id = Number(await (await page.$('#queue .queue-row'))!.getAttribute('data-id'));
    await page.click(`#queue .queue-row[data-id="${id}"]`);
    await page.waitForSelector('#release');
    const claimedBy = async () => (await t.db.pool.query<{ claimed_by: number | null }>('SELECT claimed_by FROM violations WHERE id = $1', [id])).rows[0]!.claimed_by;
    expect(await claimedBy()).not.toBeNull();
    await page.click('#release');
    await page.waitForSelector('#queue');
    expect(await claimedBy()).toBeNull();
    await page.click(`#queue .queue-row[data-id="${id}"]`);
    await page.waitForSelector('#release');
    expect(await claimedBy()).not.toBeNull();
    await page.click('nav a[href="#/notices"]');
    await page.waitForSelector('#notice-search');
    await expect.poll(claimedBy).toBeNull();
    await page.context().close();
  });

  it('the public lookup (the QR target) works on a 360 px phone without login and shows only the plate area', async () => {
    const { rows } = await t.db.pool.query<{ plate_text: string }>(
      "SELECT v.plate_text FROM notices n JOIN violations v ON v.id = n.violation_id WHERE n.status <> 'cancelled' LIMIT 1");
    const plate = rows[0]!.plate_text;
    const context = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh', bypassCSP: true });
    const page = await context.newPage();
    await page.goto(`${base}/tra-cuu`);
    await page.click('#search');
    expect(await page.textContent('#plate-error')).toContain('Vui lòng nhập');
    await page.fill('#plate', 'abcdef');
    await page.click('#search');
    await expect.poll(() => page.textContent('#plate-error')).toContain('không phải là biển số');
    await shot(page, '7a-lookup-error-360');

    await page.goto(`${base}/tra-cuu?plate=${encodeURIComponent(plate)}`);
    await page.waitForSelector('#summary');
    expect(await page.textContent('.result h2')).toContain(plate);
    expect(await page.textContent('.result')).toContain('Chưa xử phạt');
    await page.waitForFunction("(() => { const i = document.querySelector('.plate-photo'); return !!i && i.complete && i.naturalWidth > 0; })()");
    // nothing wider than the phone: no sideways scrolling
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(360);
    const body = await page.textContent('body');
    const { rows: owners } = await t.db.pool.query<{ full_name: string; national_id: string | null }>(
      `SELECT o.full_name, o.national_id FROM notices n JOIN violations v ON v.id = n.violation_id JOIN owners o ON o.id = v.owner_id LIMIT 5`);
    for (const o of owners) { expect(body).not.toContain(o.full_name); if (o.national_id) expect(body).not.toContain(o.national_id); }
    await shot(page, '7b-lookup-360');
    expect(await accessibilityProblems(page)).toEqual([]);

    await page.goto(`${base}/tra-cuu?plate=30A-999.99`);
    await page.waitForSelector('#no-results');
    await context.close();
  });

  it('an officer sees the further frames, the video clip and the amber time of a red-light capture', async () => {
    const { rows: [car] } = await t.db.pool.query<{ plate: string }>(
      "SELECT plate FROM vehicles WHERE plate_colour = 'white' AND vehicle_type = 'car' ORDER BY id LIMIT 1");
    const frame = (seed: number) => renderPlateFrame(plateLines(car!.plate, 'one-line'), { seed, plateColour: 'white' });
    // a real WebM clip, recorded by the browser itself from a canvas, so the player is shown one it can decode and play
    const recorder = await browser.newPage();
    const recorded = await recorder.evaluate(`new Promise((done) => {
      const canvas = document.createElement('canvas'); canvas.width = 160; canvas.height = 120;
      const g = canvas.getContext('2d');
      const rec = new MediaRecorder(canvas.captureStream(10), { mimeType: 'video/webm' });
      const parts = []; rec.ondataavailable = (e) => parts.push(e.data);
      rec.onstop = () => new Blob(parts).arrayBuffer().then((b) => { let s = ''; new Uint8Array(b).forEach((x) => { s += String.fromCharCode(x); }); done(btoa(s)); });
      let i = 0; const tick = setInterval(() => { g.fillStyle = i++ % 2 ? '#c00' : '#0a0'; g.fillRect(0, 0, 160, 120); }, 50);
      rec.start(); setTimeout(() => { clearInterval(tick); rec.stop(); }, 800);
    })`) as string;
    await recorder.close();
    const clip = Buffer.from(recorded, 'base64');
    const ingested = await ingestCapture({ pool: t.db.pool, storage: t.app.deps.storage, queues, limits: { maxPixels: 4e7, maxBytes: 2e7 } }, {
      camera: { code: 'HN-CAUGIAY-XUANTHUY' }, image: await frame(901), frames: [await frame(902), await frame(903)], clip, source: 'http', sourceName: 'amber.jpg',
      metadata: { capturedAt: new Date(Date.now() - 3_600_000), speedKmh: null, signalPhase: 'amber', redElapsedMs: null, amberElapsedMs: 1800, lane: null, direction: null },
    });
    let violationId: number | undefined;
    await expect.poll(async () => {
      const { rows } = await t.db.pool.query<{ violation_id: number }>('SELECT violation_id FROM violation_evidence WHERE capture_id = $1', [ingested.captureId]);
      violationId = rows[0]?.violation_id;
      return violationId;
    }, { timeout: 30_000 }).toBeDefined();

    const page = await loggedIn('canbo2');
    await page.goto(`${base}/console/#/case/${violationId}`);
    await page.waitForSelector(`.capture-media[data-capture="${ingested.captureId}"]`);
    expect(await page.evaluate("[...document.querySelectorAll('[data-extra-frame]')].map((e) => e.getAttribute('data-extra-frame'))")).toEqual(['1', '2']);
    await expect.poll(() => page.evaluate("[...document.querySelectorAll('[data-extra-frame] img')].every((i) => i.complete && i.naturalWidth > 0)"),
      { timeout: 10_000 }).toBe(true);
    expect(await page.textContent('.capture-media')).toContain('Đoạn video');
    const clipUrl = (await page.getAttribute('video[data-clip] source', 'src'))!;
    const served = await page.evaluate(`fetch(${JSON.stringify(clipUrl)}).then((r) => r.headers.get('x-content-sha256'))`);
    expect(served).toBe(createHash('sha256').update(clip).digest('hex'));
    // the officer can play it: the browser decodes the served clip and its time runs
    const played = await page.evaluate(`(async () => { const v = document.querySelector('video[data-clip]'); v.muted = true;
      await v.play(); await new Promise((r) => setTimeout(r, 400)); return { time: v.currentTime, error: v.error ? v.error.code : null }; })()`) as { time: number; error: number | null };
    expect(played.error).toBeNull();
    expect(played.time).toBeGreaterThan(0);
    expect(await page.textContent(`[data-amber="1800"]`)).toContain('sau khi đèn vàng bật 1800 ms');
    expect(await page.textContent('.evidence figcaption')).toContain('đèn vàng');
    expect(await page.textContent('#registered')).toContain('Ô tô');
    expect(await page.textContent('#registered')).not.toMatch(/\bcar\b/);
    await page.click('[data-extra-frame="2"]');
    await page.waitForSelector('#zoom-dialog[open]');
    expect(await page.getAttribute('#zoom-image', 'src')).toContain(`/api/v1/evidence/${ingested.captureId}/frames/2`);
    await page.click('#zoom-close');
    await shot(page, '2b-case-frames-clip');
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.context().close();
  });

  it('an operator sets a no-entry sign\'s banned kinds and hours and a no-stopping camera\'s dwell times, with errors next to the fields', async () => {
    const page = await loggedIn('vanhanh');
    await page.waitForSelector('#cameras');
    expect(await page.textContent('tr[data-code="HN-TRANGTIEN-NOSTOP"]')).toContain('Cấm dừng và đỗ');
    expect(await page.textContent('tr[data-code="HN-HANGBAI-NOENTRY"]')).toContain('Ngược chiều');

    await page.click('button[data-edit="HN-TRANHUNGDAO-NOTRUCK"]');
    expect(await page.inputValue('#cam-noEntryHours')).toBe('06:00-09:00, 16:00-20:00');
    expect(await page.isChecked('#cam-kinds input[value=truck]')).toBe(true);
    await page.uncheck('#cam-kinds input[value=truck]');
    await page.fill('#cam-noEntryHours', '06:00-09:00, 7h-8h');
    await page.click('#camera-save');
    expect(await page.textContent('#cam-kinds-error')).toContain('Chọn ít nhất một loại xe');
    expect(await page.textContent('#cam-noEntryHours-error')).toContain('06:00-09:00');
    expect(await page.getAttribute('#cam-noEntryHours', 'aria-invalid')).toBe('true');
    await page.check('#cam-kinds input[value=truck]');
    await page.check('#cam-kinds input[value=bus]');
    await page.fill('#cam-noEntryHours', '22:00-05:00');
    expect(await page.textContent('#cam-noEntryHours-error')).toBe('');
    expect(await page.textContent('#cam-kinds-error')).toBe('');
    await shot(page, '5b-camera-no-entry');
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.click('#camera-save');
    await page.waitForSelector('#flash:has-text("HN-TRANHUNGDAO-NOTRUCK")');
    const sign = await t.db.pool.query("SELECT no_entry_vehicle_types, no_entry_hours FROM cameras WHERE code = 'HN-TRANHUNGDAO-NOTRUCK'");
    expect(sign.rows[0]).toEqual({ no_entry_vehicle_types: ['truck', 'bus'], no_entry_hours: [{ from: '22:00', to: '05:00' }] });

    await page.click('button[data-edit="HN-TRANGTIEN-NOSTOP"]');
    await page.fill('#cam-stopDwellS', '400');
    await page.click('#camera-save');
    expect(await page.textContent('#cam-stopDwellS-error')).toContain('ngắn hơn thời gian tính là đỗ xe');
    await page.fill('#cam-stopDwellS', '2');
    await page.click('#camera-save');
    expect(await page.textContent('#cam-stopDwellS-error')).toContain('từ 5 đến 86400');
    await page.fill('#cam-stopDwellS', '90');
    await page.click('#camera-save');
    await page.waitForSelector('#flash:has-text("HN-TRANGTIEN-NOSTOP")');
    const dwell = await t.db.pool.query("SELECT stop_dwell_s, no_parking_dwell_s FROM cameras WHERE code = 'HN-TRANGTIEN-NOSTOP'");
    expect(dwell.rows[0]).toEqual({ stop_dwell_s: 90, no_parking_dwell_s: 300 });
    await page.context().close();
  });

  it('an operator changes a camera threshold and sees it saved', async () => {
    const page = await loggedIn('vanhanh');
    await page.waitForSelector('#cameras');
    await page.click('button[data-edit="BG-QL1A-KM112"]');
    await page.fill('#camera-form input[name=detectThreshold]', '0.45');
    // draw an overlay mask on the camera's latest frame: drag across its top-left corner
    await page.waitForFunction("(() => { const i = document.querySelector('#frame img'); return !!i && i.complete && i.naturalWidth > 0; })()");
    const frame = (await page.locator('#frame').boundingBox())!;
    await page.mouse.move(frame.x + 2, frame.y + 2);
    await page.mouse.down();
    await page.mouse.move(frame.x + frame.width * 0.3, frame.y + frame.height * 0.1, { steps: 4 });
    await page.mouse.up();
    await page.waitForSelector('#mask-list li');
    await shot(page, '5-camera-settings');
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.click('#camera-save');
    await page.waitForSelector('#flash');
    const { rows } = await t.db.pool.query<{ detect_threshold: number; overlay_masks: Array<{ x: number; y: number; width: number; height: number }> }>(
      "SELECT detect_threshold, overlay_masks FROM cameras WHERE code = 'BG-QL1A-KM112'");
    expect(rows[0]!.detect_threshold).toBeCloseTo(0.45, 5);
    expect(rows[0]!.overlay_masks).toHaveLength(1);
    const mask = rows[0]!.overlay_masks[0]!;
    expect(mask.x).toBeLessThan(0.02);
    expect(mask.width).toBeGreaterThan(0.25);
    expect(mask.width).toBeLessThan(0.35);
    await page.context().close();
  });

  it('an operator registers a speed camera with its speed limit in one step (errors next to the fields, key shown once), rotates its key, and sees charts, dead letters and the monitoring links', async () => {
    const page = await loggedIn('vanhanh');
    await page.waitForSelector('#cameras');
    await page.waitForSelector('#camera-chart rect');
    expect(await page.getAttribute('#queue-dashboard', 'href')).toBe('/admin/queues');
    expect(await page.getAttribute('#metrics-link', 'href')).toBe('/metrics');
    await page.waitForSelector('#dead-letters');
    await page.fill('#reg-code', 'hn test');
    await page.click('#register-camera');
    expect(await page.textContent('#reg-code-error')).toContain('HN-CG-001');
    expect(await page.textContent('#reg-name-error')).toContain('Bắt buộc');
    await page.fill('#reg-code', 'HN-UI-900');
    await page.fill('#reg-name', 'Ngã tư thử nghiệm');
    await page.fill('#reg-province', 'Hà Nội');
    await page.fill('#reg-address', 'Số 1 Tràng Tiền');
    // the type's own settings appear with the type: a no-entry sign asks for the kinds it bans
    expect(await page.$('#reg-kinds')).toBeNull();
    await page.selectOption('#reg-type', 'no_entry');
    await page.waitForSelector('#reg-kinds');
    await page.click('#register-camera');
    expect(await page.textContent('#reg-kinds-error')).toContain('Chọn ít nhất một loại xe');
    // a speed camera asks for its speed limit, checked against the API's limits, next to the field
    await page.selectOption('#reg-type', 'speed');
    expect(await page.$('#reg-kinds')).toBeNull();
    await page.waitForSelector('#reg-speedLimitKmh');
    await page.click('#register-camera');
    expect(await page.textContent('#reg-speedLimitKmh-error')).toContain('tốc độ giới hạn');
    expect(await page.getAttribute('#reg-speedLimitKmh', 'aria-invalid')).toBe('true');
    await page.fill('#reg-speedLimitKmh', '200');
    expect(await page.textContent('#reg-speedLimitKmh-error')).toBe('');
    await page.click('#register-camera');
    expect(await page.textContent('#reg-speedLimitKmh-error')).toContain('từ 5 đến 150');
    await page.fill('#reg-speedLimitKmh', '60');
    await page.fill('#reg-speedToleranceKmh', '3');
    await shot(page, '10c-camera-register-speed');
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.click('#register-camera');
    await page.waitForSelector('#key-dialog[open]');
    const key = (await page.textContent('#api-key'))!;
    expect(key.length).toBeGreaterThan(20);
    const { rows } = await t.db.pool.query("SELECT camera_type, speed_limit_kmh, speed_tolerance_kmh FROM cameras WHERE code = 'HN-UI-900'");
    expect(rows).toEqual([{ camera_type: 'speed', speed_limit_kmh: 60, speed_tolerance_kmh: 3 }]);
    await shot(page, '10a-camera-key');
    await page.click('#key-close');
    expect(await page.textContent('tr[data-code="HN-UI-900"]')).toContain('Đo tốc độ');
    // an analytics camera reports its own events; its one setting says whether it watches an expressway
    await page.fill('#reg-code', 'HN-UI-901');
    await page.fill('#reg-name', 'Cao tốc thử nghiệm');
    await page.fill('#reg-province', 'Hà Nội');
    await page.fill('#reg-address', 'Cao tốc Pháp Vân - Cầu Giẽ, Km 190');
    await page.selectOption('#reg-type', 'analytics');
    await page.waitForSelector('#reg-expressway');
    await page.check('#reg-expressway');
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.click('#register-camera');
    await page.waitForSelector('#key-dialog[open]');
    await page.click('#key-close');
    const analytics = await t.db.pool.query("SELECT camera_type, expressway FROM cameras WHERE code = 'HN-UI-901'");
    expect(analytics.rows).toEqual([{ camera_type: 'analytics', expressway: true }]);
    expect(await page.textContent('tr[data-code="HN-UI-901"]')).toContain('Phân tích sự kiện');
    // the same code again is refused next to the code
    await page.fill('#reg-code', 'HN-UI-900');
    await page.fill('#reg-name', 'Trùng mã');
    await page.fill('#reg-province', 'Hà Nội');
    await page.fill('#reg-address', 'Số 2 Tràng Tiền');
    await page.selectOption('#reg-type', 'red_light');
    await page.click('#register-camera');
    await expect.poll(() => page.textContent('#reg-code-error')).toContain('đã được đăng ký');
    page.on('dialog', (dialog) => { void dialog.accept(); });
    await page.click('button[data-rotate="HN-UI-900"]');
    await page.waitForSelector('#key-dialog[open]');
    expect(await page.textContent('#api-key')).not.toBe(key);
    await page.click('#key-close');
    await shot(page, '10b-cameras');
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.context().close();
  });

  it('an operator sees more cameras than fit one page with "Xem thêm", their figures and chart included', async () => {
    await t.db.pool.query(`INSERT INTO cameras (code, name, province, address, camera_type)
                           SELECT 'ZZ-PAGE-' || lpad(i::text, 2, '0'), 'Camera trang ' || i, 'Hà Nội', 'Phố thử ' || i, 'red_light' FROM generate_series(1, 55) i`);
    try {
      const total = (await t.db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM cameras')).rows[0]!.n;
      const page = await loggedIn('vanhanh');
      await page.waitForSelector('#cameras');
      expect(await page.locator('#cameras tbody tr').count()).toBe(50);
      expect(await page.textContent('#cameras-more-shown')).toContain('50');
      await page.click('#cameras-more');
      await expect.poll(() => page.locator('#cameras tbody tr').count()).toBe(total);
      expect(await page.isHidden('#cameras-more')).toBe(true);
      expect(await page.textContent(`tr[data-code="ZZ-PAGE-55"]`)).toContain('Camera trang 55');
      expect(await page.locator('#camera-chart text', { hasText: 'ZZ-PAGE-55' }).count()).toBe(1);
      await page.context().close();
    } finally {
      await t.db.pool.query("DELETE FROM cameras WHERE code LIKE 'ZZ-PAGE-%'");
    }
  });

  it('finance records a payment (errors next to the fields), imports a statement, sees aging and downloads CSV and Excel', async () => {
    // a notice of a person (who can answer "I was driving"): the fine is paid against the decision made on it
    const { rows } = await t.db.pool.query<{ notice_number: string; amount: number }>(
      `SELECT n.notice_number, n.amount FROM notices n JOIN violations v ON v.id = n.violation_id JOIN owners o ON o.id = v.owner_id
       WHERE n.status = 'issued' AND o.kind = 'person' ORDER BY n.id LIMIT 1`);
    const notice = rows[0]!;
    // now, and today, in Vietnam: payments are dated on or after the day their notice was issued
    const now = new Date();
    const paidAt = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Ho_Chi_Minh', year: 'numeric', month: '2-digit', day: '2-digit',
      hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(now).replace(' ', 'T');
    const today = paidAt.slice(0, 10);
    const page = await loggedIn('ketoan');
    await page.waitForSelector('#finance-chart');
    await page.fill('#pay-number', 'PN-1');
    await page.click('#pay-submit');
    expect(await page.textContent('#pay-number-error')).toContain('PN-PC08-2026-000001');
    expect(await page.textContent('#pay-reference-error')).toContain('Bắt buộc');
    await page.fill('#pay-number', notice.notice_number);
    await page.fill('#pay-amount', String(notice.amount));
    await page.fill('#pay-date', '2020-01-01T09:30');
    await page.selectOption('#pay-method', 'cash');
    await page.fill('#pay-reference', 'BL-0001');
    await page.click('#pay-submit');
    await expect.poll(() => page.textContent('#pay-date-error')).toContain('trước ngày ra thông báo');
    await page.fill('#pay-date', paidAt);
    await page.click('#pay-submit');
    await expect.poll(() => page.textContent('#pay-number-error')).toContain('chưa có quyết định xử phạt');

    const { decisionNumber, totalAmount } = await decideNotice(t.app, await staffWithSession(t.db.pool, 'officer'), notice.notice_number);
    await page.fill('#pay-amount', '1000');
    await page.click('#pay-submit');
    await expect.poll(() => page.textContent('#pay-amount-error')).toContain('Phải nộp đủ');
    expect(await page.textContent('#pay-number-error')).toBe('');
    await shot(page, '8a-finance-payment-error');
    await page.fill('#pay-amount', String(totalAmount));
    await page.click('#pay-submit');
    await expect.poll(() => page.textContent('#pay-result')).toContain(notice.notice_number);
    expect(await page.textContent('#pay-result')).toContain(decisionNumber);
    const paid = await t.db.pool.query<{ status: string }>('SELECT status FROM notices WHERE notice_number = $1', [notice.notice_number]);
    expect(paid.rows[0]!.status).toBe('resolved');

    await page.setInputFiles('#statement-file', { name: 'saoke.csv', mimeType: 'text/csv',
      buffer: Buffer.from(`date,amount,reference,description\n${today},${totalAmount},FT-9,nop phat ${notice.notice_number}\n${today},5000,FT-10,tien dien\n`) });
    await page.click('#import-submit');
    await page.waitForSelector('#reconciliation');
    expect(await page.textContent('#reconciliation-summary')).toContain('Không khớp: 2');
    expect(await page.textContent('#reconciliation')).toContain('quyết định đã nộp');
    expect(await page.textContent('#reconciliation')).toContain('không có số thông báo');
    await page.waitForSelector('#outstanding, #aging .empty');
    await shot(page, '8b-finance-import');
    expect(await accessibilityProblems(page)).toEqual([]);

    const downloads = await page.evaluate<Array<{ type: string | null; head: number[] }>>(`Promise.all(['export-csv', 'export-xlsx'].map(async (id) => {
      const res = await fetch(document.getElementById(id).href);
      const bytes = new Uint8Array(await res.arrayBuffer());
      return { type: res.headers.get('content-type'), head: Array.from(bytes.slice(0, 3)) };
    }))`);
    expect(downloads[0]).toEqual({ type: 'text/csv; charset=utf-8', head: [0xef, 0xbb, 0xbf] });
    expect(downloads[1]!.type).toContain('spreadsheetml');
    expect(downloads[1]!.head.slice(0, 2)).toEqual([0x50, 0x4b]); // a zip: the .xlsx container
    await page.selectOption('#period-group', 'rule');
    await page.click('#period-form button[type=submit]');
    await page.waitForFunction("location.hash.includes('group=rule') && !!document.querySelector('#finance-chart')");
    expect(await page.textContent('#totals')).toMatch(/Vượt đèn đỏ|Quá tốc độ|Sai làn|Đỗ xe|Đi vào/);
    await shot(page, '8c-finance-by-rule');
    await page.context().close();
  });

  it('an admin creates a user (errors next to the fields), changes a role, disables them, and verifies the audit chain', async () => {
    const page = await loggedIn('admin');
    await page.goto(`${base}/console/#/users`);
    await page.waitForSelector('#users');
    await page.fill('#new-username', 'X');
    await page.click('#user-create');
    expect(await page.textContent('#new-username-error')).toContain('3–64');
    expect(await page.textContent('#new-password-error')).toContain('12 ký tự');
    await page.fill('#new-username', 'canbo1');
    await page.fill('#new-fullname', 'Nguyễn Văn Mới');
    await page.fill('#new-password', 'mat-khau-rat-dai-1');
    await page.click('#user-create');
    // the password is hashed (about a second with scrypt N=2^17) before the duplicate name is found: wait longer than the default poll
    await expect.poll(() => page.textContent('#new-username-error'), { timeout: 10_000 }).toContain('đã có người dùng');
    await page.fill('#new-username', 'canbo9');
    await page.click('#user-create');
    await page.waitForSelector('tr[data-user="canbo9"]');
    await page.selectOption('select[data-role-for="canbo9"]', 'finance');
    await expect.poll(async () => (await t.db.pool.query<{ role: string }>("SELECT role FROM users WHERE username = 'canbo9'")).rows[0]!.role).toBe('finance');
    await page.waitForSelector('button[data-toggle="canbo9"]');
    await page.click('button[data-toggle="canbo9"]');
    await expect.poll(async () => (await t.db.pool.query<{ active: boolean }>("SELECT active FROM users WHERE username = 'canbo9'")).rows[0]!.active).toBe(false);
    await page.click('button[data-reset="canbo9"]');
    await page.fill('#reset-password', 'ngan');
    await page.click('#reset-confirm');
    expect(await page.textContent('#reset-error')).toContain('12 ký tự');
    await page.click('#reset-dialog button[type=button]');
    await shot(page, '9a-users');
    expect(await accessibilityProblems(page)).toEqual([]);

    await page.goto(`${base}/console/#/audit?entity_type=user`);
    await page.waitForSelector('#audit');
    // the workers verify the chain; the console polls the request until they are done
    await page.click('#verify-chain');
    await expect.poll(() => page.textContent('#verify-result'), { timeout: 15_000 }).toContain('Chuỗi nhật ký nguyên vẹn');
    expect(await t.db.pool.query("SELECT 1 FROM audit_verifications WHERE request_id IS NOT NULL AND ok")).toMatchObject({ rowCount: 1 });
    await shot(page, '9b-audit');
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.context().close();
  });

  it('finance sees collected and outstanding by month, and the interface switches to English', async () => {
    const page = await loggedIn('ketoan');
    await page.waitForSelector('#finance-chart');
    expect(await page.textContent('#total-outstanding')).toMatch(/₫$/);
    await shot(page, '6-finance');
    await page.click('#lang');
    await expect.poll(() => page.evaluate("document.querySelector('h1')?.textContent === 'Fines collected'"), { timeout: 10_000 }).toBe(true);
    await page.context().close();
  });
});
