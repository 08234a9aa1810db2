import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS, CHROMIUM, accessibilityProblems, consoleLogin } from './browser.js';
import { CONSOLE_DIR } from '../../src/api/routes/ui.js';
import { withTransaction } from '../../src/db/pool.js';
import { escalateOverdue } from '../../src/escalation/escalate.js';
import { issueNotice } from '../../src/notices/issue.js';
import { LocalBlobStore } from '../../src/storage/blob-store.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { backdateNotice, randomCarPlate, seedApprovedViolation, seedCamera, seedVehicle, staffWithSession, type TestStaff } from '../helpers/fixtures.js';

/**
 * The penalty-procedure screens in Chromium at 1366x768 against the real API: the owner names the driver,
 * the record, one decision for two violations of that driver (one fine set above the midpoint with a reason),
 * the PDFs, the driver's points ledger and the escalation lists. Screenshots go to test-artifacts/ui/.
 */
const PASSWORD = 'correct horse battery';
const OWNER = { fullName: 'Lê Thị Hoa', nationalId: '024190000777', address: 'Thôn Bảo Lộc, Xã Lạng Giang', province: 'Tỉnh Bắc Ninh' };
const DRIVER = { nationalId: '024095001234', fullName: 'Trần Văn Nam', licenceNumber: '240123456789', address: 'Phường Bắc Giang, Tỉnh Bắc Ninh' };

let t: TestApp;
let base: string;
let browser: Browser;
let officer: TestStaff;
let cameraId: number;
let storage: LocalBlobStore;

async function noticeFor(o: { rule: 'red_light' | 'speeding'; vehicleType?: 'car' | 'motorbike'; daysAgo?: number }) {
  const plate = o.vehicleType === 'motorbike' ? `98B1-${String(Math.floor(Math.random() * 100_000)).padStart(5, '0').replace(/(\d{3})(\d{2})/, '$1.$2')}` : randomCarPlate();
  const vehicle = await seedVehicle(t.db.pool, { plate, vehicleType: o.vehicleType, owner: OWNER });
  const { violationId } = await seedApprovedViolation(t.db.pool, storage, { cameraId, plate, vehicleId: vehicle.vehicleId, ownerId: vehicle.ownerId,
    decidedBy: officer.id, rule: o.rule, occurredAt: new Date(Date.now() - 2 * 86_400_000) });
  const notice = await withTransaction(t.db.pool, (tx) => issueNotice(tx, violationId, officer));
  if (o.daysAgo) await backdateNotice(t.db.pool, notice.noticeId, o.daysAgo);
  return { ...notice, plate };
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install chromium (or set CHROMIUM_PATH)`);
  if (!existsSync(path.join(CONSOLE_DIR, 'index.html'))) throw new Error('the console is not built: run npm run build:console');
  await mkdir(ARTIFACTS, { recursive: true });
  t = await createTestApp();
  storage = new LocalBlobStore(t.config.STORAGE_DIR);
  const admin = await staffWithSession(t.db.pool, 'admin');
  officer = await staffWithSession(t.db.pool, 'officer', 'canbo-thutuc');
  for (const u of [
    { code: 'PC08BN', kind: 'traffic_police', name: 'Phòng Cảnh sát giao thông', parentName: 'CÔNG AN TỈNH BẮC NINH',
      address: 'Số 2 đường Lý Thái Tổ, Phường Kinh Bắc, Tỉnh Bắc Ninh', phone: '02223822456', commune: null, province: 'Tỉnh Bắc Ninh' },
    { code: 'CAXLGBN', kind: 'commune_police', name: 'Công an xã Lạng Giang', parentName: 'CÔNG AN TỈNH BẮC NINH',
      address: 'Xã Lạng Giang, Tỉnh Bắc Ninh', phone: '02043881234', commune: 'Xã Lạng Giang', province: 'Tỉnh Bắc Ninh' },
  ]) expect((await t.app.inject({ method: 'POST', url: '/api/v1/units', headers: admin.headers, payload: u })).statusCode).toBe(201);
  const cam = await seedCamera(t.db.pool, { address: 'Quốc lộ 1, Xã Lạng Giang', province: 'Tỉnh Bắc Ninh' });
  cameraId = cam.id;
  expect((await t.app.inject({ method: 'PUT', url: `/api/v1/cameras/${cam.code}/detecting-unit`, headers: admin.headers, payload: { unitCode: 'PC08BN' } })).statusCode).toBe(200);
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  browser = await chromium.launch({
    executablePath: CHROMIUM, headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await t?.close();
});

const loggedIn = (username: string): Promise<Page> => consoleLogin(browser, base, username, PASSWORD);

const shot = (page: Page, name: string) => page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
const fetchPdf = (page: Page, selector: string) => page.evaluate<{ status: number; type: string | null; head: string }>(`(async () => {
  const res = await fetch(document.querySelector(${JSON.stringify(selector)}).href);
  const bytes = new Uint8Array(await res.arrayBuffer());
  return { status: res.status, type: res.headers.get('content-type'), head: String.fromCharCode(...bytes.slice(0, 5)) };
})()`);

describe('the penalty procedure screens', () => {
  it('an officer records that the owner names the driver, makes the record, and issues one decision for two of the driver\'s violations', async () => {
    const red = await noticeFor({ rule: 'red_light' });
    const speed = await noticeFor({ rule: 'speeding' });
    // the second case reached the record stage at the counter already (same driver named)
    for (const [url, payload] of [[`/api/v1/notices/${speed.noticeNumber}/owner-response`, { response: 'driver_named', driver: DRIVER }],
      [`/api/v1/notices/${speed.noticeNumber}/record`, {}]] as const) {
      expect((await t.app.inject({ method: 'POST', url, headers: officer.headers, payload })).statusCode).toBe(201);
    }

    const page = await loggedIn(officer.username);
    await page.goto(`${base}/console/#/notices?number=${red.noticeNumber}`);
    await page.click(`a[data-procedure="${red.noticeNumber}"]`);
    await page.waitForSelector('#response-form');
    expect(await page.textContent('#proc-unit')).toContain('CÔNG AN TỈNH BẮC NINH');
    // the later steps say what has to happen first
    expect(await page.textContent('#record-empty')).toContain('ghi nhận phản hồi của chủ phương tiện');
    expect(await page.textContent('#decision-empty')).toContain('lập biên bản');
    await shot(page, 'p1-procedure-start');
    expect(await accessibilityProblems(page)).toEqual([]);

    // errors next to the fields: no choice, then a bad personal ID and a missing name
    await page.click('#response-submit');
    expect(await page.textContent('#response-choice-error')).toContain('Hãy chọn');
    await page.check('#resp-driver_named');
    expect(await page.isVisible('#driver-id')).toBe(true);
    expect(await page.isVisible('#owner-licence')).toBe(false);
    await page.fill('#driver-id', '12345');
    await page.fill('#driver-licence', DRIVER.licenceNumber);
    await page.fill('#driver-address', DRIVER.address);
    await page.click('#response-submit');
    expect(await page.textContent('#driver-id-error')).toContain('12 chữ số');
    expect(await page.textContent('#driver-name-error')).toContain('Bắt buộc');
    await shot(page, 'p2-response-errors');
    await page.fill('#driver-id', DRIVER.nationalId);
    await page.fill('#driver-name', DRIVER.fullName);
    await page.click('#response-submit');
    await page.waitForSelector('#response-kind');
    expect(await page.textContent('#response-kind')).toBe('Chủ phương tiện khai báo người điều khiển khác');
    expect(await page.textContent('#response-violator')).toContain(DRIVER.fullName);

    await page.fill('#record-statement', 'Người vi phạm thừa nhận lỗi');
    await page.click('#record-submit');
    await page.waitForSelector('#record-number');
    const recordNumber = (await page.textContent('#record-number'))!;
    expect(recordNumber).toMatch(/^BB-PC08BN-\d{4}-\d{6}$/);

    // the decision form lists both open records of the driver, this case's ticked, each at its range's midpoint
    await page.waitForSelector('#open-records .open-record');
    expect(await page.$$eval('#open-records .open-record', (trs) => trs.length)).toBe(2);
    const speedRecord = (await t.db.pool.query<{ record_number: string }>(
      'SELECT r.record_number FROM violation_records r JOIN notices n ON n.id = r.notice_id WHERE n.notice_number = $1', [speed.noticeNumber])).rows[0]!.record_number;
    expect(await page.inputValue(`#amount-${recordNumber}`)).toBe('19000000');
    expect(await page.inputValue(`#amount-${speedRecord}`)).toBe('5000000');
    await page.check(`input[type=checkbox][data-record="${speedRecord}"]`);
    expect(await page.textContent('#decision-draft-total')).toBe('24.000.000 ₫');
    await page.fill(`#amount-${speedRecord}`, '7000000');
    await page.click('#decision-submit');
    expect(await page.textContent(`#amount-${speedRecord}-error`)).toContain('4.000.000 ₫ – 6.000.000 ₫');
    await page.fill(`#amount-${speedRecord}`, '6000000');
    await page.click('#decision-submit');
    expect(await page.textContent(`#reason-${speedRecord}-error`)).toContain('cần nêu lý do');
    await shot(page, 'p3-decision-errors');
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.fill(`#reason-${speedRecord}`, 'Tái phạm trong năm');
    expect(await page.textContent('#decision-draft-total')).toBe('25.000.000 ₫');
    expect(await page.textContent('#decision-draft-points')).toBe('4');
    await page.click('#decision-submit');
    await page.waitForSelector('#decision-number');
    const decisionNumber = (await page.textContent('#decision-number'))!;
    expect(decisionNumber).toMatch(/^QD-PC08BN-\d{4}-\d{6}$/);
    expect(await page.textContent('#decision-total')).toBe('25.000.000 ₫');
    expect(await page.textContent('#decision-points')).toBe('4');
    expect(await page.textContent('#decision-status')).toBe('Chưa nộp phạt');
    expect(await page.textContent('#decision-items')).toContain('Tái phạm trong năm');
    expect(await page.textContent('#no-payments')).toContain('Tài chính');
    for (const selector of ['#record-pdf', '#decision-pdf']) {
      expect(await fetchPdf(page, selector)).toEqual({ status: 200, type: 'application/pdf', head: '%PDF-' });
    }
    await shot(page, 'p4-decision');
    expect(await accessibilityProblems(page)).toEqual([]);
    const stored = await t.db.pool.query<{ fine_amount: number; amount_reason: string | null }>(
      `SELECT i.fine_amount, i.amount_reason FROM decision_items i JOIN penalty_decisions d ON d.id = i.decision_id WHERE d.decision_number = $1 ORDER BY i.fine_amount DESC`, [decisionNumber]);
    expect(stored.rows).toEqual([{ fine_amount: 19_000_000, amount_reason: null }, { fine_amount: 6_000_000, amount_reason: 'Tái phạm trong năm' }]);

    // the other case shows the same decision
    await page.goto(`${base}/console/#/procedure/${speed.noticeNumber}`);
    await page.waitForSelector('#decision-number');
    expect(await page.textContent('#decision-number')).toBe(decisionNumber);

    // the driver's points: 12 - 4 (only the largest deduction of the two violations)
    await page.click('#decision-points-link');
    await page.waitForSelector('#ledger');
    expect(await page.textContent('#points-balance')).toBe('8/12');
    expect(await page.$$eval('#points-entries .points-entry', (trs) => trs.length)).toBe(1);
    expect(await page.textContent('#points-entries')).toContain(decisionNumber);
    await shot(page, 'p5-points');
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.fill('#points-id', '0241');
    await page.click('#points-show');
    expect(await page.textContent('#points-id-error')).toContain('12 chữ số');
    await page.fill('#points-id', OWNER.nationalId);
    await page.click('#points-show');
    await page.waitForSelector('#points-empty');
    expect(await page.textContent('#points-balance')).toBe('12/12');
    await page.context().close();
  });

  it('an officer sees overdue cars for the inspection registry and motorbikes for form-04 notices to the commune police', async () => {
    const page = await loggedIn(officer.username);
    await page.goto(`${base}/console/#/escalations`);
    await page.waitForSelector('#esc-registry');
    // whatever earlier cases left, a list with nothing says when cases come onto it
    await page.goto(`${base}/console/#/escalations?state=lifted`);
    await page.waitForSelector('#esc-registry-empty');
    expect(await page.textContent('#esc-registry-empty')).toContain('kết thúc');

    const car = await noticeFor({ rule: 'red_light', daysAgo: 25 });
    const bike = await noticeFor({ rule: 'red_light', vehicleType: 'motorbike', daysAgo: 25 });
    const escalated = await escalateOverdue(t.db.pool, new Date());
    expect(escalated.map((e) => e.noticeNumber).sort()).toEqual([car.noticeNumber, bike.noticeNumber].sort());
    await page.goto(`${base}/console/#/escalations`);
    await page.waitForSelector('#esc-registry-table');
    const registry = await page.textContent('#esc-registry-table');
    expect(registry).toContain(car.plate);
    expect(registry).toContain('Ô tô');
    expect(registry).not.toContain(bike.plate);
    const form04 = await page.textContent('#esc-form04-table');
    expect(form04).toContain(bike.plate);
    expect(form04).toContain('Mô tô');
    expect(form04).toContain('Công an xã Lạng Giang');
    expect(form04).not.toMatch(/motorbike|commune_police/);
    // the form-04 paper itself, numbered at escalation, opens from the row
    const pdfHref = (await page.getAttribute(`#esc-form04-table a[data-form04="${bike.noticeNumber}"]`, 'href'))!;
    expect(await page.textContent(`#esc-form04-table a[data-form04="${bike.noticeNumber}"]`)).toMatch(/\(PDF\)$/);
    expect(await page.evaluate(`fetch(${JSON.stringify(pdfHref)}).then((r) => r.status + ' ' + r.headers.get('content-type'))`)).toBe('200 application/pdf');
    await shot(page, 'p6-escalations');
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.click(`#esc-form04-table a[href="#/procedure/${bike.noticeNumber}"]`);
    await page.waitForSelector('#response-form');
    expect(await page.textContent('#proc-status')).toContain('Quá hạn');
    await page.context().close();
  });
});

describe('the review queue camera filter', () => {
  it('lists every camera, also those with no case on the page (officers get names only, not camera settings)', async () => {
    const quiet = await seedCamera(t.db.pool, { code: 'BN-KHONG-VU-001' });
    const names = await t.app.inject({ method: 'GET', url: '/api/v1/cameras/names', headers: officer.headers });
    expect(names.json().items).toContainEqual({ id: quiet.id, code: 'BN-KHONG-VU-001', name: 'Camera BN-KHONG-VU-001' });
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/cameras', headers: officer.headers })).statusCode).toBe(403);

    const page = await loggedIn(officer.username);
    await page.goto(`${base}/console/#/queue`);
    await page.waitForSelector('#queue-filters');
    const { rows } = await t.db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM cameras');
    expect(await page.$$eval('#filter-camera option[value]:not([value=""])', (o) => o.length)).toBe(rows[0]!.n);
    await page.selectOption('#filter-camera', String(quiet.id));
    await page.click('#apply-filters');
    await page.waitForSelector('#queue-empty');
    expect(await page.inputValue('#filter-camera')).toBe(String(quiet.id));
    expect(await page.textContent('#queue-empty')).toContain('Bỏ lọc');
    await page.context().close();
  });
});
